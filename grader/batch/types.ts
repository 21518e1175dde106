/**
 * Shared types of instructor batch grading (grader/batch). A batch is a set of submissions, each
 * identified by an id (its folder name), graded into one GradeReport apiece; every batch output is
 * a read-only view of those reports.
 */
import type { GradeOptions } from '../options';
import type { GradeReport } from '../report/types';

/** The engine's entry point (grader/api.ts `grade`), injectable so tests can count and fake calls. */
export type GradeFn = (options: Partial<GradeOptions> & { submission: string }) => Promise<GradeReport>;

/** One submission of a batch: `id` is the subfolder's name, `dir` its absolute path. */
export interface Submission {
  id: string;
  dir: string;
}

/** A graded submission: the report plus the id it is filed under. */
export interface BatchEntry {
  id: string;
  report: GradeReport;
}

/** A deterministic slice of a batch: the sorted ids whose 0-based index % count === index - 1. */
export interface Shard {
  /** 1-based shard number (as in `--shard 2/4`). */
  index: number;
  count: number;
}

/**
 * GradeReport: the one result object that flows through the pipeline
 * (load -> sandbox -> compare -> diagnose -> score -> report). Every output format is a read-only
 * view of it. Its JSON Schema lives beside this file (schema.json) and must be kept in step.
 */
import type { PartId } from '../parts/ids';

export const SCHEMA_VERSION = 1 as const;

export type PartStatus = 'passed' | 'failed' | 'errored';

/** A student-facing line of feedback. `level` drives colour and annotations only. */
export interface Message {
  level: 'info' | 'error';
  text: string;
}

/** Where in the student's code a part's function is (for annotations); 1-based. */
export interface SourceLocation {
  file: string; // relative to the submission root, e.g. "exercises/nnCostFunction.ts"
  line: number;
  column?: number;
}

/** The worst element of a numeric comparison, in Octave terms. */
export interface WorstElement {
  /** 1-based index into the unrolled (column-major) vector. */
  index: number;
  /** The matrix the position refers to, e.g. "Theta1" for an element of grad's first block. */
  matrix?: string;
  /** 1-based Octave position when the value is a matrix. */
  row?: number;
  column?: number;
  expected: number;
  got: number;
  absError: number;
  relError: number;
}

export interface CaseResult {
  /** Stable within a run, e.g. "public λ=0" or "hidden #3". */
  name: string;
  /** Hidden cases' inputs are not shown to students (Gradescope: after_published). */
  hidden: boolean;
  passed: boolean;
  /** Short student-facing explanation when the case failed. */
  message?: string;
  /** The numeric detail of a failure, when it came to a numeric comparison. */
  worst?: WorstElement;
  /** Compact diff of the '%0.5f ' renderings (the submit.m view), when useful. */
  diff?: string;
  durationMs: number;
}

export interface Diagnosis {
  /** A catalogue mistake id (see grader/diagnose), or "blame:<kind>" for structural blame. */
  id: string;
  message: string;
  /** The step of the notes to revisit. */
  hint: string;
}

export interface PartResult {
  id: PartId;
  title: string;
  score: number;
  maxScore: number;
  status: PartStatus;
  messages: Message[];
  cases: CaseResult[];
  diagnoses: Diagnosis[];
  /** The student's function this part judges, for annotations. */
  location?: SourceLocation;
  durationMs: number;
}

export interface GradeReport {
  schemaVersion: typeof SCHEMA_VERSION;
  grader: { name: 'backprop-grader'; version: string };
  /** The seed of the hidden cases: `--seed <seed>` reproduces this run. */
  seed: number;
  /** The submission's path as given (absolute). */
  submission: string;
  preset: string;
  score: number;
  maxScore: number;
  parts: PartResult[];
  /** Where the reference outputs came from: live solutions or the stored fixtures. */
  reference: 'solutions' | 'fixtures';
  /** Captured (truncated) stdout/stderr of the submission, never printed raw. */
  submissionOutput?: string;
  startedAt: string;
  durationMs: number;
}

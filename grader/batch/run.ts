/**
 * `backprop-grader batch`: grade every submission of a folder into <out>/reports/<id>.json on a
 * concurrency pool, then write the aggregate outputs. Resumable: each report is written atomically
 * as soon as it is done, and --resume skips every id whose stored report validates (same seed and
 * preset), so an interrupted batch never grades anything twice.
 */
import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { GradeOptions } from '../options';
import type { GradeReport } from '../report/types';
import { BatchUsageError, discoverSubmissions, selectShard } from './discover';
import type { MessageId, MessageParams } from '../messages/index';
import { erroredReport } from '../report/errored';
import { writeBatchOutputs } from './outputs';
import { runPool } from './pool';
import { schemaProblems, listStoredIds, readStoredReport, reportFile, serializeReport, writeFileAtomic, type ReportValidator } from './store';
import { findUploadedSubmission, type FoundUpload } from '../upload/find';
import { batchSimilarity, storeSources } from './similarity';
import type { BatchSummary, SummaryExtras } from './summary';
import type { BatchEntry, GradeFn, Shard, Submission } from './types';
import { checkTamper, type ReleaseManifest } from '../release/manifest';

/**
 * What the progress display is told. `done` counts only submissions graded in this run; `begin`
 * marks a submission going into the pool (the ETA counts it); `interrupt` is sent by the command
 * on Ctrl-C, so a bar gets out of the way before the message.
 */
export type BatchProgressEvent =
  | { type: 'start'; total: number; toGrade: number; skipped: number; seed: number; jobs: number; shard?: Shard }
  | { type: 'begin'; id: string }
  | { type: 'done'; id: string; report: GradeReport; done: number; toGrade: number; errored: boolean }
  | { type: 'interrupt' }
  | { type: 'end'; graded: number; complete: boolean };

/** The grading options a batch passes to every grade() (all but submission and seed). */
export type BatchGradeOptions = Partial<Omit<GradeOptions, 'submission' | 'seed'>>;

export interface BatchOptions {
  /** Folder whose subfolders are the submissions. */
  folder: string;
  /** Output folder (created). */
  out: string;
  /** The engine's grade(); injectable so tests can fake it and count calls. */
  grade: GradeFn;
  /** Options for every grade (preset, points, limits...). */
  gradeOptions?: BatchGradeOptions;
  /** One hidden-case seed for the whole batch (every student gets the same cases). Drawn when absent (or taken from the batch being resumed). */
  seed?: number;
  /** Grades in flight at once. Default os.availableParallelism(). */
  jobs?: number;
  /** Grade only this deterministic slice. */
  shard?: Shard;
  /** Continue a batch in `out`: skip ids whose stored report validates. Without it a non-empty reports folder is a usage error. */
  resume?: boolean;
  /** Stops starting new grades; grades finishing after the abort are discarded (their sandbox may have been killed by the same Ctrl-C). */
  signal?: AbortSignal;
  /** Start at most this many grades, then stop as if aborted (tests simulate an interruption with it). */
  limit?: number;
  /** Give up on one submission after this long and file an errored report for it. Default 10 min. */
  submissionTimeoutMs?: number;
  onProgress?: (event: BatchProgressEvent) => void;
  /** Validates stored and fresh reports. Default: schemaProblems. */
  validate?: ReportValidator;
  /** Clock for errored reports' startedAt. */
  now?: () => Date;
  /** Each subfolder is an upload: grade the one folder inside it holding the files (grader/upload/find.ts). */
  find?: boolean;
  /** Compare every pair of submissions' code once all are graded (similarity.json/.csv, flags). */
  similarity?: boolean;
  /** Pairs at or above this score are flagged. Default DEFAULT_THRESHOLD (grader/similarity/compare.ts). */
  similarityThreshold?: number;
  /**
   * Tamper evidence: each repository's grading files are compared with this release manifest and
   * the result stored in its report's `tamper` field (grading still uses the engine given here).
   */
  releaseManifest?: ReleaseManifest;
}

export interface BatchResult {
  outDir: string;
  seed: number;
  /** Submissions in this batch (or shard). */
  total: number;
  /** Graded in this run. */
  graded: number;
  /** Skipped because a valid report was already stored (--resume). */
  skipped: number;
  /** Every submission has a report; the aggregate outputs were written. */
  complete: boolean;
  /** Present when complete. */
  summary?: BatchSummary;
  /** Reports that could not be written (disk errors); the batch went on without them. */
  writeErrors: { id: string; message: string }[];
}

/** The batch manifest (<out>/batch.json): what --resume needs to continue with the same cases. */
export interface BatchManifest {
  seed: number;
  preset: string;
  shard: string | null;
  submissions: string[];
}

export const MANIFEST_FILE = 'batch.json';
export const REPORTS_DIR = 'reports';

/** The highest seed drawn for a batch (31 bits: exact in JSON, a plain integer for every PRNG). */
const MAX_SEED = 2 ** 31 - 1;

function readManifest(outDir: string): BatchManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(outDir, MANIFEST_FILE), 'utf8')) as BatchManifest;
  } catch {
    return undefined;
  }
}

/** Resolves after `ms`, unref'd so a pending watchdog never keeps the process alive. */
function timeout(ms: number): { promise: Promise<'timeout'>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((res) => {
    timer = setTimeout(() => res('timeout'), ms);
    timer.unref();
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/** Grades the batch. Throws BatchUsageError for bad inputs; never for a submission's failure. */
export async function runBatch(options: BatchOptions): Promise<BatchResult> {
  const outDir = resolve(options.out);
  const reportsDir = join(outDir, REPORTS_DIR);
  const validate = options.validate ?? schemaProblems;
  const now = options.now ?? (() => new Date());
  const preset = options.gradeOptions?.preset ?? 'full';
  const jobs = options.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new BatchUsageError({ id: 'cli.jobs', params: { value: String(jobs) } });

  const subs: Submission[] = selectShard(discoverSubmissions(options.folder, [outDir]), options.shard);
  const stored = listStoredIds(reportsDir);
  const manifest = readManifest(outDir);
  if (!options.resume && stored.length > 0) {
    throw new BatchUsageError({ id: 'cli.batch.has-reports', params: { dir: reportsDir, count: stored.length } });
  }
  let seed = options.seed;
  if (options.resume && manifest) {
    if (seed !== undefined && seed !== manifest.seed) {
      throw new BatchUsageError({ id: 'cli.batch.resume-seed', params: { dir: outDir, stored: manifest.seed, given: seed } });
    }
    if (manifest.preset !== preset) {
      throw new BatchUsageError({ id: 'cli.batch.resume-preset', params: { dir: outDir, stored: manifest.preset, given: preset } });
    }
    seed = manifest.seed;
  }
  seed ??= randomInt(1, MAX_SEED);
  const batchSeed = seed;

  const shardSpec = options.shard ? `${options.shard.index}/${options.shard.count}` : null;
  writeFileAtomic(
    join(outDir, MANIFEST_FILE),
    `${JSON.stringify({ seed: batchSeed, preset, shard: shardSpec, submissions: subs.map((s) => s.id) } satisfies BatchManifest, null, 2)}\n`,
  );

  // --resume: a stored report counts only if it validates and was graded with this batch's seed and preset.
  const done = new Map<string, BatchEntry>();
  if (options.resume) {
    const storedSet = new Set(stored);
    for (const sub of subs) {
      if (!storedSet.has(sub.id)) continue;
      const r = readStoredReport(reportsDir, sub.id, validate);
      if (r?.ok && r.entry.report.seed === batchSeed && r.entry.report.preset === preset) done.set(sub.id, r.entry);
    }
  }
  const todo = subs.filter((s) => !done.has(s.id));
  const skipped = done.size;
  options.onProgress?.({ type: 'start', total: subs.length, toGrade: todo.length, skipped, seed: batchSeed, jobs, shard: options.shard });

  const writeErrors: BatchResult['writeErrors'] = [];
  let graded = 0;
  const watchdogMs = options.submissionTimeoutMs ?? 10 * 60_000;
  const aborted = () => options.signal?.aborted === true;

  // --find: where each upload's files are (the folder itself otherwise), or why it was refused.
  const located = (sub: Submission): FoundUpload => (options.find ? findUploadedSubmission(sub.dir) : { ok: true, dir: sub.dir });

  const gradeOne = async (sub: Submission): Promise<GradeReport> => {
    const found = located(sub);
    const base = { ...options.gradeOptions, submission: found.ok ? found.dir : sub.dir, seed: batchSeed };
    const fallback = (id: MessageId, params: MessageParams) =>
      erroredReport(
        { ...options.gradeOptions, submission: sub.dir, seed: batchSeed, preset },
        { messages: [{ level: 'error', id, params }] },
        now(),
      );
    if (!found.ok) return fallback(found.messageId, found.params);
    const watchdog = timeout(watchdogMs);
    try {
      const outcome = await Promise.race([options.grade(base), watchdog.promise]);
      if (outcome === 'timeout') {
        return fallback('report.errored.watchdog', { seconds: Math.round(watchdogMs / 1000) });
      }
      const problems = validate(outcome);
      if (problems.length > 0) {
        return fallback('report.errored.invalid-report', { reason: problems.slice(0, 3).join('; ') });
      }
      return outcome;
    } catch (error) {
      // grade() should not throw for student errors; if it does, the batch files an errored report and goes on.
      return fallback('report.errored.grader-failed', { reason: (error as Error)?.message ?? String(error) });
    } finally {
      watchdog.clear();
    }
  };

  await runPool(
    todo,
    jobs,
    async (sub) => {
      options.onProgress?.({ type: 'begin', id: sub.id });
      const report = await gradeOne(sub);
      if (aborted()) return; // see BatchOptions.signal: a result finishing after an abort is not trusted.
      if (options.releaseManifest) {
        try {
          report.tamper = checkTamper(sub.dir, options.releaseManifest);
        } catch {
          report.tamper = { status: 'changed' }; // an unreadable repository cannot be vouched for
        }
      }
      try {
        writeFileAtomic(reportFile(reportsDir, sub.id), serializeReport(report));
      } catch (error) {
        writeErrors.push({ id: sub.id, message: (error as Error).message });
        return;
      }
      done.set(sub.id, { id: sub.id, report });
      graded++;
      options.onProgress?.({
        type: 'done',
        id: sub.id,
        report,
        done: graded,
        toGrade: todo.length,
        errored: report.parts.some((p) => p.status === 'errored'),
      });
    },
    (i) => !aborted() && (options.limit === undefined || i < options.limit),
  );

  const complete = subs.every((s) => done.has(s.id));
  let summary: BatchSummary | undefined;
  if (complete) {
    const extras: SummaryExtras = {};
    if (options.similarity) {
      // Sources are stored (not only compared) so `merge --similarity` can compare shards.
      for (const sub of subs) {
        const found = located(sub);
        storeSources(outDir, sub.id, found.ok ? found.dir : sub.dir);
      }
      extras.similarity = batchSimilarity(outDir, subs.map((s) => s.id), options.similarityThreshold);
    }
    summary = writeBatchOutputs(outDir, subs.map((s) => done.get(s.id)!), extras, options.gradeOptions?.lang);
  }
  options.onProgress?.({ type: 'end', graded, complete });
  return { outDir, seed: batchSeed, total: subs.length, graded, skipped, complete, summary, writeErrors };
}

/**
 * The batch's reports folder: one `<id>.json` per graded submission, each written atomically
 * (temporary file + rename) the moment its grade is done. A report file therefore either exists
 * complete or not at all, which is what lets `--resume` trust whatever it finds.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { GradeReport } from '../report/types';
import { formatAjvErrors, ReportValidationError, validateReport } from '../report/validate';
import type { BatchEntry } from './types';

/** Checks that a parsed JSON value is a GradeReport; returns the problems found (none = valid). */
export type ReportValidator = (value: unknown) => string[];

/**
 * The default validator: the shipped JSON Schema (grader/report/validate.ts), so a report the batch
 * skips on --resume or merges is exactly as valid as one it just wrote.
 */
export function schemaProblems(value: unknown): string[] {
  try {
    validateReport(value);
    return [];
  } catch (error) {
    if (error instanceof ReportValidationError) return formatAjvErrors(error.errors).split('\n').map((l) => l.trim());
    return [(error as Error)?.message ?? String(error)];
  }
}

/** The file a submission's report is stored in. */
export function reportFile(reportsDir: string, id: string): string {
  return join(reportsDir, `${id}.json`);
}

/** Serialises a report the one way every batch file uses (stable bytes for equal reports). */
export function serializeReport(report: GradeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

let tmpCounter = 0;

/**
 * Writes `text` to `file` atomically: a crash or Ctrl-C leaves either the old file or the new one,
 * never a truncated one (rename within one folder is atomic on POSIX and NTFS).
 */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  // The temporary name starts with "." so listings of finished reports never see it.
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${++tmpCounter}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Result of reading one stored report. */
export type StoredReport = { ok: true; entry: BatchEntry; text: string } | { ok: false; id: string; problems: string[] };

/** Reads and validates `<reportsDir>/<id>.json`; undefined when the file does not exist. */
export function readStoredReport(reportsDir: string, id: string, validate: ReportValidator = schemaProblems): StoredReport | undefined {
  let text: string;
  try {
    text = readFileSync(reportFile(reportsDir, id), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { ok: false, id, problems: [(error as Error).message] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, id, problems: [`not JSON: ${(error as Error).message}`] };
  }
  const problems = validate(value);
  if (problems.length > 0) return { ok: false, id, problems };
  return { ok: true, entry: { id, report: value as GradeReport }, text };
}

/** The ids with a `<id>.json` in `reportsDir` (sorted; temporary files ignored); [] when absent. */
export function listStoredIds(reportsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(reportsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .map((n) => n.slice(0, -'.json'.length))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

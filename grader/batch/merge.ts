/**
 * `backprop-grader merge <dirs…> --out <dir>`: combines the reports of several shards (or partial
 * batches) into one batch output identical to a single-machine run: the same reports/, the same
 * batch.json, and byte-identical gradebook.csv, summary.md and report.html (the aggregate views hold
 * no clocks, durations or paths, and sort by id).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Lang } from '../messages/index';
import type { GradeReport } from '../report/types';
import { BatchUsageError, compareIds } from './discover';
import { writeBatchOutputs } from './outputs';
import { MANIFEST_FILE, REPORTS_DIR, type BatchManifest } from './run';
import { schemaProblems, listStoredIds, readStoredReport, reportFile, writeFileAtomic, type ReportValidator } from './store';
import { batchSimilarity, sourcesFile } from './similarity';
import type { BatchSummary, SummaryExtras } from './summary';
import type { BatchEntry } from './types';

export interface MergeResult {
  outDir: string;
  summary: BatchSummary;
  /** Submissions merged. */
  total: number;
  /** Ids found in more than one input with the same grades (kept once). */
  duplicates: string[];
}

/**
 * A report without what legitimately differs between two gradings of the same submission with the
 * same seed: timestamps, durations and the machine's path. Two reports of one id that differ in
 * anything else are a conflict.
 */
export function gradedContent(report: GradeReport): unknown {
  return {
    ...report,
    startedAt: undefined,
    durationMs: undefined,
    submission: undefined,
    parts: report.parts.map((p) => ({ ...p, durationMs: undefined, cases: p.cases.map((c) => ({ ...c, durationMs: undefined })) })),
  };
}

/** The reports folder of an input: `<dir>/reports` when it exists (a batch --out), else `dir` itself. */
function reportsDirOf(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new BatchUsageError({ id: 'cli.merge.not-a-folder', params: { dir } });
  const inner = join(abs, REPORTS_DIR);
  return existsSync(inner) ? inner : abs;
}

/**
 * Merges the reports found in `dirs` into `out`. Throws BatchUsageError on an invalid report, on
 * conflicting duplicates, on mixed seeds or presets (the shards would not have graded the same
 * hidden cases), or when `out` already holds reports.
 */
export interface MergeOptions {
  validate?: ReportValidator;
  /** Compare every pair's code (each input must hold the sources: run its batch with --similarity). */
  similarity?: boolean;
  similarityThreshold?: number;
  /** The language of summary.md and report.html. Default English. */
  lang?: Lang;
}

export function mergeBatches(dirs: readonly string[], out: string, options: MergeOptions = {}): MergeResult {
  const validate = options.validate ?? schemaProblems;
  if (dirs.length === 0) throw new BatchUsageError({ id: 'cli.merge.no-input' });
  const outDir = resolve(out);
  const outReports = join(outDir, REPORTS_DIR);
  const inputs = dirs.map(reportsDirOf);
  if (listStoredIds(outReports).length > 0 && !inputs.includes(outReports)) {
    throw new BatchUsageError({ id: 'cli.merge.has-reports', params: { dir: outReports } });
  }

  const merged = new Map<string, { entry: BatchEntry; text: string; from: string }>();
  const duplicates: string[] = [];
  for (const dir of inputs) {
    for (const id of listStoredIds(dir)) {
      const r = readStoredReport(dir, id, validate);
      if (!r) continue;
      if (!r.ok) throw new BatchUsageError({ id: 'cli.merge.invalid-report', params: { file: reportFile(dir, id), problems: r.problems.join('; ') } });
      const seen = merged.get(id);
      if (!seen) {
        merged.set(id, { entry: r.entry, text: r.text, from: dir });
      } else if (JSON.stringify(gradedContent(seen.entry.report)) === JSON.stringify(gradedContent(r.entry.report))) {
        duplicates.push(id);
      } else {
        throw new BatchUsageError({ id: 'cli.merge.conflict', params: { id, first: seen.from, second: dir } });
      }
    }
  }
  const ids = [...merged.keys()].sort(compareIds);
  const entries = ids.map((id) => merged.get(id)!.entry);
  const seeds = [...new Set(entries.map((e) => e.report.seed))];
  const presets = [...new Set(entries.map((e) => e.report.preset))];
  if (seeds.length > 1) throw new BatchUsageError({ id: 'cli.merge.seeds', params: { seeds: seeds.join(', ') } });
  if (presets.length > 1) throw new BatchUsageError({ id: 'cli.merge.presets', params: { presets: presets.join(', ') } });

  // A report's stored sources (batch --similarity) sit beside its reports folder.
  const sourcesOf = (id: string): string | undefined => {
    const { from } = merged.get(id)!;
    const file = basename(from) === REPORTS_DIR ? sourcesFile(dirname(from), id) : undefined;
    return file && existsSync(file) ? file : undefined;
  };
  if (options.similarity) {
    const missing = ids.filter((id) => !sourcesOf(id));
    if (missing.length > 0) {
      const ids = missing.length > 5 ? `${missing.slice(0, 5).join(', ')}, … (+${missing.length - 5})` : missing.join(', ');
      throw new BatchUsageError({ id: 'cli.merge.no-sources', params: { ids } });
    }
  }
  for (const id of ids) {
    const { text, from } = merged.get(id)!;
    if (from !== outReports) writeFileAtomic(reportFile(outReports, id), text);
    const sources = sourcesOf(id);
    if (sources && sources !== sourcesFile(outDir, id)) writeFileAtomic(sourcesFile(outDir, id), readFileSync(sources, 'utf8'));
  }
  const extras: SummaryExtras = {};
  if (options.similarity) extras.similarity = batchSimilarity(outDir, ids, options.similarityThreshold);
  if (entries.length > 0) {
    const manifest: BatchManifest = { seed: seeds[0], preset: presets[0], shard: null, submissions: ids };
    writeFileAtomic(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const summary = writeBatchOutputs(outDir, entries, extras, options.lang);
  return { outDir, summary, total: entries.length, duplicates: [...new Set(duplicates)].sort(compareIds) };
}

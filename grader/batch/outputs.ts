/**
 * The batch's aggregate outputs, all views of one BatchSummary:
 *   <out>/gradebook.csv    one row per submission (id, total, each part; flags when a check ran)
 *   <out>/summary.md       counts, statistics, pass rates, diagnoses
 *   <out>/report.html      self-contained HTML report with charts and per-student details
 *   <out>/similarity.json  (--similarity) the flagged pairs with their shared regions
 *   <out>/similarity.csv   (--similarity) the same pairs, one row each
 * (the per-submission JSON reports live in <out>/reports/, written as grading goes).
 */
import { join } from 'node:path';
import type { Lang } from '../messages/index';
import { renderGradebookCsv, renderSimilarityCsv } from '../reporters/batch-csv';
import { renderBatchHtml } from '../reporters/batch-html';
import { renderBatchMarkdown } from '../reporters/batch-markdown';
import { writeFileAtomic } from './store';
import { summarizeBatch, type BatchSummary, type SummaryExtras } from './summary';
import type { BatchEntry } from './types';

/** File names of the aggregate outputs inside --out. */
export const OUTPUT_FILES = {
  csv: 'gradebook.csv',
  markdown: 'summary.md',
  html: 'report.html',
  similarityJson: 'similarity.json',
  similarityCsv: 'similarity.csv',
} as const;

/** The files writeBatchOutputs writes for a summary (for messages). */
export function outputFileNames(summary: BatchSummary): string[] {
  const names: string[] = [OUTPUT_FILES.csv, OUTPUT_FILES.markdown, OUTPUT_FILES.html];
  if (summary.similarity) names.push(OUTPUT_FILES.similarityJson, OUTPUT_FILES.similarityCsv);
  return names;
}

/**
 * Summarises `entries` and writes the aggregate files into `outDir`; returns the summary. `lang`
 * is the language of summary.md and report.html (default English); the CSV's header row is ids.
 */
export function writeBatchOutputs(outDir: string, entries: readonly BatchEntry[], extras: SummaryExtras = {}, lang: Lang = 'en'): BatchSummary {
  const summary = summarizeBatch(entries, extras);
  writeFileAtomic(join(outDir, OUTPUT_FILES.csv), renderGradebookCsv(summary));
  writeFileAtomic(join(outDir, OUTPUT_FILES.markdown), renderBatchMarkdown(summary, lang));
  writeFileAtomic(join(outDir, OUTPUT_FILES.html), renderBatchHtml(summary, entries, lang));
  if (summary.similarity) {
    writeFileAtomic(join(outDir, OUTPUT_FILES.similarityJson), `${JSON.stringify(summary.similarity, null, 2)}\n`);
    writeFileAtomic(join(outDir, OUTPUT_FILES.similarityCsv), renderSimilarityCsv(summary.similarity));
  }
  return summary;
}

/**
 * The batch's aggregate outputs, all views of one BatchSummary:
 *   <out>/gradebook.csv   one row per submission (id, total, each part)
 *   <out>/summary.md      counts, statistics, pass rates, diagnoses
 *   <out>/report.html     self-contained HTML report with charts and per-student details
 * (the per-submission JSON reports live in <out>/reports/, written as grading goes).
 */
import { join } from 'node:path';
import { renderGradebookCsv } from '../reporters/batch-csv';
import { renderBatchHtml } from '../reporters/batch-html';
import { renderBatchMarkdown } from '../reporters/batch-markdown';
import { writeFileAtomic } from './store';
import { summarizeBatch, type BatchSummary } from './summary';
import type { BatchEntry } from './types';

/** File names of the aggregate outputs inside --out. */
export const OUTPUT_FILES = { csv: 'gradebook.csv', markdown: 'summary.md', html: 'report.html' } as const;

/** Summarises `entries` and writes the three aggregate files into `outDir`; returns the summary. */
export function writeBatchOutputs(outDir: string, entries: readonly BatchEntry[]): BatchSummary {
  const summary = summarizeBatch(entries);
  writeFileAtomic(join(outDir, OUTPUT_FILES.csv), renderGradebookCsv(summary));
  writeFileAtomic(join(outDir, OUTPUT_FILES.markdown), renderBatchMarkdown(summary));
  writeFileAtomic(join(outDir, OUTPUT_FILES.html), renderBatchHtml(summary, entries));
  return summary;
}

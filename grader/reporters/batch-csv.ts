/**
 * The batch gradebook: `gradebook.csv`, one row per submission (sorted by id): id, total, then
 * each part's score in catalogue order, under a header row of part ids. A view of BatchSummary.
 */
import { stringify } from 'csv-stringify/sync';
import { formatPoints, type BatchSummary } from '../batch/summary';
import { csvSafeText } from './escape';

/** The gradebook CSV text (RFC 4180 quoting, "\n" line ends, trailing newline). */
export function renderGradebookCsv(summary: BatchSummary): string {
  const header = ['id', 'total', ...summary.partIds];
  const rows = summary.students.map((s) => [
    csvSafeText(s.id),
    formatPoints(s.score),
    ...s.parts.map((p) => (p ? formatPoints(p.score) : '')),
  ]);
  return stringify([header, ...rows], { record_delimiter: 'unix' });
}

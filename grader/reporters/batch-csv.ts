/**
 * The batch gradebook: `gradebook.csv`, one row per submission (sorted by id): id, total, then
 * each part's score in catalogue order, under a header row of part ids; when the batch compared
 * repositories with a release manifest, a last column `grader_files` (unchanged, changed or
 * absent: tamper evidence). A view of BatchSummary.
 */
import { stringify } from 'csv-stringify/sync';
import { formatPoints, type BatchSummary } from '../batch/summary';

/**
 * Spreadsheets execute cells starting with = + - @ (and tab/CR) as formulas; an id is a
 * student-chosen folder name, so such ids get a leading apostrophe (the OWASP CSV-injection guard).
 */
export function csvSafeText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** The gradebook CSV text (RFC 4180 quoting, "\n" line ends, trailing newline). */
export function renderGradebookCsv(summary: BatchSummary): string {
  const tamper = summary.students.some((s) => s.tamper !== undefined);
  const header = ['id', 'total', ...summary.partIds, ...(tamper ? ['grader_files'] : [])];
  const rows = summary.students.map((s) => [
    csvSafeText(s.id),
    formatPoints(s.score),
    ...s.parts.map((p) => (p ? formatPoints(p.score) : '')),
    ...(tamper ? [s.tamper ?? ''] : []),
  ]);
  return stringify([header, ...rows], { record_delimiter: 'unix' });
}

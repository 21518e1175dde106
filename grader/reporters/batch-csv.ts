/**
 * The batch's CSV files, views of BatchSummary:
 * - `gradebook.csv`: one row per submission (sorted by id): id, total, then each part's score in
 *   catalogue order, under a header row of part ids; plus a `flags` column when a check beyond
 *   grading ran (tokens such as `similar:bob:0.92`, separated by "; "), and a `grader_files` column
 *   when repositories were compared with a release manifest (unchanged, changed or absent: tamper
 *   evidence);
 * - `similarity.csv`: one row per flagged pair with its shared regions.
 */
import { stringify } from 'csv-stringify/sync';
import { formatPoints, type BatchSummary, type SubmissionFlag } from '../batch/summary';
import type { CodeRange, SimilarityResult } from '../similarity/compare';
import { csvSafeText } from './escape';

/** A flag as a language-neutral CSV token (`similar:<other id>:<score>`). */
export function flagToken(flag: SubmissionFlag): string {
  switch (flag.kind) {
    case 'similar':
      return `similar:${flag.other}:${flag.score}`;
  }
}

/** The gradebook CSV text (RFC 4180 quoting, "\n" line ends, trailing newline). */
export function renderGradebookCsv(summary: BatchSummary): string {
  const withFlags = summary.checks.length > 0;
  const header = ['id', 'total', ...summary.partIds, ...(withFlags ? ['flags'] : [])];
  const tamper = summary.students.some((s) => s.tamper !== undefined);
  header.push(...(tamper ? ['grader_files'] : []));
  const rows = summary.students.map((s) => [
    csvSafeText(s.id),
    formatPoints(s.score),
    ...s.parts.map((p) => (p ? formatPoints(p.score) : '')),
    ...(withFlags ? [csvSafeText(s.flags.map(flagToken).join('; '))] : []),
    ...(tamper ? [s.tamper ?? ''] : []),
  ]);
  return stringify([header, ...rows], { record_delimiter: 'unix' });
}

function rangeText(r: CodeRange): string {
  return `${r.file}:${r.startLine}-${r.endLine}`;
}

/** similarity.csv: a, b, score, shared fingerprints, each side's fingerprints, regions ("a-range ~ b-range" joined by " | "). */
export function renderSimilarityCsv(result: SimilarityResult): string {
  const header = ['a', 'b', 'score', 'shared', 'a_fingerprints', 'b_fingerprints', 'regions'];
  const rows = result.pairs.map((p) => [
    csvSafeText(p.a),
    csvSafeText(p.b),
    String(p.score),
    String(p.shared),
    String(p.aFingerprints),
    String(p.bFingerprints),
    csvSafeText(p.regions.map((r) => `${rangeText(r.a)} ~ ${rangeText(r.b)}`).join(' | ')),
  ]);
  return stringify([header, ...rows], { record_delimiter: 'unix' });
}

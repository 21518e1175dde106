/**
 * The batch's Markdown summary (`summary.md`): counts, score statistics, distribution, per-part
 * pass rates, the most common diagnoses and the gradebook. A view of BatchSummary; no clocks.
 */
import { PARTS } from '../parts/ids';
import { formatPercent, formatPoints, type BatchSummary } from '../batch/summary';
import { escapeMarkdown } from './escape';


const STATUS_MARK = { passed: '✅', failed: '❌', errored: '⚠️' } as const;

/** The summary.md text. */
export function renderBatchMarkdown(summary: BatchSummary): string {
  const out: string[] = [];
  const row = (cells: (string | number)[]) => out.push(`| ${cells.join(' | ')} |`);
  const s = summary.scores;

  out.push('# Batch grading summary', '');
  row(['', '']);
  row(['---', '---:']);
  row(['Submissions', summary.submissions]);
  row(['Max score', formatPoints(summary.maxScore)]);
  row(['Preset', summary.presets.map(escapeMarkdown).join(', ') || '—']);
  row(['Seed', summary.seeds.join(', ') || '—']);
  row(['Reference', summary.references.map(escapeMarkdown).join(', ') || '—']);
  row(['Mean', s ? formatPoints(s.mean) : '—']);
  row(['Median', s ? formatPoints(s.median) : '—']);
  row(['Min – max', s ? `${formatPoints(s.min)} – ${formatPoints(s.max)}` : '—']);
  row(['Full marks', summary.counts.perfect]);
  row(['Scored 0', summary.counts.zero]);
  row(['With an errored part', summary.counts.withErrors]);
  out.push('');

  out.push('## Score distribution', '');
  row(['Score (% of max)', 'Submissions']);
  row(['---', '---:']);
  for (const b of summary.histogram) row([b.label, b.count]);
  out.push('');

  out.push('## Parts', '');
  row(['Part', 'Points', 'Passed', 'Failed', 'Errored', 'Pass rate', 'Mean points']);
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:']);
  for (const p of summary.parts) {
    row([`${p.title} (\`${p.id}\`)`, formatPoints(p.maxScore), p.passed, p.failed, p.errored, formatPercent(p.passRate), formatPoints(p.meanScore)]);
  }
  out.push('');

  out.push('## Most common diagnoses', '');
  if (summary.diagnoses.length === 0) {
    out.push('_No diagnoses recorded._');
  } else {
    row(['Diagnosis', 'Submissions', 'Parts', 'Example']);
    row(['---', '---:', '---', '---']);
    for (const d of summary.diagnoses) {
      row([escapeMarkdown(d.id), d.submissions, d.parts.map((id) => PARTS[id].title).join(', '), escapeMarkdown(d.message)]);
    }
  }
  out.push('');

  out.push('## Submissions', '');
  row(['Submission', 'Total', ...summary.partIds.map((id) => `\`${id}\``)]);
  row(['---', '---:', ...summary.partIds.map(() => '---:')]);
  for (const st of summary.students) {
    row([
      escapeMarkdown(st.id),
      `${formatPoints(st.score)}/${formatPoints(st.maxScore)}`,
      ...st.parts.map((p) => (p ? `${STATUS_MARK[p.status]} ${formatPoints(p.score)}` : '—')),
    ]);
  }
  out.push('');
  return out.join('\n');
}

/**
 * The batch's Markdown summary (`summary.md`): counts, score statistics, distribution, per-part
 * pass rates, the mistakes (with the hint to send and who made them), the similar pairs when the
 * check ran, and the gradebook. A view of BatchSummary; no clocks. Every student string escaped.
 */
import { t, type Lang, type MessageId, type MessageParams } from '../messages/index';
import { partTitle } from '../messages/parts';
import { formatPercent, formatPoints, type BatchSummary } from '../batch/summary';
import { escapeMarkdown } from './escape';

const STATUS_MARK = { passed: '✅', failed: '❌', errored: '⚠️' } as const;

/** The summary.md text, its own words in `lang`. */
export function renderBatchMarkdown(summary: BatchSummary, lang: Lang = 'en'): string {
  const out: string[] = [];
  const tt = (id: MessageId, params?: MessageParams) => t(id, params, lang);
  const row = (cells: (string | number)[]) => out.push(`| ${cells.join(' | ')} |`);
  const s = summary.scores;

  out.push(`# ${tt('batch.html.title')}`, '');
  row(['', '']);
  row(['---', '---:']);
  row([tt('batch.html.submissions'), summary.submissions]);
  row([tt('batch.html.max-score'), formatPoints(summary.maxScore)]);
  row([tt('batch.html.preset'), summary.presets.map(escapeMarkdown).join(', ') || '—']);
  row([tt('batch.html.seed'), summary.seeds.join(', ') || '—']);
  row([tt('batch.html.reference'), summary.references.map(escapeMarkdown).join(', ') || '—']);
  row([tt('batch.html.mean'), s ? formatPoints(s.mean) : '—']);
  row([tt('batch.html.median'), s ? formatPoints(s.median) : '—']);
  row([tt('batch.html.min-max'), s ? `${formatPoints(s.min)} – ${formatPoints(s.max)}` : '—']);
  row([tt('batch.html.full-marks'), summary.counts.perfect]);
  row([tt('batch.html.zero'), summary.counts.zero]);
  row([tt('batch.html.with-errored'), summary.counts.withErrors]);
  out.push('');

  out.push(`## ${tt('batch.html.distribution')}`, '');
  row([tt('batch.html.histogram-axis'), tt('batch.html.submissions')]);
  row(['---', '---:']);
  for (const b of summary.histogram) row([b.label, b.count]);
  out.push('');

  out.push(`## ${tt('batch.html.parts')}`, '');
  row([tt('batch.html.part'), tt('batch.html.points'), tt('batch.html.status.passed'), tt('batch.html.status.failed'), tt('batch.html.status.errored'), tt('batch.html.pass-rate'), tt('batch.html.mean-points')]);
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:']);
  for (const p of summary.parts) {
    row([`${partTitle(p.id, lang)} (\`${p.id}\`)`, formatPoints(p.maxScore), p.passed, p.failed, p.errored, formatPercent(p.passRate), formatPoints(p.meanScore)]);
  }
  out.push('');

  out.push(`## ${tt('batch.html.mistakes')}`, '');
  if (summary.diagnoses.length === 0) {
    out.push(`_${tt('batch.html.mistakes-none')}_`);
  } else {
    out.push(tt('batch.html.mistakes-intro'), '');
    for (const d of summary.diagnoses) {
      const parts = d.parts.map((id) => partTitle(id, lang)).join(tt('batch.list-separator'));
      out.push(`### ${tt('batch.md.mistake-heading', { id: d.id.replace(/`/g, ''), count: d.submissions, parts })}`, '');
      out.push(escapeMarkdown(d.message), '');
      out.push(`${tt('batch.html.hint-to-send')}`, '', `> ${escapeMarkdown(d.hint)}`, '');
      out.push(d.students.map(escapeMarkdown).join(' · '), '');
    }
  }
  out.push('');

  if (summary.similarity) {
    const sim = summary.similarity;
    out.push(`## ${tt('batch.html.similar')}`, '');
    out.push(tt('batch.html.similar-intro', { threshold: Math.round(sim.params.threshold * 100), compared: sim.compared.length, skipped: sim.skipped.length }), '');
    if (sim.pairs.length === 0) out.push(`_${tt('batch.html.similar-none')}_`);
    else {
      row(['A', 'B', tt('batch.html.overlap'), tt('batch.html.shared-regions')]);
      row(['---', '---', '---:', '---']);
      for (const p of sim.pairs) {
        const regions = p.regions.map((r) => `${tt('batch.html.range', { file: r.a.file, start: r.a.startLine, end: r.a.endLine })} ~ ${tt('batch.html.range', { file: r.b.file, start: r.b.startLine, end: r.b.endLine })}`);
        row([escapeMarkdown(p.a), escapeMarkdown(p.b), `${Math.round(p.score * 100)}%`, escapeMarkdown(regions.join('; '))]);
      }
    }
    out.push('');
  }

  out.push(`## ${tt('batch.html.gradebook')}`, '');
  row([tt('batch.html.submission'), tt('batch.html.total'), ...summary.partIds.map((id) => `\`${id}\``)]);
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

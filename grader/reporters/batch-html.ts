/**
 * The batch's self-contained HTML report (`report.html`): works offline from a single file (inline
 * CSS, inline SVG charts, no scripts, fonts, images or links out). Figures (histogram, pass rates,
 * diagnosis counts, gradebook) come from BatchSummary; each student's details are a read-only view
 * of their GradeReport. No clocks or durations, so shards merged give the same bytes as one run.
 */
import { PARTS } from '../parts/ids';
import type { GradeReport } from '../report/types';
import { tamperBadge } from './tamper';
import { compareIds } from '../batch/discover';
import { formatPercent, formatPoints, type BatchSummary } from '../batch/summary';
import type { BatchEntry } from '../batch/types';

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--pass:#1a7f37;--fail:#cf222e;--err:#9a6700;--bar:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--pass:#3fb950;--fail:#f85149;--err:#d29922;--bar:#4493f8}}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);max-width:72rem;margin:2rem auto;padding:0 1rem}
h1,h2{line-height:1.2}h2{margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid var(--line);padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.passed{color:var(--pass)}.failed{color:var(--fail)}.errored{color:var(--err)}
.muted{color:var(--muted)}svg{max-width:100%;height:auto}svg text{fill:var(--fg);font:12px system-ui,sans-serif}
svg .bar{fill:var(--bar)}svg .track{fill:var(--line)}
details{border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem;margin:.4rem 0}summary{cursor:pointer}
.tamper{margin-left:.5rem;padding:0 .4rem;border-radius:4px;border:1px solid var(--fail);color:var(--fail);font-size:12px}
pre{white-space:pre-wrap;word-break:break-word;background:rgba(127,127,127,.12);padding:.5rem;border-radius:4px}
`;

const STATUS_TEXT = { passed: '✓ passed', failed: '✗ failed', errored: '⚠ errored' } as const;

/** The score histogram as an inline SVG; every bar carries its figure in data-* attributes and a label. */
export function histogramSvg(summary: BatchSummary): string {
  const bins = summary.histogram;
  const w = 44;
  const gap = 8;
  const plotH = 160;
  const top = 20;
  const left = 10;
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  const width = left * 2 + bins.length * (w + gap) - gap;
  const height = top + plotH + 36;
  const bars = bins.map((b, i) => {
    const h = Math.round((b.count / maxCount) * plotH);
    const x = left + i * (w + gap);
    const y = top + plotH - h;
    return (
      `<g class="hist-bin" data-label="${escapeHtml(b.label)}" data-count="${b.count}">` +
      `<rect class="bar" x="${x}" y="${y}" width="${w}" height="${h}"><title>${escapeHtml(b.label)}%: ${b.count}</title></rect>` +
      `<text x="${x + w / 2}" y="${y - 4}" text-anchor="middle">${b.count}</text>` +
      `<text x="${x + w / 2}" y="${top + plotH + 16}" text-anchor="middle">${escapeHtml(b.label)}</text></g>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Score histogram (% of max score)" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `${bars.join('')}<text x="${width / 2}" y="${height - 2}" text-anchor="middle">score, % of max</text></svg>`
  );
}

/** Per-part pass rates as horizontal bars in an inline SVG (figures in data-* attributes). */
export function passRateSvg(summary: BatchSummary): string {
  const labelW = 300;
  const barW = 360;
  const rowH = 26;
  const width = labelW + barW + 70;
  const height = summary.parts.length * rowH + 8;
  const rows = summary.parts.map((p, i) => {
    const y = 4 + i * rowH;
    const w = Math.round(p.passRate * barW);
    return (
      `<g class="pass-rate" data-part="${p.id}" data-passed="${p.passed}" data-graded="${p.graded}" data-rate="${formatPercent(p.passRate)}">` +
      `<text x="0" y="${y + 16}">${escapeHtml(p.title)}</text>` +
      `<rect class="track" x="${labelW}" y="${y + 4}" width="${barW}" height="16"/>` +
      `<rect class="bar" x="${labelW}" y="${y + 4}" width="${w}" height="16"><title>${p.passed}/${p.graded} passed</title></rect>` +
      `<text x="${labelW + barW + 8}" y="${y + 16}">${formatPercent(p.passRate)}</text></g>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Pass rate per part" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${rows.join('')}</svg>`;
}

function studentDetails(anchor: string, id: string, report: GradeReport): string {
  const e = escapeHtml;
  const parts = report.parts
    .map((p) => {
      const notes: string[] = [];
      for (const m of p.messages) notes.push(`<li class="${m.level === 'error' ? 'failed' : 'muted'}">${e(m.text)}</li>`);
      for (const c of p.cases) {
        if (!c.passed) {
          notes.push(`<li>case <strong>${e(c.name)}</strong>${c.message ? `: ${e(c.message)}` : ''}${c.diff ? `<pre>${e(c.diff)}</pre>` : ''}</li>`);
        }
      }
      for (const d of p.diagnoses) {
        notes.push(`<li>diagnosis <code>${e(d.id)}</code>: ${e(d.message)} <span class="muted">— revisit: ${e(d.hint)}</span></li>`);
      }
      return (
        `<tr><td>${e(p.title)}</td><td class="n">${formatPoints(p.score)}/${formatPoints(p.maxScore)}</td>` +
        `<td class="${p.status}">${STATUS_TEXT[p.status]}</td><td>${notes.length ? `<ul>${notes.join('')}</ul>` : ''}</td></tr>`
      );
    })
    .join('');
  const output = report.submissionOutput
    ? `<details><summary>Captured output of the submission</summary><pre>${e(report.submissionOutput)}</pre></details>`
    : '';
  return (
    `<details class="student" id="${anchor}" data-id="${e(id)}"><summary><strong>${e(id)}</strong> — ${formatPoints(report.score)}/${formatPoints(report.maxScore)}${tamperBadge(report, e)}</summary>` +
    `<table><thead><tr><th>Part</th><th class="n">Points</th><th>Status</th><th>Details</th></tr></thead><tbody>${parts}</tbody></table>${output}</details>`
  );
}

/**
 * The report.html text. `entries` supply each student's details; they must be the entries
 * `summary` was computed from.
 */
export function renderBatchHtml(summary: BatchSummary, entries: readonly BatchEntry[]): string {
  const e = escapeHtml;
  const byId = new Map(entries.map((x) => [x.id, x.report]));
  const s = summary.scores;
  const stat = (label: string, value: string | number) => `<tr><th>${label}</th><td class="n">${value}</td></tr>`;
  const anchors = new Map(summary.students.map((st, i) => [st.id, `s-${i + 1}`]));

  const overview =
    `<table class="overview">` +
    stat('Submissions', summary.submissions) +
    stat('Max score', formatPoints(summary.maxScore)) +
    stat('Preset', e(summary.presets.join(', ') || '—')) +
    stat('Seed', e(summary.seeds.join(', ') || '—')) +
    stat('Reference', e(summary.references.join(', ') || '—')) +
    stat('Mean', s ? formatPoints(s.mean) : '—') +
    stat('Median', s ? formatPoints(s.median) : '—') +
    stat('Min – max', s ? `${formatPoints(s.min)} – ${formatPoints(s.max)}` : '—') +
    stat('Full marks', summary.counts.perfect) +
    stat('Scored 0', summary.counts.zero) +
    stat('With an errored part', summary.counts.withErrors) +
    `</table>`;

  const partsTable =
    `<table><thead><tr><th>Part</th><th class="n">Points</th><th class="n">Passed</th><th class="n">Failed</th><th class="n">Errored</th><th class="n">Pass rate</th><th class="n">Mean points</th></tr></thead><tbody>` +
    summary.parts
      .map(
        (p) =>
          `<tr data-part="${p.id}"><td>${e(p.title)} <code>${p.id}</code></td><td class="n">${formatPoints(p.maxScore)}</td><td class="n">${p.passed}</td><td class="n">${p.failed}</td><td class="n">${p.errored}</td><td class="n">${formatPercent(p.passRate)}</td><td class="n">${formatPoints(p.meanScore)}</td></tr>`,
      )
      .join('') +
    `</tbody></table>`;

  const diagnoses =
    summary.diagnoses.length === 0
      ? `<p class="muted">No diagnoses recorded.</p>`
      : `<table><thead><tr><th>Diagnosis</th><th class="n">Submissions</th><th>Parts</th><th>Example</th></tr></thead><tbody>` +
        summary.diagnoses
          .map(
            (d) =>
              `<tr class="diagnosis" data-diagnosis="${e(d.id)}" data-submissions="${d.submissions}"><td><code>${e(d.id)}</code></td><td class="n">${d.submissions}</td><td>${d.parts.map((id) => e(PARTS[id].title)).join(', ')}</td><td>${e(d.message)}<br><span class="muted">${e(d.hint)}</span></td></tr>`,
          )
          .join('') +
        `</tbody></table>`;

  const gradebook =
    `<table><thead><tr><th>Submission</th><th class="n">Total</th>${summary.partIds.map((id) => `<th class="n" title="${e(PARTS[id].title)}">${id}</th>`).join('')}</tr></thead><tbody>` +
    summary.students
      .map(
        (st) =>
          `<tr><td><a href="#${anchors.get(st.id)}">${e(st.id)}</a>${tamperBadge(byId.get(st.id), e)}</td><td class="n">${formatPoints(st.score)}/${formatPoints(st.maxScore)}</td>` +
          st.parts.map((p) => (p ? `<td class="n ${p.status}">${formatPoints(p.score)}</td>` : `<td class="n muted">—</td>`)).join('') +
          `</tr>`,
      )
      .join('') +
    `</tbody></table>`;

  const details = [...summary.students]
    .sort((a, b) => compareIds(a.id, b.id))
    .map((st) => {
      const report = byId.get(st.id);
      return report ? studentDetails(anchors.get(st.id)!, st.id, report) : '';
    })
    .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>backprop-grader batch report</title>
<style>${CSS}</style>
</head>
<body>
<h1>Batch grading report</h1>
<h2>Overview</h2>
${overview}
<h2>Score distribution</h2>
${histogramSvg(summary)}
<h2>Pass rate per part</h2>
${passRateSvg(summary)}
${partsTable}
<h2>Most common diagnosed mistakes</h2>
${diagnoses}
<h2>Gradebook</h2>
${gradebook}
<h2>Students</h2>
${details}
</body>
</html>
`;
}

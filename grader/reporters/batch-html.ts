/**
 * The batch's self-contained HTML report (`report.html`): works offline from a single file (inline
 * CSS, inline SVG charts, no scripts, fonts, images or links out; a CSP forbids them anyway).
 * Figures come from BatchSummary; each student's details are a read-only view of their GradeReport.
 * No clocks or durations, so shards merged give the same bytes as one run.
 *
 * Without scripts, a student's details open with CSS `:target`: every link to a student (gradebook,
 * mistakes, similar pairs) opens their section, and "show all" opens every one. Statuses carry an
 * icon and a word besides their colour; names and student text are isolated (`<bdi>`,
 * `dir="auto"`) so a right-to-left name cannot reorder the line around it; wide tables scroll
 * inside their own box, so the page fits a 360 px screen.
 */
import { t, type Lang, type MessageId } from '../messages/index';
import { partTitle } from '../messages/parts';
import type { GradeReport, PartResult } from '../report/types';
import { tamperBadge } from './tamper';
import { compareIds } from '../batch/discover';
import { formatPercent, formatPoints, type BatchSummary, type StudentSummary, type SubmissionFlag } from '../batch/summary';
import type { BatchEntry } from '../batch/types';
import type { CodeRange, SimilarityPair } from '../similarity/compare';
import { escapeHtml, sanitizeText } from './escape';
import { DISPLAY_STATUSES, displayStatus, failedCaseGroups, type DisplayStatus } from './view';

const CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--pass:#1a7f37;--fail:#cf222e;--err:#9a6700;--todo:#59636e;--bar:#0969da;--del-bg:#ffebe9;--ins-bg:#dafbe1;--code:rgba(127,127,127,.14)}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--pass:#3fb950;--fail:#f85149;--err:#d29922;--todo:#9198a1;--bar:#4493f8;--del-bg:#5d1a1a;--ins-bg:#1b4721}}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);max-width:74rem;margin:0 auto;padding:1rem;overflow-wrap:break-word}
h1,h2,h3{line-height:1.25}h2{margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}h3{margin:.2rem 0;font-size:1rem}
nav ul,.legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:0;list-style:none}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.passed{color:var(--pass)}.failed{color:var(--fail)}.errored{color:var(--err)}.not-implemented{color:var(--todo)}
.icon{font-weight:700;display:inline-block;min-width:1.1em;text-align:center}
.tamper{margin-left:.5rem;padding:0 .4rem;border-radius:4px;border:1px solid var(--fail);color:var(--fail);font-size:12px}
.muted,.isolation{color:var(--muted)}svg{max-width:100%;height:auto}svg text{fill:var(--fg);font:12px system-ui,sans-serif}
svg .bar{fill:var(--bar)}svg .track{fill:var(--line)}
.chart{overflow-x:auto}.chart svg.hist{min-width:26rem}.chart svg.rates{min-width:38rem}
code,pre,.diff{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
code{background:var(--code);padding:0 .2em;border-radius:3px}
pre,.diff{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--code);padding:.4rem .5rem;border-radius:4px;margin:.3rem 0}
del{background:var(--del-bg);text-decoration:line-through}ins{background:var(--ins-bg);text-decoration:none}
ul.notes{margin:.2rem 0;padding-left:1.1rem}ul.notes li{margin:.15rem 0}
.hint{border-left:3px solid var(--bar);padding:.2rem .6rem;margin:.3rem 0}
.st{white-space:nowrap}
.flags{min-width:14rem}
.badge{display:inline-block;white-space:nowrap;border:1px solid currentColor;border-radius:1em;padding:0 .5em;font-size:.85em;margin:.1em .2em .1em 0}
.student{border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem;margin:.4rem 0}
.part{border-top:1px solid var(--line);padding:.4rem 0}
.part-head{display:flex;flex-wrap:wrap;gap:.2rem 1rem;align-items:baseline}.part-head .title{font-weight:600}
@media (min-width:48rem){.part{display:grid;grid-template-columns:15rem 4.5rem 9rem minmax(0,1fr);gap:0 .8rem}.part-head{display:contents}}
.student>.body{display:none}
.student:target>.body,#all-students:target~.student>.body{display:block}
.student:target{outline:2px solid var(--bar)}
.who{margin:.2rem 0;padding-left:1.1rem}
`;

const ICON: Record<DisplayStatus, string> = { passed: '✓', failed: '✗', errored: '⚠', 'not-implemented': '○' };

/** Student-chosen text shown inline: isolated, so a right-to-left name cannot reorder its line. */
function bdi(text: string): string {
  return `<bdi>${escapeHtml(sanitizeText(text))}</bdi>`;
}

/** An icon and a word, never colour alone. */
function statusBadge(status: DisplayStatus, lang: Lang): string {
  return `<span class="st ${status}"><span class="icon" aria-hidden="true">${ICON[status]}</span> ${escapeHtml(t(`batch.html.status.${status}`, {}, lang))}</span>`;
}

/** A student-facing message: escaped, with its `code spans` shown as code rather than literal backticks. */
export function messageHtml(text: string): string {
  return escapeHtml(sanitizeText(text)).replace(/`([^`\n]+)`/g, '<code>$1</code>');
}

/**
 * A compact diff as coloured HTML: `[-expected-]` becomes <del>, `{+got+}` <ins> (the word-diff
 * form of grader/compare/diff.ts); lines of a line diff starting with `- ` / `+ ` likewise. Every
 * other character is escaped text.
 */
export function diffHtml(diff: string): string {
  const text = sanitizeText(diff.replace(/\n+$/, ''));
  if (/\[-|\{\+/.test(text)) {
    let out = '';
    let last = 0;
    for (const m of text.matchAll(/\[-([\s\S]*?)-\]|\{\+([\s\S]*?)\+\}/g)) {
      out += escapeHtml(text.slice(last, m.index));
      out += m[1] !== undefined ? `<del>${escapeHtml(m[1])}</del>` : `<ins>${escapeHtml(m[2])}</ins>`;
      last = m.index! + m[0].length;
    }
    // A replacement reads "expected → got".
    return (out + escapeHtml(text.slice(last))).replace(/<\/del><ins>/g, '</del> → <ins>');
  }
  return text
    .split('\n')
    .map((l) => (l.startsWith('- ') ? `<del>${escapeHtml(l.slice(2))}</del>` : l.startsWith('+ ') ? `<ins>${escapeHtml(l.slice(2))}</ins>` : escapeHtml(l)))
    .join('\n');
}

/** The score histogram as an inline SVG; every bar carries its figure in data-* attributes and a label. */
export function histogramSvg(summary: BatchSummary, lang: Lang = 'en'): string {
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
  const axis = escapeHtml(t('batch.html.histogram-axis', {}, lang));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="hist" role="img" aria-label="${axis}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `${bars.join('')}<text x="${width / 2}" y="${height - 2}" text-anchor="middle">${axis}</text></svg>`
  );
}

/** Per-part pass rates as horizontal bars in an inline SVG (figures in data-* attributes). */
export function passRateSvg(summary: BatchSummary, lang: Lang = 'en'): string {
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
      `<text x="0" y="${y + 16}">${escapeHtml(partTitle(p.id, lang))}</text>` +
      `<rect class="track" x="${labelW}" y="${y + 4}" width="${barW}" height="16"/>` +
      `<rect class="bar" x="${labelW}" y="${y + 4}" width="${w}" height="16"><title>${escapeHtml(t('batch.html.passed-of', { passed: p.passed, graded: p.graded }, lang))}</title></rect>` +
      `<text x="${labelW + barW + 8}" y="${y + 16}">${formatPercent(p.passRate)}</text></g>`
    );
  });
  const label = escapeHtml(t('batch.html.pass-rate', {}, lang));
  return `<svg xmlns="http://www.w3.org/2000/svg" class="rates" role="img" aria-label="${label}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${rows.join('')}</svg>`;
}

/** One part's notes: its messages, its failed cases grouped (each message once), its diagnoses. */
function partNotes(p: PartResult, lang: Lang): string {
  const notes: string[] = [];
  const status = displayStatus(p);
  for (const m of p.messages) notes.push(`<li dir="auto" class="${m.level === 'error' ? '' : 'muted'}">${messageHtml(m.text)}</li>`);
  if (status !== 'not-implemented') {
    for (const group of failedCaseGroups(p)) {
      const names = group.cases.map((c) => bdi(c.name)).join(', ');
      const head =
        group.repeatsPartMessage || !group.message
          ? `${names}: ${escapeHtml(t('batch.html.cases-same', { count: group.cases.length }, lang))}`
          : `${names}: <span dir="auto">${messageHtml(group.message)}</span>`;
      // A diff is labelled with its case only when the line above names several.
      const label = (name: string) => (group.cases.length > 1 ? `<span class="muted">${bdi(name)}</span>` : '');
      const diffs = group.cases
        .filter((c) => c.diff)
        .map((c) => `<div class="case-diff">${label(c.name)}<div class="diff" dir="ltr">${diffHtml(c.diff!)}</div></div>`)
        .join('');
      notes.push(`<li class="cases">${head}${diffs}</li>`);
    }
  }
  for (const d of p.diagnoses) {
    notes.push(
      `<li class="diagnosis" data-diagnosis="${escapeHtml(d.id)}"><strong>${escapeHtml(t('batch.html.likely-mistake', {}, lang))}</strong> ` +
        `<a href="#m-${escapeHtml(d.id)}"><code>${escapeHtml(d.id)}</code></a>: <span dir="auto">${messageHtml(d.message)}</span>` +
        `<div class="hint" dir="auto">${messageHtml(d.hint)}</div></li>`,
    );
  }
  return notes.length ? `<ul class="notes">${notes.join('')}</ul>` : '';
}

function studentDetails(anchor: string, st: StudentSummary, report: GradeReport, pairAnchor: PairAnchor, lang: Lang): string {
  // One block per part: a grid row on a wide screen, a heading line and its notes on a narrow one.
  const parts = report.parts
    .map((p) => {
      const status = displayStatus(p);
      return (
        `<div class="part" data-part="${p.id}" data-status="${status}"><div class="part-head"><span class="title">${escapeHtml(p.title)}</span>` +
        `<span class="n">${formatPoints(p.score)}/${formatPoints(p.maxScore)}</span><span>${statusBadge(status, lang)}</span></div><div class="notes-box">${partNotes(p, lang)}</div></div>`
      );
    })
    .join('');
  const output = report.submissionOutput
    ? `<details><summary>${escapeHtml(t('batch.html.captured-output', {}, lang))}</summary><pre dir="auto">${escapeHtml(sanitizeText(report.submissionOutput))}</pre></details>`
    : '';
  const notices = (report.notices ?? []).map((n) => `<p dir="auto" class="muted">${messageHtml(n.text)}</p>`).join('');
  const flags = st.flags.length || report.tamper?.status === 'changed' ? `<p>${st.flags.map((f) => flagBadge(f, st.id, pairAnchor, lang)).join(' ')}${tamperBadge(report, escapeHtml)}</p>` : '';
  const head = t('batch.html.student-head', { score: formatPoints(report.score), maxScore: formatPoints(report.maxScore) }, lang);
  return (
    `<section class="student" id="${anchor}" data-id="${escapeHtml(st.id)}"><h3><a href="#${anchor}">${bdi(st.id)}</a> <span class="muted">${escapeHtml(head)}</span> <span class="isolation">${escapeHtml(t('batch.html.isolation-of', { isolation: report.isolation }, lang))}</span></h3>` +
    `<div class="body">${flags}${notices}${parts}${output}</div></section>`
  );
}

/** Where a flag links to (e.g. the similar pair's row), by the flag's owner and its other submission. */
type PairAnchor = (a: string, b: string) => string | undefined;

function flagBadge(flag: SubmissionFlag, owner: string, pairAnchor: PairAnchor, lang: Lang): string {
  switch (flag.kind) {
    case 'similar': {
      const anchor = pairAnchor(owner, flag.other ?? '') ?? 'similar';
      const text = t('batch.html.flag.similar', { percent: Math.round((flag.score ?? 0) * 100) }, lang);
      return `<span class="badge flag" data-flag="similar"><a href="#${anchor}">${escapeHtml(text)} ${bdi(flag.other ?? '')}</a></span>`;
    }
  }
}

function rangeText(r: CodeRange, lang: Lang): string {
  return t('batch.html.range', { file: r.file, start: r.startLine, end: r.endLine }, lang);
}

function similaritySection(summary: BatchSummary, anchors: ReadonlyMap<string, string>, lang: Lang): string {
  const sim = summary.similarity;
  if (!sim) return '';
  const intro = `<p>${escapeHtml(t('batch.html.similar-intro', { threshold: Math.round(sim.params.threshold * 100), compared: sim.compared.length, skipped: sim.skipped.length }, lang))}</p>`;
  if (sim.pairs.length === 0) return `<h2 id="similar">${escapeHtml(t('batch.html.similar', {}, lang))}</h2>${intro}<p class="muted">${escapeHtml(t('batch.html.similar-none', {}, lang))}</p>`;
  const who = (id: string) => `<a href="#${anchors.get(id)}">${bdi(id)}</a>`;
  const rows = sim.pairs
    .map((p: SimilarityPair, i) => {
      const regions = p.regions.map((r) => `<li>${escapeHtml(rangeText(r.a, lang))} ~ ${escapeHtml(rangeText(r.b, lang))}</li>`).join('');
      const excerpt = p.regions[0]?.excerpt;
      const code = excerpt
        ? `<details><summary>${escapeHtml(t('batch.html.similar-code', {}, lang))}</summary><div class="scroll"><table><tr><th>${bdi(p.a)}</th><th>${bdi(p.b)}</th></tr>` +
          `<tr><td><pre dir="ltr">${escapeHtml(sanitizeText(excerpt.a))}</pre></td><td><pre dir="ltr">${escapeHtml(sanitizeText(excerpt.b))}</pre></td></tr></table></div></details>`
        : '';
      return (
        `<tr class="pair" id="pair-${i + 1}" data-a="${escapeHtml(p.a)}" data-b="${escapeHtml(p.b)}" data-score="${p.score}">` +
        `<td>${who(p.a)}</td><td>${who(p.b)}</td><td class="n">${Math.round(p.score * 100)}%</td><td><ul class="notes">${regions}</ul>${code}</td></tr>`
      );
    })
    .join('');
  return (
    `<h2 id="similar">${escapeHtml(t('batch.html.similar', {}, lang))}</h2>${intro}<div class="scroll"><table><thead><tr><th>A</th><th>B</th>` +
    `<th class="n">${escapeHtml(t('batch.html.overlap', {}, lang))}</th><th>${escapeHtml(t('batch.html.shared-regions', {}, lang))}</th></tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

function mistakesSection(summary: BatchSummary, anchors: ReadonlyMap<string, string>, lang: Lang): string {
  const head = `<h2 id="mistakes">${escapeHtml(t('batch.html.mistakes', {}, lang))}</h2>`;
  if (summary.diagnoses.length === 0) return `${head}<p class="muted">${escapeHtml(t('batch.html.mistakes-none', {}, lang))}</p>`;
  const items = summary.diagnoses
    .map((d) => {
      const students = d.students.map((id) => `<li><a href="#${anchors.get(id)}">${bdi(id)}</a></li>`).join('');
      const parts = d.parts.map((id) => escapeHtml(partTitle(id, lang))).join(escapeHtml(t('batch.list-separator', {}, lang)));
      return (
        `<section class="mistake" id="m-${escapeHtml(d.id)}" data-diagnosis="${escapeHtml(d.id)}" data-submissions="${d.submissions}">` +
        `<h3><code>${escapeHtml(d.id)}</code> <span class="muted">${escapeHtml(t('batch.html.mistake-count', { count: d.submissions }, lang))} · ${parts}</span></h3>` +
        `<p dir="auto">${messageHtml(d.message)}</p>` +
        `<p class="muted">${escapeHtml(t('batch.html.hint-to-send', {}, lang))}</p><div class="hint" dir="auto">${messageHtml(d.hint)}</div>` +
        `<ul class="who">${students}</ul></section>`
      );
    })
    .join('');
  return `${head}<p>${escapeHtml(t('batch.html.mistakes-intro', {}, lang))}</p>${items}`;
}

/**
 * The report.html text. `entries` supply each student's details; they must be the entries
 * `summary` was computed from. `lang` is the language of the page's own text.
 */
export function renderBatchHtml(summary: BatchSummary, entries: readonly BatchEntry[], lang: Lang = 'en'): string {
  const e = escapeHtml;
  const tt = (id: Parameters<typeof t>[0], params?: Parameters<typeof t>[1]) => e(t(id, params, lang));
  const byId = new Map(entries.map((x) => [x.id, x.report]));
  const s = summary.scores;
  const stat = (label: string, value: string | number) => `<tr><th>${label}</th><td class="n">${value}</td></tr>`;
  const anchors = new Map(summary.students.map((st, i) => [st.id, `s-${i + 1}`]));
  const pairKey = (a: string, b: string) => (compareIds(a, b) <= 0 ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  const pairs = new Map((summary.similarity?.pairs ?? []).map((p, i) => [pairKey(p.a, p.b), `pair-${i + 1}`]));
  const pairAnchor: PairAnchor = (a, b) => pairs.get(pairKey(a, b));

  const overview =
    `<table class="overview">` +
    stat(tt('batch.html.submissions'), summary.submissions) +
    stat(tt('batch.html.max-score'), formatPoints(summary.maxScore)) +
    stat(tt('batch.html.preset'), e(summary.presets.join(', ') || '—')) +
    stat(tt('batch.html.seed'), e(summary.seeds.join(', ') || '—')) +
    stat(tt('batch.html.reference'), e(summary.references.join(', ') || '—')) +
    stat(tt('batch.html.isolation'), e([...new Set(entries.map((x) => x.report.isolation))].sort().join(', ') || '—')) +
    stat(tt('batch.html.mean'), s ? formatPoints(s.mean) : '—') +
    stat(tt('batch.html.median'), s ? formatPoints(s.median) : '—') +
    stat(tt('batch.html.min-max'), s ? `${formatPoints(s.min)} – ${formatPoints(s.max)}` : '—') +
    stat(tt('batch.html.full-marks'), summary.counts.perfect) +
    stat(tt('batch.html.zero'), summary.counts.zero) +
    stat(tt('batch.html.with-errored'), summary.counts.withErrors) +
    `</table>`;

  const legend =
    `<ul class="legend" aria-label="${tt('batch.html.legend')}">` +
    DISPLAY_STATUSES.map((st) => `<li>${statusBadge(st, lang)}: ${tt(`batch.html.status-means.${st}`)}</li>`).join('') +
    `<li><span class="diff" dir="ltr"><del>${tt('batch.html.expected')}</del> → <ins>${tt('batch.html.got')}</ins></span></li></ul>`;

  const partsTable =
    `<div class="scroll"><table><thead><tr><th>${tt('batch.html.part')}</th><th class="n">${tt('batch.html.points')}</th><th class="n">${statusBadge('passed', lang)}</th><th class="n">${statusBadge('failed', lang)}</th><th class="n">${statusBadge('errored', lang)}</th><th class="n">${tt('batch.html.pass-rate')}</th><th class="n">${tt('batch.html.mean-points')}</th></tr></thead><tbody>` +
    summary.parts
      .map(
        (p) =>
          `<tr data-part="${p.id}"><td>${e(partTitle(p.id, lang))} <code>${p.id}</code></td><td class="n">${formatPoints(p.maxScore)}</td><td class="n">${p.passed}</td><td class="n">${p.failed}</td><td class="n">${p.errored}</td><td class="n">${formatPercent(p.passRate)}</td><td class="n">${formatPoints(p.meanScore)}</td></tr>`,
      )
      .join('') +
    `</tbody></table></div>`;

  const withFlags = summary.checks.length > 0;
  const gradebook =
    `<div class="scroll"><table class="gradebook"><thead><tr><th>${tt('batch.html.submission')}</th><th class="n">${tt('batch.html.total')}</th>` +
    summary.partIds.map((id, i) => `<th class="n" title="${e(partTitle(id, lang))}"><abbr title="${e(partTitle(id, lang))}">${i + 1}</abbr></th>`).join('') +
    (withFlags ? `<th>${tt('batch.html.flags')}</th>` : '') +
    `</tr></thead><tbody>` +
    summary.students
      .map((st) => {
        const report = byId.get(st.id);
        const cells = st.parts
          .map((p, i) => {
            if (!p) return `<td class="n muted">—</td>`;
            const part = report?.parts.find((x) => x.id === summary.partIds[i]);
            const status: DisplayStatus = part ? displayStatus(part) : p.status;
            return `<td class="n ${status}" data-status="${status}" title="${tt(`batch.html.status.${status}`)}"><span class="icon" aria-hidden="true">${ICON[status]}</span> ${formatPoints(p.score)}</td>`;
          })
          .join('');
        const flags = withFlags ? `<td class="flags">${st.flags.map((f) => flagBadge(f, st.id, pairAnchor, lang)).join(' ')}</td>` : '';
        return `<tr data-id="${e(st.id)}"><td><a href="#${anchors.get(st.id)}">${bdi(st.id)}</a>${tamperBadge(report, e)}</td><td class="n">${formatPoints(st.score)}/${formatPoints(st.maxScore)}</td>${cells}${flags}</tr>`;
      })
      .join('') +
    `</tbody></table></div>` +
    `<p class="muted">${summary.partIds.map((id, i) => `${i + 1} ${e(partTitle(id, lang))}`).join(' · ')}</p>`;

  const details = [...summary.students]
    .sort((a, b) => compareIds(a.id, b.id))
    .map((st) => {
      const report = byId.get(st.id);
      return report ? studentDetails(anchors.get(st.id)!, st, report, pairAnchor, lang) : '';
    })
    .join('\n');

  const nav: [string, MessageId][] = [
    ['overview', 'batch.html.overview'],
    ['distribution', 'batch.html.distribution'],
    ['parts', 'batch.html.parts'],
    ['mistakes', 'batch.html.mistakes'],
    ...(summary.similarity ? [['similar', 'batch.html.similar'] as [string, MessageId]] : []),
    ['gradebook', 'batch.html.gradebook'],
    ['students', 'batch.html.students'],
  ];

  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${tt('batch.html.title')}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${tt('batch.html.title')}</h1>
<nav><ul>${nav.map(([id, label]) => `<li><a href="#${id}">${tt(label)}</a></li>`).join('')}</ul></nav>
<h2 id="overview">${tt('batch.html.overview')}</h2>
${overview}
${legend}
<h2 id="distribution">${tt('batch.html.distribution')}</h2>
<div class="chart">${histogramSvg(summary, lang)}</div>
<h2 id="parts">${tt('batch.html.parts')}</h2>
<div class="chart">${passRateSvg(summary, lang)}</div>
${partsTable}
${mistakesSection(summary, anchors, lang)}
${similaritySection(summary, anchors, lang)}
<h2 id="gradebook">${tt('batch.html.gradebook')}</h2>
${gradebook}
<h2 id="students">${tt('batch.html.students')}</h2>
<p>${tt('batch.html.students-intro')} <a href="#all-students">${tt('batch.html.show-all')}</a> · <a href="#students">${tt('batch.html.hide-all')}</a></p>
<span id="all-students"></span>
${details}
</body>
</html>
`;
}

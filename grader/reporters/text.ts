/**
 * The default reporter: a GradeReport as text for a terminal or a CI log. A pure function of the
 * report; colour and width are parameters (cli.ts decides: a TTY and no NO_COLOR; the terminal's
 * columns).
 *
 * Concise by default: a line per part, then one block per failed part (its location, at most three
 * failing cases), then each diagnosis once with the parts it explains and its id, everything
 * wrapped to the width. `verbose` gives every case with its worst element and diff.
 */
import pc from 'picocolors';
import wrapAnsi from 'wrap-ansi';
import { listRef, t, type Lang, type MessageRef } from '../messages/index';
import type { CaseResult, Diagnosis, GradeReport, PartResult, SourceLocation, WorstElement } from '../report/types';
import { sanitizeText } from './escape';
import { studentRerunCommand, worstPositionRef } from './view';

export interface TextReporterOptions {
  /** ANSI colours. Default false. */
  color?: boolean;
  /** Show the submission's captured output (sanitized) after the parts. Default true. */
  showSubmissionOutput?: boolean;
  /** Lines of captured output shown at most. Default 20. */
  maxOutputLines?: number;
  /** Every case of every failed part, with its worst element and diff (the long form). Default false. */
  verbose?: boolean;
  /** Columns to wrap the concise report to. Default 100. */
  width?: number;
}

/** Failing cases a concise block shows at most. */
const MAX_CASES = 3;

type Paint = (s: string) => string;
interface Palette {
  green: Paint;
  red: Paint;
  yellow: Paint;
  dim: Paint;
  bold: Paint;
  cyan: Paint;
}

const PLAIN: Palette = { green: String, red: String, yellow: String, dim: String, bold: String, cyan: String };

function palette(color: boolean): Palette {
  if (!color) return PLAIN;
  const c = pc.createColors(true);
  return { green: c.green, red: c.red, yellow: c.yellow, dim: c.dim, bold: c.bold, cyan: c.cyan };
}

/** The mark of a part's status: ✓ passed, ✗ failed (wrong answer), ! errored (no answer). */
export const STATUS_MARK = { passed: '✓', failed: '✗', errored: '!' } as const;

/** Formats a number so that two nearby values still show their difference. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e7) return String(Number(x.toPrecision(10)));
  return x.toExponential(6).replace(/\.?0+e/, 'e');
}

/** An error magnitude: three significant digits are plenty. */
function formatError(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return formatNumber(x);
  return x === 0 ? '0' : x.toExponential(2);
}

/**
 * The worst element's line: where it is (in Octave terms, "at Theta2(2,1), unrolled index 14"),
 * expected and got, and both errors, in `lang`; `error` formats the errors.
 */
export function worstLine(w: WorstElement, lang: Lang, error: (x: number | null | undefined) => string = formatError): string {
  const position = worstPositionRef(w);
  const values = { expected: formatNumber(w.expected), got: formatNumber(w.got), abs: error(w.absError), rel: error(w.relError) };
  return position ? t('report.text.worst', { ...values, position }, lang) : t('report.text.worst-scalar', values, lang);
}

/** `text` without its trailing newlines (a loop: /\n+$/ is quadratic on a run of newlines). */
function trimTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return text.slice(0, end);
}

/** Student-controlled text, sanitized and indented on every line. */
function block(text: string, indent: string): string[] {
  return trimTrailingNewlines(sanitizeText(text))
    .split('\n')
    .map((l) => (l.length ? indent + l : ''));
}

function points(n: number): string {
  // Partial credit can give fractions; print them without float noise.
  return String(Math.round(n * 100) / 100);
}

function caseLines(c: CaseResult, lang: Lang, p: Palette): string[] {
  const out: string[] = [];
  const label = c.hidden ? t('report.text.hidden-case', { name: c.name }, lang) : c.name;
  const head = `    ${p.red(STATUS_MARK.failed)} ${label}`;
  if (c.message) {
    const [first, ...rest] = block(t('report.text.case', { name: label, message: c.message }, lang), '');
    out.push(`    ${p.red(STATUS_MARK.failed)} ${first}`, ...rest.map((l) => (l ? `      ${l}` : '')));
  } else out.push(head);
  if (c.worst) out.push(`      ${worstLine(c.worst, lang)}`);
  if (c.diff) {
    out.push(`      ${t('report.text.diff', {}, lang)}`);
    for (const line of block(c.diff, '        ')) {
      const t = line.trimStart();
      out.push(t.startsWith('-') ? p.green(line) : t.startsWith('+') ? p.red(line) : line);
    }
  }
  return out;
}

function partLines(part: PartResult, lang: Lang, p: Palette): string[] {
  const mark =
    part.status === 'passed' ? p.green(STATUS_MARK.passed) : part.status === 'failed' ? p.red(STATUS_MARK.failed) : p.yellow(STATUS_MARK.errored);
  const pts = `${points(part.score)}/${points(part.maxScore)}`.padStart(5);
  const title = part.status === 'passed' ? part.title : p.bold(part.title);
  const out = [`${mark} ${pts}  ${title} ${p.dim(`[${part.id}]`)}`];
  if (part.status !== 'passed' && part.location) {
    const at = `${part.location.file}:${part.location.line}${part.location.column ? `:${part.location.column}` : ''}`;
    out.push(p.dim(`    ${sanitizeText(t('report.text.at', { where: at }, lang))}`));
  }
  for (const m of part.messages) {
    if (part.status === 'passed' && m.level !== 'info') continue;
    out.push(...block(m.text, '    ').map((l) => (m.level === 'error' ? p.red(l) : l)));
  }
  if (part.status !== 'passed') {
    // Cases that failed with only a message already shown (a stub, a compile error: every case
    // fails the same way) are listed by name on one line instead of repeating the message.
    const shown = new Set(part.messages.map((m) => m.text));
    const same: string[] = [];
    for (const c of part.cases) {
      if (c.passed) continue;
      if (!c.worst && !c.diff && c.message !== undefined && shown.has(c.message)) same.push(c.name);
      else {
        out.push(...caseLines(c, lang, p));
        if (c.message !== undefined && !c.worst && !c.diff) shown.add(c.message);
      }
    }
    if (same.length) out.push(...block(`${p.red(STATUS_MARK.failed)} ${t('report.text.same-way', { names: same.join(' · ') }, lang)}`, '    '));
    for (const d of part.diagnoses) {
      out.push(...block(t('report.text.likely-cause', { message: d.message }, lang), '    ').map(p.yellow));
      if (d.hint) out.push(...block(t('report.text.hint', { hint: d.hint }, lang), '      '));
    }
  }
  return out;
}

/** Seconds with two decimals (the unit is the catalogue's). */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function header(report: GradeReport, p: Palette, width: number): string[] {
  const lang = report.lang;
  const run = { seed: report.seed, command: studentRerunCommand(report), preset: report.preset, reference: report.reference, isolation: report.isolation };
  return [
    p.bold(sanitizeText(t('report.text.heading', { version: report.grader.version, submission: report.submission }, lang))),
    ...wrap(t('report.text.run', run, lang), '', width).map(p.dim),
    '',
  ];
}

function submissionOutput(report: GradeReport, options: TextReporterOptions, p: Palette): string[] {
  const maxLines = options.maxOutputLines ?? 20;
  if (!(options.showSubmissionOutput ?? true) || !report.submissionOutput || !report.submissionOutput.trim()) return [];
  const out = block(report.submissionOutput, '  │ ');
  const lines = ['', p.dim(t('report.text.output', {}, report.lang)), ...out.slice(0, maxLines).map((l) => l || '  │')];
  if (out.length > maxLines) lines.push(p.dim(`  ${t('report.text.more-lines', { count: out.length - maxLines }, report.lang)}`));
  return lines;
}

function scoreLine(report: GradeReport, p: Palette): string {
  const passed = report.parts.filter((x) => x.status === 'passed').length;
  const total = `${points(report.score)}/${points(report.maxScore)}`;
  const paint = report.score >= report.maxScore ? p.green : report.score > 0 ? p.yellow : p.red;
  const detail = t('report.text.score-detail', { passed, count: report.parts.length, seconds: seconds(report.durationMs) }, report.lang);
  return `${p.bold(t('report.text.score', {}, report.lang))} ${paint(p.bold(total))}  ${p.dim(detail)}`;
}

/** The long form: every failed case with its worst element and diff, every diagnosis under each part. */
function renderVerbose(report: GradeReport, options: TextReporterOptions, p: Palette): string {
  const lines: string[] = header(report, p, options.width ?? 100);
  for (const part of report.parts) lines.push(...partLines(part, report.lang, p));
  lines.push(...submissionOutput(report, options, p));
  lines.push('', scoreLine(report, p));
  return lines.join('\n') + '\n';
}

// ---- the concise form ---------------------------------------------------------------------------

/** Student-controlled text wrapped to `width`: the first line after `indent`, the rest after `indent` and two spaces. */
function wrap(text: string, indent: string, width: number): string[] {
  const room = Math.max(20, width - indent.length);
  const out: string[] = [];
  for (const para of sanitizeText(text).replace(/\n+$/, '').split('\n')) {
    const lines = wrapAnsi(para, room - 2, { hard: true, trim: true }).split('\n');
    lines.forEach((l, i) => out.push(`${indent}${i === 0 ? '' : '  '}${l}`));
  }
  return out;
}

function where(loc: SourceLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}` : '';
}

/** Part messages the concise block shows: what happened, not the per-case summary it lists itself. */
function conciseMessages(part: PartResult, hasDiagnosis: boolean): PartResult['messages'] {
  const listsCases = part.cases.some((c) => !c.passed);
  return part.messages.filter((m) => {
    if (listsCases && (m.id === 'report.part.cases-failed' || m.id === 'report.part.your-stack')) return false;
    if (m.id === 'report.part.revisit') return !hasDiagnosis; // a diagnosis's hint links its own section
    return true;
  });
}

function conciseCases(part: PartResult, lang: Lang, shown: ReadonlySet<string>, width: number, p: Palette): string[] {
  const failing = part.cases.filter((c) => !c.passed);
  if (failing.length === 0) return [];
  // A part stopped by another part's runtime error: its message says where; the cases would repeat it.
  const blocked = part.messages.some((m) => m.id === 'report.part.blocked-by-error');
  if (blocked || failing.every((c) => c.message !== undefined && shown.has(c.message))) {
    return wrap(t('report.text.all-cases', { count: failing.length }, lang), '    ', width).map(p.dim);
  }
  const out: string[] = [];
  for (const c of failing.slice(0, MAX_CASES)) {
    const label = c.hidden ? t('report.text.hidden-case', { name: c.name }, lang) : c.name;
    const line = c.message !== undefined ? t('report.text.case', { name: label, message: c.message }, lang) : label;
    out.push(...wrap(`${STATUS_MARK.failed} ${line}`, '    ', width).map((l, i) => (i === 0 ? l.replace(STATUS_MARK.failed, p.red(STATUS_MARK.failed)) : l)));
  }
  if (failing.length > MAX_CASES) out.push(...wrap(t('report.text.more-cases', { count: failing.length - MAX_CASES }, lang), '    ', width).map(p.dim));
  return out;
}

function conciseBlock(part: PartResult, lang: Lang, width: number, p: Palette): string[] {
  const mark = part.status === 'failed' ? p.red(STATUS_MARK.failed) : p.yellow(STATUS_MARK.errored);
  const loc = where(part.location);
  const out = [`${mark} ${p.bold(part.title)} ${p.dim(`[${part.id}]`)}${loc ? `  ${p.cyan(sanitizeText(loc))}` : ''}`];
  const messages = conciseMessages(part, part.diagnoses.length > 0);
  for (const m of messages) out.push(...wrap(m.text, '    ', width).map((l) => (m.level === 'error' ? p.red(l) : l)));
  out.push(...conciseCases(part, lang, new Set(messages.map((m) => m.text)), width, p));
  return out;
}

/** Each diagnosis once (same id and message), with the parts it explains, in the parts' order. */
function groupDiagnoses(report: GradeReport): { d: Diagnosis; parts: PartResult[]; loc?: SourceLocation }[] {
  const groups = new Map<string, { d: Diagnosis; parts: PartResult[]; loc?: SourceLocation }>();
  for (const part of report.parts) {
    if (part.status === 'passed') continue;
    for (const d of part.diagnoses) {
      const key = `${d.id}\u0000${d.message}`;
      const g = groups.get(key) ?? { d, parts: [], loc: d.location };
      g.parts.push(part);
      groups.set(key, g);
    }
  }
  return [...groups.values()];
}

function conciseDiagnoses(report: GradeReport, width: number, p: Palette): string[] {
  const out: string[] = [];
  for (const { d, parts, loc } of groupDiagnoses(report)) {
    // The parts by their titles, as the reader's language lists them.
    const titles = listRef(parts.map((part): MessageRef => ({ id: 'report.named', params: { name: part.title } })));
    out.push('', ...wrap(t('report.text.cause', { id: d.id, parts: titles }, report.lang), '', width).map(p.yellow));
    out.push(...wrap(loc ? `${loc.file}:${loc.line}: ${d.message}` : d.message, '    ', width));
    if (d.hint) out.push(...wrap(t('report.text.hint', { hint: d.hint }, report.lang), '    ', width).map(p.dim));
  }
  return out;
}

function summaryLine(part: PartResult, p: Palette): string {
  const mark = part.status === 'passed' ? p.green(STATUS_MARK.passed) : part.status === 'failed' ? p.red(STATUS_MARK.failed) : p.yellow(STATUS_MARK.errored);
  const pts = `${points(part.score)}/${points(part.maxScore)}`.padStart(5);
  return `${mark} ${pts}  ${part.status === 'passed' ? part.title : p.bold(part.title)} ${p.dim(`[${part.id}]`)}`;
}

function renderConcise(report: GradeReport, options: TextReporterOptions, p: Palette): string {
  const width = options.width ?? 100;
  const lines: string[] = header(report, p, width);
  for (const n of report.notices ?? []) lines.push(...wrap(n.text, '', width).map((l) => (n.level === 'error' ? p.red(l) : l)), '');
  for (const part of report.parts) lines.push(summaryLine(part, p));
  const failed = report.parts.filter((x) => x.status !== 'passed');
  if (failed.length > 0) lines.push('');
  for (const part of failed) lines.push(...conciseBlock(part, report.lang, width, p));
  lines.push(...conciseDiagnoses(report, width, p));
  lines.push(...submissionOutput(report, options, p));
  lines.push('', scoreLine(report, p));
  if (failed.length > 0) lines.push(...wrap(t('report.text.verbose', {}, report.lang), '', width).map(p.dim));
  return lines.join('\n') + '\n';
}

/**
 * Renders a report as text: a header (submission, seed and how to rerun it, preset), one line per
 * part (mark, points, title), then (concise) a block per failed part with its location and at most
 * three failing cases, and each diagnosis once with the parts it explains; or (verbose) every
 * failed case with its worst element and diff and the diagnoses under each part. Then the
 * submission's captured output and the total. Ends with a newline.
 */
export function renderText(report: GradeReport, options: TextReporterOptions = {}): string {
  const p = palette(options.color ?? false);
  return options.verbose ? renderVerbose(report, options, p) : renderConcise(report, options, p);
}

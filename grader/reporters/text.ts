/**
 * The default reporter: a GradeReport as text for a terminal or a CI log. A pure function of the
 * report; colour is a parameter (cli.ts decides: a TTY and no NO_COLOR).
 */
import pc from 'picocolors';
import type { CaseResult, GradeReport, PartResult, WorstElement } from '../report/types';
import { sanitizeText } from './escape';

export interface TextReporterOptions {
  /** ANSI colours. Default false. */
  color?: boolean;
  /** Show the submission's captured output (sanitized) after the parts. Default true. */
  showSubmissionOutput?: boolean;
  /** Lines of captured output shown at most. Default 20. */
  maxOutputLines?: number;
}

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

/** Where the worst element is, in Octave terms: "at (3,2), unrolled index 7" or "at index 7" (1-based). */
export function formatPosition(w: WorstElement): string {
  if (w.row !== undefined && w.column !== undefined) {
    return `at ${w.matrix ?? ''}(${w.row},${w.column}), unrolled index ${w.index}`;
  }
  return `at index ${w.index}`;
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

function caseLines(c: CaseResult, p: Palette): string[] {
  const out: string[] = [];
  const label = c.hidden ? `${c.name} (hidden case)` : c.name;
  const head = `    ${p.red(STATUS_MARK.failed)} ${label}`;
  if (c.message) {
    const [first, ...rest] = block(c.message, '');
    out.push(`${head}: ${first}`, ...rest.map((l) => (l ? `      ${l}` : '')));
  } else out.push(head);
  if (c.worst) {
    const w = c.worst;
    out.push(
      `      worst element ${formatPosition(w)}: expected ${formatNumber(w.expected)}, got ${formatNumber(w.got)}` +
        ` (abs error ${formatError(w.absError)}, rel error ${formatError(w.relError)})`,
    );
  }
  if (c.diff) {
    out.push('      diff (- expected, + yours):');
    for (const line of block(c.diff, '        ')) {
      const t = line.trimStart();
      out.push(t.startsWith('-') ? p.green(line) : t.startsWith('+') ? p.red(line) : line);
    }
  }
  return out;
}

function partLines(part: PartResult, p: Palette): string[] {
  const mark =
    part.status === 'passed' ? p.green(STATUS_MARK.passed) : part.status === 'failed' ? p.red(STATUS_MARK.failed) : p.yellow(STATUS_MARK.errored);
  const pts = `${points(part.score)}/${points(part.maxScore)}`.padStart(5);
  const title = part.status === 'passed' ? part.title : p.bold(part.title);
  const out = [`${mark} ${pts}  ${title} ${p.dim(`[${part.id}]`)}`];
  if (part.status !== 'passed' && part.location) {
    out.push(p.dim(`    at ${sanitizeText(part.location.file)}:${part.location.line}${part.location.column ? `:${part.location.column}` : ''}`));
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
        out.push(...caseLines(c, p));
        if (c.message !== undefined && !c.worst && !c.diff) shown.add(c.message);
      }
    }
    if (same.length) out.push(...block(`${p.red(STATUS_MARK.failed)} failed the same way: ${same.join(' · ')}`, '    '));
    for (const d of part.diagnoses) {
      out.push(...block(`Likely cause: ${d.message}`, '    ').map(p.yellow));
      if (d.hint) out.push(...block(`Hint: ${d.hint}`, '      '));
    }
  }
  return out;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Renders a report as text: a header (submission, seed and how to rerun it, preset), one line per
 * part (mark, points, title) with the details of each failure under it (messages, failing cases
 * with their worst element and diff, diagnoses with hints), the submission's captured output, and
 * the total. Ends with a newline.
 */
export function renderText(report: GradeReport, options: TextReporterOptions = {}): string {
  const p = palette(options.color ?? false);
  const lines: string[] = [];
  lines.push(p.bold(`backprop-grader ${report.grader.version}`) + `  ${sanitizeText(report.submission)}`);
  lines.push(
    p.dim(
      `seed ${report.seed} (rerun with --seed ${report.seed}) · preset ${sanitizeText(report.preset)} · reference ${report.reference} · isolation ${report.isolation}`,
    ),
  );
  lines.push('');
  for (const part of report.parts) lines.push(...partLines(part, p));

  const maxLines = options.maxOutputLines ?? 20;
  if ((options.showSubmissionOutput ?? true) && report.submissionOutput && report.submissionOutput.trim()) {
    const out = block(report.submissionOutput, '  │ ');
    lines.push('', p.dim('Your code printed (captured while grading):'));
    lines.push(...out.slice(0, maxLines).map((l) => l || '  │'));
    if (out.length > maxLines) lines.push(p.dim(`  … ${out.length - maxLines} more lines`));
  }

  const passed = report.parts.filter((x) => x.status === 'passed').length;
  const total = `${points(report.score)}/${points(report.maxScore)}`;
  const paint = report.score >= report.maxScore ? p.green : report.score > 0 ? p.yellow : p.red;
  lines.push('');
  lines.push(
    `${p.bold('Score')} ${paint(p.bold(total))}  ${p.dim(`(${passed} of ${report.parts.length} parts passed, graded in ${seconds(report.durationMs)})`)}`,
  );
  return lines.join('\n') + '\n';
}

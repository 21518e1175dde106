/**
 * `--format github` (the default when GITHUB_ACTIONS=true): the GradeReport delivered where GitHub
 * Actions and GitHub Classroom look.
 *
 * - the text report in the log, inside a stop-commands block, every line neutralized;
 * - a job summary (GITHUB_STEP_SUMMARY): a table of parts, then each failure's details;
 * - an error annotation per failed part at the most specific line known (the part's location);
 * - outputs `score`, `max-score` and `result` (base64 of the Classroom runner JSON, read by
 *   classroom-resources/autograding-grading-reporter from env `<ID>_RESULTS`);
 * - the notices `Autograding complete` (Points N/M) and `Autograding report`
 *   ({"totalPoints":N,"maxPoints":M}), so Classroom gets the score even without that reporter.
 *
 * Every student-controlled string (messages quoting thrown errors, file names, diffs, captured
 * output) is escaped for where it goes: Markdown/HTML in the summary, workflow-command escaping in
 * annotations (by @actions/core), and neutralized line starts in the log and the Classroom JSON
 * (the grading reporter prints its messages raw). No `setCommandEcho` call: echo is off unless
 * step debugging is on, and then it would only echo our own, already escaped, command lines.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { GradeReport, PartResult, PartStatus } from '../report/types';
import { escapeHtml, escapeMarkdown, neutralizeWorkflowCommands, sanitizeText } from './escape';
import { formatNumber, formatPosition, renderText } from './text';

/** One test of the Classroom runner result. */
export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  /** Milliseconds. */
  duration: number;
}

/** The runner result GitHub Classroom's grading reporter reads (base64 in the step output `result`). */
export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

const CLASSROOM_STATUS: Record<PartStatus, ClassroomTest['status']> = { passed: 'pass', failed: 'fail', errored: 'error' };

/** Student text for a place that prints it raw to a log: sanitized, no line can be a command. */
function logSafe(s: string): string {
  return neutralizeWorkflowCommands(sanitizeText(s));
}

/** A part's feedback in a few lines (messages, then failing cases, then diagnoses). */
export function partSummary(part: PartResult): string {
  const lines: string[] = part.messages.map((m) => m.text);
  // As in the text report: cases that failed with only an already shown message are named once.
  const shown = new Set(lines);
  const same: string[] = [];
  for (const c of part.cases) {
    if (c.passed) continue;
    if (!c.worst && c.message !== undefined && shown.has(c.message)) {
      same.push(c.name);
      continue;
    }
    let line = `✗ ${c.name}${c.message ? `: ${c.message}` : ''}`;
    if (c.worst) line += ` (worst element ${formatPosition(c.worst)}: expected ${formatNumber(c.worst.expected)}, got ${formatNumber(c.worst.got)})`;
    else if (c.message !== undefined) shown.add(c.message);
    lines.push(line);
  }
  if (same.length) lines.push(`✗ failed the same way: ${same.join(' · ')}`);
  for (const d of part.diagnoses) lines.push(`Likely cause: ${d.message} Hint: ${d.hint}`);
  return lines.join('\n');
}

/**
 * The Classroom runner result of a report. `status` is `pass` when every part passed, `fail`
 * otherwise (grading completed: errored parts are `error` tests that score 0), and `error` only
 * with `internalError` (the grader itself failed). Every part is present with its max score, so
 * no test vanishes from the denominator.
 */
export function classroomResult(report: GradeReport, options: { internalError?: boolean } = {}): ClassroomResult {
  const allPassed = report.parts.every((p) => p.status === 'passed');
  return {
    version: 1,
    status: options.internalError ? 'error' : allPassed ? 'pass' : 'fail',
    max_score: report.maxScore,
    tests: report.parts.map((part) => ({
      name: logSafe(`${part.title} (${part.id})`),
      status: CLASSROOM_STATUS[part.status],
      score: part.score,
      message: logSafe(part.status === 'passed' ? `Passed: ${part.score}/${part.maxScore}` : partSummary(part)),
      test_code: `backprop-grader grade --seed ${report.seed} --preset ${logSafe(report.preset)} (part ${part.id})`,
      filename: part.location ? logSafe(part.location.file) : '',
      line_no: part.location?.line ?? 0,
      duration: Math.round(part.durationMs),
    })),
  };
}

const STATUS_LABEL: Record<PartStatus, string> = { passed: '✅ passed', failed: '❌ failed', errored: '⚠️ errored' };

/** Text inside <pre>: HTML-escaped (a diff may contain `</pre>` or backticks). */
function pre(s: string): string {
  return `<pre>${escapeHtml(sanitizeText(s.replace(/\n+$/, '')))}</pre>`;
}

/** The job summary's Markdown: a table of parts, then each failure's details. Every student string escaped. */
export function jobSummaryMarkdown(report: GradeReport): string {
  const md: string[] = [];
  md.push(`## backprop-grader: ${report.score}/${report.maxScore} points`, '');
  md.push(
    `Seed \`${report.seed}\` (rerun with \`backprop-grader grade --seed ${report.seed}\`) · preset ${escapeMarkdown(report.preset)} · grader ${escapeMarkdown(report.grader.version)}`,
    '',
  );
  md.push('| Part | Points | Status |', '|---|---:|---|');
  for (const p of report.parts) md.push(`| ${escapeMarkdown(p.title)} | ${p.score}/${p.maxScore} | ${STATUS_LABEL[p.status]} |`);
  md.push('');
  for (const p of report.parts) {
    if (p.status === 'passed') continue;
    md.push(`### ${p.status === 'failed' ? '❌' : '⚠️'} ${escapeMarkdown(p.title)} (${p.score}/${p.maxScore})`, '');
    if (p.location) md.push(`In \`${escapeHtml(sanitizeText(p.location.file)).replace(/`/g, "'")}\` line ${p.location.line}`, '');
    for (const m of p.messages) md.push(escapeMarkdown(m.text), '');
    const shown = new Set(p.messages.map((m) => m.text));
    const same: string[] = [];
    for (const c of p.cases) {
      if (c.passed) continue;
      if (!c.worst && !c.diff && c.message !== undefined && shown.has(c.message)) {
        same.push(c.name);
        continue;
      }
      if (c.message !== undefined && !c.worst && !c.diff) shown.add(c.message);
      md.push(`- **${escapeMarkdown(c.name)}**${c.hidden ? ' (hidden case)' : ''}${c.message ? `: ${escapeMarkdown(c.message)}` : ''}`);
      if (c.worst) {
        const w = c.worst;
        md.push(
          `  - worst element ${escapeMarkdown(formatPosition(w))}: expected ${escapeMarkdown(formatNumber(w.expected))}, got ${escapeMarkdown(formatNumber(w.got))}`,
        );
      }
      if (c.diff) md.push('', pre(c.diff), '');
    }
    if (same.length) md.push(`- failed the same way: ${same.map(escapeMarkdown).join(' · ')}`);
    for (const d of p.diagnoses) md.push('', `> **Likely cause:** ${escapeMarkdown(d.message)}<br>**Hint:** ${escapeMarkdown(d.hint)}`);
    md.push('');
  }
  return truncateSummary(md.join('\n') + '\n');
}

/** GitHub rejects step summaries above 1 MiB; keep well below it. */
const SUMMARY_LIMIT = 512 * 1024;
function truncateSummary(s: string): string {
  if (Buffer.byteLength(s) <= SUMMARY_LIMIT) return s;
  let cut = s.slice(0, SUMMARY_LIMIT / 2);
  // Never cut inside a <pre> block or an HTML entity.
  const open = cut.lastIndexOf('<pre>');
  if (open > cut.lastIndexOf('</pre>')) cut = cut.slice(0, open);
  cut = cut.replace(/&[a-z#0-9]*$/i, '');
  return `${cut}\n\n_(summary truncated: see the log for every detail)_\n`;
}

/**
 * The annotation's file, relative to the workspace (GitHub resolves annotation paths against the
 * repository root). `location.file` is relative to the submission root, which is either the
 * submission folder or, for an `exercises/` folder, its parent.
 */
export function annotationFile(report: GradeReport, file: string, workspace: string): string {
  const candidates = [resolve(report.submission, file)];
  if (basename(report.submission) === 'exercises') candidates.unshift(resolve(dirname(report.submission), file));
  const abs = candidates.find((c) => existsSync(c)) ?? candidates[candidates.length - 1];
  const rel = relative(workspace, abs);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split(sep).join('/');
}

/** The workflow commands' API we use (the subset of @actions/core; injectable in tests). */
export interface ActionsCore {
  error(message: string, properties?: { title?: string; file?: string; startLine?: number; startColumn?: number }): void;
  notice(message: string, properties?: { title?: string }): void;
  setOutput(name: string, value: string | number): void;
  summary: { addRaw(text: string, addEOL?: boolean): { write(): Promise<unknown> } };
}

export interface GitHubReporterOptions {
  /** Where the log text goes (default process.stdout). Workflow commands go through `core`. */
  write?: (text: string) => void;
  /** Environment (GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default: @actions/core, loaded lazily. */
  core?: ActionsCore;
  /** The grader itself failed (the report is the all-errored fallback): Classroom status `error`. */
  internalError?: boolean;
}

/**
 * Publishes a report to GitHub Actions (see the module comment). Never throws for a missing
 * summary file (a local `--format github` run): the summary is then skipped.
 */
export async function publishToGitHub(report: GradeReport, options: GitHubReporterOptions = {}): Promise<void> {
  const write = options.write ?? ((t: string) => void process.stdout.write(t));
  const env = options.env ?? process.env;
  const core: ActionsCore = options.core ?? ((await import('@actions/core')) as unknown as ActionsCore);

  // 1. The log. stop-commands makes the runner ignore every workflow command until the random
  //    token (a submission cannot guess it); neutralizing line starts protects runners or log
  //    viewers that do not honour stop-commands.
  const token = `backprop-grader-${randomUUID()}`;
  write(`::stop-commands::${token}\n`);
  write(neutralizeWorkflowCommands(renderText(report, { color: false })));
  write(`::${token}::\n`);

  // 2. Annotations at the student's function.
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  for (const part of report.parts) {
    if (part.status === 'passed') continue;
    const props: Parameters<ActionsCore['error']>[1] = { title: `${part.title}: ${part.score}/${part.maxScore} (${part.status})` };
    // The most specific line known: the part's (trace > diagnosis > error > block), else a diagnosis's.
    const where = part.location ?? part.diagnoses.find((d) => d.location)?.location;
    if (where) {
      props.file = annotationFile(report, where.file, workspace);
      props.startLine = where.line;
    }
    // core escapes %, CR and LF in the message and ':' ',' in properties: it stays one command.
    // Neutralized too, so the message shows no command-looking line even once the runner unescapes it.
    core.error(logSafe(partSummary(part)) || `${part.title} ${part.status}`, props);
  }

  // 3. Outputs for the Classroom grading reporter, and the notices Classroom reads directly.
  const result = classroomResult(report, { internalError: options.internalError });
  core.setOutput('score', report.score);
  core.setOutput('max-score', report.maxScore);
  core.setOutput('result', Buffer.from(JSON.stringify(result)).toString('base64'));
  core.notice(`Points ${report.score}/${report.maxScore}`, { title: 'Autograding complete' });
  core.notice(JSON.stringify({ totalPoints: report.score, maxPoints: report.maxScore }), { title: 'Autograding report' });

  // 4. The job summary.
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(jobSummaryMarkdown(report), true).write();
    } catch (err) {
      write(`backprop-grader: could not write the job summary (${neutralizeWorkflowCommands((err as Error).message)})\n`);
    }
  }
}

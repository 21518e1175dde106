/**
 * `--format github` (the default when GITHUB_ACTIONS=true): the GradeReport delivered where GitHub
 * Actions and GitHub Classroom look.
 *
 * - the text report in the log, inside a stop-commands block, every line neutralized;
 * - a job summary (GITHUB_STEP_SUMMARY): a table of parts, then each failure's details;
 * - an error annotation per failed part at the most specific line known (the part's location);
 * - outputs `score`, `max-score`, and one Classroom runner result per part (base64 JSON, output
 *   named by the part's runner id, see CLASSROOM_RUNNERS), read by
 *   classroom-resources/autograding-grading-reporter from env `<RUNNER>_RESULTS`.
 *
 * Why one runner per part: the grading reporter scores a runner as
 * (tests passed / tests) × the runner's max_score, so parts of different weights inside one runner
 * would be weighted equally in its log (71.43/100 for a grade of 80), while its notices sum the
 * tests' `score` fields. With one runner per part, each holding that part's max_score, the log, the
 * table, the notices and our annotations all say the same total. We emit no notices ourselves: the
 * reporter's "Autograding complete" / "Autograding report" are the ones Classroom reads.
 *
 * Every student-controlled string (messages quoting thrown errors, file names, diffs, captured
 * output) is escaped for where it goes: Markdown/HTML in the summary, workflow-command escaping in
 * annotations (by @actions/core), and neutralized line starts in the log and the Classroom JSON
 * (the grading reporter prints its messages raw). No `setCommandEcho` call: echo is off unless
 * step debugging is on, and then it would only echo our own, already escaped, command lines.
 */
import type * as Core from '@actions/core';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { t, type Lang } from '../messages/index';
import { partTitle } from '../messages/parts';
import { PART_IDS, type PartId } from '../parts/ids';
import type { CaseResult, GradeReport, PartResult, PartStatus, WorstElement } from '../report/types';
import { escapeHtml, escapeMarkdown, neutralizeWorkflowCommands, sanitizeText } from './escape';
import { formatNumber, renderText } from './text';
import { displayStatus, failedCaseGroups, studentRerunCommand, worstPositionRef, type DisplayStatus } from './view';

export { studentRerunCommand } from './view';

/** One test of the Classroom runner result. */
export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  message: string;
  /** Printed under "Test code:" by the reporter: the command a student runs to see the same result. */
  test_code: string;
  filename: string;
  line_no: number;
  /** Milliseconds. */
  duration: number;
}

/** The runner result GitHub Classroom's grading reporter reads (base64 in a step output). */
export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

/**
 * The Classroom runner id of each part: the step output holding its result, and the `runners`
 * entry of the reporter (env `<ID upper-cased>_RESULTS`). Alphanumeric (the reporter's own
 * pattern) and at most 18 characters (its log table's column).
 */
export const CLASSROOM_RUNNERS: Readonly<Record<PartId, string>> = {
  'feedforward-cost': 'feedforward',
  'regularized-cost': 'regcost',
  'sigmoid-gradient': 'sigmoidgrad',
  'backprop-gradient': 'backprop',
  'regularized-gradient': 'reggrad',
  'numerical-gradient': 'numgrad',
  'random-init': 'randinit',
};

const CLASSROOM_STATUS: Record<PartStatus, ClassroomTest['status']> = { passed: 'pass', failed: 'fail', errored: 'error' };

/** Student text for a place that prints it raw to a log: sanitized, no line can be a command. */
function logSafe(s: string): string {
  return neutralizeWorkflowCommands(sanitizeText(s));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** "worst element at Theta2(2,1), unrolled index 14: expected …, got …" in the report's language. */
export function worstElementText(w: WorstElement, lang: Lang): string {
  const position = worstPositionRef(w) ?? { id: 'github.position.index', params: { index: 1 } };
  return t('github.worst', { position, expected: formatNumber(w.expected), got: formatNumber(w.got) }, lang);
}

function caseLine(c: CaseResult, lang: Lang): string {
  const head = c.message ? t('github.case-failed', { name: c.name, message: c.message }, lang) : t('github.case-failed-bare', { name: c.name }, lang);
  return c.worst ? `${head} (${worstElementText(c.worst, lang)})` : head;
}

/** A part's feedback in a few lines (messages, failing cases grouped, diagnoses), in the report's language. */
export function partSummary(part: PartResult, lang: Lang): string {
  const lines: string[] = part.messages.map((m) => m.text);
  const same: string[] = [];
  for (const group of failedCaseGroups(part)) {
    group.cases.forEach((c, i) => {
      // A message is said once: later cases of its group, and cases whose message the part
      // already shows, are named at the end unless they bring numbers of their own.
      const repeated = group.repeatsPartMessage || i > 0;
      if (repeated && !c.worst) same.push(c.name);
      else lines.push(caseLine(repeated ? { ...c, message: undefined } : c, lang));
    });
  }
  if (same.length) lines.push(t('github.same-way', { names: same.join(' · ') }, lang));
  for (const d of part.diagnoses) lines.push(t('github.likely-cause', { message: d.message, hint: d.hint }, lang));
  return lines.join('\n');
}

function partTest(report: GradeReport, part: PartResult): ClassroomTest {
  return {
    name: logSafe(part.title),
    status: CLASSROOM_STATUS[part.status],
    score: part.score,
    message: logSafe(part.status === 'passed' ? t('github.passed', { score: part.score, maxScore: part.maxScore }, report.lang) : partSummary(part, report.lang)),
    test_code: studentRerunCommand(report),
    filename: part.location ? logSafe(part.location.file) : '',
    line_no: part.location?.line ?? 0,
    duration: Math.round(part.durationMs),
  };
}

/**
 * A part that earned partial credit, as one test per case: the reporter's
 * (passed / tests) × max_score is then exactly scoring.ts's partial credit, and the passed tests'
 * scores (the part's score split between them, the rounding left on the last) sum to part.score.
 */
function perCaseTests(report: GradeReport, part: PartResult): ClassroomTest[] {
  const passed = part.cases.filter((c) => c.passed).length;
  const share = round2(part.score / passed);
  let given = 0;
  let seenPassed = 0;
  let firstFailure = true;
  return part.cases.map((c) => {
    let score = 0;
    let message: string;
    if (c.passed) {
      seenPassed++;
      score = seenPassed === passed ? round2(part.score - given) : share;
      given = round2(given + score);
      message = t('github.passed', { score, maxScore: score }, report.lang);
    } else {
      message = firstFailure ? partSummary(part, report.lang) : caseLine(c, report.lang);
      firstFailure = false;
    }
    return {
      name: logSafe(`${part.title}: ${c.name}`),
      status: c.passed ? 'pass' : c.failure === 'error' ? 'error' : 'fail',
      score,
      message: logSafe(message),
      test_code: studentRerunCommand(report),
      filename: !c.passed && part.location ? logSafe(part.location.file) : '',
      line_no: !c.passed ? (part.location?.line ?? 0) : 0,
      duration: Math.round(c.durationMs),
    };
  });
}

/** The result of a runner whose part is not in the report's preset: max_score 0, which the reporter leaves out of every total. */
function notGradedResult(partId: PartId, report: GradeReport): ClassroomResult {
  return {
    version: 1,
    status: 'pass',
    max_score: 0,
    tests: [
      {
        name: logSafe(t('github.not-graded', { title: partTitle(partId, report.lang) }, report.lang)),
        status: 'pass',
        score: 0,
        message: '',
        test_code: '',
        filename: '',
        line_no: 0,
        duration: 0,
      },
    ],
  };
}

/** One part's runner result. `status` is `error` for every part when the grader itself failed. */
export function classroomPartResult(report: GradeReport, part: PartResult, options: { internalError?: boolean } = {}): ClassroomResult {
  const partial = part.status !== 'passed' && part.score > 0 && part.cases.some((c) => c.passed);
  return {
    version: 1,
    status: options.internalError ? 'error' : CLASSROOM_STATUS[part.status],
    max_score: part.maxScore,
    tests: partial ? perCaseTests(report, part) : [partTest(report, part)],
  };
}

/**
 * The seven Classroom runner results of a report, in part order, each under its runner id. A part
 * absent from the report's preset still gets a (zero-point) result, so the workflow's reporter
 * step never reads an empty variable.
 */
export function classroomResults(report: GradeReport, options: { internalError?: boolean } = {}): { runner: string; partId: PartId; result: ClassroomResult }[] {
  const byId = new Map(report.parts.map((p) => [p.id, p]));
  return PART_IDS.map((partId) => {
    const part = byId.get(partId);
    return { runner: CLASSROOM_RUNNERS[partId], partId, result: part ? classroomPartResult(report, part, options) : notGradedResult(partId, report) };
  });
}

/**
 * The runner result the workflow falls back to when the Grade step set no output (it crashed,
 * timed out or never ran): the part errored with 0 of its points, so it never vanishes from the
 * denominator. `.github/workflows/classroom.yml` carries these, base64-encoded (a test keeps them in step).
 */
export function classroomFallbackResult(partId: PartId, maxScore: number, lang: Lang = 'en'): ClassroomResult {
  return {
    version: 1,
    status: 'error',
    max_score: maxScore,
    tests: [{ name: partTitle(partId, lang), status: 'error', score: 0, message: t('github.fallback.message', {}, lang), test_code: 'npm run grade', filename: '', line_no: 0, duration: 0 }],
  };
}

/** Base64 of a runner result's JSON, as the step output carries it. */
export function encodeClassroomResult(result: ClassroomResult): string {
  return Buffer.from(JSON.stringify(result)).toString('base64');
}

const STATUS_ICON: Record<DisplayStatus, string> = { passed: '✅', failed: '❌', errored: '⚠️', 'not-implemented': '⬜' };

/** Text inside <pre>: HTML-escaped (a diff may contain `</pre>` or backticks). */
function pre(s: string): string {
  return `<pre>${escapeHtml(sanitizeText(s.replace(/\n+$/, '')))}</pre>`;
}

/** Our own text shown as code in Markdown: no backtick can end the code span early. */
function code(s: string): string {
  return `<code>${escapeHtml(sanitizeText(s))}</code>`;
}

/** A guide reference in our messages (`exercises/GUIDE.md#anchor`, or the Chinese guide's). */
const GUIDE_REF = /exercises\/GUIDE(?:\.zh-CN)?\.md#[a-z0-9-]+/g;

/**
 * The web address of the repository's files at this commit (`https://github.com/OWNER/REPO/blob/SHA`)
 * from the runner's environment, or undefined outside Actions or when a value looks wrong.
 */
export function repositoryBlobBase(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const server = env.GITHUB_SERVER_URL ?? '';
  const repo = env.GITHUB_REPOSITORY ?? '';
  const sha = env.GITHUB_SHA ?? '';
  if (!/^https:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(server) || !/^[\w.-]+\/[\w.-]+$/.test(repo) || !/^[0-9a-f]{40}$/.test(sha)) return undefined;
  return `${server}/${repo}/blob/${sha}`;
}

/** Escaped text whose guide references become links to the guide in the repository (when `blobBase` is known). */
function withGuideLinks(text: string, blobBase: string | undefined): string {
  if (!blobBase) return escapeMarkdown(text);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(GUIDE_REF)) {
    out += `${escapeMarkdown(text.slice(last, m.index))}[${escapeMarkdown(m[0])}](${blobBase}/${m[0]})`;
    last = m.index + m[0].length;
  }
  return out + escapeMarkdown(text.slice(last));
}

function partDetailsMarkdown(p: PartResult, lang: Lang, blobBase: string | undefined): string[] {
  const md: string[] = [];
  const status = displayStatus(p);
  md.push(`### ${STATUS_ICON[status]} ${escapeMarkdown(p.title)} (${p.score}/${p.maxScore})`, '');
  if (p.location) md.push(t('github.summary.location', { file: code(p.location.file), line: p.location.line }, lang), '');
  for (const m of p.messages) md.push(withGuideLinks(m.text, blobBase), '');
  const same: string[] = [];
  for (const group of failedCaseGroups(p)) {
    group.cases.forEach((c, i) => {
      const repeated = group.repeatsPartMessage || i > 0;
      if (repeated && !c.worst && !c.diff) {
        same.push(c.name);
        return;
      }
      const hidden = c.hidden ? ` ${t('github.summary.hidden', {}, lang)}` : '';
      const message = c.message && !repeated ? `: ${escapeMarkdown(c.message)}` : '';
      md.push(`- **${escapeMarkdown(c.name)}**${escapeMarkdown(hidden)}${message}`);
      if (c.worst) md.push(`  - ${escapeMarkdown(worstElementText(c.worst, lang))}`);
      if (c.diff) md.push('', pre(c.diff), '');
    });
  }
  if (same.length) md.push(`- ${escapeMarkdown(t('github.same-way', { names: same.join(' · ') }, lang))}`);
  for (const d of p.diagnoses) md.push('', `> ${t('github.summary.cause', { message: escapeMarkdown(d.message), hint: withGuideLinks(d.hint, blobBase) }, lang)}`);
  md.push('');
  return md;
}

/** The job summary's Markdown: a table of parts, then each failure's details. Every student string escaped. */
export function jobSummaryMarkdown(report: GradeReport, blobBase?: string): string {
  const lang = report.lang;
  const md: string[] = [];
  md.push(`## ${escapeMarkdown(t('github.summary.heading', { score: report.score, maxScore: report.maxScore }, lang))}`, '');
  md.push(
    t('github.summary.run', { seed: code(String(report.seed)), preset: escapeMarkdown(report.preset), isolation: code(report.isolation), version: escapeMarkdown(report.grader.version), command: code(studentRerunCommand(report)) }, lang),
    '',
  );
  md.push(`| ${t('github.summary.part', {}, lang)} | ${t('github.summary.points', {}, lang)} | ${t('github.summary.status', {}, lang)} |`, '|---|---:|---|');
  for (const p of report.parts) {
    const status = displayStatus(p);
    md.push(`| ${escapeMarkdown(p.title)} | ${p.score}/${p.maxScore} | ${STATUS_ICON[status]} ${t(`github.status.${status}`, {}, lang)} |`);
  }
  md.push('');
  for (const p of report.parts) if (p.status !== 'passed') md.push(...partDetailsMarkdown(p, lang, blobBase));
  return truncateSummary(md.join('\n') + '\n', lang);
}

/** GitHub rejects step summaries above 1 MiB; keep well below it. */
const SUMMARY_LIMIT = 512 * 1024;
function truncateSummary(s: string, lang: Lang): string {
  if (Buffer.byteLength(s) <= SUMMARY_LIMIT) return s;
  let cut = s.slice(0, SUMMARY_LIMIT / 2);
  // Never cut inside a <pre> block or an HTML entity.
  const open = cut.lastIndexOf('<pre>');
  if (open > cut.lastIndexOf('</pre>')) cut = cut.slice(0, open);
  cut = cut.replace(/&[a-z#0-9]*$/i, '');
  return `${cut}\n\n${t('github.summary.truncated', {}, lang)}\n`;
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

/** The workflow commands' API we use (@actions/core's own types; injectable in tests). */
export type ActionsCore = Pick<typeof Core, 'error' | 'setOutput' | 'summary'>;

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
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const env = options.env ?? process.env;
  const core: ActionsCore = options.core ?? (await import('@actions/core'));
  const lang = report.lang;

  // 1. The log. stop-commands makes the runner ignore every workflow command until the random
  //    token (a submission cannot guess it); neutralizing line starts protects runners or log
  //    viewers that do not honour stop-commands.
  const token = `backprop-grader-${randomUUID()}`;
  write(`::stop-commands::${token}\n`);
  write(neutralizeWorkflowCommands(renderText(report, { color: false })));
  write(`::${token}::\n`);

  // 2. Annotations at the student's function, each ending with the command that reruns it.
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const rerun = t('github.rerun', { command: studentRerunCommand(report) }, lang);
  for (const part of report.parts) {
    if (part.status === 'passed') continue;
    const props: Core.AnnotationProperties = {
      title: t('github.annotation.title', { title: part.title, score: part.score, maxScore: part.maxScore, status: displayStatus(part) }, lang),
    };
    // The most specific line known: the part's (trace > diagnosis > error > block), else a diagnosis's.
    const where = part.location ?? part.diagnoses.find((d) => d.location)?.location;
    if (where) {
      props.file = annotationFile(report, where.file, workspace);
      props.startLine = where.line;
    }
    // core escapes %, CR and LF in the message and ':' ',' in properties: it stays one command.
    // Neutralized too, so the message shows no command-looking line even once the runner unescapes it.
    core.error(logSafe(`${partSummary(part, lang)}\n${rerun}`.replace(/^\n/, '')), props);
  }

  // 3. Outputs: the score, and one runner result per part for the Classroom grading reporter.
  core.setOutput('score', report.score);
  core.setOutput('max-score', report.maxScore);
  for (const { runner, result } of classroomResults(report, { internalError: options.internalError })) {
    core.setOutput(runner, encodeClassroomResult(result));
  }

  // 4. The job summary.
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(jobSummaryMarkdown(report, repositoryBlobBase()), true).write();
    } catch (err) {
      write(`${t('github.summary.write-failed', { reason: neutralizeWorkflowCommands((err as Error).message) }, lang)}\n`);
    }
  }
}

/**
 * `--format gradescope`: a GradeReport as Gradescope's results.json (see the spec summary in
 * ../shared/DESIGN.md; schema in test/schemas/gradescope-results.schema.json).
 *
 * What students see, and what they never see:
 * - one visible test per part with its points and its feedback: messages, the public case's worst
 *   element and diff (the public cases' values are published anyway), the likely mistake;
 * - for a hidden case, only its name and the kind of failure ("wrong value", "too slow"…), plus its
 *   message when the case was sealed (a sealed message holds no expected value by construction); a
 *   hidden case's expected values are in no field a student can see;
 * - no test is hidden or delayed: Gradescope's spec says that "if test cases are hidden, students
 *   will not be able to see their total score", so every test is `visible` and students see
 *   their total;
 * - never the raw output of their own code (`stdout_visibility: hidden`).
 * Instructors keep the details after publishing: every failed hidden case's message, worst element
 * and diff are in `extra_data.hidden_cases` (stored with the submission, never shown to students),
 * and `grade --format gradescope --out FILE` also prints the full text report on stdout, which
 * Gradescope shows to instructors only.
 *
 * The top-level `score` is the report's score (Gradescope then ignores the test sums), so the
 * gradebook always equals the report.
 */
import { isMessageRef, render, t, type Lang } from '../messages/index';
import type { CaseResult, GradeReport, Message, PartResult, WorstElement } from '../report/types';
import { sanitizeText } from './escape';
import { formatNumber, worstLine } from './text';

export type GradescopeVisibility = 'hidden' | 'after_due_date' | 'after_published' | 'visible';

/** One entry of results.json `tests`. */
export interface GradescopeTest {
  name: string;
  number?: string;
  score?: number;
  max_score?: number;
  status?: 'passed' | 'failed';
  output?: string;
  tags?: string[];
  visibility?: GradescopeVisibility;
}

/** A failed hidden case's details, for instructors (results.json `extra_data`). */
export interface HiddenCaseDetail {
  part: string;
  case: string;
  failure?: string;
  message?: string;
  worst?: WorstElement;
  diff?: string;
}

/** results.json (the fields we write). */
export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  output_format: 'text';
  test_output_format: 'text';
  visibility: GradescopeVisibility;
  stdout_visibility: GradescopeVisibility;
  tests: GradescopeTest[];
  /** Stored with the submission for instructors; Gradescope never shows it to students. */
  extra_data: { reference: string; seed: number; hidden_cases: HiddenCaseDetail[] };
}

/** A public case's failure, with its numbers (public values are published anyway). */
function publicCaseText(c: CaseResult, lang: Lang): string {
  const lines = [c.message ? t('gradescope.failed-case', { name: c.name, message: c.message }, lang) : t('gradescope.failed-case-bare', { name: c.name }, lang)];
  if (c.worst) lines.push(`  ${worstLine(c.worst, lang, formatNumber)}`);
  if (c.diff) lines.push(`  ${t('report.text.diff', {}, lang)}`, ...c.diff.replace(/\n+$/, '').split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

/** A hidden case's failure as a student may read it: its name and kind; its message only when sealed. */
function hiddenCaseText(c: CaseResult, lang: Lang): string {
  const line = t('sealed.gradescope.hidden-case', { caseName: c.name, failure: c.failure ?? 'unknown' }, lang);
  return c.sealed && c.message ? `${line}\n    ${c.message}` : line;
}

/**
 * A part message as a student may read it: "n of m cases did not pass. First, <case>: <detail>"
 * quotes the first failing case, so when that case is hidden and not sealed its detail (which may
 * hold expected values) is replaced by the kind of failure.
 */
function studentMessage(m: Message, part: PartResult, lang: Lang): string {
  if (m.id !== 'report.part.cases-failed' || !m.params) return m.text;
  const quoted = m.params.caseName;
  const name = isMessageRef(quoted) ? render(quoted, lang) : quoted;
  const c = part.cases.find((x) => x.name === name);
  if (!c || !c.hidden || c.sealed) return m.text;
  return t('report.part.cases-failed', { ...m.params, detail: { id: `sealed.failure.${c.failure ?? 'unknown'}` as 'sealed.failure.value' } }, lang);
}

function publicOutput(part: PartResult, lang: Lang): string {
  const lines: string[] = [];
  if (part.location && part.status !== 'passed') lines.push(t('report.text.at', { where: `${part.location.file}:${part.location.line}` }, lang));
  for (const m of part.messages) lines.push(studentMessage(m, part, lang));
  for (const c of part.cases.filter((x) => !x.passed && !x.hidden)) lines.push(publicCaseText(c, lang));
  const hidden = part.cases.filter((c) => c.hidden);
  const hiddenFailed = hidden.filter((c) => !c.passed);
  if (hidden.length) {
    lines.push(
      hiddenFailed.length
        ? t('sealed.gradescope.hidden-summary', { failed: hiddenFailed.length, count: hidden.length }, lang)
        : t('sealed.gradescope.hidden-passed', { count: hidden.length }, lang),
    );
    for (const c of hiddenFailed) lines.push(`  ${hiddenCaseText(c, lang)}`);
  }
  for (const d of part.diagnoses) lines.push(t('report.text.likely-cause', { message: d.message }, lang), `  ${t('report.text.hint', { hint: d.hint }, lang)}`);
  return sanitizeText(lines.join('\n'));
}

/** Every failed hidden case's full detail, for instructors only. */
function hiddenDetails(report: GradeReport): HiddenCaseDetail[] {
  const out: HiddenCaseDetail[] = [];
  for (const part of report.parts) {
    for (const c of part.cases) {
      if (!c.hidden || c.passed) continue;
      const d: HiddenCaseDetail = { part: part.id, case: c.name };
      if (c.failure) d.failure = c.failure;
      if (c.message) d.message = sanitizeText(c.message);
      if (c.worst) d.worst = c.worst;
      if (c.diff) d.diff = sanitizeText(c.diff);
      out.push(d);
    }
  }
  return out;
}

/** The results.json object for a report. `number` is the part's position (1-based), as "1", "2"... */
export function gradescopeResults(report: GradeReport): GradescopeResults {
  const lang = report.lang ?? 'en';
  const tests: GradescopeTest[] = report.parts.map((part, i) => ({
    name: part.title,
    number: String(i + 1),
    score: part.score,
    max_score: part.maxScore,
    status: part.status === 'passed' ? 'passed' : 'failed',
    output: publicOutput(part, lang),
    tags: [part.id, part.status],
    visibility: 'visible',
  }));
  const passed = report.parts.filter((p) => p.status === 'passed').length;
  const output = [
    t('gradescope.run', { version: report.grader.version, preset: report.preset, seed: report.seed }, lang),
    t('gradescope.score', { score: report.score, maxScore: report.maxScore, passed, count: report.parts.length }, lang),
  ].join('\n');
  return {
    score: report.score,
    // Whole seconds, as in Gradescope's own examples.
    execution_time: Math.ceil(report.durationMs / 1000),
    output: sanitizeText(output),
    output_format: 'text',
    test_output_format: 'text',
    visibility: 'visible',
    // The submission's own output is never shown to students (it could mimic feedback).
    stdout_visibility: 'hidden',
    tests,
    extra_data: { reference: report.reference, seed: report.seed, hidden_cases: hiddenDetails(report) },
  };
}

/** results.json text (pretty, ending with a newline). */
export function renderGradescope(report: GradeReport): string {
  return JSON.stringify(gradescopeResults(report), null, 2) + '\n';
}

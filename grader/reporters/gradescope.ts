/**
 * `--format gradescope`: a GradeReport as Gradescope's results.json (see the spec summary in
 * ../shared/DESIGN.md; schema in test/schemas/gradescope-results.schema.json).
 *
 * One Gradescope test per part carries the part's points and its public feedback (visible).
 * The details of failed hidden cases (worst element, diff) go into a separate, point-less test per
 * part that students see only `after_published`, so hidden inputs and expected values are not
 * shown while the assignment is open. The top-level `score` is the report's score (Gradescope
 * then ignores the test sums), so the gradebook always equals the report.
 */
import type { CaseResult, GradeReport, PartResult } from '../report/types';
import { sanitizeText } from './escape';
import { formatNumber, formatPosition } from './text';

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
}

function caseText(c: CaseResult): string {
  const lines = [`✗ ${c.name}${c.message ? `: ${c.message}` : ''}`];
  if (c.worst) {
    const w = c.worst;
    lines.push(
      `  worst element ${formatPosition(w)}: expected ${formatNumber(w.expected)}, got ${formatNumber(w.got)} ` +
        `(abs error ${formatNumber(w.absError)}, rel error ${formatNumber(w.relError)})`,
    );
  }
  if (c.diff) lines.push('  diff (- expected, + yours):', ...c.diff.replace(/\n+$/, '').split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

function publicOutput(part: PartResult): string {
  const lines: string[] = [];
  if (part.location && part.status !== 'passed') lines.push(`at ${part.location.file}:${part.location.line}`);
  for (const m of part.messages) lines.push(m.text);
  const failedPublic = part.cases.filter((c) => !c.passed && !c.hidden);
  for (const c of failedPublic) lines.push(caseText(c));
  const hidden = part.cases.filter((c) => c.hidden);
  const hiddenFailed = hidden.filter((c) => !c.passed);
  if (hidden.length) {
    lines.push(
      hiddenFailed.length
        ? `${hiddenFailed.length} of ${hidden.length} hidden cases failed${hiddenFailed.some((c) => c.message) ? ':' : '.'}`
        : `All ${hidden.length} hidden cases passed.`,
    );
    // The one-line message of a hidden failure is feedback, not data: it stays visible.
    for (const c of hiddenFailed) if (c.message) lines.push(`  ✗ ${c.name}: ${c.message}`);
  }
  for (const d of part.diagnoses) lines.push(`Likely cause: ${d.message}`, `  Hint: ${d.hint}`);
  return sanitizeText(lines.join('\n'));
}

/** The results.json object for a report. `number` is the part's position (1-based), as "1", "2"... */
export function gradescopeResults(report: GradeReport): GradescopeResults {
  const tests: GradescopeTest[] = [];
  report.parts.forEach((part, i) => {
    tests.push({
      name: part.title,
      number: String(i + 1),
      score: part.score,
      max_score: part.maxScore,
      status: part.status === 'passed' ? 'passed' : 'failed',
      output: publicOutput(part),
      tags: [part.id, part.status],
      visibility: 'visible',
    });
    const hiddenDetails = part.cases.filter((c) => c.hidden && !c.passed && (c.worst || c.diff));
    if (hiddenDetails.length) {
      tests.push({
        name: `${part.title}: hidden case details`,
        number: `${i + 1}.1`,
        status: 'failed',
        output: sanitizeText(hiddenDetails.map(caseText).join('\n')),
        tags: [part.id, 'hidden-details'],
        visibility: 'after_published',
      });
    }
  });
  const passed = report.parts.filter((p) => p.status === 'passed').length;
  const output = [
    `backprop-grader ${report.grader.version} · preset ${report.preset} · seed ${report.seed} (an instructor can rerun with --seed ${report.seed})`,
    `Score ${report.score}/${report.maxScore}: ${passed} of ${report.parts.length} parts passed.`,
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
  };
}

/** results.json text (pretty, ending with a newline). */
export function renderGradescope(report: GradeReport): string {
  return JSON.stringify(gradescopeResults(report), null, 2) + '\n';
}

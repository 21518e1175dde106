/**
 * TESTS ONLY: hand-built GradeReports for the reporters' tests (no engine needed). Every optional
 * field of types.ts appears at least once, so schema tests cover them all.
 */
import type { GradeReport, PartResult } from '../../grader/report/types';

function part(p: Partial<PartResult> & Pick<PartResult, 'id' | 'title' | 'maxScore' | 'status'>): PartResult {
  return {
    score: p.status === 'passed' ? p.maxScore : 0,
    messages: [],
    cases: [],
    diagnoses: [],
    durationMs: 12.5,
    ...p,
  };
}

/** A full-preset report: passes, a wrong answer with numbers and a diagnosis, a throw, a hidden failure. */
export function sampleReport(): GradeReport {
  const parts: PartResult[] = [
    part({
      id: 'feedforward-cost',
      title: 'Feedforward and cost function',
      maxScore: 25,
      status: 'passed',
      messages: [{ level: 'info', id: 'report.part.revisit', text: 'Public case and 3 hidden cases passed.' }],
      cases: [
        { name: 'public λ=0', hidden: false, passed: true, durationMs: 3 },
        { name: 'hidden #1', hidden: true, passed: true, durationMs: 2 },
      ],
    }),
    part({
      id: 'regularized-cost',
      title: 'Regularized cost function',
      maxScore: 10,
      status: 'failed',
      location: { file: 'exercises/nnCostFunction.ts', line: 42, column: 3 },
      messages: [{ level: 'error', id: 'report.part.cases-failed', text: 'nnCostFunction returned the wrong cost J at λ = 1.5.' }],
      cases: [
        {
          name: 'public λ=1.5',
          hidden: false,
          passed: false,
          message: 'J differs from the expected value',
          worst: { index: 1, expected: 0.38376985909092365, got: 0.2876291651613189, absError: 0.09614069392960475, relError: 0.2505166 },
          diff: '- 0.38377 \n+ 0.28763 \n',
          durationMs: 4,
        },
        {
          name: 'hidden #2',
          hidden: true,
          passed: false,
          message: 'J differs from the expected value',
          worst: { index: 1, expected: 1.25, got: 1.0, absError: 0.25, relError: 0.2 },
          durationMs: 4,
        },
      ],
      diagnoses: [
        {
          id: 'reg-missing',
          message: 'The regularization term is missing from J.',
          hint: 'Revisit the regularized cost function (Part 2 of nnCostFunction).',
          messageId: 'diagnose.reg-missing.message',
          hintId: 'diagnose.reg-missing.hint.cost',
        },
      ],
    }),
    part({ id: 'sigmoid-gradient', title: 'Sigmoid gradient', maxScore: 5, status: 'passed' }),
    part({
      id: 'backprop-gradient',
      title: 'Neural network gradient (backpropagation)',
      maxScore: 35,
      status: 'failed',
      location: { file: 'exercises/nnCostFunction.ts', line: 42 },
      cases: [
        {
          name: 'public λ=0',
          hidden: false,
          passed: false,
          message: 'grad differs',
          worst: { index: 7, row: 3, column: 2, expected: -0.0093, got: NaN, absError: NaN, relError: NaN },
          durationMs: 4,
        },
      ],
    }),
    part({ id: 'regularized-gradient', title: 'Regularized gradient', maxScore: 10, status: 'passed' }),
    part({
      id: 'numerical-gradient',
      title: 'Numerical gradient (gradient checking)',
      maxScore: 10,
      status: 'errored',
      location: { file: 'exercises/computeNumericalGradient.ts', line: 9 },
      messages: [
        { level: 'error', id: 'report.part.cases-failed', text: 'computeNumericalGradient threw: TypeError: x is not a function' },
        { level: 'info', id: 'report.part.revisit', text: 'at computeNumericalGradient (exercises/computeNumericalGradient.ts:12:5)' },
      ],
    }),
    part({
      id: 'random-init',
      title: 'Random initialization',
      maxScore: 5,
      status: 'failed',
      location: { file: 'exercises/randInitializeWeights.ts', line: 5 },
      messages: [{ level: 'error', id: 'report.part.cases-failed', text: 'not implemented yet' }],
    }),
  ];
  return {
    schemaVersion: 2,
    grader: { name: 'backprop-grader', version: '0.1.0' },
    seed: 12345,
    submission: '/tmp/submission',
    preset: 'full',
    lang: 'en',
    score: parts.reduce((s, p) => s + p.score, 0),
    maxScore: 100,
    parts,
    reference: 'solutions',
    isolation: 'namespaces',
    submissionOutput: 'debug: J = 0.28\n\u001b[2J cleared?\n',
    startedAt: '2024-01-02T03:04:05.678Z',
    durationMs: 1234.5,
  };
}

/** Student text that tries to forge GitHub workflow commands and break Markdown/HTML. */
export const FORGED = [
  '::error::forged error',
  '::notice title=Autograding complete::Points 100/100',
  '::notice title=Autograding report::{"totalPoints":100,"maxPoints":100}',
  '##[error]legacy forged',
  '::stop-commands::x',
  '</pre><script>alert(1)</script> | col | [link](http://evil) ![img](http://evil/x.png) # heading',
].join('\n');

/** sampleReport() with student-controlled strings replaced by forgeries. */
export function forgedReport(): GradeReport {
  const r = sampleReport();
  r.submissionOutput = `${FORGED}\n`;
  for (const p of r.parts) {
    p.messages.push({ level: 'error', id: 'report.part.cases-failed', text: `Error: boom\n${FORGED}` });
    for (const c of p.cases) {
      c.message = `\n${FORGED}`;
      if (c.diff) c.diff = `${FORGED}\n`;
    }
    for (const d of p.diagnoses) d.message = `${FORGED}`;
    if (p.location) p.location.file = `exercises/evil\n::error::x,y:z.ts`;
  }
  return r;
}

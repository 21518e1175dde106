/**
 * The GitHub Actions / Classroom reporter with the real @actions/core: GITHUB_STEP_SUMMARY and
 * GITHUB_OUTPUT point at temp files, stdout is captured, and forged workflow commands in student
 * text must not produce command lines.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runGrade } from '../grader/commands/grade';
import { parseGradeArgs } from '../grader/commands/parse';
import { neutralizeWorkflowCommands } from '../grader/reporters/escape';
import { classroomFallbackResult, classroomResults, CLASSROOM_RUNNERS, jobSummaryMarkdown, publishToGitHub, repositoryBlobBase, type ClassroomResult } from '../grader/reporters/github';
import { PART_IDS, PARTS, PRESETS } from '../grader/parts/ids';
import type { GradeReport } from '../grader/report/types';
import { forgedReport, sampleReport } from './helpers/sampleReport';

let dir: string;
let summaryFile: string;
let outputFile: string;
let stdout: string;
const saved = { ...process.env };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpg-gh-'));
  summaryFile = join(dir, 'summary.md');
  outputFile = join(dir, 'output.txt');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  // core reads these from process.env (and caches the summary path: one file for the whole suite).
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  process.env.GITHUB_OUTPUT = outputFile;
  process.env.GITHUB_WORKSPACE = '/tmp/submission';
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const k of ['GITHUB_STEP_SUMMARY', 'GITHUB_OUTPUT', 'GITHUB_WORKSPACE']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

/** GITHUB_OUTPUT's `name<<delimiter\nvalue\ndelimiter` records. */
function outputs(): Record<string, string> {
  const text = readFileSync(outputFile, 'utf8');
  const out: Record<string, string> = {};
  const re = /^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]] = m[3];
  return out;
}

/** Lines the runner would treat as workflow commands (it trims each line first). */
function commandLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('::') || l.startsWith('##['));
}

/**
 * What classroom-resources/autograding-grading-reporter@v1 computes from the runner results
 * (src/main.js reads env `<RUNNER upper-cased>_RESULTS`; src/helpers/test-helpers.js getTestScore
 * scores a runner as (tests passed / tests) × max_score; src/console-results.js logs
 * `Total points for <runner>: <score.toFixed(2)>/<max>` when max_score is not 0;
 * src/aggregate-results.js sums those scores in its table; src/notify-classroom.js sums the tests'
 * `score` fields of runners with a max_score into the notices Classroom records).
 */
function gradingReporter(runners: string[], env: Record<string, string | undefined>) {
  const results = runners.map((runner) => ({
    runner,
    results: JSON.parse(Buffer.from(env[`${runner.trim().toUpperCase()}_RESULTS`]!, 'base64').toString('utf8')) as ClassroomResult,
  }));
  const runnerScore = (r: ClassroomResult) => (r.tests.filter((t) => t.status === 'pass').length / r.tests.length) * (r.max_score || 0);
  const log = results.filter(({ results: r }) => r.max_score !== 0).map(({ runner, results: r }) => `Total points for ${runner}: ${runnerScore(r).toFixed(2)}/${r.max_score}`);
  const table = { score: results.reduce((a, { results: r }) => a + runnerScore(r), 0), max: results.reduce((a, { results: r }) => a + (r.max_score || 0), 0) };
  const notice = results.reduce(
    (acc, { results: r }) => {
      if (!r.max_score) return acc;
      acc.maxPoints += r.max_score;
      for (const t of r.tests) acc.totalPoints += t.score;
      return acc;
    },
    { totalPoints: 0, maxPoints: 0 },
  );
  const failed = results.some((r) => r.results.status === 'fail') || results.some((r) => r.results.status === 'error');
  return { log, table, notice, failed };
}

/** The runners and env wiring of the workflow's reporter step. */
function workflowWiring(): { runners: string[]; env: Record<string, string> } {
  const yml = readFileSync(join(__dirname, '..', '.github', 'workflows', 'classroom.yml'), 'utf8');
  const step = yml.slice(yml.indexOf('- name: Report to GitHub Classroom'));
  const runners = /runners: (\S+)/.exec(step)![1].split(',');
  const env = Object.fromEntries([...step.matchAll(/^\s+([A-Z0-9]+_RESULTS): \$\{\{ steps\.grade\.outputs\.(\w+) \|\| steps\.fallback\.outputs\.(\w+) \}\}$/gm)].map((m) => [m[1], m[2]]));
  return { runners, env };
}

/** Publishes `report` and runs the reporter on the step outputs, wired as the workflow wires them. */
async function classroomView(report: GradeReport, options: { internalError?: boolean } = {}) {
  writeFileSync(outputFile, '');
  await publishToGitHub(report, { internalError: options.internalError });
  const out = outputs();
  const { runners, env } = workflowWiring();
  return gradingReporter(runners, Object.fromEntries(Object.entries(env).map(([name, output]) => [name, out[output]])));
}

/** sampleReport() as the student: everything right but regularization (80/100). */
function eightyReport(): GradeReport {
  const r = sampleReport();
  for (const p of r.parts) {
    const failed = p.id === 'regularized-cost' || p.id === 'regularized-gradient';
    p.status = failed ? 'failed' : 'passed';
    p.score = failed ? 0 : p.maxScore;
  }
  r.score = 80;
  return r;
}

/** Partial credit: backprop 3 of 5 cases (21/35), regularized cost 1 of 3 (3.33/10), the rest passed. */
function partialReport(): GradeReport {
  const r = eightyReport();
  const cases = (n: number, passed: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `case ${i + 1}`, hidden: i > 0, passed: i < passed, durationMs: 1, ...(i < passed ? {} : { message: 'J differs', failure: 'value' as const }) }));
  const bp = r.parts.find((p) => p.id === 'backprop-gradient')!;
  Object.assign(bp, { status: 'failed', score: 21, cases: cases(5, 3) });
  const rc = r.parts.find((p) => p.id === 'regularized-cost')!;
  Object.assign(rc, { status: 'failed', score: 3.33, cases: cases(3, 1) });
  const rg = r.parts.find((p) => p.id === 'regularized-gradient')!;
  Object.assign(rg, { status: 'passed', score: 10, cases: cases(2, 2) });
  r.score = 25 + 3.33 + 5 + 21 + 10 + 10 + 5;
  return r;
}

describe('Classroom runner results (one runner per part)', () => {
  it('a part is one runner with one test carrying its points; the command is one a student can run', () => {
    const results = classroomResults(sampleReport());
    expect(results.map((r) => [r.runner, r.partId, r.result.status, r.result.max_score, r.result.tests.length])).toEqual([
      ['feedforward', 'feedforward-cost', 'pass', 25, 1],
      ['regcost', 'regularized-cost', 'fail', 10, 1],
      ['sigmoidgrad', 'sigmoid-gradient', 'pass', 5, 1],
      ['randinit', 'random-init', 'fail', 5, 1],
      ['backprop', 'backprop-gradient', 'fail', 35, 1],
      ['reggrad', 'regularized-gradient', 'pass', 10, 1],
      ['numgrad', 'numerical-gradient', 'error', 10, 1],
    ]);
    expect(results[0].result.tests[0]).toEqual({
      name: 'Feedforward and cost function',
      status: 'pass',
      score: 25,
      message: 'Passed: 25/25',
      test_code: 'npm run grade -- --seed 12345',
      filename: '',
      line_no: 0,
      duration: 13,
    });
    expect(results[1].result.tests[0]).toEqual({
      name: 'Regularized cost function',
      status: 'fail',
      score: 0,
      message: [
        'nnCostFunction returned the wrong cost J at λ = 1.5.',
        '✗ public λ=1.5: J differs from the expected value (worst element at index 1: expected 0.3837698591, got 0.2876291652)',
        '✗ hidden #2 (worst element at index 1: expected 1.25, got 1)',
        'Likely cause: The regularization term is missing from J. Hint: Revisit the regularized cost function (Part 2 of nnCostFunction).',
      ].join('\n'),
      test_code: 'npm run grade -- --seed 12345',
      filename: 'exercises/nnCostFunction.ts',
      line_no: 42,
      duration: 13,
    });
    for (const { result } of results) for (const t of result.tests) expect(t.test_code).toBe('npm run grade -- --seed 12345');
    const coursera = { ...sampleReport(), preset: 'coursera' };
    expect(classroomResults(coursera)[0].result.tests[0].test_code).toBe('npm run grade -- --seed 12345 --preset coursera');
  });

  it("the stock reporter's log, table and notices all equal the grade (80/100, not 71.43)", async () => {
    const view = await classroomView(eightyReport());
    expect(view.log).toEqual([
      'Total points for feedforward: 25.00/25',
      'Total points for regcost: 0.00/10',
      'Total points for sigmoidgrad: 5.00/5',
      'Total points for randinit: 5.00/5',
      'Total points for backprop: 35.00/35',
      'Total points for reggrad: 0.00/10',
      'Total points for numgrad: 10.00/10',
    ]);
    expect(view.table).toEqual({ score: 80, max: 100 });
    expect(view.notice).toEqual({ totalPoints: 80, maxPoints: 100 });
    expect(view.failed).toBe(true);
  });

  it('the sample report (failed, errored and passed parts): 40/100 everywhere', async () => {
    const view = await classroomView(sampleReport());
    expect(view.table).toEqual({ score: 40, max: 100 });
    expect(view.notice).toEqual({ totalPoints: 40, maxPoints: 100 });
  });

  it('partial credit: a part with some cases passed is one test per case, so (passed / tests) × points is its score', async () => {
    const report = partialReport();
    const bp = classroomResults(report).find((r) => r.partId === 'backprop-gradient')!.result;
    expect(bp.tests.map((t) => [t.name, t.status, t.score])).toEqual([
      ['Neural network gradient (backpropagation): case 1', 'pass', 7],
      ['Neural network gradient (backpropagation): case 2', 'pass', 7],
      ['Neural network gradient (backpropagation): case 3', 'pass', 7],
      ['Neural network gradient (backpropagation): case 4', 'fail', 0],
      ['Neural network gradient (backpropagation): case 5', 'fail', 0],
    ]);
    const view = await classroomView(report);
    expect(view.log).toContain('Total points for backprop: 21.00/35');
    expect(view.log).toContain('Total points for regcost: 3.33/10');
    expect(view.notice).toEqual({ totalPoints: report.score, maxPoints: 100 });
    expect(view.table.score.toFixed(2)).toBe(report.score.toFixed(2));
  });

  it('a preset without some parts: those runners have max_score 0 and stay out of every total', async () => {
    const r = sampleReport();
    r.preset = 'coursera';
    r.parts = r.parts.filter((p) => p.id !== 'numerical-gradient' && p.id !== 'random-init');
    r.maxScore = 85;
    const results = classroomResults(r);
    expect(results.find((x) => x.partId === 'random-init')!.result).toMatchObject({ status: 'pass', max_score: 0, tests: [{ name: 'Random initialization: not graded in this assignment', score: 0 }] });
    const view = await classroomView(r);
    expect(view.log).toHaveLength(5);
    expect(view.notice).toEqual({ totalPoints: 40, maxPoints: 85 });
  });

  it('an internal failure: every runner errored with its points in the denominator', async () => {
    const view = await classroomView(sampleReport(), { internalError: true });
    expect(classroomResults(sampleReport(), { internalError: true }).every((r) => r.result.status === 'error')).toBe(true);
    expect(view.notice.maxPoints).toBe(100);
  });

  it('scores of the tests add up to the report score', () => {
    for (const r of [sampleReport(), eightyReport(), partialReport()]) {
      const sum = classroomResults(r).reduce((s, x) => s + x.result.tests.reduce((a, t) => a + t.score, 0), 0);
      expect(Math.round(sum * 100) / 100).toBe(Math.round(r.score * 100) / 100);
    }
  });
});

describe('publishToGitHub', () => {
  it('sets score, max-score and one runner result per part; emits no notice of its own and an annotation per failed part', async () => {
    const report = sampleReport();
    await publishToGitHub(report);
    const out = outputs();
    expect(out.score).toBe('40');
    expect(out['max-score']).toBe('100');
    expect(Object.keys(out).sort()).toEqual(['max-score', 'score', ...Object.values(CLASSROOM_RUNNERS)].sort());
    for (const { runner, result } of classroomResults(report)) {
      expect(JSON.parse(Buffer.from(out[runner], 'base64').toString('utf8'))).toEqual(result);
    }

    const commands = commandLines(stdout);
    // The grading reporter emits "Autograding complete" / "Autograding report"; ours would be duplicates.
    expect(commands.filter((l) => l.startsWith('::notice'))).toEqual([]);
    const errors = commands.filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(4);
    expect(errors[0]).toBe(
      '::error title=Regularized cost function%3A 0/10 (failed),file=exercises/nnCostFunction.ts,line=42::' +
        'nnCostFunction returned the wrong cost J at λ = 1.5.%0A✗ public λ=1.5: J differs from the expected value (worst element at index 1: expected 0.3837698591, got 0.2876291652)%0A' +
        '✗ hidden #2 (worst element at index 1: expected 1.25, got 1)%0A' +
        'Likely cause: The regularization term is missing from J. Hint: Revisit the regularized cost function (Part 2 of nnCostFunction).%0A' +
        'Rerun these exact cases in your repository: npm run grade -- --seed 12345',
    );
    expect(errors[2]).toMatch(/^::error title=Numerical gradient \(gradient checking\)%3A 0\/10 \(errored\),file=exercises\/computeNumericalGradient.ts,line=9::/);
    for (const e of errors) expect(e).toMatch(/Rerun these exact cases in your repository: npm run grade -- --seed 12345$/);
  });

  it('renders in the report language (zh-CN)', async () => {
    const report = { ...sampleReport(), lang: 'zh-CN' as const };
    await publishToGitHub(report);
    const errors = commandLines(stdout).filter((l) => l.startsWith('::error'));
    expect(errors[0]).toContain('title=Regularized cost function：0/10（未通过）');
    expect(errors[0]).toMatch(/在你的仓库里重跑这组用例：npm run grade -- --seed 12345$/);
    expect(classroomResults(report)[0].result.tests[0].message).toBe('通过：25/25');
  });

  it('writes the text report to the log inside a stop-commands block', async () => {
    await publishToGitHub(sampleReport());
    const lines = stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith('::stop-commands::'));
    const token = lines[start].slice('::stop-commands::'.length);
    expect(token).toMatch(/^backprop-grader-[0-9a-f-]{36}$/);
    const end = lines.indexOf(`::${token}::`);
    expect(end).toBeGreaterThan(start);
    expect(lines.slice(start + 1, end).join('\n')).toContain('Score 40/100');
    // Our own commands come after the block.
    expect(lines.findIndex((l) => l.startsWith('::error'))).toBeGreaterThan(end);
  });

  it('writes a job summary: a table of parts, then each failure with its diagnosis', async () => {
    await publishToGitHub(sampleReport());
    const md = readFileSync(summaryFile, 'utf8');
    expect(md).toBe(jobSummaryMarkdown(sampleReport()) + '\n');
    expect(md).toContain('| Part | Points | Status |');
    expect(md).toContain('| Regularized cost function | 0/10 | ❌ failed |');
    expect(md).toContain('| Numerical gradient \\(gradient checking\\) | 0/10 | ⚠️ errored |');
    expect(md).toContain('Rerun these exact cases in your repository: <code>npm run grade -- --seed 12345</code>');
    // A message said by the part is not repeated per case; a case with numbers keeps them.
    expect(md).toContain('- **hidden \\#2** \\(hidden case\\)\n  - worst element at index 1\\: expected 1\\.25, got 1');
    expect(md).toContain('> **Likely cause:** The regularization term is missing from J\\.');
    expect(md).toContain('<pre>- 0.38377 \n+ 0.28763 </pre>');
  });

  it('student text cannot forge workflow commands, in the log, the annotations or the Classroom JSON', async () => {
    const report = forgedReport();
    await publishToGitHub(report);
    const commands = commandLines(stdout);
    const lines = stdout.split('\n');
    const token = lines.find((l) => l.startsWith('::stop-commands::'))!.slice('::stop-commands::'.length);
    // Only our own command lines exist: the block's start and end, 7 failed-part errors... none forged.
    for (const c of commands) {
      expect(
        c === `::stop-commands::${token}` ||
          c === `::${token}::` ||
          c.startsWith('::error title='),
        c,
      ).toBe(true);
    }
    expect(commands.filter((c) => c.startsWith('::notice'))).toEqual([]);
    // Forged text inside annotations stays inside one escaped message.
    for (const c of commands.filter((l) => l.startsWith('::error'))) {
      expect(c.split('::').length).toBeGreaterThanOrEqual(3);
      expect(c).not.toContain('\n');
    }
    // The file property cannot smuggle ':' or ','.
    expect(commands.join('\n')).toContain('file=exercises/evil%0A%3A%3Aerror%3A%3Ax%2Cy%3Az.ts');

    // The grading reporter prints messages raw: none of their lines may be a command.
    const out = outputs();
    for (const runner of Object.values(CLASSROOM_RUNNERS)) {
      const result = JSON.parse(Buffer.from(out[runner], 'base64').toString('utf8')) as ClassroomResult;
      for (const t of result.tests) {
        for (const field of [t.name, t.message, t.filename, t.test_code]) expect(commandLines(field)).toEqual([]);
      }
    }
  });

  it("the job summary links the guide's sections to the guide in the student's repository, on Actions only", () => {
    const sha = 'a'.repeat(40);
    const base = repositoryBlobBase({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'org/ex4-alice', GITHUB_SHA: sha });
    expect(base).toBe(`https://github.com/org/ex4-alice/blob/${sha}`);
    expect(repositoryBlobBase({})).toBeUndefined();
    expect(repositoryBlobBase({ GITHUB_SERVER_URL: 'javascript:alert(1)', GITHUB_REPOSITORY: 'org/r', GITHUB_SHA: sha })).toBeUndefined();
    const r = sampleReport();
    const part = r.parts.find((p) => p.status !== 'passed');
    if (!part) throw new Error('sampleReport has a failed part');
    part.messages = [{ level: 'info', id: 'report.part.revisit', text: 'Revisit section 3 of the guide, regularized cost: exercises/GUIDE.md#regularized-cost' }];
    part.diagnoses = [{ id: 'reg-missing', message: 'No λ term.', hint: 'See exercises/GUIDE.zh-CN.md#mistake-reg-missing', messageId: 'x', hintId: 'y', params: {} } as never];
    const linked = jobSummaryMarkdown(r, base);
    expect(linked).toContain(`Revisit section 3 of the guide, regularized cost\\: [exercises/GUIDE\\.md\\#regularized\\-cost](${base}/exercises/GUIDE.md#regularized-cost)`);
    expect(linked).toContain(`See [exercises/GUIDE\\.zh\\-CN\\.md\\#mistake\\-reg\\-missing](${base}/exercises/GUIDE.zh-CN.md#mistake-reg-missing)`);
    // Without the runner's environment (a local --format github run), plain escaped text as before.
    expect(jobSummaryMarkdown(r)).toContain('regularized cost\\: exercises/GUIDE\\.md\\#regularized\\-cost');
    expect(jobSummaryMarkdown(r)).not.toContain('](');
  });

  it('the job summary escapes Markdown and HTML in student text', () => {
    const md = jobSummaryMarkdown(forgedReport());
    expect(md).not.toContain('<script>');
    // Inside <pre> (an HTML block: Markdown is not parsed there) text is only HTML-escaped.
    const outsidePre = md.replace(/<pre>[\s\S]*?<\/pre>/g, '');
    expect(md).not.toContain('</pre><');
    expect(outsidePre).not.toContain('[link](http');
    expect(outsidePre).not.toContain('](http');
    expect(md).not.toMatch(/^#+ heading/m);
    expect(md).toContain('&lt;/pre&gt;&lt;script&gt;');
    // Every table row still has exactly three cells.
    for (const row of md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Part'))) {
      expect(row.replace(/\\\|/g, '').split('|').length).toBe(5);
    }
  });

  it('neutralizeWorkflowCommands leaves ordinary text alone and defuses command lines', () => {
    expect(neutralizeWorkflowCommands('a::b\n  ::error::x\n##[error]y\n# z')).toBe('a::b\n  :\u200b:error::x\n#\u200b#[error]y\n# z');
  });
});

describe('grade --format github', () => {
  it('GITHUB_ACTIONS=true: an engine failure still publishes a complete errored result (exit 1); stderr cannot forge commands', async () => {
    const sub = mkdtempSync(join(dir, 'sub-'));
    let out = '';
    let err = '';
    const ctx = {
      io: { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), env: { GITHUB_ACTIONS: 'true' }, cwd: sub, stdoutIsTTY: false },
      exitCode: 0,
    };
    const cli = { ...parseGradeArgs([], { GITHUB_ACTIONS: 'true' }, sub), submission: sub };
    expect(cli.format).toBe('github');
    const code = await runGrade(cli, ctx, async () => {
      throw new Error('boom\n::notice title=Autograding complete::Points 100/100');
    });
    expect(code).toBe(1);
    expect(commandLines(err)).toEqual([]);
    const outs = outputs();
    const results = Object.values(CLASSROOM_RUNNERS).map((r) => JSON.parse(Buffer.from(outs[r], 'base64').toString('utf8')) as ClassroomResult);
    expect(results.map((r) => r.status)).toEqual(Array(7).fill('error'));
    expect(results.reduce((s, r) => s + r.max_score, 0)).toBe(100);
    expect(commandLines(stdout).filter((c) => c.startsWith('::notice'))).toEqual([]);
    expect(out).toContain('Score 0/100');
  });
});

describe('.github/workflows/classroom.yml', () => {
  const yml = readFileSync(join(__dirname, '..', '.github', 'workflows', 'classroom.yml'), 'utf8');
  const active = yml
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');

  it('uses the current major versions of the actions (node24 checkout and setup-node; the reporter has only v1)', () => {
    const uses = [...active.matchAll(/uses:\s*(\S+)/g)].map((m) => m[1]);
    expect(uses).toEqual(['actions/checkout@v7', 'actions/setup-node@v7', 'classroom-resources/autograding-grading-reporter@v1']);
    // No npm cache: any workflow of a student repository can write cache entries.
    expect(active).toContain('package-manager-cache: false');
    expect(active).not.toMatch(/cache: npm/);
  });

  it('wires one runner per part: runner ids alphanumeric, env <ID>_RESULTS from the Grade step, else the fallback', () => {
    const { runners, env } = workflowWiring();
    expect(runners).toEqual(PART_IDS.map((id) => CLASSROOM_RUNNERS[id]));
    for (const r of runners) {
      expect(r).toMatch(/^[a-zA-Z0-9]+$/); // the reporter's own pattern
      expect(r.length).toBeLessThanOrEqual(18); // its log table's column
      expect(env[`${r.toUpperCase()}_RESULTS`]).toBe(r);
      expect(active).toContain(`${r.toUpperCase()}_RESULTS: \${{ steps.grade.outputs.${r} || steps.fallback.outputs.${r} }}`);
    }
    expect(active).toMatch(/- name: Grade\n\s+id: grade\n/);
    expect(active).toMatch(/run: node bin\/backprop-grader\.js grade \. --format github/);
    // The reporter runs even when grading failed, so Classroom always gets a result.
    expect(active).toMatch(/- name: Report to GitHub Classroom\n\s+if: always\(\)/);
  });

  it('the fallback step writes, for every part, exactly the errored result the grader would (its points in the denominator)', () => {
    const step = yml.slice(yml.indexOf('- name: Results for parts the grader did not report'), yml.indexOf('- name: Report to GitHub Classroom'));
    expect(step).toMatch(/if: always\(\) && steps\.guard\.outputs\.student == 'true' && steps\.grade\.outputs\.feedforward == ''/);
    const script = /run: \|\n([\s\S]*)$/.exec(step)![1].replace(/^ {10}/gm, '');
    const dir = mkdtempSync(join(tmpdir(), 'bpg-fallback-'));
    const out = join(dir, 'out');
    writeFileSync(out, '');
    execFileSync('bash', ['-euo', 'pipefail', '-c', script], { env: { ...process.env, GITHUB_OUTPUT: out } });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    rmSync(dir, { recursive: true, force: true });
    expect(lines.map((l) => l.slice(0, l.indexOf('=')))).toEqual(PART_IDS.map((id) => CLASSROOM_RUNNERS[id]));
    lines.forEach((line, i) => {
      const id = PART_IDS[i];
      expect(JSON.parse(Buffer.from(line.slice(line.indexOf('=') + 1), 'base64').toString('utf8'))).toEqual(classroomFallbackResult(id, PRESETS.full[id]!));
    });
    expect(PARTS['random-init'].title).toBe('Random initialization');
  });

  it('asks for the permissions the grading reporter documents (no checks: write) and documents the private-grader option', () => {
    expect(active).toMatch(/permissions:\n  actions: read\n  contents: read\n\n/);
    expect(active).not.toContain('checks: write');
    expect(yml).toContain('#     token: ${{ secrets.GRADER_TOKEN }}');
    expect(yml).toContain('#   uses: actions/checkout@v7');
  });
});

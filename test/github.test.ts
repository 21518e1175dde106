/**
 * The GitHub Actions / Classroom reporter with the real @actions/core: GITHUB_STEP_SUMMARY and
 * GITHUB_OUTPUT point at temp files, stdout is captured, and forged workflow commands in student
 * text must not produce command lines.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseGradeArgs, runGrade } from '../grader/commands/grade';
import { neutralizeWorkflowCommands } from '../grader/reporters/escape';
import { classroomResult, jobSummaryMarkdown, publishToGitHub } from '../grader/reporters/github';
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

describe('classroomResult', () => {
  it('is the Classroom runner JSON, exactly', () => {
    expect(classroomResult(sampleReport())).toEqual({
      version: 1,
      status: 'fail',
      max_score: 100,
      tests: [
        {
          name: 'Feedforward and cost function (feedforward-cost)',
          status: 'pass',
          score: 25,
          message: 'Passed: 25/25',
          test_code: 'backprop-grader grade --seed 12345 --preset full (part feedforward-cost)',
          filename: '',
          line_no: 0,
          duration: 13,
        },
        {
          name: 'Regularized cost function (regularized-cost)',
          status: 'fail',
          score: 0,
          message: [
            'nnCostFunction returned the wrong cost J at λ = 1.5.',
            '✗ public λ=1.5: J differs from the expected value (worst element at index 1: expected 0.3837698591, got 0.2876291652)',
            '✗ hidden #2: J differs from the expected value (worst element at index 1: expected 1.25, got 1)',
            'Likely cause: The regularization term is missing from J. Hint: Revisit the regularized cost function (Part 2 of nnCostFunction).',
          ].join('\n'),
          test_code: 'backprop-grader grade --seed 12345 --preset full (part regularized-cost)',
          filename: 'exercises/nnCostFunction.ts',
          line_no: 42,
          duration: 13,
        },
        {
          name: 'Sigmoid gradient (sigmoid-gradient)',
          status: 'pass',
          score: 5,
          message: 'Passed: 5/5',
          test_code: 'backprop-grader grade --seed 12345 --preset full (part sigmoid-gradient)',
          filename: '',
          line_no: 0,
          duration: 13,
        },
        {
          name: 'Neural network gradient (backpropagation) (backprop-gradient)',
          status: 'fail',
          score: 0,
          message: '✗ public λ=0: grad differs (worst element at (3,2), unrolled index 7: expected -0.0093, got NaN)',
          test_code: 'backprop-grader grade --seed 12345 --preset full (part backprop-gradient)',
          filename: 'exercises/nnCostFunction.ts',
          line_no: 42,
          duration: 13,
        },
        {
          name: 'Regularized gradient (regularized-gradient)',
          status: 'pass',
          score: 10,
          message: 'Passed: 10/10',
          test_code: 'backprop-grader grade --seed 12345 --preset full (part regularized-gradient)',
          filename: '',
          line_no: 0,
          duration: 13,
        },
        {
          name: 'Numerical gradient (gradient checking) (numerical-gradient)',
          status: 'error',
          score: 0,
          message:
            'computeNumericalGradient threw: TypeError: x is not a function\nat computeNumericalGradient (exercises/computeNumericalGradient.ts:12:5)',
          test_code: 'backprop-grader grade --seed 12345 --preset full (part numerical-gradient)',
          filename: 'exercises/computeNumericalGradient.ts',
          line_no: 9,
          duration: 13,
        },
        {
          name: 'Random initialization (random-init)',
          status: 'fail',
          score: 0,
          message: 'not implemented yet',
          test_code: 'backprop-grader grade --seed 12345 --preset full (part random-init)',
          filename: 'exercises/randInitializeWeights.ts',
          line_no: 5,
          duration: 13,
        },
      ],
    });
  });

  it('status: pass when every part passed, error only for an internal failure', () => {
    const r = sampleReport();
    for (const p of r.parts) p.status = 'passed';
    expect(classroomResult(r).status).toBe('pass');
    expect(classroomResult(r, { internalError: true }).status).toBe('error');
  });

  it('scores of the tests add up to the report score (the grading reporter sums them)', () => {
    const r = sampleReport();
    expect(classroomResult(r).tests.reduce((s, t) => s + t.score, 0)).toBe(r.score);
  });
});

describe('publishToGitHub', () => {
  it('sets score, max-score and the base64 Classroom result; emits both notices and an annotation per failed part', async () => {
    const report = sampleReport();
    await publishToGitHub(report);
    const out = outputs();
    expect(out.score).toBe('40');
    expect(out['max-score']).toBe('100');
    expect(JSON.parse(Buffer.from(out.result, 'base64').toString('utf8'))).toEqual(classroomResult(report));

    const commands = commandLines(stdout);
    expect(commands.filter((l) => l.startsWith('::notice'))).toEqual([
      '::notice title=Autograding complete::Points 40/100',
      '::notice title=Autograding report::{"totalPoints":40,"maxPoints":100}',
    ]);
    const errors = commands.filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(4);
    expect(errors[0]).toBe(
      '::error title=Regularized cost function%3A 0/10 (failed),file=exercises/nnCostFunction.ts,line=42::' +
        'nnCostFunction returned the wrong cost J at λ = 1.5.%0A✗ public λ=1.5: J differs from the expected value (worst element at index 1: expected 0.3837698591, got 0.2876291652)%0A' +
        '✗ hidden #2: J differs from the expected value (worst element at index 1: expected 1.25, got 1)%0A' +
        'Likely cause: The regularization term is missing from J. Hint: Revisit the regularized cost function (Part 2 of nnCostFunction).',
    );
    expect(errors[2]).toMatch(/^::error title=Numerical gradient \(gradient checking\)%3A 0\/10 \(errored\),file=exercises\/computeNumericalGradient.ts,line=9::/);
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
    expect(lines.findIndex((l) => l.startsWith('::notice'))).toBeGreaterThan(end);
  });

  it('writes a job summary: a table of parts, then each failure with its diagnosis', async () => {
    await publishToGitHub(sampleReport());
    const md = readFileSync(summaryFile, 'utf8');
    expect(md).toBe(jobSummaryMarkdown(sampleReport()) + '\n');
    expect(md).toContain('| Part | Points | Status |');
    expect(md).toContain('| Regularized cost function | 0/10 | ❌ failed |');
    expect(md).toContain('| Numerical gradient \\(gradient checking\\) | 0/10 | ⚠️ errored |');
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
          c.startsWith('::error title=') ||
          c.startsWith('::notice title=Autograding complete::Points 40/100') ||
          c.startsWith('::notice title=Autograding report::{"totalPoints":40,"maxPoints":100}'),
        c,
      ).toBe(true);
    }
    expect(commands.filter((c) => c.startsWith('::notice'))).toEqual([
      '::notice title=Autograding complete::Points 40/100',
      '::notice title=Autograding report::{"totalPoints":40,"maxPoints":100}',
    ]);
    // Forged text inside annotations stays inside one escaped message.
    for (const c of commands.filter((l) => l.startsWith('::error'))) {
      expect(c.split('::').length).toBeGreaterThanOrEqual(3);
      expect(c).not.toContain('\n');
    }
    // The file property cannot smuggle ':' or ','.
    expect(commands.join('\n')).toContain('file=exercises/evil%0A%3A%3Aerror%3A%3Ax%2Cy%3Az.ts');

    // The grading reporter prints messages raw: none of their lines may be a command.
    const result = JSON.parse(Buffer.from(outputs().result, 'base64').toString('utf8'));
    for (const t of result.tests) {
      for (const field of [t.name, t.message, t.filename, t.test_code]) expect(commandLines(field)).toEqual([]);
    }
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
    const result = JSON.parse(Buffer.from(outputs().result, 'base64').toString('utf8'));
    expect(result.status).toBe('error');
    expect(result.max_score).toBe(100);
    expect(result.tests).toHaveLength(7);
    expect(commandLines(stdout).filter((c) => c.startsWith('::notice'))).toEqual([
      '::notice title=Autograding complete::Points 0/100',
      '::notice title=Autograding report::{"totalPoints":0,"maxPoints":100}',
    ]);
    expect(out).toContain('Score 0/100');
  });
});

describe('.github/workflows/classroom.yml', () => {
  const yml = readFileSync(join(__dirname, '..', '.github', 'workflows', 'classroom.yml'), 'utf8');
  const active = yml
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');

  it('pins every action to a major version tag or a commit', () => {
    const uses = [...active.matchAll(/uses:\s*(\S+)/g)].map((m) => m[1]);
    expect(uses).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'classroom-resources/autograding-grading-reporter@v1']);
    for (const u of uses) expect(u).toMatch(/@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
  });

  it('wires the grade step to the grading reporter (runner id alphanumeric, env <ID>_RESULTS)', () => {
    const id = /- name: Grade\n\s+id: (\w+)/.exec(active)?.[1];
    expect(id).toBe('backprop');
    expect(id).toMatch(/^[a-zA-Z0-9]+$/); // the reporter rejects other runner ids
    expect(active).toContain(`${id!.toUpperCase()}_RESULTS: \${{ steps.${id}.outputs.result }}`);
    expect(active).toContain(`runners: ${id}`);
    expect(active).toMatch(/run: node bin\/backprop-grader\.js grade \. --format github/);
    // The reporter runs even when grading failed, so Classroom always gets a result.
    expect(active).toMatch(/- name: Report to GitHub Classroom\n\s+if: always\(\)/);
  });

  it('asks for minimal permissions and documents the private-grader option', () => {
    expect(active).toMatch(/permissions:\n  checks: write\n  actions: read\n  contents: read\n/);
    expect(yml).toContain('#     token: ${{ secrets.GRADER_TOKEN }}');
  });
});

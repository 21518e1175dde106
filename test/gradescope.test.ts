/**
 * `--format gradescope`: results.json against a schema written from Gradescope's spec
 * (test/schemas/gradescope-results.schema.json), hidden details only after publishing, and the
 * gradescope/ template's scripts.
 */
import Ajv from 'ajv';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../grader/api';
import { nonChineseLines } from './helpers/chineseLines';
import { buildCaseSet, type GradingCase } from '../grader/cases/index';
import { runGrade } from '../grader/commands/grade';
import { parseGradeArgs } from '../grader/commands/parse';
import { fmtNum } from '../grader/compare/format';
import { selectParts } from '../grader/parts/index';
import { loadStoredReference } from '../grader/reference/fixtures';
import { fillExpected } from '../grader/reference/live';
import { expectedValues } from '../grader/reference/seal-build';
import { formatNumber } from '../grader/reporters/text';
import { DEFAULT_OPTIONS } from '../grader/options';
import * as reference from '../solutions/index';
import { gradescopeResults, renderGradescope } from '../grader/reporters/gradescope';
import { findUploadedSubmission } from '../grader/upload/find';
import schema from './schemas/gradescope-results.schema.json';
import { forgedReport, sampleReport } from './helpers/sampleReport';

const ROOT = join(__dirname, '..');
// strictRequired off: the schema's anyOf ("score at the top, or on every test") names required keys
// defined elsewhere in the schema, which is valid JSON Schema.
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);

function expectValid(data: unknown) {
  const ok = validate(data);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('gradescope results.json', () => {
  it('matches the schema written from the spec', () => {
    expectValid(JSON.parse(renderGradescope(sampleReport())));
    expectValid(JSON.parse(renderGradescope(forgedReport())));
  });

  it('the schema rejects what Gradescope would reject', () => {
    expect(validate({ score: 1, visibility: 'sometimes' })).toBe(false);
    expect(validate({ score: 1, tests: [{ name: 'a', status: 'errored' }] })).toBe(false);
    expect(validate({ tests: [{ name: 'a' }] })).toBe(false); // no score anywhere
    expect(validate({ score: 1, tets: [] })).toBe(false);
  });

  it('top level: the report score (not the sum of tests), whole-second time, submission output hidden', () => {
    const r = gradescopeResults(sampleReport());
    expect(r).toMatchObject({
      score: 40,
      execution_time: 2,
      output_format: 'text',
      visibility: 'visible',
      stdout_visibility: 'hidden',
    });
    expect(r.output).toBe(
      'backprop-grader 0.1.0 · preset full · seed 12345 (an instructor can rerun with --seed 12345)\nScore 40/100: 3 of 7 parts passed.',
    );
  });

  it('one visible test per part with its points, no hidden or delayed test (students see their total); hidden case details for instructors only', () => {
    const r = gradescopeResults(sampleReport());
    expect(r.tests.map((t) => [t.number, t.name, t.score, t.max_score, t.status, t.visibility])).toEqual([
      ['1', 'Feedforward and cost function', 25, 25, 'passed', 'visible'],
      ['2', 'Regularized cost function', 0, 10, 'failed', 'visible'],
      ['3', 'Sigmoid gradient', 5, 5, 'passed', 'visible'],
      ['4', 'Neural network gradient (backpropagation)', 0, 35, 'failed', 'visible'],
      ['5', 'Regularized gradient', 10, 10, 'passed', 'visible'],
      ['6', 'Numerical gradient (gradient checking)', 0, 10, 'failed', 'visible'],
      ['7', 'Random initialization', 0, 5, 'failed', 'visible'],
    ]);
    const visible = r.tests[1].output!;
    expect(visible).toBe(
      [
        'at exercises/nnCostFunction.ts:42',
        'nnCostFunction returned the wrong cost J at λ = 1.5.',
        '✗ public λ=1.5: J differs from the expected value',
        '  worst element at index 1: expected 0.3837698591, got 0.2876291652 (abs error 0.09614069393, rel error 0.2505166)',
        '  diff (- expected, + yours):',
        '    - 0.38377 ',
        '    + 0.28763 ',
        '1 of the 1 hidden case failed (hidden cases show no expected values).',
        '  ✗ hidden #2: did not pass',
        'Likely cause: The regularization term is missing from J.',
        '  Hint: Revisit the regularized cost function (Part 2 of nnCostFunction).',
      ].join('\n'),
    );
    // The hidden case's numbers and message are not in the visible test; instructors have them in extra_data.
    expect(visible).not.toContain('1.25');
    expect(visible).not.toContain('hidden #2: J differs');
    expect(r.extra_data.hidden_cases).toEqual([
      { part: 'regularized-cost', case: 'hidden #2', message: 'J differs from the expected value', worst: { index: 1, expected: 1.25, got: 1, absError: 0.25, relError: 0.2 } },
    ]);
    expect(r.tests[0].tags).toEqual(['feedforward-cost', 'passed']);
  });

  it('control characters in student text are made visible', () => {
    const report = sampleReport();
    report.parts[6].messages = [{ level: 'error', id: 'report.part.cases-failed', text: 'bad\u001b[31m red' }];
    expect(gradescopeResults(report).tests.at(-1)!.output).toContain('bad\\x1b[31m red');
  });

  it('grade --format gradescope --out writes results.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpg-gs-'));
    try {
      const ctx = { io: { stdout: () => {}, stderr: () => {}, env: {}, cwd: dir, stdoutIsTTY: false }, exitCode: 0 };
      const cli = { ...parseGradeArgs(['--format', 'gradescope', '--out', 'results/results.json'], {}, dir), submission: dir };
      expect(await runGrade(cli, ctx, async () => sampleReport())).toBe(0);
      expectValid(JSON.parse(readFileSync(join(dir, 'results', 'results.json'), 'utf8')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('no hidden expected value in any field a student can see (real reports)', () => {
  const SUBMISSIONS = join(ROOT, 'test', 'fixtures', 'submissions');
  const limits = { timeoutMs: 5000, heapMb: 256, outputCapBytes: 16 * 1024 };

  /** Every hidden case's expected numbers for this run (recomputed with the live reference). */
  function hiddenExpected(seed: number, sealed: boolean): number[] {
    const families = new Set(selectParts(DEFAULT_OPTIONS).flatMap((p) => p.definition.families));
    const set = buildCaseSet(families, seed, DEFAULT_OPTIONS.hiddenCases, sealed ? { stored: loadStoredReference() } : {});
    const out: number[] = [];
    for (const c of Object.values(set).flat() as GradingCase[]) {
      if (!c.hidden || c.family === 'rand-init') continue;
      fillExpected(reference, c);
      for (const q of ['J', 'grad', 'g', 'numgrad']) out.push(...(expectedValues(c, q) ?? []));
      if ((c.family === 'probe-unreg' || c.family === 'probe-reg') && c.expected) out.push(...c.expected.grad.slice(0, 200));
    }
    // Round values (g'(0) = 0.25 exactly) would match inside unrelated numbers: only specific ones are checked.
    return out.filter((x) => Math.abs(x) >= 1e-3 && String(x).length >= 8);
  }

  for (const reference of ['solutions', 'sealed'] as const) {
    it(`${reference}: hidden cases show their name and kind only; instructors find the details in extra_data`, async () => {
      for (const name of ['wrong-feedforward-cost', 'wrong-regularized-gradient']) {
        const seed = 31;
        const report = await grade({ submission: join(SUBMISSIONS, name), seed, reference, limits });
        const results = gradescopeResults(report);
        expectValid(JSON.parse(renderGradescope(report)));
        expect(results.tests.every((t) => t.visibility === 'visible')).toBe(true);
        expect(results.visibility).toBe('visible');
        // Every field Gradescope shows a student: the top-level output and each test's name, output and tags.
        const visible = [results.output, ...results.tests.flatMap((t) => [t.name, t.output ?? '', ...(t.tags ?? [])])].join('\n');
        const expected = hiddenExpected(seed, reference === 'sealed');
        expect(expected.length).toBeGreaterThan(30);
        for (const x of expected) {
          for (const text of [fmtNum(x), formatNumber(x), String(x)]) expect(visible, `${name}: hidden expected ${text}`).not.toContain(text);
        }
        const failedHidden = report.parts.flatMap((p) => p.cases.filter((c) => c.hidden && !c.passed));
        expect(failedHidden.length).toBeGreaterThan(0);
        for (const c of failedHidden) expect(visible).toContain(`✗ ${c.name}: wrong value`);
        expect(results.extra_data.hidden_cases).toHaveLength(failedHidden.length);
        if (reference === 'solutions') expect(results.extra_data.hidden_cases.every((d) => d.worst !== undefined)).toBe(true);
        else expect(results.extra_data.hidden_cases.every((d) => d.worst === undefined && d.failure === 'value')).toBe(true);
      }
    }, 60_000);
  }
});

describe('gradescope/ template', () => {
  it('ships executable, syntactically valid setup.sh and run_autograder', () => {
    for (const f of ['setup.sh', 'run_autograder']) {
      const path = join(ROOT, 'gradescope', f);
      expect(statSync(path).mode & 0o111, `${f} is executable`).not.toBe(0);
      execFileSync('bash', ['-n', path]);
    }
  });

  function runAutograder(files: Record<string, string>, graderDir: string, env: NodeJS.ProcessEnv = {}) {
    const root = mkdtempSync(join(tmpdir(), 'bpg-autograder-'));
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    // The test's own locale stays out (as in a Gradescope image): the config decides the language.
    const { LC_ALL: _a, LC_MESSAGES: _m, LANG: _l, ...inherited } = process.env;
    const r = spawnSync('bash', [join(ROOT, 'gradescope', 'run_autograder')], {
      env: { ...inherited, AUTOGRADER_ROOT: root, BACKPROP_GRADER_DIR: graderDir, NO_COLOR: '1', ...env },
      encoding: 'utf8',
    });
    const results = existsSync(join(root, 'results', 'results.json')) ? JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8')) : undefined;
    rmSync(root, { recursive: true, force: true });
    return { status: r.status, stderr: r.stderr, results };
  }

  it('run_autograder always leaves a valid results.json, even when the grader cannot run', () => {
    const r = runAutograder({ 'submission/nnCostFunction.ts': 'export {}' }, '/nonexistent-grader');
    expect(r.status).toBe(0);
    expectValid(r.results);
    expect(r.results.score).toBe(0);
    expect(r.results.output).toMatch(/could not grade this submission .*please tell your instructor/);
    const zh = runAutograder({ 'submission/nnCostFunction.ts': 'export {}', 'source/backprop-grader.config.json': '{ "lang": "zh-CN" }' }, '/nonexistent-grader');
    expectValid(zh.results);
    expect(zh.results.output).toMatch(/^自动评分程序无法为这份提交评分（backprop-grader 退出码 \d+）。这不是你的代码的问题：请告诉你的老师。$/);
  });

  const CAN_RUN = existsSync(join(ROOT, 'grader', 'api.ts'));
  const STUDENT = ['nnCostFunction.ts', 'sigmoidGradient.ts', 'randInitializeWeights.ts', 'computeNumericalGradient.ts'];
  /** The four files of a fixture submission (its exercises/), placed under `prefix` in an upload. */
  function upload(fixture: string, prefix: string): Record<string, string> {
    const files: Record<string, string> = {};
    for (const f of STUDENT) files[`submission/${prefix}${f}`] = readFileSync(join(ROOT, 'test', 'fixtures', 'submissions', fixture, 'exercises', f), 'utf8');
    return files;
  }

  describe.skipIf(!CAN_RUN)('run_autograder on the layouts students upload (the built grader)', () => {
    beforeAll(() => {
      if (!existsSync(join(ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    });

    it.each([
      ['the four files, flat', ''],
      ['their repository (exercises/ inside)', 'exercises/'],
      ['a zip of the repository, one folder deep', 'ex4-alice/exercises/'],
      ['a zip of the four files, one folder deep', 'ex4-alice/'],
      ['a repository three folders deep', 'Downloads/ex4/ex4-alice-main/exercises/'],
    ])('grades %s', (_name, prefix) => {
      const files = upload('correct-vectorized', prefix);
      // A config inside the submission must be ignored.
      files[`submission/${prefix}backprop-grader.config.json`] = '{"points": {"feedforward-cost": 1000}}';
      // Litter that must not count as a copy: macOS zip metadata and an installed grader.
      files['submission/__MACOSX/._nnCostFunction.ts'] = '\u0000\u0005\u0016\u0007';
      files['submission/node_modules/backprop-grader/exercises/nnCostFunction.ts'] = 'export {}';
      const r = runAutograder(files, ROOT);
      expect(r.status).toBe(0);
      expectValid(r.results);
      expect(r.results.tests.filter((t: { max_score?: number }) => t.max_score !== undefined).map((t: { score: number }) => t.score)).toEqual([25, 10, 5, 5, 35, 10, 10]);
      expect(r.results.score).toBe(100);
    });

    it('grades the untouched stubs to 0 (and a missing file is named, not a refusal)', () => {
      const files = upload('stub', 'ex4-bob/exercises/');
      delete files['submission/ex4-bob/exercises/randInitializeWeights.ts'];
      const r = runAutograder(files, ROOT);
      expectValid(r.results);
      expect(r.results.score).toBe(0);
      const randomInit = r.results.tests.find((t: { name: string }) => t.name.includes('Random initialization'));
      expect(randomInit.output).toContain('randInitializeWeights.ts');
    });

    it('speaks the config\'s "lang" to students, whatever the image\'s locale: every visible line Chinese', () => {
      const files = { ...upload('mistake-reg-includes-bias', 'exercises/'), 'source/backprop-grader.config.json': '{ "lang": "zh-CN" }' };
      const r = runAutograder(files, ROOT, { LANG: 'en_US.UTF-8' });
      expectValid(r.results);
      expect(r.results.score).toBe(80);
      const visible = [r.results.output, ...r.results.tests.flatMap((t: { name: string; output?: string }) => [t.name, t.output ?? ''])];
      expect(nonChineseLines(visible.join('\n'))).toEqual([]);
      // Without "lang" in the config the image's LANG does not matter either: English.
      const en = runAutograder(upload('stub', 'exercises/'), ROOT, { LANG: 'zh_CN.UTF-8' });
      expect(en.results.tests[0].name).toBe('Feedforward and cost function');
    });

    it('refuses two copies, naming both folders, in the student-visible output', () => {
      const files = { ...upload('correct-vectorized', 'ex4-alice/exercises/'), ...upload('stub', 'ex4-alice/exercises-old/') };
      const r = runAutograder(files, ROOT);
      expectValid(r.results);
      expect(r.results.score).toBe(0);
      expect(r.results.tests[0].max_score).toBe(25);
      expect(r.results.tests[0].output).toContain(
        'Your upload has the exercise files in more than one folder (ex4-alice/exercises/, ex4-alice/exercises-old/), so the grader cannot tell which copy to grade.',
      );
    });

    it('refuses files scattered over folders, and an upload without them', () => {
      const files = upload('correct-vectorized', 'a/');
      files['submission/b/nnCostFunction.ts'] = files['submission/a/nnCostFunction.ts'];
      delete files['submission/a/nnCostFunction.ts'];
      const scattered = runAutograder(files, ROOT);
      expect(scattered.results.score).toBe(0);
      expect(scattered.results.tests[0].output).toContain('spread over several folders (a/, b/)');
      const none = runAutograder({ 'submission/README.md': 'hello' }, ROOT);
      expectValid(none.results);
      expect(none.results.tests[0].output).toContain('Your upload has none of the four exercise files');
    });
  });
});

describe('findUploadedSubmission', () => {
  function tree(files: string[]): string {
    const root = mkdtempSync(join(tmpdir(), 'bpg-upload-'));
    for (const f of files) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), 'export {}');
    }
    return root;
  }
  const four = (prefix: string) => ['nnCostFunction.ts', 'sigmoidGradient.ts', 'randInitializeWeights.ts', 'computeNumericalGradient.ts'].map((f) => prefix + f);

  it('finds the one folder at any depth, ignoring node_modules, hidden folders and __MACOSX', () => {
    const root = tree([...four('x/y/exercises/'), ...four('x/node_modules/pkg/'), ...four('x/.git/old/'), ...four('__MACOSX/x/')]);
    expect(findUploadedSubmission(root)).toEqual({ ok: true, dir: join(root, 'x', 'y', 'exercises') });
    rmSync(root, { recursive: true, force: true });
  });

  it('takes the folder with the most files when the others hold none of the missing ones', () => {
    const root = tree([...four('repo/exercises/').slice(1), 'repo/notes/README.md']);
    expect(findUploadedSubmission(root)).toEqual({ ok: true, dir: join(root, 'repo', 'exercises') });
    rmSync(root, { recursive: true, force: true });
  });

  it('never follows a symbolic link out of the upload', () => {
    const root = tree(['README.md']);
    symlinkSync(join(ROOT, 'exercises'), join(root, 'linked'), 'dir');
    expect(findUploadedSubmission(root)).toMatchObject({ ok: false, messageId: 'upload.links', params: { links: 'linked' } });
    rmSync(root, { recursive: true, force: true });
  });
});

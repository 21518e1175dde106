/**
 * The sandbox (grader/sandbox): bundling, the child process's limits and permissions, the harness's
 * description of return values, and the hostile fixture submissions in test/fixtures/submissions/.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, it as itBase } from 'vitest';
import { callErrorMessage } from '../grader/messages/call-errors';
import { PACKAGE_ROOT } from '../grader/paths';
import {
  evaluateKnownFunction,
  knownFunctionGradient,
  openSandbox,
  permissionFlag,
  probeIsolation,
  type IsolationPolicy,
  type CallError,
  type CallOutcome,
  type KnownFunctionName,
  type Sandbox,
  type SandboxRequest,
} from '../grader/sandbox/index';
import { getRuntime, resetRuntimeForTests, useRuntimeCacheRootForTests, verifyRuntime } from '../grader/sandbox/runtime';
import { CALL_OUTCOME_SCHEMA, callOutcomeAjv, checkCallOutcome } from '../grader/sandbox/validate';
import * as ajvModule from 'ajv';
import { pathToFileURL } from 'node:url';

const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions');
const STUBS = join(PACKAGE_ROOT, 'exercises');
const STUB_FILES = ['nnCostFunction.ts', 'sigmoidGradient.ts', 'randInitializeWeights.ts', 'computeNumericalGradient.ts'];

const SIGMOID: SandboxRequest = { fn: 'sigmoidGradient', z: [[0, 1], [-2, 3]] };
const COST: SandboxRequest = {
  fn: 'nnCostFunction',
  nnParams: Array.from({ length: 12 }, (_, i) => Math.sin(i + 1) / 10),
  inputLayerSize: 2,
  hiddenLayerSize: 2,
  numLabels: 2,
  X: [
    [0.1, 0.2],
    [0.3, -0.4],
    [-0.5, 0.6],
  ],
  y: [1, 2, 1],
  lambda: 0,
};
const RANDOM: SandboxRequest = { fn: 'randInitializeWeights', lIn: 3, lOut: 2, seed: 42 };
const NUMGRAD: SandboxRequest = { fn: 'computeNumericalGradient', J: 'sin-sum', params: {}, theta: [0.1, 0.2, 0.3] };

const g = (x: number): number => 1 / (1 + Math.exp(-x));
const sigmoidGradientOf = (rows: number[][]): number[][] => rows.map((r) => r.map((x) => g(x) * (1 - g(x))));

function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Every file under dir with a hash of its content: a snapshot to prove nothing was written. */
function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length)] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function gitStatus(paths: string[]): string {
  return execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', ...paths], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
}

/** Opens a sandbox, runs the requests in order, closes it. */
async function runAllIn(
  dir: string,
  requests: SandboxRequest[],
  limits: Parameters<typeof openSandbox>[1] = {},
  isolation: IsolationPolicy = 'auto',
): Promise<{ outcomes: CallOutcome[]; sb: Sandbox }> {
  const sb = await openSandbox(dir, { timeoutMs: 5000, ...limits }, { isolation, trace: false });
  const outcomes: CallOutcome[] = [];
  try {
    for (const r of requests) outcomes.push(await sb.call(r));
  } finally {
    await sb.close();
  }
  return { outcomes, sb };
}

function errorOf(outcome: CallOutcome): CallError {
  if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}

function valueOf(outcome: CallOutcome) {
  if (!outcome.ok) throw new Error(`expected a value, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value;
}

/** A temp folder (never in the project) with a submission made of the stubs plus `files`. */
function tempSubmission(files: Record<string, string>, layout: 'repo' | 'exercises' = 'repo'): string {
  const root = mkdtempSync(join(tmpdir(), 'bpg-sandbox-test-'));
  const ex = layout === 'repo' ? join(root, 'exercises') : join(root, 'exercises');
  mkdirSync(ex, { recursive: true });
  for (const f of STUB_FILES) cpSync(join(STUBS, f), join(ex, f));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(ex, name, '..'), { recursive: true });
    writeFileSync(join(ex, name), text);
  }
  tempDirs.push(root);
  return layout === 'repo' ? root : ex;
}

const tempDirs: string[] = [];
let fixturesBefore: Record<string, Record<string, string>>;
let statusBefore: string;
/** The fixture folders this file owns (other engineers add theirs next to them concurrently). */
const MY_FIXTURES = [
  'syntax-error',
  'throws',
  'infinite-loop',
  'process-exit',
  'memory-hog',
  'reads-outside',
  'writes-files',
  'spawns-process',
  'monkeypatches-globals',
  'prints-fake-results',
  'returns-garbage',
  'missing-export',
  'imports-outside',
  'stub',
  'uses-network',
];
const WATCHED = [...MY_FIXTURES.map((f) => `test/fixtures/submissions/${f}`), 'grader/sandbox'];
const snapshotFixtures = (): Record<string, Record<string, string>> => Object.fromEntries(MY_FIXTURES.map((f) => [f, snapshotTree(fixture(f))]));

beforeAll(() => {
  fixturesBefore = snapshotFixtures();
  statusBefore = gitStatus(WATCHED);
});

afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  // Grading hostile submissions must leave the fixtures and the project tree exactly as they were.
  expect(snapshotFixtures()).toEqual(fixturesBefore);
  expect(gitStatus(WATCHED)).toBe(statusBefore);
  const untracked = execFileSync('git', ['ls-files', '--others', '--exclude-standard'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  expect(untracked).not.toMatch(/PWNED|spawned/);
});

const CORRECT_SIGMOID = `import { Matrix } from 'ml-matrix';
import { sigmoid, times, minus } from './lib/matrix';
export function sigmoidGradient(z: Matrix): Matrix {
  const g = sigmoid(z);
  // Mutate the input in place (a classic ml-matrix pitfall): the next call must still get fresh inputs.
  z.mul(0);
  return times(g, minus(1, g));
}
`;
const CORRECT_RANDOM = `import { Matrix } from 'ml-matrix';
export function randInitializeWeights(lIn: number, lOut: number, random: () => number = Math.random): Matrix {
  const W = new Matrix(lOut, 1 + lIn);
  for (let i = 0; i < lOut; i++) for (let j = 0; j <= lIn; j++) W.set(i, j, random() * 0.24 - 0.12);
  return W;
}
`;
const CORRECT_NUMGRAD = `export function computeNumericalGradient(J: (theta: Float64Array) => number, theta: ArrayLike<number>): Float64Array {
  const e = 1e-4;
  const t = Float64Array.from(theta);
  const numgrad = new Float64Array(t.length);
  for (let p = 0; p < t.length; p++) {
    const keep = t[p];
    t[p] = keep - e; const loss1 = J(t);
    t[p] = keep + e; const loss2 = J(t);
    t[p] = keep;
    numgrad[p] = (loss2 - loss1) / (2 * e);
  }
  return numgrad;
}
`;

describe('known functions', () => {
  const cases: Array<[KnownFunctionName, Record<string, unknown>, number[]]> = [
    ['quadratic', { A: [[2, 1, 0], [0, 3, 1], [1, 0, 4]], b: [1, -1, 0.5] }, [0.3, -0.2, 0.7]],
    ['sin-sum', { a: [1, 2, 3] }, [0.1, 0.2, 0.3]],
    ['sin-sum', {}, [1, -1]],
    ['log-sum-exp', { s: [1, -2, 0.5] }, [0.4, 0.1, -0.3]],
    ['tiny-network', { X: [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], Y: [[1], [0], [0.5]], hidden: 2 }, Array.from({ length: 9 }, (_, i) => Math.cos(i + 1) / 2)],
  ];
  it.each(cases)('%s: the analytic gradient matches central differences', (name, params, theta) => {
    const grad = knownFunctionGradient(name, params, theta);
    const e = 1e-5;
    theta.forEach((_, p) => {
      const plus = theta.slice();
      const minus = theta.slice();
      plus[p] += e;
      minus[p] -= e;
      const numeric = (evaluateKnownFunction(name, params, plus) - evaluateKnownFunction(name, params, minus)) / (2 * e);
      expect(grad[p]).toBeCloseTo(numeric, 8);
    });
  });
  it('rejects theta of the wrong length with a clear message', () => {
    expect(() => evaluateKnownFunction('quadratic', { A: [[1]], b: [1] }, [1, 2])).toThrow('J (quadratic) expects theta of length 1, got length 2');
  });
});

describe('openSandbox on a correct submission', () => {
  it('computes values, observations and fresh inputs; ignores the submission\'s own lib/ and node_modules', async () => {
    const dir = tempSubmission({
      'sigmoidGradient.ts': CORRECT_SIGMOID,
      'randInitializeWeights.ts': CORRECT_RANDOM,
      'computeNumericalGradient.ts': CORRECT_NUMGRAD,
      // A submission cannot replace the kit's helpers or ml-matrix.
      'lib/matrix.ts': 'export const sigmoid = () => 42; export const times = () => 42; export const minus = () => 42;',
      '../node_modules/ml-matrix/package.json': '{"name":"ml-matrix","main":"index.js"}',
      '../node_modules/ml-matrix/index.js': 'throw new Error("the submission\'s ml-matrix was loaded")',
    });
    const { outcomes, sb } = await runAllIn(dir, [SIGMOID, SIGMOID, RANDOM, RANDOM, NUMGRAD, COST]);
    const expected = sigmoidGradientOf([[0, 1], [-2, 3]]);
    for (const o of outcomes.slice(0, 2)) {
      const v = valueOf(o);
      expect(v.kind).toBe('matrix');
      if (v.kind !== 'matrix') return;
      expect([v.rows, v.columns]).toEqual([2, 2]);
      v.data.flat().forEach((x, i) => expect(x).toBeCloseTo(expected.flat()[i], 15));
    }
    const [r1, r2] = [outcomes[2], outcomes[3]];
    expect(r1.ok && r1.observations).toEqual({ randomDraws: 8, mathRandomCalls: 0 });
    expect(valueOf(r1)).toEqual(valueOf(r2)); // the same seed gives the same weights
    const w = valueOf(r1);
    expect(w.kind === 'matrix' && w.data.flat().every((x) => Math.abs(x) <= 0.12)).toBe(true);
    const n = outcomes[4];
    expect(n.ok && n.observations).toEqual({ jCalls: 6, thetaModified: false });
    const ng = valueOf(n);
    expect(ng.kind).toBe('float64array');
    const analytic = knownFunctionGradient('sin-sum', {}, [0.1, 0.2, 0.3]);
    if (ng.kind === 'float64array') ng.data.forEach((x, i) => expect(x).toBeCloseTo(analytic[i], 7));
    expect(errorOf(outcomes[5])).toMatchObject({ code: 'not-implemented', file: 'exercises/nnCostFunction.ts' });
    expect(sb.locations().sigmoidGradient).toEqual({ fn: 'sigmoidGradient', file: 'exercises/sigmoidGradient.ts', line: 3, column: 17 });
    expect(sb.output()).toBe('');
  });

  it('accepts an exercises folder as well as a repository, and reports missing files', async () => {
    const ex = tempSubmission({ 'sigmoidGradient.ts': CORRECT_SIGMOID }, 'exercises');
    rmSync(join(ex, 'randInitializeWeights.ts'));
    const { outcomes } = await runAllIn(ex, [SIGMOID, RANDOM]);
    expect(valueOf(outcomes[0]).kind).toBe('matrix');
    expect(errorOf(outcomes[1])).toEqual({
      code: 'missing-file',
      file: 'exercises/randInitializeWeights.ts',
      message: 'exercises/randInitializeWeights.ts is missing: the submission has no randInitializeWeights.ts, so randInitializeWeights cannot be graded',
      params: { fn: 'randInitializeWeights', file: 'exercises/randInitializeWeights.ts', name: 'randInitializeWeights.ts' },
    });
  });

  it('grades a folder that does not exist as four missing files, without throwing', async () => {
    const { outcomes } = await runAllIn(join(tmpdir(), 'bpg-no-such-submission'), [SIGMOID, COST]);
    expect(outcomes.map((o) => errorOf(o).code)).toEqual(['missing-file', 'missing-file']);
  });

  it('describes return values by type, keeps NaN and Infinity, and serialises concurrent calls', async () => {
    const dir = tempSubmission({
      'nnCostFunction.ts': `export function nnCostFunction() { return { J: NaN, grad: [Infinity, -Infinity, 1] }; }`,
      'sigmoidGradient.ts': `export function sigmoidGradient(z: { rows: number }) { return z.rows === 1 ? [[1, 2]] : { a: 1, b: 2 }; }`,
      'randInitializeWeights.ts': `export async function randInitializeWeights() { return 1; }`,
    });
    const sb = await openSandbox(dir, { timeoutMs: 5000 });
    const [cost, nested, obj, promise] = await Promise.all([
      sb.call(COST),
      sb.call({ fn: 'sigmoidGradient', z: [[1]] }),
      sb.call(SIGMOID),
      sb.call(RANDOM),
    ]);
    await sb.close();
    expect(valueOf(cost)).toEqual({ kind: 'cost-and-gradient', J: { kind: 'number', value: NaN }, grad: { kind: 'array', data: [Infinity, -Infinity, 1] } });
    // The English description for logs, and the same facts as params for the catalogue (compare.other.*).
    expect(valueOf(nested)).toEqual({
      kind: 'other',
      description: 'an array of length 1 containing a nested array at index 0',
      about: { type: 'array', length: 1, element: 'nested-array', index: 0 },
    });
    expect(valueOf(obj)).toEqual({ kind: 'other', description: 'an object with keys a, b', about: { type: 'object', keys: 'a, b' } });
    expect(valueOf(promise)).toEqual({
      kind: 'other',
      description: 'a Promise: randInitializeWeights must return its result directly (remove async)',
      about: { type: 'promise', fn: 'randInitializeWeights' },
    });
  });

  it('an async nnCostFunction returns a Promise, described (not awaited): the contract functions are synchronous', async () => {
    const dir = tempSubmission({ 'nnCostFunction.ts': `export async function nnCostFunction() { return { J: 1, grad: [1] }; }` });
    const { outcomes } = await runAllIn(dir, [COST]);
    expect(valueOf(outcomes[0])).toEqual({ kind: 'other', description: 'a Promise: nnCostFunction must return its result directly (remove async)', about: { type: 'promise', fn: 'nnCostFunction' } });
  });

  it('measures open + 10 calls + close', async () => {
    const dir = tempSubmission({ 'sigmoidGradient.ts': CORRECT_SIGMOID });
    const t0 = performance.now();
    const sb = await openSandbox(dir);
    const t1 = performance.now();
    for (let i = 0; i < 10; i++) expect((await sb.call(SIGMOID)).ok).toBe(true);
    const t2 = performance.now();
    await sb.close();
    const t3 = performance.now();
    console.log(`sandbox open_ms=${(t1 - t0).toFixed(0)} calls10_ms=${(t2 - t1).toFixed(0)} close_ms=${(t3 - t2).toFixed(0)} total_ms=${(t3 - t0).toFixed(0)}`);
    expect(t3 - t0).toBeLessThan(3000);
  });
});

describe('prebuilt runtime (harness + ml-matrix + kit helpers, cached per process and on disk)', () => {
  let root: string;
  beforeAll(() => {
    // A private cache folder: the shared one in os.tmpdir() is in use by other graders.
    root = mkdtempSync(join(tmpdir(), 'bpg-runtime-cache-test-'));
    useRuntimeCacheRootForTests(root);
  });
  afterAll(() => {
    useRuntimeCacheRootForTests(undefined);
    rmSync(root, { recursive: true, force: true });
  });
  const runtimeFolders = (): string[] => readdirSync(root).filter((f) => f.startsWith('backprop-grader-runtime-'));

  it('is built once, reused by later openSandbox calls, and found on disk by a fresh process', async () => {
    const dir = tempSubmission({ 'sigmoidGradient.ts': CORRECT_SIGMOID });
    expect(valueOf((await runAllIn(dir, [SIGMOID])).outcomes[0]).kind).toBe('matrix');
    const first = await getRuntime();
    expect(first.built).toBe(true);
    expect(first.dir.startsWith(realpathSync(root))).toBe(true);
    const stamp = statSync(join(first.dir, 'manifest.json')).mtimeMs;
    expect(valueOf((await runAllIn(dir, [SIGMOID])).outcomes[0]).kind).toBe('matrix');
    expect(await getRuntime()).toBe(first);
    // A fresh grader process: nothing in memory, the disk cache is verified and reused, not rebuilt.
    resetRuntimeForTests();
    expect(valueOf((await runAllIn(dir, [SIGMOID])).outcomes[0]).kind).toBe('matrix');
    const again = await getRuntime();
    expect(again).not.toBe(first);
    expect(again).toMatchObject({ dir: first.dir, key: first.key, built: false });
    expect(statSync(join(first.dir, 'manifest.json')).mtimeMs).toBe(stamp);
    // One folder, no temporary leftovers.
    expect(runtimeFolders()).toEqual([`backprop-grader-runtime-${first.key}`]);
  });

  it('a corrupted or tampered cache is rebuilt', async () => {
    const dir = tempSubmission({ 'sigmoidGradient.ts': CORRECT_SIGMOID });
    const rt = await getRuntime();
    const matrixModule = rt.lib.matrix;
    const good = readFileSync(matrixModule, 'utf8');
    writeFileSync(matrixModule, 'export const sigmoid = () => { throw new Error("corrupted cache"); };\n');
    expect(verifyRuntime(rt.dir, rt.key)).toBeNull();
    resetRuntimeForTests();
    const { outcomes } = await runAllIn(dir, [SIGMOID]);
    const v = valueOf(outcomes[0]);
    expect(v.kind === 'matrix' && v.data[0][0]).toBeCloseTo(0.25, 15);
    const rebuilt = await getRuntime();
    expect(rebuilt).toMatchObject({ dir: rt.dir, built: true });
    expect(readFileSync(matrixModule, 'utf8')).toBe(good);
    // A half-deleted cache (manifest gone) is not complete either.
    rmSync(join(rt.dir, 'manifest.json'));
    expect(verifyRuntime(rt.dir, rt.key)).toBeNull();
    resetRuntimeForTests();
    expect((await getRuntime()).built).toBe(true);
    expect(runtimeFolders()).toEqual([`backprop-grader-runtime-${rt.key}`]);
  });

  it('never trusts a cache folder others can write to', async () => {
    const rt = await getRuntime();
    chmodSync(rt.dir, 0o777);
    try {
      expect(verifyRuntime(rt.dir, rt.key)).toBeNull();
    } finally {
      chmodSync(rt.dir, 0o700);
    }
    expect(verifyRuntime(rt.dir, rt.key)).not.toBeNull();
  });

  it('stack frames map to the student\'s file:line, across the runtime\'s helpers and the student\'s own files', async () => {
    const dir = tempSubmission({
      'sigmoidGradient.ts': [
        "import { Matrix } from 'ml-matrix';",
        "import { mtimes } from './lib/matrix';",
        "import { twice } from './util/twice';",
        '',
        'export function sigmoidGradient(z: Matrix): Matrix {',
        '  const w = twice(z);',
        '  // A shape error thrown inside the kit (the runtime): only the student\'s frames are kept.',
        '  return mtimes(w, Matrix.ones(7, 1));',
        '}',
        '',
      ].join('\n'),
      'util/twice.ts': "import type { Matrix } from 'ml-matrix';\n\nexport function twice(z: Matrix): Matrix {\n  if (z.rows === 1) throw new RangeError('one row');\n  return z.clone().mul(2);\n}\n",
    });
    const { outcomes } = await runAllIn(dir, [SIGMOID, { fn: 'sigmoidGradient', z: [[1, 2]] }]);
    const shape = errorOf(outcomes[0]);
    expect(shape.code).toBe('threw');
    expect(shape.message).toContain('mtimes: inner dimensions must agree');
    expect(shape.stack).toEqual(['sigmoidGradient (exercises/sigmoidGradient.ts:8:10)']);
    expect([shape.file, shape.line, shape.column]).toEqual(['exercises/sigmoidGradient.ts', 8, 10]);
    const own = errorOf(outcomes[1]);
    expect(own.message).toBe('RangeError: one row');
    expect(own.stack).toEqual(['twice (exercises/util/twice.ts:4:27)', 'sigmoidGradient (exercises/sigmoidGradient.ts:6:13)']);
  });
});

describe('protocol validation', () => {
  it('accepts NaN/Infinity numbers and rejects malformed outcomes', () => {
    expect(checkCallOutcome({ ok: true, value: { kind: 'number', value: NaN }, observations: {}, durationMs: 1 })).toBeNull();
    expect(checkCallOutcome({ ok: true, value: { kind: 'matrix', rows: 1, columns: 1, data: [['x']] }, observations: {}, durationMs: 1 })).not.toBeNull();
    expect(checkCallOutcome({ ok: false, error: { code: 'pwned', message: '' }, durationMs: 1 })).not.toBeNull();
    expect(checkCallOutcome({ ok: true, value: { kind: 'number', value: 1 }, observations: { score: 100 }, durationMs: 1 })).not.toBeNull();
  });
  it('the runtime\'s standalone validator (what openSandbox uses) judges like the compiled schema', async () => {
    const compiled = callOutcomeAjv(ajvModule as unknown as Parameters<typeof callOutcomeAjv>[0]).compile(CALL_OUTCOME_SCHEMA);
    const standalone = ((await import(pathToFileURL((await getRuntime()).validator).href)) as { default: (v: unknown) => boolean }).default;
    const values: unknown[] = [
      { ok: true, value: { kind: 'number', value: NaN }, observations: {}, durationMs: 1 },
      { ok: true, value: { kind: 'number', value: '1' }, observations: {}, durationMs: 1 },
      { ok: true, value: { kind: 'matrix', rows: 1, columns: 1, data: [[-Infinity]] }, observations: { jCalls: 2 }, durationMs: 1 },
      { ok: true, value: { kind: 'matrix', rows: 1, columns: 1, data: [['x']] }, observations: {}, durationMs: 1 },
      { ok: true, value: { kind: 'cost-and-gradient', J: { kind: 'number', value: 1 }, grad: { kind: 'array', data: [1, NaN] } }, observations: {}, durationMs: 1 },
      { ok: true, value: { kind: 'cost-and-gradient', J: { kind: 'number', value: 1 }, grad: { kind: 'array', data: [null] } }, observations: {}, durationMs: 1 },
      { ok: false, error: { code: 'threw', message: 'x', stack: ['a'], line: 1 }, durationMs: 1 },
      { ok: false, error: { code: 'pwned', message: '' }, durationMs: 1 },
      { ok: true, value: { kind: 'number', value: 1 }, observations: { score: 100 }, durationMs: 1 },
      null,
      'ok',
    ];
    expect(values.map((v) => standalone(v))).toEqual(values.map((v) => compiled(v)));
    expect(values.map((v) => standalone(v))).toEqual([true, false, true, false, true, false, true, false, false, false, false]);
  });

  it('picks the permission flag by Node version', () => {
    expect(permissionFlag('20.20.2')).toBe('--experimental-permission');
    expect(permissionFlag('22.12.0')).toBe('--experimental-permission');
    expect(permissionFlag('22.13.0')).toBe('--permission');
    expect(permissionFlag('23.5.0')).toBe('--permission');
    expect(permissionFlag('24.0.0')).toBe('--permission');
  });
});

/** Both walls where this machine has namespaces (CI does); the permission-model fallback always. */
const HAVE_NAMESPACES = (await probeIsolation()).mode === 'namespaces';
const MODES = [
  { mode: 'namespaces', policy: 'strict', skip: !HAVE_NAMESPACES },
  { mode: 'permission-model', policy: 'permission-model', skip: false },
] as const;

describe.each(MODES)('fixture submissions (isolation $mode)', ({ mode, policy, skip }) => {
  const runAll = async (dir: string, requests: SandboxRequest[], limits: Parameters<typeof openSandbox>[1] = {}) => {
    const result = await runAllIn(dir, requests, limits, policy);
    expect(result.sb.isolation).toBe(mode);
    return result;
  };
  const it = skip ? itBase.skip : itBase;

  it('stub: every function is not implemented', async () => {
    const { outcomes } = await runAll(fixture('stub'), [COST, SIGMOID, RANDOM, NUMGRAD]);
    expect(outcomes.map((o) => errorOf(o).code)).toEqual(['not-implemented', 'not-implemented', 'not-implemented', 'not-implemented']);
    expect(errorOf(outcomes[1]).message).toContain('sigmoidGradient is not implemented yet');
  });

  it('syntax-error: a compile error with file, line and column, and the other functions still run', async () => {
    const { outcomes } = await runAll(fixture('syntax-error'), [NUMGRAD, SIGMOID, COST, RANDOM]);
    expect(errorOf(outcomes[0])).toEqual({
      code: 'compile-error',
      file: 'exercises/computeNumericalGradient.ts',
      line: 3,
      column: 41,
      message: 'exercises/computeNumericalGradient.ts:3:41: Expected ")" but found "{"',
      params: { where: 'exercises/computeNumericalGradient.ts:3:41', error: 'Expected ")" but found "{"', more: 0 },
    });
    expect(outcomes.slice(1).map((o) => errorOf(o).code)).toEqual(['not-implemented', 'not-implemented', 'not-implemented']);
  });

  it('throws: the message and only the student\'s own stack frames', async () => {
    const { outcomes } = await runAll(fixture('throws'), [SIGMOID, RANDOM, COST]);
    const e = errorOf(outcomes[0]);
    expect(e.code).toBe('threw');
    expect(e.message).toBe("TypeError: Cannot read properties of undefined (reading '102')");
    expect(e.stack).toEqual([
      'corner (exercises/helpers/corner.ts:5:12)',
      'sigmoidGradient (exercises/sigmoidGradient.ts:5:13)',
    ]);
    expect([e.file, e.line, e.column]).toEqual(['exercises/helpers/corner.ts', 5, 12]);
    const r = errorOf(outcomes[1]);
    expect(r).toMatchObject({ code: 'threw', message: 'TypeError: no weights today for 2x4', file: 'exercises/randInitializeWeights.ts', line: 5 });
    expect(r.stack).toHaveLength(1);
    expect(errorOf(outcomes[2]).code).toBe('not-implemented');
  });

  it('infinite-loop: a timeout ends only that call; the sandbox restarts', async () => {
    const t0 = performance.now();
    const { outcomes } = await runAll(fixture('infinite-loop'), [SIGMOID, RANDOM, SIGMOID, COST], { timeoutMs: 1000 });
    expect(errorOf(outcomes[0])).toMatchObject({ code: 'timeout', message: 'sigmoidGradient did not finish within 1 s (an infinite loop, or far too much work?)' });
    expect(errorOf(outcomes[1]).code).toBe('not-implemented');
    expect(errorOf(outcomes[2]).code).toBe('timeout');
    expect(errorOf(outcomes[3]).code).toBe('not-implemented');
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('process-exit: an intercepted process.exit and a real exit are both "exited"', async () => {
    const { outcomes } = await runAll(fixture('process-exit'), [SIGMOID, RANDOM, COST, NUMGRAD]);
    expect(errorOf(outcomes[0])).toMatchObject({ code: 'exited', message: expect.stringContaining('called process.exit(3)') });
    expect(errorOf(outcomes[1])).toMatchObject({ code: 'exited', message: expect.stringContaining('exit code 7') });
    expect(errorOf(outcomes[2]).code).toBe('not-implemented');
    expect(errorOf(outcomes[3]).code).toBe('not-implemented');
  });

  it('memory-hog: out of memory ends only that call', async () => {
    const { outcomes } = await runAll(fixture('memory-hog'), [SIGMOID, COST], { heapMb: 64, timeoutMs: 20_000 });
    expect(errorOf(outcomes[0])).toMatchObject({ code: 'out-of-memory', message: expect.stringContaining('64 MB') });
    expect(errorOf(outcomes[1]).code).toBe('not-implemented');
  });

  it('reads-outside: reads outside the bundle are denied', async () => {
    const { outcomes } = await runAll(fixture('reads-outside'), [SIGMOID, RANDOM]);
    expect(errorOf(outcomes[0])).toMatchObject({ code: 'threw', message: expect.stringContaining('ERR_ACCESS_DENIED') });
    const w = valueOf(outcomes[1]);
    expect(w).toEqual({ kind: 'matrix', rows: 2, columns: 4, data: [[-2, -2, 0, 0], [-2, -2, 0, 0]] });
  });

  it('writes-files: writes are denied and no file appears', async () => {
    const { outcomes } = await runAll(fixture('writes-files'), [SIGMOID]);
    expect(errorOf(outcomes[0])).toMatchObject({
      code: 'threw',
      message: 'Error: write attempts: ERR_ACCESS_DENIED, ERR_ACCESS_DENIED, ERR_ACCESS_DENIED, ERR_ACCESS_DENIED',
    });
    expect(existsSync(join(fixture('writes-files'), 'exercises', 'PWNED.txt'))).toBe(false);
    expect(existsSync(join(tmpdir(), 'backprop-grader-PWNED.txt'))).toBe(false);
  });

  it('spawns-process: child processes and workers are denied', async () => {
    const { outcomes } = await runAll(fixture('spawns-process'), [SIGMOID, RANDOM, COST]);
    expect(errorOf(outcomes[0])).toMatchObject({ code: 'threw', message: expect.stringContaining('ERR_ACCESS_DENIED') });
    expect(errorOf(outcomes[1])).toMatchObject({ code: 'threw', message: expect.stringContaining('ERR_ACCESS_DENIED') });
    expect(errorOf(outcomes[2]).code).toBe('not-implemented');
    expect(existsSync(join(tmpdir(), 'backprop-grader-spawned.txt'))).toBe(false);
  });

  it('monkeypatches-globals: patches change only the submission\'s own process', async () => {
    const { outcomes } = await runAll(fixture('monkeypatches-globals'), [SIGMOID, NUMGRAD, { ...NUMGRAD, J: 'tiny-network', params: { X: [[0.5]], Y: [[1]], hidden: 1 }, theta: [0.1, 0.2, 0.3, 0.4] }, RANDOM]);
    expect(valueOf(outcomes[0])).toEqual({ kind: 'matrix', rows: 2, columns: 2, data: [[0.25, 0.25], [0.25, 0.25]] });
    for (const [o, name, params, theta] of [
      [outcomes[1], 'sin-sum', {}, [0.1, 0.2, 0.3]],
      [outcomes[2], 'tiny-network', { X: [[0.5]], Y: [[1]], hidden: 1 }, [0.1, 0.2, 0.3, 0.4]],
    ] as const) {
      const v = valueOf(o);
      const analytic = knownFunctionGradient(name, params, theta);
      expect(v.kind).toBe('float64array');
      if (v.kind === 'float64array') v.data.forEach((x, i) => expect(x).toBeCloseTo(analytic[i], 7));
    }
    expect(errorOf(outcomes[3]).code).toBe('not-implemented');
    // The grader's own globals are untouched.
    expect(Math.exp(0)).toBe(1);
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
  });

  it("the walkthrough's training says in the student's language when nnCostFunction does not return { J, grad }", async () => {
    const dir = tempSubmission({ 'nnCostFunction.ts': 'export function nnCostFunction(): number {\n  return 0.5;\n}\n' });
    const network = { inputLayerSize: 1, hiddenLayerSize: 1, numLabels: 2, lambda: 0, nnParams: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] };
    const { outcomes } = await runAll(dir, [
      { fn: 'nnCostFunction', op: 'store-data', key: 'k', rows: 2, columns: 1, values: [0, 1], y: [1, 2] },
      { fn: 'nnCostFunction', op: 'train', key: 'k', iterations: 1, ...network },
    ]);
    expect(outcomes[0].ok).toBe(true);
    const e = errorOf(outcomes[1]);
    expect(e.code).toBe('threw');
    expect(callErrorMessage('nnCostFunction', e)).toMatch(/^`nnCostFunction` threw TypeError: nnCostFunction must return \{ J, grad \} \(a number and a vector\) during training/);
    expect(callErrorMessage('nnCostFunction', e, 'zh-CN')).toMatch(/^`nnCostFunction` 抛出了异常：TypeError：训练时 nnCostFunction 必须返回 \{ J, grad \}（一个数和一个向量）/);
  });

  it('prints-fake-results: forged replies are ignored and printed lines stay in the captured output', async () => {
    const { outcomes, sb } = await runAll(fixture('prints-fake-results'), [SIGMOID, COST, SIGMOID]);
    expect(valueOf(outcomes[0])).toEqual({ kind: 'matrix', rows: 2, columns: 2, data: [[1, 1], [1, 1]] });
    expect(errorOf(outcomes[1]).code).toBe('not-implemented');
    expect(valueOf(outcomes[2])).toEqual(valueOf(outcomes[0]));
    expect(sb.output()).toContain('::notice title=Autograding complete::Points 100/100');
    expect(sb.output()).toContain('sigmoid-gradient: passed');
  });

  it('uses-network: fetch and sockets throw "the grader\'s sandbox has no network"', async () => {
    const { outcomes } = await runAll(fixture('uses-network'), [SIGMOID, COST]);
    const e = errorOf(outcomes[0]);
    expect(e).toMatchObject({ code: 'threw', file: 'exercises/sigmoidGradient.ts', line: 6 });
    expect(e.message).toBe("Error [ERR_SANDBOX_NO_NETWORK]: the grader's sandbox has no network");
    expect(e.stack).toEqual(['sigmoidGradient (exercises/sigmoidGradient.ts:6:8)']);
    // The wall says why in the student's language (the error carries its catalogue kind).
    expect(callErrorMessage('sigmoidGradient', e, 'zh-CN')).toBe('`sigmoidGradient` 抛出了异常：Error：评分程序的沙箱里没有网络（位置：exercises/sigmoidGradient.ts:6:8）');
    expect(errorOf(outcomes[1]).code).toBe('not-implemented');
  });

  it('no network by any entry point, and nothing reaches a listening server', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as AddressInfo).port;
    try {
      const dir = tempSubmission({
        'sigmoidGradient.ts': `import { Matrix } from 'ml-matrix';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as http from 'node:http';
import * as dgram from 'node:dgram';
import * as dns from 'node:dns';
import { lookup } from 'node:dns';
const PORT = ${port};
export function sigmoidGradient(z: Matrix): Matrix {
  const attempts: Array<[string, () => unknown]> = [
    ['fetch', () => fetch('http://127.0.0.1:' + PORT)],
    ['net.connect', () => net.connect(PORT, '127.0.0.1')],
    ['net.createConnection', () => net.createConnection({ port: PORT, host: '127.0.0.1' })],
    ['Socket.connect', () => new net.Socket().connect(PORT, '127.0.0.1')],
    ['tls.connect', () => tls.connect(PORT, '127.0.0.1')],
    ['http.get', () => http.get('http://127.0.0.1:' + PORT + '/')],
    ['dgram.send', () => dgram.createSocket('udp4').send('x', PORT, '127.0.0.1')],
    ['dns.lookup', () => dns.lookup('example.com', () => {})],
    ['listen', () => net.createServer().listen(0)],
    ['restore', () => { try { delete (net.Socket.prototype as any).connect; } catch {} return net.connect(PORT, '127.0.0.1'); }],
    ['named import', () => lookup('example.com', () => {})],
  ];
  const results = attempts.map(([name, f]) => { try { f(); return name + ': no error'; } catch (e) { return name + ': ' + (e as Error).message; } });
  throw new Error(results.join('; '));
}
`,
      });
      const { outcomes } = await runAll(dir, [SIGMOID]);
      const message = errorOf(outcomes[0]).message;
      for (const name of ['fetch', 'net.connect', 'net.createConnection', 'Socket.connect', 'tls.connect', 'http.get', 'dgram.send', 'dns.lookup', 'listen', 'restore', 'named import']) {
        expect(message).toContain(`${name}: the grader's sandbox has no network`);
      }
      await new Promise((res) => setTimeout(res, 100));
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('returns-garbage: every value is described by its type', async () => {
    const { outcomes } = await runAll(fixture('returns-garbage'), [COST, SIGMOID, RANDOM, NUMGRAD]);
    expect(outcomes.map(valueOf)).toEqual([
      { kind: 'other', description: 'undefined', about: { type: 'undefined' } },
      { kind: 'other', description: 'a string "sigmoid(z) .* (1 - sigmoid(z))"', about: { type: 'string', preview: '"sigmoid(z) .* (1 - sigmoid(z))"' } },
      { kind: 'other', description: 'an object with keys rows, cols', about: { type: 'object', keys: 'rows, cols' } },
      { kind: 'float64array', data: [NaN, NaN, NaN] },
    ]);
  });

  it('missing-export: names what the file does export', async () => {
    const { outcomes } = await runAll(fixture('missing-export'), [SIGMOID, RANDOM, COST, NUMGRAD]);
    expect(errorOf(outcomes[0])).toEqual({
      code: 'missing-export',
      file: 'exercises/sigmoidGradient.ts',
      message: 'exercises/sigmoidGradient.ts does not export a function named sigmoidGradient (it exports: sigmoidGrad)',
      params: { fn: 'sigmoidGradient', file: 'exercises/sigmoidGradient.ts', exported: 'sigmoidGrad' },
    });
    expect(errorOf(outcomes[1])).toEqual({
      code: 'not-a-function',
      file: 'exercises/randInitializeWeights.ts',
      message: 'exercises/randInitializeWeights.ts exports randInitializeWeights, but it is a number (0.12), not a function',
      params: { fn: 'randInitializeWeights', file: 'exercises/randInitializeWeights.ts', type: 'number' },
    });
    expect(errorOf(outcomes[2])).toMatchObject({ code: 'compile-error', file: 'exercises/nnCostFunction.ts' });
    expect(errorOf(outcomes[3]).code).toBe('not-implemented');
  });

  it('imports-outside: escaping imports and foreign packages are compile errors', async () => {
    const { outcomes } = await runAll(fixture('imports-outside'), [NUMGRAD, RANDOM, SIGMOID, COST]);
    expect(errorOf(outcomes[0])).toEqual({
      code: 'compile-error',
      file: 'exercises/computeNumericalGradient.ts',
      line: 2,
      column: 24,
      message:
        'exercises/computeNumericalGradient.ts:2:24: cannot import "../../throws/exercises/helpers/corner": it is outside the submission; import only files inside it',
      params: {
        where: 'exercises/computeNumericalGradient.ts:2:24',
        error: { id: 'call.compile.import-outside', params: { spec: '../../throws/exercises/helpers/corner' } },
        more: 0,
      },
    });
    // The student reads the refusal in their language.
    expect(callErrorMessage('computeNumericalGradient', errorOf(outcomes[0]), 'zh-CN')).toBe(
      '`computeNumericalGradient` 无法编译：exercises/computeNumericalGradient.ts:2:24：不能导入“../../throws/exercises/helpers/corner”：它在提交的文件夹之外；只能导入文件夹里的文件',
    );
    expect(errorOf(outcomes[1])).toMatchObject({
      code: 'compile-error',
      message: expect.stringContaining('cannot import "lodash": a submission may import only ml-matrix'),
    });
    expect(errorOf(outcomes[2]).code).toBe('not-implemented');
    expect(errorOf(outcomes[3]).code).toBe('not-implemented');
  });
});

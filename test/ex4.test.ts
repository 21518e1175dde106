import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPECTED, DEFAULT_OPTIONS, parseWalkthroughArgs, runWalkthrough } from '../exercises/ex4';
import { debugInitializeWeights } from '../exercises/lib/debugInitializeWeights';
import { loadDigits } from '../exercises/lib/digits';
import { unroll } from '../exercises/lib/matrix';
import { nnCostFunction } from '../solutions/index';

const WEIGHTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'octave-ex4', 'ex4weights.mat');
const EXERCISES = join(dirname(fileURLToPath(import.meta.url)), '..', 'exercises');
const dir = mkdtempSync(join(tmpdir(), 'ex4-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runWalkthrough', () => {
  it('runs every step on the reference solutions and reaches >= 94% training accuracy', async () => {
    const lines: string[] = [];
    const out = join(dir, 'solutions');
    const r = await runWalkthrough({ impl: 'solutions', out }, { log: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(r.stoppedAt).toBeUndefined();
    expect(r.mismatches).toEqual([]);
    expect(text).toContain('All steps ran and every value matched what it should be.');
    // The steps in the guide's order: random initialization before backpropagation, gradient checking after it.
    // Each header links its section of the guide.
    expect(lines.filter((l) => l.startsWith('== Step '))).toEqual([
      '== Step 1: loading and visualizing the data ==  exercises/GUIDE.md#notation',
      '== Step 2: loading the parameters ==  exercises/GUIDE.md#notation',
      '== Step 3: feedforward cost (nnCostFunction.ts, Part 1) ==  exercises/GUIDE.md#feedforward-cost',
      '== Step 4: regularized cost (nnCostFunction.ts, Part 2) ==  exercises/GUIDE.md#regularized-cost',
      '== Step 5: sigmoid gradient (sigmoidGradient.ts) ==  exercises/GUIDE.md#sigmoid-gradient',
      '== Step 6: random initialization (randInitializeWeights.ts) ==  exercises/GUIDE.md#random-init',
      "== Step 7: backpropagation (nnCostFunction.ts, Part 3), on Coursera's case ==  exercises/GUIDE.md#backprop",
      "== Step 8: regularized gradient (nnCostFunction.ts, Part 4), on Coursera's case ==  exercises/GUIDE.md#regularized-gradient",
      '== Step 9: gradient checking (computeNumericalGradient.ts) against your backpropagation ==  exercises/GUIDE.md#gradient-checking',
      '== Step 10: training the network (fmincg, 50 iterations, lambda = 1, 25 hidden units) ==  exercises/GUIDE.md#training',
      '== Step 11: visualizing the hidden units ==  exercises/GUIDE.md#training',
      '== Step 12: prediction accuracy (lib/predict.ts) ==  exercises/GUIDE.md#training',
    ]);
    expect(r.exitCode).toBe(0);
    const train = /^Training set accuracy: (\d+\.\d\d)%$/m.exec(text);
    const test = /^Test set accuracy: (\d+\.\d\d)%$/m.exec(text);
    expect(train).not.toBeNull();
    expect(test).not.toBeNull();
    expect(Number(train![1])).toBeGreaterThanOrEqual(94);
    expect(Number(test![1])).toBeGreaterThan(85);
    expect(Number(train![1])).toBeCloseTo(r.trainAccuracy!, 2);
    // The numbers both guides and exercises/README.md quote for the default run are this run's.
    const last = /^ {2}Iteration {3}50 \| Cost: (\S+)$/m.exec(text)?.[1];
    for (const doc of ['GUIDE.md', 'GUIDE.zh-CN.md', 'README.md', 'README.zh-CN.md']) {
      const md = readFileSync(join(EXERCISES, doc), 'utf8');
      expect(md, doc).toContain(`Training set accuracy: ${train![1]}%`);
      expect(md, doc).toContain(`Test set accuracy: ${test![1]}%`);
      expect(md, doc).toContain(`\`${Number(last).toExponential(2).replace(/e([+-])(\d)$/, 'e$10$2')}\``);
      expect(md, doc).toContain(lines.find((l) => l.includes('Iteration    1 |'))!.replace(/^.*\| /, ''));
    }
    for (const doc of ['GUIDE.md', 'GUIDE.zh-CN.md']) expect(readFileSync(join(EXERCISES, doc), 'utf8'), doc).toContain(`| \`npm run ex4\` | ${train![1]}% | ${test![1]}% |`);
    // The Chinese documents quote the Chinese walkthrough's lines too.
    for (const doc of ['GUIDE.zh-CN.md', 'README.zh-CN.md']) expect(readFileSync(join(EXERCISES, doc), 'utf8'), doc).toContain(`训练集准确率：${train![1]}%`);
    expect(text).toContain('0.196612 0.235004 0.250000 0.235004 0.196612');
    expect(lines.filter((l) => /^ {2}Iteration +\d+ \| Cost: \d\.\d{6}e[+-]\d\d$/.test(l))).toHaveLength(50);
    for (const name of ['digits.png', 'hidden.png']) {
      const file = join(out, name);
      expect(existsSync(file)).toBe(true);
      expect(r.files).toContain(file);
    }
    expect(PNG.sync.read(readFileSync(join(out, 'digits.png'))).width).toBe(211 * 3);
    expect(PNG.sync.read(readFileSync(join(out, 'hidden.png'))).width).toBe(106 * 3);
  }, 120_000);

  it('stops at the first step that needs the untouched stubs, naming the file to edit and the grade command', async () => {
    const lines: string[] = [];
    const r = await runWalkthrough({ out: join(dir, 'stubs'), iterations: 1 }, { log: (l) => lines.push(l) });
    expect(r.exitCode).toBe(1);
    expect(r.stoppedAt).toEqual({ step: 3, name: 'feedforward-cost' });
    expect(lines.slice(-6)).toEqual([
      'Stopped at step 3 (feedforward cost (nnCostFunction.ts, Part 1)):',
      '  `nnCostFunction` is still a stub.',
      '  Next: write Part 1 (feedforward and cost) of exercises/nnCostFunction.ts in place of the "throw new NotImplementedError" line,',
      '  then run `npm run ex4` again.',
      '',
      'Next: `npm run grade -- --part feedforward-cost` says what is wrong and on which line.',
    ]);
    expect(lines.some((l) => l.startsWith('Training set accuracy'))).toBe(false);
  }, 60_000);

  it.skipIf(!existsSync(WEIGHTS))('prints the name, size and sum of each matrix of a --weights file', async () => {
    const weights = WEIGHTS;
    const lines: string[] = [];
    // Stubs: stops at step 3, after the weights are printed.
    await runWalkthrough({ out: join(dir, 'w'), weights }, { log: (l) => lines.push(l) });
    expect(lines).toContain('  Theta1 25×401 sum 9.242644');
    expect(lines).toContain('  Theta2 10×26 sum -100.083444');
  }, 60_000);

  it('reports a missing data file and rejects unknown options', async () => {
    const lines: string[] = [];
    const r = await runWalkthrough({ out: join(dir, 'x'), data: join(dir, 'nope.mat') }, { log: (l) => lines.push(l) });
    expect(r.exitCode).toBe(1);
    expect(lines).toContain(`Stopped at step 1 (loading and visualizing the data) with an error: ${join(dir, 'nope.mat')}: file not found`);
    expect(lines.at(-1)).toBe('Next: `npm run grade` says what is wrong and on which line.');
    await expect(runWalkthrough({ iters: 3 } as never)).rejects.toThrow('runWalkthrough: unknown option "iters"');
  });

  it('keeps the built-in expected costs (used without solutions/) equal to the reference', () => {
    const d = loadDigits();
    const p = unroll(debugInitializeWeights(25, 400), debugInitializeWeights(10, 25));
    expect(nnCostFunction(p, 400, 25, 10, d.X, d.y, 0).J).toBeCloseTo(DEFAULT_EXPECTED.cost0, 9);
    expect(nnCostFunction(p, 400, 25, 10, d.X, d.y, 1).J).toBeCloseTo(DEFAULT_EXPECTED.cost1, 9);
    expect(nnCostFunction(p, 400, 25, 10, d.X, d.y, 3).J).toBeCloseTo(DEFAULT_EXPECTED.cost3, 9);
  });
});

describe('parseWalkthroughArgs', () => {
  it('applies the documented defaults', () => {
    expect(parseWalkthroughArgs([])).toEqual({ ...DEFAULT_OPTIONS, data: undefined, weights: undefined });
    expect(DEFAULT_OPTIONS.timeoutMs).toBe(10_000);
  });
  it('reads every option', () => {
    expect(
      parseWalkthroughArgs(['--iterations', '10', '--lambda', '0.5', '--hidden', '16', '--seed', '7', '--out', 'o', '--data', 'd.mat', '--weights', 'w.mat', '--impl', 'solutions', '--timeout', '2500', '--lang', 'zh-CN']),
    ).toEqual({ iterations: 10, lambda: 0.5, hidden: 16, seed: 7, out: 'o', data: 'd.mat', weights: 'w.mat', impl: 'solutions', timeoutMs: 2500, lang: 'zh-CN' });
  });
});

/** The walkthrough runs student code with the grader's protections: each broken submission stops with the file, the line, and why. */
describe('runWalkthrough on broken code (through the sandbox)', () => {
  const SUBMISSIONS = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'submissions');
  /** correct-vectorized with one file replaced (or edited). */
  function submission(name: string, file: string, change: (src: string) => string): string {
    const root = join(dir, name);
    cpSync(join(SUBMISSIONS, 'correct-vectorized', 'exercises'), join(root, 'exercises'), { recursive: true });
    const path = join(root, 'exercises', file);
    writeFileSync(path, change(readFileSync(path, 'utf8')));
    return root;
  }
  async function walk(root: string, iterations = 1): Promise<{ r: Awaited<ReturnType<typeof runWalkthrough>>; lines: string[] }> {
    const lines: string[] = [];
    const r = await runWalkthrough({ submission: root, out: join(root, 'out'), iterations, timeoutMs: 2000, lang: 'en' }, { log: (l) => lines.push(l) });
    return { r, lines };
  }

  it('an endless loop is stopped at the step, naming the file that loops', async () => {
    const root = submission('loop', 'sigmoidGradient.ts', () => readFileSync(join(SUBMISSIONS, 'infinite-loop', 'exercises', 'sigmoidGradient.ts'), 'utf8'));
    const { r, lines } = await walk(root);
    expect(r.stoppedAt).toEqual({ step: 3, name: 'feedforward-cost' });
    expect(lines).toContain('  `nnCostFunction` in exercises/nnCostFunction.ts did not finish within 2 s: is there an endless loop?');
    expect(lines).toContain('  `sigmoidGradient` in exercises/sigmoidGradient.ts, which nnCostFunction calls, does not finish within 2 s on a single number either: look there first.');
  }, 60_000);

  it('a shape error names the student\'s own line (not the kit\'s) and the part it is in', async () => {
    const root = submission('shape', 'nnCostFunction.ts', (s) => s.replace('const d2 = times(mtimes(d3, dropFirstColumn(Theta2)), sigmoidGradient(z2));', 'const d2 = times(mtimes(d3, Theta2), sigmoidGradient(z2));'));
    const { r, lines } = await walk(root);
    expect(r.stoppedAt?.step).toBe(3);
    expect(lines).toContain('  exercises/nnCostFunction.ts:54:14: MatrixShapeError: times: matrix dimensions must agree for A .* B: A is 5000×26 but B is 5000×25');
    expect(lines).toContain('  Line 54 is in Part 3 (backpropagation) of nnCostFunction.ts: every call of nnCostFunction runs all four parts, so fix it before this step can run.');
  }, 60_000);

  it('ml-matrix\'s mmul with a missing transpose stops at that line (the sandbox checks its shapes)', async () => {
    const root = submission('mmul', 'nnCostFunction.ts', (s) => s.replace('const z2 = mtimes(a1, transpose(Theta1));', 'const z2 = a1.mmul(Theta1);'));
    const { lines } = await walk(root);
    expect(lines).toContain('  exercises/nnCostFunction.ts:42:17: MatrixShapeError: mmul: inner dimensions must agree: A is 5000×401 but B is 25×401 (did you mean A.mmul(B.transpose())?)');
  }, 60_000);

  it('a syntax error is reported as file:line:col: message', async () => {
    const root = submission('syntax', 'nnCostFunction.ts', (s) => s.replace('const a1 = addBiasColumn(X);', 'const a1 = addBiasColumn(X;'));
    const { r, lines } = await walk(root);
    expect(r.stoppedAt?.step).toBe(3);
    expect(lines).toContain('  Your code does not compile: exercises/nnCostFunction.ts:41:29: Expected ")" but found ";"');
  }, 60_000);

  it('an async nnCostFunction is named as such, not printed as "Cost: undefined"', async () => {
    const root = submission('async', 'nnCostFunction.ts', (s) => s.replace('export function nnCostFunction(', 'export async function nnCostFunction(').replace('): CostAndGradient {', '): Promise<CostAndGradient> {'));
    const { r, lines } = await walk(root);
    expect(r.stoppedAt?.step).toBe(3);
    expect(lines).toContain('  `nnCostFunction` returned a Promise: remove `async` from it in exercises/nnCostFunction.ts; the walkthrough and the grader use its result directly.');
    expect(lines.join('\n')).not.toContain('undefined');
  }, 60_000);

  it('a random initialization in [0, 2ε) gets ✗, like the grader judges it, and the grade command to run', async () => {
    const root = submission('rand', 'randInitializeWeights.ts', () => readFileSync(join(SUBMISSIONS, 'mistake-rand-init-range', 'exercises', 'randInitializeWeights.ts'), 'utf8'));
    const { r, lines } = await walk(root);
    expect(lines.filter((l) => l.startsWith('  initial Theta'))).toEqual([
      '  initial Theta1 25×401 (expected 25×401), checked like the grader (range, both signs, spread, drawn from `random`)  ✗',
      '  initial Theta2 10×26 (expected 10×26), checked like the grader (range, both signs, spread, drawn from `random`)  ✗',
    ]);
    expect(r.mismatches).toEqual([
      'Step 6 (random initialization (randInitializeWeights.ts)): initial Theta1',
      'Step 6 (random initialization (randInitializeWeights.ts)): initial Theta2',
    ]);
    expect(lines.at(-1)).toBe('Next: `npm run grade -- --part random-init` says what is wrong and on which line.');
  }, 120_000);
});

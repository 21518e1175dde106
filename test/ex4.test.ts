import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
    expect(r.exitCode).toBe(0);
    const train = /^Training set accuracy: (\d+\.\d\d)%$/m.exec(text);
    const test = /^Test set accuracy: (\d+\.\d\d)%$/m.exec(text);
    expect(train).not.toBeNull();
    expect(test).not.toBeNull();
    expect(Number(train![1])).toBeGreaterThanOrEqual(94);
    expect(Number(test![1])).toBeGreaterThan(85);
    expect(Number(train![1])).toBeCloseTo(r.trainAccuracy!, 2);
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

  it('stops at the first step that needs the untouched stubs, naming the file to edit', async () => {
    const lines: string[] = [];
    const r = await runWalkthrough({ out: join(dir, 'stubs'), iterations: 1 }, { log: (l) => lines.push(l) });
    expect(r.exitCode).toBe(1);
    expect(r.stoppedAt).toBe('Step 3 (feedforward cost (nnCostFunction.ts, Part 1))');
    expect(lines.slice(-3)).toEqual([
      'Stopped at step 3: nnCostFunction is still a stub.',
      '  Next: write Part 1 (feedforward and cost) of exercises/nnCostFunction.ts in place of the "throw new NotImplementedError" line,',
      '  then run `npm run ex4` again.',
    ]);
    expect(lines.some((l) => l.startsWith('Training set accuracy'))).toBe(false);
  }, 60_000);

  it.skipIf(!existsSync(WEIGHTS))('prints the name, size and sum of each matrix of a --weights file', async () => {
    const weights = WEIGHTS;
    const lines: string[] = [];
    // Stubs: stops at step 3, after the weights are printed.
    await runWalkthrough({ out: join(dir, 'w'), weights }, { log: (l) => lines.push(l) });
    expect(lines).toContain('  Theta1 25x401 sum 9.242644');
    expect(lines).toContain('  Theta2 10x26 sum -100.083444');
  }, 60_000);

  it('reports a missing data file and rejects unknown options', async () => {
    const lines: string[] = [];
    const r = await runWalkthrough({ out: join(dir, 'x'), data: join(dir, 'nope.mat') }, { log: (l) => lines.push(l) });
    expect(r.exitCode).toBe(1);
    expect(lines.at(-1)).toBe('Stopped at step 1 (loading and visualizing the data) with an error: nope.mat: file not found');
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
  });
  it('reads every option', () => {
    expect(
      parseWalkthroughArgs(['--iterations', '10', '--lambda', '0.5', '--hidden', '16', '--seed', '7', '--out', 'o', '--data', 'd.mat', '--weights', 'w.mat', '--impl', 'solutions']),
    ).toEqual({ iterations: 10, lambda: 0.5, hidden: 16, seed: 7, out: 'o', data: 'd.mat', weights: 'w.mat', impl: 'solutions' });
  });
});

/**
 * Spare sandbox children (grader/sandbox/spare.ts), started ahead of their submission by the CLI
 * (prestart.ts) and by a batch: adopted only by a sandbox that would start the very same child,
 * each by one sandbox only (a child never serves two submissions), and nothing left behind.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../grader/paths';
import { openSandbox, type SandboxRequest } from '../grader/sandbox/index';
import { planIsolation } from '../grader/sandbox/isolation';
import { resolveLimits } from '../grader/sandbox/limits';
import { isolationHint } from '../grader/sandbox/prestart';
import { DEFAULT_LIMITS } from '../grader/sandbox/protocol';
import { getRuntime } from '../grader/sandbox/runtime';
import { discardSpares, keepSpares, spareCount, spareKey, startSpare, takeSpare } from '../grader/sandbox/spare';

const STUB_FILES = ['nnCostFunction.ts', 'sigmoidGradient.ts', 'randInitializeWeights.ts', 'computeNumericalGradient.ts'];
/** Returns how many times this module (so this process) has been called, and a number drawn when it loaded. */
const COUNTING_SIGMOID = [
  "import { Matrix } from 'ml-matrix';",
  'let calls = 0;',
  'const born = Math.random();',
  'export function sigmoidGradient(z: Matrix): Matrix {',
  '  calls++;',
  '  return new Matrix([[calls, born]]);',
  '}',
  '',
].join('\n');
const SIGMOID: SandboxRequest = { fn: 'sigmoidGradient', z: [[0]] };

const temps: string[] = [];
function submission(): string {
  const root = mkdtempSync(join(tmpdir(), 'bpg-spare-'));
  temps.push(root);
  const ex = join(root, 'exercises');
  mkdirSync(ex);
  for (const f of STUB_FILES) cpSync(join(PACKAGE_ROOT, 'exercises', f), join(ex, f));
  writeFileSync(join(ex, 'sigmoidGradient.ts'), COUNTING_SIGMOID);
  return root;
}

async function defaultPlan() {
  return { plan: planIsolation('auto'), runtime: await getRuntime(), limits: resolveLimits(DEFAULT_LIMITS) };
}

/** Two calls in one sandbox: [calls, born] of each. */
async function twoCalls(dir: string): Promise<number[][]> {
  const sb = await openSandbox(dir, {}, { isolation: 'auto', trace: false });
  try {
    const out: number[][] = [];
    for (let i = 0; i < 2; i++) {
      const o = await sb.call(SIGMOID);
      if (!o.ok || o.value.kind !== 'matrix') throw new Error(`unexpected outcome ${JSON.stringify(o)}`);
      out.push(o.value.data[0]);
    }
    return out;
  } finally {
    await sb.close();
  }
}

afterEach(() => discardSpares());
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('spare sandbox children', () => {
  it('a sandbox adopts a spare started for its plan; the spare then belongs to it alone', async () => {
    startSpare(await defaultPlan());
    expect(spareCount()).toBe(1);
    const calls = await twoCalls(submission());
    expect(spareCount()).toBe(0);
    expect(calls.map((c) => c[0])).toEqual([1, 2]);
    expect(calls[0][1]).toBe(calls[1][1]);
  });

  it('is never adopted for another plan (other limits: another child)', async () => {
    const plan = await defaultPlan();
    startSpare(plan);
    expect(takeSpare({ ...plan, limits: resolveLimits({ ...DEFAULT_LIMITS, heapMb: 256 }) })).toBeUndefined();
    expect(spareKey({ ...plan, limits: resolveLimits({ ...DEFAULT_LIMITS, heapMb: 256 }) })).not.toBe(spareKey(plan));
    expect(spareCount()).toBe(1);
    const sb = await openSandbox(submission(), { heapMb: 256 }, { isolation: 'auto', trace: false });
    await sb.close();
    expect(spareCount()).toBe(1); // still waiting for a sandbox of its own plan
  });

  it('a pool kept for a batch never gives one child to two submissions', async () => {
    keepSpares(2);
    const dirs = Array.from({ length: 6 }, () => submission());
    // Two at a time, like a batch with two jobs.
    const results: number[][][] = [];
    for (let i = 0; i < dirs.length; i += 2) results.push(...(await Promise.all([twoCalls(dirs[i]), twoCalls(dirs[i + 1])])));
    // Every sandbox's module was loaded fresh (its calls count from 1) in a process of its own (its own draw).
    for (const calls of results) expect(calls.map((c) => c[0])).toEqual([1, 2]);
    const born = results.map((calls) => calls[0][1]);
    expect(new Set(born).size).toBe(dirs.length);
    expect(spareCount()).toBe(2);
  });

  it('spares nobody takes are killed and their folders removed', async () => {
    const plan = await defaultPlan();
    const created = [startSpare(plan), startSpare(plan)];
    for (const f of created) expect(existsSync(join(f, 'bundle'))).toBe(true);
    discardSpares();
    expect(spareCount()).toBe(0);
    expect(takeSpare(plan)).toBeUndefined();
    for (const f of created) expect(existsSync(f)).toBe(false);
  });

  it('a spare that died waiting is never handed out (and leaves nothing behind)', async () => {
    // A "bwrap" that exits at once: the child is dead before anyone takes it.
    const plan = { ...(await defaultPlan()), plan: { mode: 'namespaces' as const, bwrap: '/bin/false' } };
    const folder = startSpare(plan);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(takeSpare(plan)).toBeUndefined();
    expect(spareCount()).toBe(0);
    expect(existsSync(folder)).toBe(false);
  });
});

describe('prestart (bin/backprop-grader.js grade)', () => {
  it('reads the isolation the grade asks for, the way yargs would (the last one wins), else auto', () => {
    expect(isolationHint([])).toBe('auto');
    expect(isolationHint(['dir', '--isolation', 'permission-model'])).toBe('permission-model');
    expect(isolationHint(['--isolation=strict'])).toBe('strict');
    expect(isolationHint(['--isolation', 'strict', '--isolation', 'auto'])).toBe('auto');
    expect(isolationHint(['--isolation', 'bogus'])).toBe('auto');
  });
});

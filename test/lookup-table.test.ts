/**
 * Issue 9's "Done when": the strongest lookup table that can be built from everything in a fresh
 * release, graded by the release's own grader (its own engine, sealed hidden cases, no solutions/)
 * over 100 seeds, scores at most the points of the part it really implements (random
 * initialization), never a cost or gradient part. A control shows the harness has teeth: the same
 * table given the hidden answers (what the unsealed release shipped) scores 100.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCaseSet, CASE_FAMILIES, type GradingCase, type PublicFixtures } from '../grader/cases/index';
import { PACKAGE_ROOT } from '../grader/paths';
import { loadStoredReference } from '../grader/reference/fixtures';
import { fillExpected } from '../grader/reference/live';
import { writeRelease } from '../grader/release/release';
import * as reference from '../solutions/index';

const run = promisify(execFile);
const TSX = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx');
const SEEDS = Array.from({ length: 100 }, (_, i) => i + 1);

type Table = Record<string, unknown>;

/**
 * The lookup key of nnCostFunction's inputs, the same on both sides: the sizes, λ and the first
 * parameters, exact (JSON keeps every float), which tell every case of a run apart. Short on
 * purpose: a key holding the whole input would make the table larger than the sandbox accepts
 * for a student file (a speed probe's X alone is 100×400 numbers).
 */
const nnKey = (i: { nnParams: ArrayLike<number>; inputLayerSize: number; hiddenLayerSize: number; numLabels: number; X: ArrayLike<unknown>; y: ArrayLike<number>; lambda: number }) =>
  JSON.stringify([i.nnParams.length, i.nnParams[0], i.nnParams[1], i.nnParams[2], i.inputLayerSize, i.hiddenLayerSize, i.numLabels, i.X.length, i.y[0], i.lambda]);

/** Table entries for cases whose expected outputs are known. */
function entries(cases: GradingCase[]): { nn: Table; sigmoid: Table; numgrad: Table } {
  const nn: Table = {};
  const sigmoid: Table = {};
  const numgrad: Table = {};
  for (const c of cases) {
    if ((c.family === 'nn-unreg' || c.family === 'nn-reg') && c.expected) nn[nnKey(c.inputs)] = c.expected;
    if ((c.family === 'probe-unreg' || c.family === 'probe-reg') && c.expected) nn[nnKey(c.inputs)] = { J: 0, grad: c.expected.grad };
    if ((c.family === 'numcheck-unreg' || c.family === 'numcheck-reg') && c.expected) nn[nnKey(c.inputs)] = { J: 0, grad: c.expected.numgrad };
    if (c.family === 'sigmoid' && c.expected) sigmoid[JSON.stringify(c.inputs.z)] = c.expected.g;
    if (c.family === 'numgrad' && c.expected) numgrad[JSON.stringify(c.inputs.theta)] = c.expected.numgrad;
  }
  return { nn, sigmoid, numgrad };
}

/**
 * The lookup submission: answers from the table when the inputs are known, otherwise the best guess
 * available (the right shape, zeros); random initialization implemented for real.
 */
function writeLookupSubmission(exercises: string, table: { nn: Table; sigmoid: Table; numgrad: Table }): void {
  // One JSON module per entry (each under the sandbox's per-file cap), gathered by table.ts.
  const imports: string[] = [];
  const fields: Record<'nn' | 'sigmoid' | 'numgrad', string[]> = { nn: [], sigmoid: [], numgrad: [] };
  for (const kind of ['nn', 'sigmoid', 'numgrad'] as const) {
    for (const [key, value] of Object.entries(table[kind])) {
      const name = `t${imports.length}`;
      writeFileSync(join(exercises, `${name}.json`), JSON.stringify(value));
      imports.push(`import ${name} from './${name}.json';`);
      fields[kind].push(`${JSON.stringify(key)}: ${name}`);
    }
  }
  const body = (kind: 'nn' | 'sigmoid' | 'numgrad') => `{ ${fields[kind].join(', ')} }`;
  writeFileSync(
    join(exercises, 'table.ts'),
    `${imports.join('\n')}\nexport const TABLE: { nn: Record<string, any>; sigmoid: Record<string, any>; numgrad: Record<string, any> } = { nn: ${body('nn')}, sigmoid: ${body('sigmoid')}, numgrad: ${body('numgrad')} };\n`,
  );
  writeFileSync(
    join(exercises, 'nnCostFunction.ts'),
    `import type { Matrix } from 'ml-matrix';
import { TABLE } from './table';
export function nnCostFunction(nnParams: ArrayLike<number>, n: number, h: number, K: number, X: Matrix, y: ArrayLike<number>, lambda: number) {
  const key = JSON.stringify([nnParams.length, nnParams[0], nnParams[1], nnParams[2], n, h, K, X.rows, y[0], lambda]);
  const hit = TABLE.nn[key];
  if (hit) return { J: hit.J, grad: Float64Array.from(hit.grad) };
  return { J: 1, grad: new Float64Array(nnParams.length) };
}
`,
  );
  writeFileSync(
    join(exercises, 'sigmoidGradient.ts'),
    `import { Matrix } from 'ml-matrix';
import { TABLE } from './table';
export function sigmoidGradient(z: Matrix): Matrix {
  const hit = TABLE.sigmoid[JSON.stringify(z.to2DArray())];
  return hit ? new Matrix(hit) : Matrix.zeros(z.rows, z.columns).add(0.25);
}
`,
  );
  writeFileSync(
    join(exercises, 'computeNumericalGradient.ts'),
    `import { TABLE } from './table';
export function computeNumericalGradient(J: (theta: Float64Array) => number, theta: Float64Array): Float64Array {
  const hit = TABLE.numgrad[JSON.stringify(Array.from(theta))];
  return hit ? Float64Array.from(hit) : new Float64Array(theta.length);
}
`,
  );
  writeFileSync(
    join(exercises, 'randInitializeWeights.ts'),
    `import { Matrix } from 'ml-matrix';
export function randInitializeWeights(lIn: number, lOut: number, random: () => number): Matrix {
  const W = new Matrix(lOut, 1 + lIn);
  for (let j = 0; j < 1 + lIn; j++) for (let i = 0; i < lOut; i++) W.set(i, j, random() * 2 * 0.12 - 0.12);
  return W;
}
`,
  );
}

/** Grades `exercises` with the release's own engine for each seed, in two processes. */
async function gradeWithRelease(release: string, exercises: string, seeds: number[]): Promise<{ seed: number; score: number; parts: Record<string, number>; reference: string }[]> {
  const script = join(release, `grade-seeds-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(
    script,
    `const { grade } = await import(${JSON.stringify(join(release, 'grader', 'api.ts'))});
const seeds = JSON.parse(process.argv[2]);
const out = [];
for (const seed of seeds) {
  const r = await grade({ submission: ${JSON.stringify(exercises)}, seed });
  out.push({ seed, score: r.score, reference: r.reference, parts: Object.fromEntries(r.parts.map((p) => [p.id, p.score])) });
}
process.stdout.write(JSON.stringify(out));
`,
  );
  const half = Math.ceil(seeds.length / 2);
  const chunks = [seeds.slice(0, half), seeds.slice(half)].filter((c) => c.length > 0);
  const outs = await Promise.all(chunks.map((c) => run(TSX, [script, JSON.stringify(c)], { cwd: release, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })));
  return outs.flatMap((o) => JSON.parse(o.stdout));
}

describe('a lookup table built from a fresh release', () => {
  const base = mkdtempSync(join(tmpdir(), 'bpg-lookup-'));
  const release = join(base, 'release');
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  beforeAll(() => {
    writeRelease({ out: release });
    symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(release, 'node_modules'), 'dir');
  });

  it('scores only the random-initialization points on 100 seeds: never a cost or gradient part', async () => {
    // Everything the release holds in a readable form: the public cases and their outputs. The
    // hidden cases' inputs can be regenerated from the release's own generator, but their outputs
    // exist only as seals, so they cannot enter the table.
    const pub = JSON.parse(readFileSync(join(release, 'grader', 'fixtures', 'public.json'), 'utf8')) as PublicFixtures;
    const sealedText = readFileSync(join(release, 'grader', 'fixtures', 'sealed.json'), 'utf8');
    expect(sealedText).not.toContain('"expected"');
    const table = entries(Object.values(pub.cases).flat() as GradingCase[]);
    expect(Object.keys(table.nn)).toHaveLength(2);
    const student = join(base, 'lookup');
    cpSync(join(release, 'exercises'), join(student, 'exercises'), { recursive: true });
    writeLookupSubmission(join(student, 'exercises'), table);

    const results = await gradeWithRelease(release, join(student, 'exercises'), SEEDS);
    expect(results.map((r) => r.seed).sort((a, b) => a - b)).toEqual(SEEDS);
    for (const r of results) {
      expect(r.reference, `seed ${r.seed}`).toBe('sealed');
      expect(r.parts, `seed ${r.seed}`).toEqual({
        'feedforward-cost': 0,
        'regularized-cost': 0,
        'sigmoid-gradient': 0,
        'backprop-gradient': 0,
        'regularized-gradient': 0,
        'numerical-gradient': 0,
        'random-init': 5,
      });
      expect(r.score).toBe(5);
    }
  }, 900_000);

  it('control: the same table holding the hidden answers (what an unsealed release gave away) scores 100', async () => {
    const seed = 7;
    const stored = loadStoredReference();
    const set = buildCaseSet(CASE_FAMILIES, seed, 3, { stored });
    const cases = Object.values(set).flat() as GradingCase[];
    for (const c of cases) fillExpected(reference, c);
    const student = join(base, 'control');
    cpSync(join(release, 'exercises'), join(student, 'exercises'), { recursive: true });
    writeLookupSubmission(join(student, 'exercises'), entries(cases));
    const [r] = await gradeWithRelease(release, join(student, 'exercises'), [seed]);
    expect(r.score).toBe(100);
  }, 300_000);
});

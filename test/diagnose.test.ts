/**
 * Diagnosis (issue 4): every catalogue mistake, written by hand into a fixture submission, is named
 * with its exact id on its part; correct submissions get no diagnosis; answers matching nothing get
 * structural blame only; two mistakes in one file are both named (or blamed). End to end through
 * grade() with a fixed seed, live reference and stored fixtures, plus unit tests of the detectors.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade, type PartEvaluation } from '../grader/api';
import { allClose, blockBlame, constantFactor, permutation, type BlameCase } from '../grader/diagnose/blame';
import { CATALOGUE_IDS } from '../grader/diagnose/catalogue';
import { decodeVariantOutput } from '../grader/diagnose/fixtures';
import { diagnose } from '../grader/diagnose/index';
import { resolveOptions } from '../grader/options';
import type { PartId } from '../grader/parts/ids';
import type { GradeReport } from '../grader/report/types';

const SUBMISSIONS = join(import.meta.dirname, 'fixtures', 'submissions');
const SEED = 20240;
const TOL = { atol: 1e-9, rtol: 1e-6 };

type Expect = Partial<Record<PartId, string[]>>;

/** Each catalogue mistake's fixture, and the diagnoses (exact ids) of its failed parts. */
const NAMED: Record<string, Expect> = {
  'mistake-reg-includes-bias': { 'regularized-cost': ['reg-includes-bias'], 'regularized-gradient': ['reg-includes-bias'] },
  'mistake-reg-wrong-scale': { 'regularized-cost': ['reg-wrong-scale'] },
  'mistake-reg-missing': { 'regularized-gradient': ['reg-missing'] },
  'mistake-missing-average': { 'feedforward-cost': ['missing-average'], 'regularized-cost': ['missing-average'] },
  'mistake-labels-not-one-hot': {
    'feedforward-cost': ['labels-not-one-hot'],
    'regularized-cost': ['labels-not-one-hot'],
    'backprop-gradient': ['labels-not-one-hot'],
    'regularized-gradient': ['labels-not-one-hot'],
  },
  'mistake-labels-off-by-one': {
    'feedforward-cost': ['labels-off-by-one'],
    'regularized-cost': ['labels-off-by-one'],
    'backprop-gradient': ['labels-off-by-one'],
    'regularized-gradient': ['labels-off-by-one'],
  },
  'mistake-squared-error-cost': { 'feedforward-cost': ['squared-error-cost'], 'regularized-cost': ['squared-error-cost'] },
  'mistake-sigmoid-gradient-of-activation': {
    'backprop-gradient': ['sigmoid-gradient-of-activation'],
    'regularized-gradient': ['sigmoid-gradient-of-activation'],
  },
  'mistake-grad-unrolled-row-major': { 'backprop-gradient': ['grad-unrolled-row-major'], 'regularized-gradient': ['grad-unrolled-row-major'] },
  'mistake-grad-sign-flipped': { 'backprop-gradient': ['grad-sign-flipped'], 'regularized-gradient': ['grad-sign-flipped'] },
  'mistake-sigmoid-gradient-formula': {
    'sigmoid-gradient': ['sigmoid-gradient-formula'],
    'backprop-gradient': ['sigmoid-gradient-formula'],
    'regularized-gradient': ['sigmoid-gradient-formula'],
  },
  'mistake-missing-bias-unit': {
    'feedforward-cost': ['missing-bias-unit'],
    'regularized-cost': ['missing-bias-unit'],
    'backprop-gradient': ['missing-bias-unit'],
    'regularized-gradient': ['missing-bias-unit'],
  },
  'mistake-rand-init-symmetric': { 'random-init': ['rand-init-symmetric'] },
  'mistake-rand-init-range': { 'random-init': ['rand-init-range'] },
  'mistake-rand-init-ignores-source': { 'random-init': ['rand-init-ignores-source'] },
  'mistake-numgrad-one-sided': { 'numerical-gradient': ['numgrad-one-sided'] },
  'mistake-numgrad-wrong-step': { 'numerical-gradient': ['numgrad-wrong-step'] },
  'mistake-numgrad-not-restored': { 'numerical-gradient': ['numgrad-not-restored'] },
};

const TWO = 'two-mistakes-activation-gradient-and-reg-bias';

/** Wrong answers that match nothing in the catalogue: the blame ids each failed part must carry. */
const UNMATCHED: Record<string, Expect> = {
  'unmatched-learning-rate-factor': {
    'backprop-gradient': ['blame:gradient-only', 'blame:constant-factor'],
    'regularized-gradient': ['blame:gradient-only', 'blame:constant-factor'],
  },
  'unmatched-theta2-leftover-term': {
    'backprop-gradient': ['blame:gradient-only', 'blame:theta2-gradient'],
    'regularized-gradient': ['blame:gradient-only', 'blame:theta2-gradient'],
  },
  // The engine's fixtures: Theta2's gradient not divided by m; the cost without its (1 − y) term.
  'wrong-backprop-gradient': {
    'backprop-gradient': ['blame:gradient-only', 'blame:theta2-gradient'],
    'regularized-gradient': ['blame:gradient-only', 'blame:theta2-gradient'],
  },
  'wrong-feedforward-cost': { 'feedforward-cost': ['blame:cost-only'], 'regularized-cost': ['blame:cost-only'] },
};

const reports = new Map<string, GradeReport>();
async function graded(folder: string, reference: 'auto' | 'sealed' = 'auto', extra: { onEvaluations?: (e: PartEvaluation[]) => void } = {}): Promise<GradeReport> {
  const key = `${folder}|${reference}`;
  const hit = reports.get(key);
  if (hit && !extra.onEvaluations) return hit;
  const r = await grade({ submission: join(SUBMISSIONS, folder), seed: SEED, reference }, extra);
  reports.set(key, r);
  return r;
}

/**
 * Diagnosis ids per part, for the parts that have any; the trace's own finding (blame:trace, the
 * line where the values first go wrong) is left out here and asserted in test/trace.test.ts.
 */
function ids(r: GradeReport): Expect {
  const out: Expect = {};
  for (const p of r.parts) {
    const named = p.diagnoses.filter((d) => d.id !== 'blame:trace').map((d) => d.id);
    if (named.length > 0) out[p.id] = named;
  }
  return out;
}

function failedParts(r: GradeReport): PartId[] {
  return r.parts.filter((p) => p.status !== 'passed').map((p) => p.id);
}

describe('each catalogue mistake is named on its part (live reference)', () => {
  it('covers the whole catalogue', () => {
    const named = new Set(Object.values(NAMED).flatMap((e) => Object.values(e).flat()));
    expect([...named].sort()).toEqual([...CATALOGUE_IDS].sort());
  });

  for (const [folder, expected] of Object.entries(NAMED)) {
    it(folder, async () => {
      const r = await graded(folder);
      expect(failedParts(r).sort()).toEqual(Object.keys(expected).sort());
      expect(ids(r)).toEqual(expected);
      for (const p of r.parts) {
        for (const d of p.diagnoses) {
          expect(d.message.length).toBeGreaterThan(20);
          // Catalogue mistakes link to their own anchor; the trace's finding to the section of its step.
          expect(d.hint).toMatch(d.id.startsWith('blame:') ? /exercises\/GUIDE\.md#[a-z-]+$/ : /exercises\/GUIDE\.md#mistake-[a-z-]+$/);
        }
      }
    }, 30_000);
  }
});

describe('structural blame', () => {
  for (const [folder, expected] of Object.entries(UNMATCHED)) {
    it(`${folder}: blame only, never a catalogue id`, async () => {
      const r = await graded(folder);
      expect(ids(r)).toEqual(expected);
      const all = r.parts.flatMap((p) => p.diagnoses.map((d) => d.id));
      expect(all.every((id) => id.startsWith('blame:'))).toBe(true);
    }, 30_000);
  }

  it('says which factor and which block', async () => {
    const rate = await graded('unmatched-learning-rate-factor');
    const f = rate.parts.find((p) => p.id === 'backprop-gradient')?.diagnoses.find((d) => d.id === 'blame:constant-factor');
    expect(f?.message).toContain('0.37');
    const m = await graded('wrong-backprop-gradient');
    const t2 = m.parts.find((p) => p.id === 'backprop-gradient')?.diagnoses.find((d) => d.id === 'blame:theta2-gradient');
    expect(t2?.message).toContain('Only the Theta2 part of grad');
    expect(t2?.message).toContain('(×m)');
  }, 30_000);
});

describe('two mistakes in one file', () => {
  it('names both (a pair of variants) on the part that shows both, live', async () => {
    const r = await graded(TWO);
    expect(ids(r)).toEqual({
      'backprop-gradient': ['sigmoid-gradient-of-activation'],
      'regularized-gradient': ['sigmoid-gradient-of-activation', 'reg-includes-bias'],
    });
  }, 30_000);

  it('names both or gives blame from the sealed fixtures (no pairs stored)', async () => {
    const r = await graded(TWO, 'sealed');
    const reg = ids(r)['regularized-gradient'] ?? [];
    const both = reg.includes('sigmoid-gradient-of-activation') && reg.includes('reg-includes-bias');
    expect(both || (reg.length > 0 && reg.every((id) => id.startsWith('blame:')))).toBe(true);
    expect(ids(r)['backprop-gradient']).toEqual(['sigmoid-gradient-of-activation']);
  }, 30_000);
});

describe('correct submissions get no diagnosis at all', () => {
  for (const folder of ['correct-vectorized', 'correct-loop', 'correct-plain-arrays']) {
    it(folder, async () => {
      let evaluations: PartEvaluation[] = [];
      const r = await graded(folder, 'auto', { onEvaluations: (e) => (evaluations = e) });
      expect(r.score).toBe(r.maxScore);
      expect(r.parts.flatMap((p) => p.diagnoses)).toEqual([]);
      // The stage itself finds nothing to say either (not only the report hiding it).
      const { loadReference } = await import('../grader/reference/load');
      const map = await diagnose(evaluations, { reference: await loadReference(), options: resolveOptions({ submission: folder, seed: SEED }), seed: SEED });
      expect(map.size).toBe(0);
    }, 30_000);
  }
});

describe('sealed mode (no solutions/): public variants in the clear, hidden ones sealed', () => {
  const sample = ['mistake-reg-includes-bias', 'mistake-labels-off-by-one', 'mistake-grad-unrolled-row-major', 'mistake-sigmoid-gradient-formula', 'mistake-numgrad-one-sided', 'mistake-numgrad-wrong-step', 'mistake-rand-init-range', 'mistake-missing-average'];
  for (const folder of sample) {
    it(folder, async () => {
      const r = await graded(folder, 'sealed');
      expect(r.reference).toBe('sealed');
      expect(ids(r)).toEqual(NAMED[folder]);
    }, 30_000);
  }
  // Each catalogue mistake still fails exactly its parts when the hidden cases are sealed.
  for (const [folder, expected] of Object.entries(NAMED)) {
    it(`${folder} fails the same parts`, async () => {
      const r = await graded(folder, 'sealed');
      expect(r.reference).toBe('sealed');
      expect(failedParts(r).sort()).toEqual(Object.keys(expected).sort());
      // A sealed hidden case never carries an expected value.
      for (const c of r.parts.flatMap((p) => p.cases.filter((x) => x.hidden && x.sealed))) {
        expect(c.worst, c.name).toBeUndefined();
        expect(c.diff, c.name).toBeUndefined();
      }
    }, 30_000);
  }

  it('unmatched answers still get blame only', async () => {
    const r = await graded('unmatched-theta2-leftover-term', 'sealed');
    expect(ids(r)).toEqual(UNMATCHED['unmatched-theta2-leftover-term']);
  }, 30_000);
});

describe('options and edge paths', () => {
  const tmp: string[] = [];
  afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('diagnose: false turns the stage off', async () => {
    const r = await grade({ submission: join(SUBMISSIONS, 'mistake-grad-sign-flipped'), seed: SEED, diagnose: false });
    expect(r.parts.flatMap((p) => p.diagnoses)).toEqual([]);
    expect(failedParts(r).length).toBe(2);
  }, 30_000);

  it('estimates an unusual numerical-gradient step (e = 0.003) from the numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpg-diag-'));
    tmp.push(dir);
    cpSync(join(SUBMISSIONS, 'correct-vectorized', 'exercises'), join(dir, 'exercises'), { recursive: true });
    const src = readFileSync(join(SUBMISSIONS, 'mistake-numgrad-wrong-step', 'exercises', 'computeNumericalGradient.ts'), 'utf8');
    writeFileSync(join(dir, 'exercises', 'computeNumericalGradient.ts'), src.replace('const e = 0.001;', 'const e = 0.003;'));
    const r = await grade({ submission: dir, seed: SEED });
    const d = r.parts.find((p) => p.id === 'numerical-gradient')?.diagnoses ?? [];
    expect(d.map((x) => x.id)).toEqual(['numgrad-wrong-step']);
    expect(d[0].message).toContain('e = 0.003');
  }, 30_000);

  it('names numgrad-not-restored when the caller\'s theta is left changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpg-diag-'));
    tmp.push(dir);
    cpSync(join(SUBMISSIONS, 'correct-vectorized', 'exercises'), join(dir, 'exercises'), { recursive: true });
    // Perturbs the caller's array in place and "restores" by arithmetic, which rounding does not undo.
    writeFileSync(
      join(dir, 'exercises', 'computeNumericalGradient.ts'),
      `export function computeNumericalGradient(J: (theta: Float64Array) => number, theta: Float64Array): Float64Array {
  const e = 1e-4;
  const numgrad = new Float64Array(theta.length);
  for (let p = 0; p < theta.length; p++) {
    theta[p] += e;
    const up = J(theta);
    theta[p] -= 2 * e;
    const down = J(theta);
    theta[p] += e;
    numgrad[p] = (up - down) / (2 * e);
  }
  return numgrad;
}
`,
    );
    const r = await grade({ submission: dir, seed: SEED });
    const part = r.parts.find((p) => p.id === 'numerical-gradient');
    expect(part?.status).toBe('failed');
    expect(part?.diagnoses.map((x) => x.id)).toEqual(['numgrad-not-restored']);
  }, 30_000);
});

describe('blame detectors on synthetic vectors', () => {
  const c = (got: number[], expected: number[], m?: number): BlameCase => ({ got, expected, tol: TOL, m });
  const e1 = [0.5, -1.25, 2, 0.125, -3];
  const e2 = [1.5, 0.25, -0.75, 4];

  it('constantFactor: a consistent ratio, named or as a number', () => {
    expect(constantFactor([c(e1.map((x) => 0.37 * x), e1), c(e2.map((x) => 0.37 * x), e2)])?.label).toBe('×0.37');
    expect(constantFactor([c(e1.map((x) => -x), e1)])?.label).toBe('×−1');
    expect(constantFactor([c(e1.map((x) => 2 * x), e1), c(e2.map((x) => 2 * x), e2)])?.label).toBe('×2');
    expect(constantFactor([c(e1.map((x) => 0.5 * x), e1)])?.label).toBe('×1/2');
    expect(constantFactor([c(e1.map((x) => 5 * x), e1, 5), c(e2.map((x) => 9 * x), e2, 9)])?.label).toBe('×m');
    expect(constantFactor([c(e1.map((x) => x / 5), e1, 5), c(e2.map((x) => x / 9), e2, 9)])?.label).toBe('÷m');
  });

  it('constantFactor: none for inconsistent ratios, the right answer, or a single scalar', () => {
    expect(constantFactor([c(e1.map((x) => 2 * x), e1), c(e2.map((x) => 3 * x), e2)])).toBeNull();
    expect(constantFactor([c(e1.map((x, i) => (i === 0 ? 2 * x : x)), e1)])).toBeNull();
    expect(constantFactor([c(e1, e1)])).toBeNull();
    expect(constantFactor([c([0.7], [0.35])])).toBeNull();
    expect(constantFactor([c([0.7], [0.35]), c([1.2], [0.6])])?.label).toBe('×2');
  });

  it('permutation: row-major unrolling, swapped blocks, unknown orders, and non-permutations', () => {
    // Theta1 2×3 and Theta2 1×3, column-major.
    const blocks = [
      { name: 'Theta1', rows: 2, columns: 3 },
      { name: 'Theta2', rows: 1, columns: 3 },
    ];
    const e = [1, 2, 3, 4, 5, 6, 7, 8, 9]; // Theta1 = [1 3 5; 2 4 6]
    const rowMajor = [1, 3, 5, 2, 4, 6, 7, 8, 9];
    expect(permutation([c(rowMajor, e)], () => blocks)).toEqual({ mapping: 'row-major' });
    expect(permutation([c([7, 8, 9, 1, 2, 3, 4, 5, 6], e)], () => blocks)).toEqual({ mapping: 'blocks-swapped' });
    expect(permutation([c([...e].reverse(), e)], () => blocks)).toEqual({ mapping: 'reversed' });
    expect(permutation([c([2, 1, 3, 4, 5, 6, 7, 8, 9], e)], () => blocks)).toEqual({});
    expect(permutation([c([1, 2, 3, 4, 5, 6, 7, 8, 10], e)], () => blocks)).toBeNull();
    expect(permutation([c(e, e)], () => blocks)).toBeNull();
  });

  it('blockBlame: one block, bias columns only, both blocks', () => {
    const blocks = () => [
      { name: 'Theta1', rows: 2, columns: 3 },
      { name: 'Theta2', rows: 1, columns: 3 },
    ];
    const e = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const theta2Doubled = [1, 2, 3, 4, 5, 6, 14, 16, 18];
    const b1 = blockBlame([c(theta2Doubled, e)], blocks);
    expect(b1.wrongBlocks).toEqual([1]);
    expect(b1.biasOnly).toBe(false);
    expect(b1.factor?.label).toBe('×2');
    const bias = blockBlame([c([0, 0, 3, 4, 5, 6, 0, 8, 9], e)], blocks);
    expect(bias).toMatchObject({ wrongBlocks: [0, 1], biasOnly: true, wrongBiasBlocks: [0, 1] });
    expect(blockBlame([c([1, 2, 3, 4, 5, 7, 7, 8, 10], e)], blocks)).toMatchObject({ wrongBlocks: [0, 1], biasOnly: false });
  });

  it('allClose uses the grader\'s rule |got − expected| <= atol + rtol·|expected|', () => {
    expect(allClose([1 + 5e-7], [1], TOL)).toBe(true);
    expect(allClose([1 + 5e-6], [1], TOL)).toBe(false);
    expect(allClose([Number.NaN], [1], TOL)).toBe(false);
  });

  it('stored vectors decode within the default tolerance', async () => {
    const { loadPublicFixtures } = await import('../grader/reference/fixtures');
    const fx = loadPublicFixtures();
    const c0 = fx.cases['nn-unreg']?.[0];
    const stored = c0 ? fx.variants[c0.id]?.['grad:gradSignFlipped'] : undefined;
    expect(stored).toBeTypeOf('string');
    const grad = decodeVariantOutput(stored as string);
    expect(grad.length).toBe(c0?.family === 'nn-unreg' ? c0.expected?.grad.length : -1);
  });
});

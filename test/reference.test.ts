import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { debugInitializeWeights } from '../exercises/lib/debugInitializeWeights';
import { seededRandom } from '../exercises/lib/random';
import {
  MISTAKE_OPTION_KEYS,
  type MistakeOptions,
  referenceCostFunction,
  referenceNumericalGradient,
  referenceRandInitializeWeights,
  referenceSigmoidGradient,
} from '../solutions/reference';
import * as solutions from '../solutions/index';

// ---- The Coursera grader's public case (DESIGN.md) ----------------------------------------------
// Xm = reshape(sin(1:32), 16, 2) / 5; ym = 1 + mod(1:16, 4)'; t1 = sin(reshape(1:2:24, 4, 3));
// t2 = cos(reshape(1:2:40, 4, 5)); t = [t1(:); t2(:)]; network 2-4-4.
const n = 2;
const h = 4;
const K = 4;
const m = 16;
const Xm = new Matrix(m, n);
for (let p = 0; p < 32; p++) Xm.set(p % m, Math.floor(p / m), Math.sin(p + 1) / 5);
const ym = Array.from({ length: m }, (_, i) => 1 + ((i + 1) % 4));
// t1(:) = sin(1:2:24), t2(:) = cos(1:2:40): column-major order is the order of the ranges.
const t = Float64Array.from([
  ...Array.from({ length: 12 }, (_, p) => Math.sin(1 + 2 * p)),
  ...Array.from({ length: 20 }, (_, p) => Math.cos(1 + 2 * p)),
]);

/**
 * The cost and gradient computed the slow, obvious way: one example at a time, scalars only, no
 * kit helper. Theta(r, c) is read straight from the column-major vector.
 */
function loopCostFunction(params: Float64Array, X: Matrix, y: number[], lambda: number): { J: number; grad: number[] } {
  const th1 = (r: number, c: number) => params[c * h + r]; // h×(n+1)
  const off = h * (n + 1);
  const th2 = (r: number, c: number) => params[off + c * K + r]; // K×(h+1)
  const g = (z: number) => 1 / (1 + Math.exp(-z));
  const D1 = Array.from({ length: h }, () => new Array<number>(n + 1).fill(0));
  const D2 = Array.from({ length: K }, () => new Array<number>(h + 1).fill(0));
  const M = X.rows;
  let J = 0;
  for (let i = 0; i < M; i++) {
    const a1 = [1, ...X.getRow(i)];
    const z2: number[] = [];
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let p = 0; p <= n; p++) s += th1(j, p) * a1[p];
      z2.push(s);
    }
    const a2 = [1, ...z2.map(g)];
    const a3: number[] = [];
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let p = 0; p <= h; p++) s += th2(k, p) * a2[p];
      a3.push(g(s));
    }
    const yk = Array.from({ length: K }, (_, k) => (y[i] === k + 1 ? 1 : 0));
    for (let k = 0; k < K; k++) J += -yk[k] * Math.log(a3[k]) - (1 - yk[k]) * Math.log(1 - a3[k]);
    const d3 = a3.map((a, k) => a - yk[k]);
    const d2: number[] = [];
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += th2(k, j + 1) * d3[k];
      d2.push(s * g(z2[j]) * (1 - g(z2[j])));
    }
    for (let j = 0; j < h; j++) for (let p = 0; p <= n; p++) D1[j][p] += d2[j] * a1[p];
    for (let k = 0; k < K; k++) for (let p = 0; p <= h; p++) D2[k][p] += d3[k] * a2[p];
  }
  J /= M;
  let reg = 0;
  for (let j = 0; j < h; j++) for (let p = 1; p <= n; p++) reg += th1(j, p) ** 2;
  for (let k = 0; k < K; k++) for (let p = 1; p <= h; p++) reg += th2(k, p) ** 2;
  J += (lambda / (2 * M)) * reg;
  const grad: number[] = [];
  for (let c = 0; c <= n; c++) for (let r = 0; r < h; r++) grad.push(D1[r][c] / M + (c > 0 ? (lambda / M) * th1(r, c) : 0));
  for (let c = 0; c <= h; c++) for (let r = 0; r < K; r++) grad.push(D2[r][c] / M + (c > 0 ? (lambda / M) * th2(r, c) : 0));
  return { J, grad };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('the Coursera public case', () => {
  it.each([0, 1.5])('vectorized reference = per-example loop at λ = %d (1e-12)', (lambda) => {
    const expected = loopCostFunction(t, Xm, ym, lambda);
    const got = solutions.nnCostFunction(t, n, h, K, Xm, ym, lambda);
    expect(got.grad).toHaveLength(32);
    expect(Math.abs(got.J - expected.J)).toBeLessThan(1e-12);
    expect(maxAbsDiff(got.grad, expected.grad)).toBeLessThan(1e-12);
    // sanity: a real, non-trivial cost (a log-loss over 4 outputs is a few units here)
    expect(got.J).toBeGreaterThan(1);
    expect(got.J).toBeLessThan(20);
  });

  it('does not modify its inputs', () => {
    const params = Float64Array.from(t);
    const X = Xm.clone();
    const y = [...ym];
    solutions.nnCostFunction(params, n, h, K, X, y, 1.5);
    expect(params).toEqual(t);
    expect(X.to2DArray()).toEqual(Xm.to2DArray());
    expect(y).toEqual(ym);
  });
});

// ---- Every mistake switch changes what it concerns, and only that ----------------------------------

const lambda = 1.5;
const correct = referenceCostFunction(t, n, h, K, Xm, ym, lambda);
const costOf = (mistakes: MistakeOptions) => referenceCostFunction(t, n, h, K, Xm, ym, lambda, mistakes);

describe('MistakeOptions of the cost function', () => {
  // [options, does J change, does grad change]
  const cases: [string, MistakeOptions, boolean, boolean][] = [
    ['regIncludesBias cost', { regIncludesBias: 'cost' }, true, false],
    ['regIncludesBias grad', { regIncludesBias: 'grad' }, false, true],
    ['regIncludesBias both', { regIncludesBias: 'both' }, true, true],
    ['regWrongScale cost', { regWrongScale: 'cost' }, true, false],
    ['regWrongScale grad', { regWrongScale: 'grad' }, false, true],
    ['regWrongScale both', { regWrongScale: 'both' }, true, true],
    ['regWrongScale {grad: m}', { regWrongScale: { grad: m } }, false, true],
    ['regMissing cost', { regMissing: 'cost' }, true, false],
    ['regMissing grad', { regMissing: 'grad' }, false, true],
    ['regMissing both', { regMissing: 'both' }, true, true],
    ['missingAverage cost', { missingAverage: 'cost' }, true, false],
    ['missingAverage grad', { missingAverage: 'grad' }, false, true],
    ['missingAverage both', { missingAverage: 'both' }, true, true],
    ['labelsNotOneHot', { labelsNotOneHot: true }, true, true],
    ['labelsOffByOne', { labelsOffByOne: true }, true, true],
    ['squaredErrorCost', { squaredErrorCost: true }, true, false],
    ['squaredErrorCost 1', { squaredErrorCost: 1 }, true, false],
    ['sigmoidGradientOfActivation', { sigmoidGradientOfActivation: true }, false, true],
    ['gradUnrolledRowMajor', { gradUnrolledRowMajor: true }, false, true],
    ['gradSignFlipped', { gradSignFlipped: true }, false, true],
    ['missingBiasUnit a1', { missingBiasUnit: 'a1' }, true, true],
    ['missingBiasUnit a2', { missingBiasUnit: 'a2' }, true, true],
    ['sigmoidGradientFormula', { sigmoidGradientFormula: true }, false, true],
  ];
  it.each(cases)('%s', (_name, mistakes, jChanges, gradChanges) => {
    const r = costOf(mistakes);
    expect(r.grad).toHaveLength(32);
    if (jChanges) expect(Math.abs(r.J - correct.J)).toBeGreaterThan(1e-6);
    else expect(r.J).toBe(correct.J);
    if (gradChanges) expect(maxAbsDiff(r.grad, correct.grad)).toBeGreaterThan(1e-6);
    else expect(Array.from(r.grad)).toEqual(Array.from(correct.grad));
  });

  it('computes the documented quantities', () => {
    const m2 = m;
    // regWrongScale 'cost' doubles the regularization term; missingAverage 'cost' multiplies the data term by m.
    const noReg = costOf({ regMissing: 'cost' }).J;
    expect(costOf({ regWrongScale: 'cost' }).J - noReg).toBeCloseTo(2 * (correct.J - noReg), 12);
    expect(costOf({ missingAverage: 'cost' }).J - (correct.J - noReg)).toBeCloseTo(m2 * noReg, 10);
    // grad-sign-flipped negates the data term only; reg-missing grad is the data term.
    const dataGrad = costOf({ regMissing: 'grad' }).grad;
    const flipped = costOf({ gradSignFlipped: true }).grad;
    expect(maxAbsDiff(flipped.map((g, p) => g - (correct.grad[p] - dataGrad[p])), dataGrad.map((g) => -g))).toBeLessThan(1e-15);
    // row-major unrolling is a permutation of the same numbers.
    expect(Array.from(costOf({ gradUnrolledRowMajor: true }).grad).sort()).toEqual(Array.from(correct.grad).sort());
    // the first Theta1 block without a bias unit in a1: its bias column (entries 0..h-1) has a zero data gradient.
    expect(Array.from(costOf({ missingBiasUnit: 'a1', regMissing: 'grad' }).grad.slice(0, h))).toEqual([0, 0, 0, 0]);
  });

  it('exports the list of option keys', () => {
    expect(MISTAKE_OPTION_KEYS).toHaveLength(18);
  });
});

describe('MistakeOptions of sigmoidGradient', () => {
  it('sigmoidGradientFormula computes z(1 - z)', () => {
    const z = new Matrix([[-1, 0, 0.5, 2]]);
    expect(referenceSigmoidGradient(z, { sigmoidGradientFormula: true }).to1DArray()).toEqual([-2, 0, 0.25, -2]);
    expect(referenceSigmoidGradient(z).get(0, 1)).toBe(0.25);
  });
});

describe('MistakeOptions of randInitializeWeights', () => {
  const good = referenceRandInitializeWeights(3, 4, seededRandom(5));
  it('randInitSymmetric: every weight equal', () => {
    expect(referenceRandInitializeWeights(3, 4, seededRandom(5), { randInitSymmetric: true }).to1DArray()).toEqual(new Array(16).fill(0));
    expect(referenceRandInitializeWeights(3, 4, seededRandom(5), { randInitSymmetric: 0.1 }).to1DArray()).toEqual(new Array(16).fill(0.1));
  });
  it('randInitRange: uncentred or a different ε', () => {
    const uncentred = referenceRandInitializeWeights(3, 4, seededRandom(5), { randInitRange: true }).to1DArray();
    uncentred.forEach((w, p) => expect(w).toBeCloseTo(good.to1DArray()[p] + 0.12, 14));
    const wide = referenceRandInitializeWeights(3, 4, seededRandom(5), { randInitRange: { epsilon: 1 } }).to1DArray();
    wide.forEach((w, p) => expect(w).toBeCloseTo(good.to1DArray()[p] / 0.12, 12));
  });
  it('randInitIgnoresSource: never calls random', () => {
    let calls = 0;
    const W = referenceRandInitializeWeights(3, 4, () => (calls++, 0.5), { randInitIgnoresSource: true });
    expect(calls).toBe(0);
    expect(W.to1DArray().some((w) => w !== 0)).toBe(true);
  });
});

describe('MistakeOptions of computeNumericalGradient', () => {
  // The small network of checkNNGradients: J has cross terms, so every variant differs.
  const T1 = debugInitializeWeights(5, 3);
  const T2 = debugInitializeWeights(3, 5);
  const X = debugInitializeWeights(5, 2);
  const y = [2, 3, 1, 2, 3];
  const theta = Float64Array.from([...T1.to1DArray(), ...T2.to1DArray()]); // any fixed point will do
  const J = (p: Float64Array) => referenceCostFunction(p, 3, 5, 3, X, y, 3).J;
  const central = referenceNumericalGradient(J, theta);

  it.each<[string, MistakeOptions]>([
    ['forward', { numgradOneSided: 'forward' }],
    ['backward', { numgradOneSided: 'backward' }],
    ['step 1e-2', { numgradStep: 1e-2 }],
    ['not restored', { numgradNotRestored: true }],
    ['not restored, cumulative', { numgradNotRestored: 'cumulative' }],
  ])('%s differs from central differences and leaves theta alone', (_name, mistakes) => {
    const copy = Float64Array.from(theta);
    const g = referenceNumericalGradient(J, copy, mistakes);
    expect(copy).toEqual(theta);
    expect(maxAbsDiff(g, central)).toBeGreaterThan(1e-9); // central noise at e = 1e-4 is ~1e-11
  });

  it('forward and backward average to the central difference', () => {
    const f = referenceNumericalGradient(J, theta, { numgradOneSided: 'forward' });
    const b = referenceNumericalGradient(J, theta, { numgradOneSided: 'backward' });
    expect(maxAbsDiff(f.map((v, p) => (v + b[p]) / 2), central)).toBeLessThan(1e-10);
  });

  it('the first entry is unaffected by a missing restore', () => {
    const g = referenceNumericalGradient(J, theta, { numgradNotRestored: true });
    expect(g[0]).toBe(central[0]);
  });
});

describe('solutions/index.ts and the grader\'s Reference contract', () => {
  it('exports every function the grader calls through loadReference()', async () => {
    const solutions = await import('../solutions/index');
    // A type error here means grader/reference/contract.ts and solutions/ have drifted apart.
    const asReference: import('../grader/reference/contract').Reference = solutions;
    for (const name of [
      'nnCostFunction', 'sigmoidGradient', 'randInitializeWeights', 'computeNumericalGradient',
      'referenceCostFunction', 'referenceSigmoidGradient', 'referenceRandInitializeWeights', 'referenceNumericalGradient',
    ] as const) {
      expect(typeof asReference[name]).toBe('function');
    }
  });
});

/**
 * The ONE reference implementation of the exercise, parameterised by `MistakeOptions` so that the
 * grader's diagnosis can evaluate "the reference with one known mistake applied" (issue 4's
 * catalogue). Every option is a small switch at the line where a student makes that mistake; with
 * no options (the default) this is the correct solution. It uses only the students' helpers.
 */
import { Matrix } from 'ml-matrix';
import {
  addBiasColumn,
  dropFirstColumn,
  log,
  minus,
  mtimes,
  oneHot,
  power,
  rdivide,
  reshape,
  sigmoid,
  sumAll,
  times,
  transpose,
  unroll,
  zeroFirstColumn,
  plus,
} from '../exercises/lib/matrix';

// The mistake catalogue's type lives with the grader (types only, no math), so that a student
// release without solutions/ still type-checks.
import type { CostOrGrad, MistakeOptions } from '../grader/reference/contract';
export type { CostOrGrad, MistakeOptions };

/** The keys of MistakeOptions (for validation and enumeration by the diagnosis stage). */
export const MISTAKE_OPTION_KEYS = [
  'regIncludesBias',
  'regWrongScale',
  'regMissing',
  'missingAverage',
  'labelsNotOneHot',
  'labelsOffByOne',
  'squaredErrorCost',
  'sigmoidGradientOfActivation',
  'gradUnrolledRowMajor',
  'gradSignFlipped',
  'missingBiasUnit',
  'sigmoidGradientFormula',
  'randInitSymmetric',
  'randInitRange',
  'randInitIgnoresSource',
  'numgradOneSided',
  'numgradStep',
  'numgradNotRestored',
] as const satisfies readonly (keyof MistakeOptions)[];

const NO_MISTAKES: MistakeOptions = Object.freeze({});

/** True when a CostOrGrad switch covers the given quantity. */
const hits = (opt: CostOrGrad | undefined, what: 'cost' | 'grad'): boolean => opt === what || opt === 'both';

/** The correct regularization coefficient times the multiplier a reg-wrong-scale mistake applies. */
function regScale(mistakes: MistakeOptions, what: 'cost' | 'grad'): number {
  const w = mistakes.regWrongScale;
  if (w === undefined) return 1;
  if (typeof w === 'object') return w[what] ?? 1;
  if (!hits(w, what)) return 1;
  return what === 'cost' ? 2 : 0.5; // λ/m in the cost, λ/(2m) in the gradient
}

/**
 * `sigmoidGradient(z) = g(z) .* (1 − g(z))`, element-wise.
 * @param z any shape; not modified.  @returns a new matrix of z's shape.
 */
export function referenceSigmoidGradient(z: Matrix, mistakes: MistakeOptions = NO_MISTAKES): Matrix {
  const g = mistakes.sigmoidGradientFormula ? z : sigmoid(z);
  return times(g, minus(1, g));
}

/**
 * The unrolled `{ J, grad }` of the 2-layer network (see exercises/nnCostFunction.ts for the
 * contract): nnParams = [Theta1(:); Theta2(:)], X m×n without bias, y labels 1..K.
 */
export function referenceCostFunction(
  nnParams: ArrayLike<number>,
  inputLayerSize: number,
  hiddenLayerSize: number,
  numLabels: number,
  X: Matrix,
  y: ArrayLike<number>,
  lambda: number,
  mistakes: MistakeOptions = NO_MISTAKES,
): { J: number; grad: Float64Array } {
  return costAndGradient(nnParams, inputLayerSize, hiddenLayerSize, numLabels, X, y, lambda, mistakes, () => undefined);
}

/**
 * The named intermediate values of referenceCostFunction on the same arguments (names: see
 * grader/diagnose/intermediates.ts INTERMEDIATES), for matching a student's trace against them.
 */
export function referenceIntermediates(
  nnParams: ArrayLike<number>,
  inputLayerSize: number,
  hiddenLayerSize: number,
  numLabels: number,
  X: Matrix,
  y: ArrayLike<number>,
  lambda: number,
  mistakes: MistakeOptions = NO_MISTAKES,
): Record<string, Matrix | number | Float64Array> {
  const out: Record<string, Matrix | number | Float64Array> = {};
  costAndGradient(nnParams, inputLayerSize, hiddenLayerSize, numLabels, X, y, lambda, mistakes, (name, value) => {
    out[name] = value;
  });
  return out;
}

/** The one body of the cost function; `note` receives each named intermediate as it is computed. */
function costAndGradient(
  nnParams: ArrayLike<number>,
  inputLayerSize: number,
  hiddenLayerSize: number,
  numLabels: number,
  X: Matrix,
  y: ArrayLike<number>,
  lambda: number,
  mistakes: MistakeOptions,
  note: <T extends Matrix | number | Float64Array>(name: string, value: T) => void,
): { J: number; grad: Float64Array } {
  const named = <T extends Matrix | number | Float64Array>(name: string, value: T): T => {
    note(name, value);
    return value;
  };
  const Theta1 = named('Theta1', reshape(nnParams, hiddenLayerSize, inputLayerSize + 1));
  const Theta2 = named('Theta2', reshape(nnParams, numLabels, hiddenLayerSize + 1, hiddenLayerSize * (inputLayerSize + 1)));
  const m = X.rows;
  const noBias1 = mistakes.missingBiasUnit === 'a1' || mistakes.missingBiasUnit === 'both';
  const noBias2 = mistakes.missingBiasUnit === 'a2' || mistakes.missingBiasUnit === 'both';

  // Part 1: feedforward and cost.
  const a1 = named('a1', noBias1 ? X : addBiasColumn(X));
  const z2 = named('z2', mtimes(a1, transpose(noBias1 ? dropFirstColumn(Theta1) : Theta1)));
  const a2 = named('a2', noBias2 ? sigmoid(z2) : addBiasColumn(sigmoid(z2)));
  const z3 = named('z3', mtimes(a2, transpose(noBias2 ? dropFirstColumn(Theta2) : Theta2)));
  const a3 = named('a3', sigmoid(z3));
  const Y = named('Y', labelMatrix(y, numLabels, mistakes));
  const sq = mistakes.squaredErrorCost;
  const costTerms = named(
    'costTerms',
    sq ? times(sq === true ? 0.5 : sq, power(minus(a3, Y), 2)) : minus(times(times(-1, Y), log(a3)), times(minus(1, Y), log(minus(1, a3)))),
  );
  const costSum = named('costSum', sumAll(costTerms));
  let J = named('Jdata', hits(mistakes.missingAverage, 'cost') ? costSum : costSum / m);

  // Part 2: regularized cost.
  if (!hits(mistakes.regMissing, 'cost')) {
    const biasToo = hits(mistakes.regIncludesBias, 'cost');
    const w1 = named('Theta1NoBias', biasToo ? Theta1 : dropFirstColumn(Theta1));
    const w2 = named('Theta2NoBias', biasToo ? Theta2 : dropFirstColumn(Theta2));
    const reg1 = named('reg1', sumAll(power(w1, 2)));
    const reg2 = named('reg2', sumAll(power(w2, 2)));
    J += named('Jreg', ((regScale(mistakes, 'cost') * lambda) / (2 * m)) * (reg1 + reg2));
  }
  named('J', J);

  // Part 3: backpropagation.
  const d3 = named('d3', mistakes.gradSignFlipped ? minus(Y, a3) : minus(a3, Y));
  const gPrime = named('gz2', referenceSigmoidGradient(mistakes.sigmoidGradientOfActivation ? sigmoid(z2) : z2, mistakes));
  const d2 = named('d2', times(mtimes(d3, dropFirstColumn(Theta2)), gPrime));
  const avg = hits(mistakes.missingAverage, 'grad') ? 1 : m;
  const Delta1 = named('Delta1', mtimes(transpose(d2), a1));
  const Delta2 = named('Delta2', mtimes(transpose(d3), a2));
  let Theta1Grad = rdivide(Delta1, avg);
  let Theta2Grad = rdivide(Delta2, avg);
  // Without a bias unit, the bias column never took part: its gradient is 0.
  if (noBias1) Theta1Grad = zeroBiasGradient(Theta1Grad);
  if (noBias2) Theta2Grad = zeroBiasGradient(Theta2Grad);
  named('Theta1GradData', Theta1Grad);
  named('Theta2GradData', Theta2Grad);

  // Part 4: regularized gradient.
  if (!hits(mistakes.regMissing, 'grad')) {
    const biasToo = hits(mistakes.regIncludesBias, 'grad');
    const c = (regScale(mistakes, 'grad') * lambda) / m;
    Theta1Grad = plus(Theta1Grad, named('Theta1Reg', times(c, biasToo ? Theta1 : zeroFirstColumn(Theta1))));
    Theta2Grad = plus(Theta2Grad, named('Theta2Reg', times(c, biasToo ? Theta2 : zeroFirstColumn(Theta2))));
  }
  named('Theta1Grad', Theta1Grad);
  named('Theta2Grad', Theta2Grad);

  const grad = named('grad', mistakes.gradUnrolledRowMajor ? unrollRowMajor(Theta1Grad, Theta2Grad) : unroll(Theta1Grad, Theta2Grad));
  return { J, grad };
}

/** Y (m×K): one-hot labels, or the labels mistake asked for. */
function labelMatrix(y: ArrayLike<number>, K: number, mistakes: MistakeOptions): Matrix {
  if (mistakes.labelsNotOneHot) return labelsAsNumbers(y, K);
  if (mistakes.labelsOffByOne) return oneHotShifted(y, K, mistakes.labelsOffByOne === 'wrap');
  return oneHot(y, K);
}

/** The ±0.12 range of the exercise's random initialisation. */
export const EPSILON_INIT = 0.12;

/**
 * `W = rand(lOut, 1 + lIn) * 2 * ε − ε` with ε = 0.12, drawing `random()` row by row (like
 * ml-matrix's `Matrix.rand(rows, cols, { random })`). @returns lOut×(1 + lIn).
 */
export function referenceRandInitializeWeights(
  lIn: number,
  lOut: number,
  random: () => number = Math.random,
  mistakes: MistakeOptions = NO_MISTAKES,
): Matrix {
  if (mistakes.randInitSymmetric !== undefined && mistakes.randInitSymmetric !== false) {
    const v = mistakes.randInitSymmetric === true ? 0 : mistakes.randInitSymmetric;
    return Matrix.zeros(lOut, 1 + lIn).fill(v);
  }
  const source = mistakes.randInitIgnoresSource ? Math.random : random;
  const range = mistakes.randInitRange === true ? { centred: false } : mistakes.randInitRange || {};
  const eps = range.epsilon ?? EPSILON_INIT;
  const W = times(times(Matrix.rand(lOut, 1 + lIn, { random: source }), 2), eps);
  return range.centred === false ? W : minus(W, eps);
}

/** The central-difference step of the exercise. */
export const NUMGRAD_EPSILON = 1e-4;

/**
 * Central differences `(J(θ + e·u_p) − J(θ − e·u_p)) / (2e)`, e = 1e-4, for every p, in the
 * order of computeNumericalGradient.m (θ − e first). `theta` is never modified.
 * @returns a new Float64Array of theta's length.
 */
export function referenceNumericalGradient(
  J: (theta: Float64Array) => number,
  theta: ArrayLike<number>,
  mistakes: MistakeOptions = NO_MISTAKES,
): Float64Array {
  const e = mistakes.numgradStep ?? NUMGRAD_EPSILON;
  const n = theta.length;
  const numgrad = new Float64Array(n);
  const t = Float64Array.from(theta);
  const notRestored = mistakes.numgradNotRestored;
  const cumulative = notRestored === 'cumulative';
  // For Octave's cumulative variant, the perturbation vector keeps its earlier entries.
  const base = Float64Array.from(theta);
  const side = mistakes.numgradOneSided;
  for (let p = 0; p < n; p++) {
    const th = base[p];
    const J0 = side ? J(cumulative ? cumulativePoint(base, p, e, 0) : withEntry(t, p, th)) : 0;
    const lossMinus = side === 'forward' ? J0 : J(cumulative ? cumulativePoint(base, p, e, -1) : withEntry(t, p, th - e));
    const lossPlus = side === 'backward' ? J0 : J(cumulative ? cumulativePoint(base, p, e, +1) : withEntry(t, p, th + e));
    numgrad[p] = (lossPlus - lossMinus) / (side ? e : 2 * e);
    // The restore step a student can forget (left at θ − e, or at θ + e when −e was evaluated first).
    t[p] = notRestored === 'stays-plus' ? th + e : notRestored && !cumulative ? th - e : th;
  }
  return numgrad;
}

function withEntry(t: Float64Array, p: number, v: number): Float64Array {
  t[p] = v;
  return t;
}

/** θ + sign·e on entries 0..p (entries < p were never reset), θ_p itself when sign is 0. */
function cumulativePoint(theta: Float64Array, p: number, e: number, sign: -1 | 0 | 1): Float64Array {
  const t = Float64Array.from(theta);
  for (let q = 0; q < p; q++) t[q] += sign === 0 ? 0 : sign * e;
  t[p] += sign * e;
  return t;
}

// ---- the mistakes' own building blocks ------------------------------------------------------

/** Y(i, k) = y(i) for all k: what `-y .* log(a3)` computes in Octave when y is not one-hot. */
function labelsAsNumbers(y: ArrayLike<number>, K: number): Matrix {
  const Y = new Matrix(y.length, K);
  for (let i = 0; i < y.length; i++) for (let k = 0; k < K; k++) Y.set(i, k, y[i]);
  return Y;
}

/**
 * Label k in 0-based column k: label K falls outside and is dropped (Float64Array ignores it), or
 * with `wrap` lands in column 0 (`y % K` as the column).
 */
function oneHotShifted(y: ArrayLike<number>, K: number, wrap: boolean): Matrix {
  const Y = new Matrix(y.length, K);
  for (let i = 0; i < y.length; i++) if (y[i] < K || wrap) Y.set(i, y[i] % K, 1);
  return Y;
}

/** `[zeros(r, 1) G]`. */
function zeroBiasGradient(G: Matrix): Matrix {
  return zeroFirstColumn(addBiasColumn(G));
}

function unrollRowMajor(...ms: Matrix[]): Float64Array {
  return Float64Array.from(ms.flatMap((M) => M.to1DArray()));
}

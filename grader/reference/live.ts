/**
 * Expected outputs computed live from the reference solutions (solutions/), in the grader's own
 * process. Loaded only when a live reference is used, so fixtures-mode startup never imports ml-matrix.
 */
import { Matrix } from 'ml-matrix';
import type { GradingCase, NnInputs } from '../cases/types';
import { evaluateKnownFunction } from '../sandbox/functions';

/** What the grader needs from solutions/index.ts (checked structurally against the real module). */
export interface ReferenceImpl {
  nnCostFunction(
    nnParams: ArrayLike<number>,
    inputLayerSize: number,
    hiddenLayerSize: number,
    numLabels: number,
    X: Matrix,
    y: ArrayLike<number>,
    lambda: number,
  ): { J: number; grad: ArrayLike<number> };
  sigmoidGradient(z: Matrix): Matrix;
  computeNumericalGradient(J: (theta: Float64Array) => number, theta: ArrayLike<number>): Float64Array;
}

function cost(ref: ReferenceImpl, i: NnInputs, params: ArrayLike<number> = i.nnParams) {
  return ref.nnCostFunction(params, i.inputLayerSize, i.hiddenLayerSize, i.numLabels, new Matrix(i.X), i.y.slice(), i.lambda);
}

/**
 * Expected outputs already computed in this process, per reference and `${seed} ${case id}` (public
 * cases: the id alone). A batch grades every submission with one seed, so after the first grade
 * every case's expected output is a lookup. Safe to share: a case's inputs depend only on the seed
 * and its id (grader/cases/hidden.ts), and the expected values are only read after filling.
 */
type Expected = Exclude<GradingCase, { family: 'rand-init' }>['expected'];
const memo = new WeakMap<ReferenceImpl, Map<string, Expected>>();

/** How many entries the memo keeps per reference (bounds a long-lived process grading many seeds). */
const MEMO_LIMIT = 2000;

/**
 * fillExpected through the per-process memo: the first grade with a seed computes, later grades
 * with the same seed (a batch) reuse.
 */
export function fillExpectedMemo(ref: ReferenceImpl, c: GradingCase, seed: number): void {
  if (c.family === 'rand-init' || c.expected) return;
  let byKey = memo.get(ref);
  if (!byKey) memo.set(ref, (byKey = new Map()));
  const key = c.hidden ? `${seed} ${c.id}` : c.id;
  const known = byKey.get(key);
  if (known) {
    (c as { expected?: Expected }).expected = known;
    return;
  }
  fillExpected(ref, c);
  if (byKey.size >= MEMO_LIMIT) byKey.clear();
  byKey.set(key, (c as { expected?: Expected }).expected);
}

/** Fills `c.expected` from the reference (no-op for cases judged by properties, and when already filled). */
export function fillExpected(ref: ReferenceImpl, c: GradingCase): void {
  switch (c.family) {
    case 'nn-unreg':
    case 'nn-reg': {
      if (c.expected) return;
      const { J, grad } = cost(ref, c.inputs);
      c.expected = { J, grad: Array.from(grad) };
      return;
    }
    case 'probe-unreg':
    case 'probe-reg': {
      if (c.expected) return;
      c.expected = { grad: Array.from(cost(ref, c.inputs).grad) };
      return;
    }
    case 'numcheck-unreg':
    case 'numcheck-reg': {
      if (c.expected) return;
      const X = new Matrix(c.inputs.X);
      const { inputLayerSize: n, hiddenLayerSize: h, numLabels: K, y, lambda } = c.inputs;
      // Central differences of the REFERENCE cost: a student's own cost would let a
      // consistent-but-wrong cost/gradient pair pass.
      const J = (t: Float64Array) => ref.nnCostFunction(t, n, h, K, X, y, lambda).J;
      c.expected = { numgrad: Array.from(ref.computeNumericalGradient(J, Float64Array.from(c.inputs.nnParams))) };
      return;
    }
    case 'sigmoid': {
      if (c.expected) return;
      c.expected = { g: ref.sigmoidGradient(new Matrix(c.inputs.z)).to2DArray() };
      return;
    }
    case 'numgrad': {
      if (c.expected) return;
      const { J: name, params, theta } = c.inputs;
      const J = (t: Float64Array) => evaluateKnownFunction(name, params, t);
      c.expected = { numgrad: Array.from(ref.computeNumericalGradient(J, Float64Array.from(theta))) };
      return;
    }
    case 'rand-init':
      return;
  }
}

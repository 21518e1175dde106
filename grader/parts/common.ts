/** Judging helpers shared by the nnCostFunction parts. */
import type { GradingCase, NnInputs } from '../cases/types';
import { comparisonRef, failedWith, gradLayout, wireRef, withNote, type Comparison } from '../compare/index';
import { compareExpectation, type Expectation, type SealedContext } from '../compare/sealed';
import type { Tolerance } from '../options';
import type { WireValue } from '../sandbox/protocol';

/** nnCostFunction's { J, grad }, or the type failure explaining what came back instead. */
export function costAndGradient(v: WireValue): { J: WireValue; grad: WireValue } | Comparison {
  if (v.kind === 'cost-and-gradient') return { J: v.J, grad: v.grad };
  return failedWith('type', { id: 'compare.not-cost-and-gradient', params: { got: wireRef(v) } });
}

/** The parts of nnCostFunction a "have you written Part N yet?" hint can name (`compare.not-written.*`). */
export type NotWrittenPart = 'feedforward-cost' | 'regularized-cost' | 'backprop-gradient' | 'regularized-gradient';

/**
 * What a case's quantity is judged against: its seal in sealed mode, else the clear expected values
 * (`clear` returns them; a missing one is a grader bug).
 */
export function expectationOf(c: GradingCase, quantity: string, clear: () => readonly number[] | undefined): Expectation {
  const seal = c.sealed?.[quantity];
  if (seal) return { kind: 'sealed', seal };
  return { kind: 'clear', values: need(clear(), quantity) };
}

/** True unless the expectation is known to be all zeros (a sealed one never is: its values are unknown). */
function nonZero(exp: Expectation): boolean {
  return exp.kind === 'sealed' || exp.values.some((x) => x !== 0);
}

/** Judges J of an nnCostFunction result against the reference's J (clear or sealed). */
export function judgeCost(v: WireValue, expected: Expectation, tol: Tolerance, part: NotWrittenPart, ctx: SealedContext): Comparison {
  const cg = costAndGradient(v);
  if (!('J' in cg)) return cg;
  const cmp = compareExpectation(cg.J, expected, { fn: 'nnCostFunction', what: 'J', layout: { kind: 'scalar' } }, tol, ctx);
  if (!cmp.passed && cmp.got && cmp.got[0] === 0 && nonZero(expected)) return withNote(cmp, { id: 'compare.cost-zero', params: { part } });
  return cmp;
}

/**
 * Judges grad of an nnCostFunction result against `expected` (the reference's grad or a numerical
 * one, `numerical`: the sentence then says so; clear or sealed).
 */
export function judgeGrad(v: WireValue, inputs: NnInputs, expected: Expectation, tol: Tolerance, part: NotWrittenPart, ctx: SealedContext, numerical = false): Comparison {
  const cg = costAndGradient(v);
  if (!('J' in cg)) return cg;
  const layout = gradLayout(inputs.inputLayerSize, inputs.hiddenLayerSize, inputs.numLabels);
  let cmp = compareExpectation(cg.grad, expected, { fn: 'nnCostFunction', what: 'grad', layout }, tol, ctx);
  if (cmp.passed) return cmp;
  if (cmp.got && cmp.got.every((x) => x === 0) && nonZero(expected)) {
    // The numbers add nothing to "all zero": no worst element, no diff.
    cmp = failedWith(cmp.problem ?? 'value', { id: 'compare.grad-all-zero', params: { count: cmp.got.length, part } }, { got: cmp.got, ...(cmp.sealed ? { sealed: true } : {}) });
  }
  const ref = comparisonRef(cmp);
  if (!numerical || !ref) return cmp;
  return { ...cmp, ...failedWith(cmp.problem ?? 'value', { id: 'compare.numerical', params: { detail: ref } }) };
}

/** Expected outputs must have been filled before judging; a missing one is a grader bug. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`grader bug: no expected ${what} for this case`);
  return value;
}

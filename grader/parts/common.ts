/** Judging helpers shared by the nnCostFunction parts. */
import type { NnInputs } from '../cases/types';
import { compareWire, describeWire, gradLayout, type Comparison } from '../compare/index';
import type { Tolerance } from '../options';
import type { WireValue } from '../sandbox/protocol';

/** nnCostFunction's { J, grad }, or the type failure explaining what came back instead. */
export function costAndGradient(v: WireValue): { J: WireValue; grad: WireValue } | Comparison {
  if (v.kind === 'cost-and-gradient') return { J: v.J, grad: v.grad };
  return {
    passed: false,
    problem: 'type',
    message: `\`nnCostFunction\` returned ${describeWire(v)}, expected an object { J, grad } (the cost and its gradient unrolled as [Theta1_grad(:); Theta2_grad(:)]).`,
  };
}

/** Judges J of an nnCostFunction result against the reference's J. */
export function judgeCost(v: WireValue, expectedJ: number, tol: Tolerance, notWrittenHint: string): Comparison {
  const cg = costAndGradient(v);
  if (!('J' in cg)) return cg;
  const cmp = compareWire(cg.J, [expectedJ], { fn: 'nnCostFunction', what: 'J', layout: { kind: 'scalar' } }, tol);
  if (!cmp.passed && cmp.got && cmp.got[0] === 0 && expectedJ !== 0) cmp.message += ` J is exactly 0: ${notWrittenHint}`;
  return cmp;
}

/** Judges grad of an nnCostFunction result against `expected` (the reference's grad or a numerical one). */
export function judgeGrad(v: WireValue, inputs: NnInputs, expected: readonly number[], tol: Tolerance, notWrittenHint: string, prefix = ''): Comparison {
  const cg = costAndGradient(v);
  if (!('J' in cg)) return cg;
  const layout = gradLayout(inputs.inputLayerSize, inputs.hiddenLayerSize, inputs.numLabels);
  const cmp = compareWire(cg.grad, expected, { fn: 'nnCostFunction', what: 'grad', layout }, tol);
  if (cmp.passed) return cmp;
  if (cmp.got && cmp.got.every((x) => x === 0) && expected.some((x) => x !== 0)) {
    cmp.message = `${prefix}\`nnCostFunction\` returned grad with all ${cmp.got.length} elements 0: ${notWrittenHint}`;
    delete cmp.worst;
    delete cmp.diff;
    return cmp;
  }
  if (prefix) cmp.message = `${prefix}${cmp.message}`;
  return cmp;
}

/** Expected outputs must have been filled before judging; a missing one is a grader bug. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`grader bug: no expected ${what} for this case`);
  return value;
}

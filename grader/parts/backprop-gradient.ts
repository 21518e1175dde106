/**
 * Part 3: the backpropagation gradient at λ = 0 (judges grad only): against the reference's grad
 * on the λ = 0 cases, against central differences of the reference cost on the numerical checks,
 * and on the speed probe (a network where only backpropagation answers within the time budget).
 */
import type { GradingCase } from '../cases/types';
import type { Comparison } from '../compare/index';
import { expectationOf, judgeGrad, type NotWrittenPart } from './common';
import { numericalCheckTolerance } from './grad-tolerance';
import { PARTS, STUDENT_FILES } from './ids';
import type { CallResult, JudgeContext, PartDefinition } from './types';

/**
 * Judges grad on the cases of a gradient part: `exact` holds the reference-grad family, `check` the
 * numerical-check family and `probe` the speed-probe family of that part.
 */
export function judgeGradientCase(
  families: { exact: string; check: string; probe: string },
  part: NotWrittenPart,
  c: GradingCase,
  [r]: CallResult[],
  ctx: JudgeContext,
): Comparison {
  if ((c.family === 'nn-unreg' || c.family === 'nn-reg') && c.family === families.exact) {
    return judgeGrad(r.value, c.inputs, expectationOf(c, 'grad', () => c.expected?.grad), ctx.tolerance, part, ctx);
  }
  if ((c.family === 'numcheck-unreg' || c.family === 'numcheck-reg') && c.family === families.check) {
    const tol = numericalCheckTolerance(ctx.tolerance);
    return judgeGrad(r.value, c.inputs, expectationOf(c, 'numgrad', () => c.expected?.numgrad), tol, part, ctx, true);
  }
  if ((c.family === 'probe-unreg' || c.family === 'probe-reg') && c.family === families.probe) {
    return judgeGrad(r.value, c.inputs, expectationOf(c, 'grad', () => c.expected?.grad), ctx.tolerance, part, ctx);
  }
  throw new Error(`a gradient part cannot judge ${c.family}`);
}

export const backpropGradient: PartDefinition = {
  id: 'backprop-gradient',
  info: PARTS['backprop-gradient'],
  file: STUDENT_FILES.nnCostFunction,
  families: ['nn-unreg', 'numcheck-unreg', 'probe-unreg'],
  judge: (c, results, ctx) => judgeGradientCase({ exact: 'nn-unreg', check: 'numcheck-unreg', probe: 'probe-unreg' }, 'backprop-gradient', c, results, ctx),
};

/**
 * Part 3: the backpropagation gradient at λ = 0 (judges grad only): against the reference's grad
 * on the λ = 0 cases, and against central differences of the reference cost on the numerical checks.
 */
import { judgeGrad, need } from './common';
import { numericalCheckTolerance } from './grad-tolerance';
import { PARTS, STUDENT_FILES } from './ids';
import type { PartDefinition } from './types';

const HINT = 'have you written Part 3 (backpropagation) yet?';
export const NUMERICAL_PREFIX = 'Compared with central differences of the reference cost: ';

export const backpropGradient: PartDefinition = {
  id: 'backprop-gradient',
  info: PARTS['backprop-gradient'],
  file: STUDENT_FILES.nnCostFunction,
  families: ['nn-unreg', 'numcheck-unreg'],
  judge(c, [r], ctx) {
    if (c.family === 'nn-unreg') return judgeGrad(r.value, c.inputs, need(c.expected, 'grad').grad, ctx.tolerance, HINT);
    if (c.family === 'numcheck-unreg') {
      return judgeGrad(r.value, c.inputs, need(c.expected, 'numgrad').numgrad, numericalCheckTolerance(ctx.tolerance), HINT, NUMERICAL_PREFIX);
    }
    throw new Error(`backprop-gradient cannot judge ${c.family}`);
  },
};

/** Part 4: the regularized gradient at λ > 0 (judges grad only), with numerical checks at λ > 0. */
import { NUMERICAL_PREFIX } from './backprop-gradient';
import { judgeGrad, need } from './common';
import { numericalCheckTolerance } from './grad-tolerance';
import { PARTS, STUDENT_FILES } from './ids';
import type { PartDefinition } from './types';

const HINT = 'have you written Parts 3 and 4 (backpropagation and its regularization) yet?';

export const regularizedGradient: PartDefinition = {
  id: 'regularized-gradient',
  info: PARTS['regularized-gradient'],
  file: STUDENT_FILES.nnCostFunction,
  families: ['nn-reg', 'numcheck-reg'],
  judge(c, [r], ctx) {
    if (c.family === 'nn-reg') return judgeGrad(r.value, c.inputs, need(c.expected, 'grad').grad, ctx.tolerance, HINT);
    if (c.family === 'numcheck-reg') {
      return judgeGrad(r.value, c.inputs, need(c.expected, 'numgrad').numgrad, numericalCheckTolerance(ctx.tolerance), HINT, NUMERICAL_PREFIX);
    }
    throw new Error(`regularized-gradient cannot judge ${c.family}`);
  },
};

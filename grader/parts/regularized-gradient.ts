/** Part 4: the regularized gradient at λ > 0 (judges grad only), with numerical checks and the speed probe at λ > 0. */
import { judgeGradientCase } from './backprop-gradient';
import { PARTS, STUDENT_FILES } from './ids';
import type { PartDefinition } from './types';

export const regularizedGradient: PartDefinition = {
  id: 'regularized-gradient',
  info: PARTS['regularized-gradient'],
  file: STUDENT_FILES.nnCostFunction,
  families: ['nn-reg', 'numcheck-reg', 'probe-reg'],
  judge: (c, results, ctx) => judgeGradientCase({ exact: 'nn-reg', check: 'numcheck-reg', probe: 'probe-reg' }, 'regularized-gradient', c, results, ctx),
};

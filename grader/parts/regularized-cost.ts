/** Part 2: the regularized cost J at λ > 0 (judges J only). */
import { PARTS, STUDENT_FILES } from './ids';
import { expectationOf, judgeCost } from './common';
import type { PartDefinition } from './types';

export const regularizedCost: PartDefinition = {
  id: 'regularized-cost',
  info: PARTS['regularized-cost'],
  file: STUDENT_FILES.nnCostFunction,
  families: ['nn-reg'],
  judge(c, [r], ctx) {
    if (c.family !== 'nn-reg') throw new Error(`regularized-cost cannot judge ${c.family}`);
    return judgeCost(r.value, expectationOf(c, 'J', () => (c.expected ? [c.expected.J] : undefined)), ctx.tolerance, 'regularized-cost', ctx);
  },
};

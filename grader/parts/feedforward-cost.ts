/** Part 1: the unregularized cost J at λ = 0 (judges J only; grad belongs to backprop-gradient). */
import { PARTS, STUDENT_FILES } from './ids';
import { expectationOf, judgeCost } from './common';
import type { PartDefinition } from './types';

export const feedforwardCost: PartDefinition = {
  id: 'feedforward-cost',
  info: PARTS['feedforward-cost'],
  file: STUDENT_FILES.nnCostFunction,
  families: ['nn-unreg'],
  judge(c, [r], ctx) {
    if (c.family !== 'nn-unreg') throw new Error(`feedforward-cost cannot judge ${c.family}`);
    return judgeCost(r.value, expectationOf(c, 'J', () => (c.expected ? [c.expected.J] : undefined)), ctx.tolerance, 'feedforward-cost', ctx);
  },
};

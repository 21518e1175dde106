/** sigmoidGradient(z) = g(z)(1 − g(z)), element-wise, same shape as z. */
import { unrollCM } from '../cases/colmajor';
import { compareExpectation } from '../compare/sealed';
import { expectationOf } from './common';
import { PARTS, STUDENT_FILES } from './ids';
import type { PartDefinition } from './types';

export const sigmoidGradientPart: PartDefinition = {
  id: 'sigmoid-gradient',
  info: PARTS['sigmoid-gradient'],
  file: STUDENT_FILES.sigmoidGradient,
  families: ['sigmoid'],
  judge(c, [r], ctx) {
    if (c.family !== 'sigmoid') throw new Error(`sigmoid-gradient cannot judge ${c.family}`);
    const { z } = c.inputs;
    const layout = { kind: 'matrix' as const, rows: z.length, columns: z[0].length, shapeNote: '(the same shape as z)' };
    const expected = expectationOf(c, 'g', () => (c.expected ? unrollCM(c.expected.g) : undefined));
    const cmp = compareExpectation(r.value, expected, { fn: 'sigmoidGradient', what: 'g', layout }, ctx.tolerance, ctx);
    if (!cmp.passed && cmp.got && cmp.got.every((x) => x === 0)) {
      cmp.message += ' Every element is 0: have you written sigmoidGradient yet? (g\'(0) should be exactly 0.25.)';
    }
    return cmp;
  },
};

/** sigmoidGradient(z) = g(z)(1 − g(z)), element-wise, same shape as z. */
import { unrollCM } from '../cases/colmajor';
import { withNote } from '../compare/index';
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
    const layout = { kind: 'matrix' as const, rows: z.length, columns: z[0].length, shapeNote: { id: 'compare.note.same-shape-as-z' as const } };
    const expected = expectationOf(c, 'g', () => (c.expected ? unrollCM(c.expected.g) : undefined));
    const cmp = compareExpectation(r.value, expected, { fn: 'sigmoidGradient', what: 'g', layout }, ctx.tolerance, ctx);
    if (!cmp.passed && cmp.got && cmp.got.every((x) => x === 0)) return withNote(cmp, { id: 'compare.sigmoid-all-zero' });
    return cmp;
  },
};

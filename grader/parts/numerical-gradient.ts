/**
 * computeNumericalGradient on known functions, against the reference's central differences
 * (e = 1e-4) of the same function. The tolerance is fixed and tight: a correct central difference
 * matches the reference to rounding (~1e-15 relative), while a one-sided difference is off by
 * ~f''·e/2 ≈ 1e-4 and a wrong step changes the central error f'''·e²/6 by ≥ 1e-9 relative.
 */
import { failedWith, withNote } from '../compare/index';
import { compareExpectation } from '../compare/sealed';
import type { Tolerance } from '../options';
import { expectationOf } from './common';
import { PARTS, STUDENT_FILES } from './ids';
import type { PartDefinition } from './types';

export const NUMGRAD_TOLERANCE: Tolerance = { atol: 1e-11, rtol: 1e-10 };

export const numericalGradient: PartDefinition = {
  id: 'numerical-gradient',
  info: PARTS['numerical-gradient'],
  file: STUDENT_FILES.computeNumericalGradient,
  families: ['numgrad'],
  judge(c, [r], ctx) {
    if (c.family !== 'numgrad') throw new Error(`numerical-gradient cannot judge ${c.family}`);
    const n = c.inputs.theta.length;
    const layout = { kind: 'vector' as const, length: n, lengthNote: { id: 'compare.note.theta-length' as const } };
    const expected = expectationOf(c, 'numgrad', () => c.expected?.numgrad);
    let cmp = compareExpectation(r.value, expected, { fn: 'computeNumericalGradient', what: 'numgrad', layout }, NUMGRAD_TOLERANCE, ctx);
    const calls = r.observations.jCalls;
    if (!cmp.passed && calls !== undefined && calls !== 2 * n) {
      cmp = withNote(cmp, { id: 'compare.numgrad.calls', params: { calls, n, twice: 2 * n } });
    }
    if (cmp.passed && r.observations.thetaModified) {
      return failedWith('value', { id: 'compare.numgrad.theta-changed' }, cmp.got ? { got: cmp.got } : {});
    }
    return cmp;
  },
};

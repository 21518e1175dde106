/**
 * computeNumericalGradient on known functions, against the reference's central differences
 * (e = 1e-4) of the same function. The tolerance is fixed and tight: a correct central difference
 * matches the reference to rounding (~1e-15 relative), while a one-sided difference is off by
 * ~f''·e/2 ≈ 1e-4 and a wrong step changes the central error f'''·e²/6 by ≥ 1e-9 relative.
 */
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
    const layout = { kind: 'vector' as const, length: n, lengthNote: '(one element per element of theta)' };
    const expected = expectationOf(c, 'numgrad', () => c.expected?.numgrad);
    const cmp = compareExpectation(r.value, expected, { fn: 'computeNumericalGradient', what: 'numgrad', layout }, NUMGRAD_TOLERANCE, ctx);
    const calls = r.observations.jCalls;
    if (!cmp.passed && calls !== undefined && calls !== 2 * n) {
      cmp.message += ` J was called ${calls} times; central differences call it twice per element of theta (2×${n} = ${2 * n}), at theta + e and theta − e with e = 1e-4.`;
    }
    if (cmp.passed && r.observations.thetaModified) {
      return {
        passed: false,
        problem: 'value',
        got: cmp.got,
        message:
          '`computeNumericalGradient` changed theta: after the call it no longer held the values it was given. ' +
          'Perturb a copy (or put each entry back exactly as it was) so that the caller\'s theta is left unmodified.',
      };
    }
    return cmp;
  },
};

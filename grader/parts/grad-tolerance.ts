/**
 * Tolerances for the numerical checks. Central differences with e = 1e-4 differ from the exact
 * gradient by about f'''·e²/6 ≈ 1e-9 on these small networks, so the check allows 1e-7 absolute
 * (never tighter than options.tolerance): it is a second opinion, the exact reference grad is the first.
 */
import type { Tolerance } from '../options';

export const NUMERICAL_CHECK_TOLERANCE: Tolerance = { atol: 1e-7, rtol: 1e-5 };

export function numericalCheckTolerance(t: Tolerance): Tolerance {
  return { atol: Math.max(t.atol, NUMERICAL_CHECK_TOLERANCE.atol), rtol: Math.max(t.rtol, NUMERICAL_CHECK_TOLERANCE.rtol) };
}

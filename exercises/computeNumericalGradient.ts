// 中文指南：exercises/GUIDE.zh-CN.md (the English guide: exercises/GUIDE.md)
import { NotImplementedError } from './lib/errors';

/**
 * Approximates the gradient of J at theta with central differences ("gradient checking").
 *
 *   numgrad(p) = (J(theta + e·u_p) - J(theta - e·u_p)) / (2e),   e = 1e-4,
 *   where u_p is the unit vector of parameter p.
 *
 * Notes step: "gradient checking" — compare this with the backprop gradient; they should agree
 * to a relative difference below 1e-9.
 * Octave (computeNumericalGradient.m):
 *   numgrad = zeros(size(theta)); perturb = zeros(size(theta)); e = 1e-4;
 *   for p = 1:numel(theta)
 *     perturb(p) = e;
 *     loss1 = J(theta - perturb); loss2 = J(theta + perturb);
 *     numgrad(p) = (loss2 - loss1) / (2*e);
 *     perturb(p) = 0;
 *   end
 *
 * @param J      the cost as a function of the unrolled parameters
 * @param theta  the point where the gradient is wanted (length n); it must be left unmodified
 * @returns numgrad: a new Float64Array of length n
 */
export function computeNumericalGradient(J: (theta: Float64Array) => number, theta: ArrayLike<number>): Float64Array {
  // ====================== YOUR CODE HERE ======================
  throw new NotImplementedError('computeNumericalGradient');
  // =============================================================
}

// 中文指南：exercises/GUIDE.zh-CN.md (the English guide: exercises/GUIDE.md)
import { Matrix } from 'ml-matrix';
import { NotImplementedError } from './lib/errors';
import { minus, sigmoid, times } from './lib/matrix';

/**
 * Gradient of the sigmoid function, evaluated element-wise at z.
 *
 *   g'(z) = g(z) .* (1 - g(z))      where g(z) = 1 ./ (1 + exp(-z))
 *
 * Notes step: "sigmoid gradient" — the derivative of the activation, used in backprop's δ(2).
 * Octave (sigmoidGradient.m):   g = sigmoid(z) .* (1 - sigmoid(z));
 *
 * @param z any shape (a matrix, or a 1×n row for a vector); it must not be modified.
 * @returns a new matrix of the same shape as z. At z = 0 the gradient is exactly 0.25.
 */
export function sigmoidGradient(z: Matrix): Matrix {
  // Helpers: sigmoid, times, minus (imported above).
  void [sigmoid, times, minus];
  // ====================== YOUR CODE HERE ======================
  throw new NotImplementedError('sigmoidGradient');
  // =============================================================
}

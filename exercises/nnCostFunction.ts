// 中文指南：exercises/GUIDE.zh-CN.md (the English guide: exercises/GUIDE.md)
import { Matrix } from 'ml-matrix';
import { NotImplementedError } from './lib/errors';
// Every helper the parts below mention is imported already (exercises/README.md has the whole list).
import {
  addBiasColumn,
  dropFirstColumn,
  log,
  minus,
  mtimes,
  oneHot,
  plus,
  power,
  rdivide,
  reshape,
  sigmoid,
  sumAll,
  times,
  transpose,
  unroll,
  zeroFirstColumn,
} from './lib/matrix';
import { sigmoidGradient } from './sigmoidGradient';

/** What nnCostFunction returns: the cost and its gradient, unrolled like nnParams. */
export interface CostAndGradient {
  J: number;
  grad: Float64Array | number[];
}

/**
 * Cost and gradient of a two-layer neural network that classifies into numLabels classes.
 *
 * Shapes (m examples, n = inputLayerSize features, h = hiddenLayerSize, K = numLabels):
 *   nnParams  [Theta1(:); Theta2(:)] unrolled column-major, length h·(n+1) + K·(h+1)
 *   Theta1    h×(n+1)   Theta2  K×(h+1)   (column 1 of each holds the bias weights)
 *   X         m×n, WITHOUT the bias column
 *   y         length m, labels 1..K (in the digits data, 10 means the digit 0)
 *   lambda    regularization strength λ ≥ 0
 *
 * Returns J, the mean cross-entropy over the m examples plus λ/(2m)·Σ (non-bias weights)², and
 * grad, the gradient of J unrolled as [Theta1_grad(:); Theta2_grad(:)] (same layout as nnParams).
 *
 * Octave (nnCostFunction.m) starts with:
 *   Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), ...
 *                    hidden_layer_size, (input_layer_size + 1));
 *   Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), ...
 *                    num_labels, (hidden_layer_size + 1));
 *
 * Work through the four parts below in order; run `npm run ex4` after each one to see the value
 * it should produce, and `npm run grade` for your score.
 */
export function nnCostFunction(
  nnParams: ArrayLike<number>,
  inputLayerSize: number,
  hiddenLayerSize: number,
  numLabels: number,
  X: Matrix,
  y: ArrayLike<number>,
  lambda: number,
): CostAndGradient {
  // Reshape nnParams back into the parameters Theta1 and Theta2 (column-major, like Octave).
  const Theta1 = reshape(nnParams, hiddenLayerSize, inputLayerSize + 1);
  const Theta2 = reshape(nnParams, numLabels, hiddenLayerSize + 1, hiddenLayerSize * (inputLayerSize + 1));
  const m = X.rows;

  // You need to return these variables correctly.
  let J = 0;
  let Theta1Grad = Matrix.zeros(Theta1.rows, Theta1.columns);
  let Theta2Grad = Matrix.zeros(Theta2.rows, Theta2.columns);

  // ====================== YOUR CODE HERE: Part 1 ======================
  // Feedforward the network and return the (unregularized) cost in J.
  // Notes step: "feedforward and cost function".
  //   a1 = [ones(m, 1) X];  z2 = a1 * Theta1';  a2 = [ones(m, 1) sigmoid(z2)];
  //   a3 = sigmoid(a2 * Theta2');  Y = one-hot of y (m×K);
  //   J = (1/m) * sum(sum(-Y .* log(a3) - (1 - Y) .* log(1 - a3)));
  // Helpers: addBiasColumn, mtimes, transpose, sigmoid, oneHot, log, times, minus, sumAll.
  void [addBiasColumn, mtimes, transpose, sigmoid, oneHot, log, times, minus, sumAll, m, y, X];
  throw new NotImplementedError('nnCostFunction');

  // ====================== YOUR CODE HERE: Part 2 ======================
  // Add the regularization term to J. Notes step: "regularized cost function".
  //   J += lambda / (2*m) * (sum(sum(Theta1(:, 2:end).^2)) + sum(sum(Theta2(:, 2:end).^2)));
  // Do NOT regularize the bias column (column 1 of each Theta).
  // Helpers: dropFirstColumn, power, sumAll.
  void [dropFirstColumn, power];

  // ====================== YOUR CODE HERE: Part 3 ======================
  // Backpropagation: the gradients of the unregularized cost. Notes step: "backpropagation".
  //   d3 = a3 - Y;                                         % m×K
  //   d2 = (d3 * Theta2(:, 2:end)) .* sigmoidGradient(z2);  % m×h
  //   Theta1_grad = (d2' * a1) / m;   Theta2_grad = (d3' * a2) / m;
  // Helpers: minus, mtimes, dropFirstColumn, times, sigmoidGradient, transpose, rdivide.
  void [sigmoidGradient, rdivide];

  // ====================== YOUR CODE HERE: Part 4 ======================
  // Regularize the gradient. Notes step: "regularized gradient".
  //   Theta1_grad(:, 2:end) += (lambda / m) * Theta1(:, 2:end);  (same for Theta2)
  // Helpers: plus, times, zeroFirstColumn.
  void [plus, zeroFirstColumn];

  // =====================================================================
  // Unroll the gradients like nnParams: grad = [Theta1_grad(:); Theta2_grad(:)].
  return { J, grad: unroll(Theta1Grad, Theta2Grad) };
}

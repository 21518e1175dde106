import type { Matrix } from 'ml-matrix';
import { referenceCostFunction } from './reference';

/** Cost and gradient of the network, unrolled like nnParams (see exercises/nnCostFunction.ts). */
export interface CostAndGradient {
  J: number;
  grad: Float64Array | number[];
}

/**
 * nnParams [Theta1(:); Theta2(:)] with Theta1 h×(n+1), Theta2 K×(h+1); X m×n (no bias); y labels
 * 1..K; λ ≥ 0. Returns J and grad (same layout as nnParams).
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
  return referenceCostFunction(nnParams, inputLayerSize, hiddenLayerSize, numLabels, X, y, lambda);
}

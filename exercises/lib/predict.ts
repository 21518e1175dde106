import type { AbstractMatrix } from 'ml-matrix';
import { addBiasColumn, mtimes, sigmoid, transpose } from './matrix';

/**
 * Predicted labels of a trained network (ex4's predict.m):
 *   h1 = sigmoid([ones(m, 1) X] * Theta1');  h2 = sigmoid([ones(m, 1) h1] * Theta2');
 *   [~, p] = max(h2, [], 2);
 * @param Theta1 h×(n+1)   @param Theta2 K×(h+1)   @param X m×n, without the bias column
 * @returns m labels in 1..K: the index (1-based) of each row's largest output, ties to the first.
 */
export function predict(Theta1: AbstractMatrix, Theta2: AbstractMatrix, X: AbstractMatrix): number[] {
  const h1 = sigmoid(mtimes(addBiasColumn(X), transpose(Theta1)));
  const h2 = sigmoid(mtimes(addBiasColumn(h1), transpose(Theta2)));
  const p: number[] = new Array(h2.rows);
  for (let i = 0; i < h2.rows; i++) {
    const row = h2.getRow(i);
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
    p[i] = best + 1;
  }
  return p;
}

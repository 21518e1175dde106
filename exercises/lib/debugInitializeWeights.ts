import { Matrix } from 'ml-matrix';
import { reshape } from './matrix';

/**
 * Deterministic "random-looking" weights for gradient checking (ex4's debugInitializeWeights.m):
 *   W = reshape(sin(1:numel(W)), fanOut, 1 + fanIn) / 10;
 * @param fanOut number of outgoing connections (rows)
 * @param fanIn  number of incoming connections (the bias column is added: 1 + fanIn columns)
 * @returns fanOut×(1 + fanIn), filled column by column with sin(1), sin(2), ... divided by 10.
 */
export function debugInitializeWeights(fanOut: number, fanIn: number): Matrix {
  const n = fanOut * (1 + fanIn);
  const v = new Float64Array(n);
  for (let p = 0; p < n; p++) v[p] = Math.sin(p + 1) / 10;
  return reshape(v, fanOut, 1 + fanIn);
}

import type { Matrix } from 'ml-matrix';
import { referenceRandInitializeWeights } from './reference';

/** lOut×(1 + lIn) weights uniform in [−0.12, 0.12], drawn only from `random`. */
export function randInitializeWeights(lIn: number, lOut: number, random: () => number = Math.random): Matrix {
  return referenceRandInitializeWeights(lIn, lOut, random);
}

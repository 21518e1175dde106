// 中文指南：exercises/GUIDE.zh-CN.md (the English guide: exercises/GUIDE.md)
import { Matrix } from 'ml-matrix';
import { NotImplementedError } from './lib/errors';

/**
 * Randomly initializes the weights of a layer with lIn incoming connections and lOut outgoing
 * connections, to break the symmetry while training the network.
 *
 * Notes step: "random initialization" (symmetry breaking): every weight uniform in [-ε, ε], ε = 0.12.
 * Octave (randInitializeWeights.m):
 *   epsilon_init = 0.12;
 *   W = rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init;
 *
 * @param lIn     number of incoming units (the bias column is added for you: 1 + lIn columns)
 * @param lOut    number of outgoing units (rows)
 * @param random  the source of uniform numbers in [0, 1). Draw ONLY from it (never Math.random
 *                directly), so that a seeded source gives the same weights every time.
 * @returns W: lOut×(1 + lIn), column 1 (index 0) holds the bias weights.
 */
export function randInitializeWeights(lIn: number, lOut: number, random: () => number = Math.random): Matrix {
  // ====================== YOUR CODE HERE ======================
  throw new NotImplementedError('randInitializeWeights');
  // =============================================================
}

/**
 * The pieces of gradient checking (ex4's checkNNGradients.m) that do not run student code: the
 * small network it checks on, and the side-by-side comparison with its relative difference. The
 * walkthrough (`npm run ex4`) runs the student's functions in the grader's sandbox on this network
 * and prints the comparison here; checkNNGradients.ts does both in one call.
 */
import { debugInitializeWeights } from './debugInitializeWeights';
import { unroll } from './matrix';

/** checkNNGradients' network: input 3, hidden 5, labels 3, m = 5; X = debugInitializeWeights(5, 2), y = 1 + mod(1:5, 3)'. */
export interface SmallNetwork {
  inputLayerSize: number;
  hiddenLayerSize: number;
  numLabels: number;
  /** m×n rows (no bias column). */
  X: number[][];
  /** Labels 1..K. */
  y: number[];
  /** [Theta1(:); Theta2(:)] = debugInitializeWeights(5, 3) and (3, 5), unrolled. */
  nnParams: number[];
  lambda: number;
}

/** The small network of gradient checking at a given λ. */
export function smallNetwork(lambda: number): SmallNetwork {
  const inputLayerSize = 3;
  const hiddenLayerSize = 5;
  const numLabels = 3;
  const m = 5;
  const Theta1 = debugInitializeWeights(hiddenLayerSize, inputLayerSize);
  const Theta2 = debugInitializeWeights(numLabels, hiddenLayerSize);
  const X = debugInitializeWeights(m, inputLayerSize - 1).to2DArray();
  const y = Array.from({ length: m }, (_, i) => 1 + ((i + 1) % numLabels));
  return { inputLayerSize, hiddenLayerSize, numLabels, X, y, nnParams: Array.from(unroll(Theta1, Theta2)), lambda };
}

const fmt = (v: number): string => v.toFixed(10).padStart(13);

/** The sentences compareGradients prints around the two columns (the walkthrough passes them in the reader's language). */
export interface GradientCheckWords {
  header: string;
  similar: string;
  legend: string;
  explanation: string;
  relativeDifference: (diff: string) => string;
}

/** checkNNGradients.m's own sentences. */
export const GRADIENT_CHECK_WORDS: GradientCheckWords = {
  header: '   numerical    analytical',
  similar: 'The above two columns you get should be very similar.',
  legend: '(Left: your numerical gradient, Right: analytical gradient)',
  explanation: 'If your backpropagation implementation is correct, then the relative difference will be small (less than 1e-9).',
  relativeDifference: (diff) => `Relative Difference: ${diff}`,
};

/**
 * Prints the numerical and analytical gradients side by side, as checkNNGradients.m does, and
 * returns the relative difference norm(numgrad − grad) / norm(numgrad + grad) (below 1e-9 when
 * backpropagation is right).
 * @throws RangeError when the two have different lengths
 */
export function compareGradients(numgrad: ArrayLike<number>, grad: ArrayLike<number>, log: (line: string) => void, words: GradientCheckWords = GRADIENT_CHECK_WORDS): number {
  if (grad.length !== numgrad.length) {
    throw new RangeError(`checkNNGradients: nnCostFunction returned grad of length ${grad.length}, expected ${numgrad.length}`);
  }
  log(words.header);
  let diff2 = 0;
  let sum2 = 0;
  for (let p = 0; p < numgrad.length; p++) {
    log(`${fmt(numgrad[p])}  ${fmt(grad[p])}`);
    diff2 += (numgrad[p] - grad[p]) ** 2;
    sum2 += (numgrad[p] + grad[p]) ** 2;
  }
  log(words.similar);
  log(words.legend);
  const relDiff = Math.sqrt(diff2) / Math.sqrt(sum2);
  log(words.explanation);
  log(words.relativeDifference(relDiff.toExponential(6)));
  return relDiff;
}

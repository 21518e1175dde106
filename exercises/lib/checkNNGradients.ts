import type { Matrix } from 'ml-matrix';
import { computeNumericalGradient as studentNumericalGradient } from '../computeNumericalGradient';
import { nnCostFunction as studentCostFunction } from '../nnCostFunction';
import { debugInitializeWeights } from './debugInitializeWeights';
import { unroll } from './matrix';

/** The two functions checkNNGradients exercises; defaults to the student's exercises/ files. */
export interface GradientCheckImpl {
  nnCostFunction: (
    nnParams: ArrayLike<number>,
    inputLayerSize: number,
    hiddenLayerSize: number,
    numLabels: number,
    X: Matrix,
    y: ArrayLike<number>,
    lambda: number,
  ) => { J: number; grad: ArrayLike<number> };
  computeNumericalGradient: (J: (theta: Float64Array) => number, theta: ArrayLike<number>) => Float64Array;
}

/**
 * Gradient checking on a small network (ex4's checkNNGradients.m): input 3, hidden 5, labels 3,
 * m = 5, Theta1 = debugInitializeWeights(5, 3), Theta2 = debugInitializeWeights(3, 5),
 * X = debugInitializeWeights(5, 2) (5×3), y = 1 + mod(1:5, 3)'.
 * Prints the numerical and analytical gradients side by side and the relative difference
 * norm(numgrad − grad) / norm(numgrad + grad), which should be below 1e-9, and returns it.
 *
 * @param lambda regularization strength (the exercise checks 0 and 3)
 * @param impl   the implementations to check (default: the student's exercises/ files)
 * @param log    where the lines go (default console.log; pass `() => {}` for silence)
 */
export function checkNNGradients(
  lambda = 0,
  impl: GradientCheckImpl = { nnCostFunction: studentCostFunction, computeNumericalGradient: studentNumericalGradient },
  log: (line: string) => void = console.log,
): number {
  const inputLayerSize = 3;
  const hiddenLayerSize = 5;
  const numLabels = 3;
  const m = 5;
  const Theta1 = debugInitializeWeights(hiddenLayerSize, inputLayerSize);
  const Theta2 = debugInitializeWeights(numLabels, hiddenLayerSize);
  const X = debugInitializeWeights(m, inputLayerSize - 1);
  const y = Array.from({ length: m }, (_, i) => 1 + ((i + 1) % numLabels));
  const nnParams = unroll(Theta1, Theta2);

  const cost = (p: Float64Array): number =>
    impl.nnCostFunction(p, inputLayerSize, hiddenLayerSize, numLabels, X, y, lambda).J;
  const { grad } = impl.nnCostFunction(nnParams, inputLayerSize, hiddenLayerSize, numLabels, X, y, lambda);
  const numgrad = impl.computeNumericalGradient(cost, nnParams);
  if (grad.length !== numgrad.length) {
    throw new RangeError(`checkNNGradients: nnCostFunction returned grad of length ${grad.length}, expected ${numgrad.length}`);
  }

  log('   numerical    analytical');
  let diff2 = 0;
  let sum2 = 0;
  for (let p = 0; p < numgrad.length; p++) {
    log(`${fmt(numgrad[p])}  ${fmt(grad[p])}`);
    diff2 += (numgrad[p] - grad[p]) ** 2;
    sum2 += (numgrad[p] + grad[p]) ** 2;
  }
  log('The above two columns you get should be very similar.');
  log('(Left: your numerical gradient, Right: analytical gradient)');
  const relDiff = Math.sqrt(diff2) / Math.sqrt(sum2);
  log('If your backpropagation implementation is correct, then the relative difference will be small (less than 1e-9).');
  log(`Relative Difference: ${relDiff.toExponential(6)}`);
  return relDiff;
}

const fmt = (v: number): string => v.toFixed(10).padStart(13);

import { Matrix } from 'ml-matrix';
import { computeNumericalGradient as studentNumericalGradient } from '../computeNumericalGradient';
import { nnCostFunction as studentCostFunction } from '../nnCostFunction';
import { compareGradients, smallNetwork } from './gradientCheck';

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
  const net = smallNetwork(lambda);
  const X = new Matrix(net.X);
  const nnParams = Float64Array.from(net.nnParams);
  const cost = (p: Float64Array): number => impl.nnCostFunction(p, net.inputLayerSize, net.hiddenLayerSize, net.numLabels, X, net.y, lambda).J;
  const { grad } = impl.nnCostFunction(nnParams, net.inputLayerSize, net.hiddenLayerSize, net.numLabels, X, net.y, lambda);
  const numgrad = impl.computeNumericalGradient(cost, nnParams);
  return compareGradients(numgrad, grad, log);
}

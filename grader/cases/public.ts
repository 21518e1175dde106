/**
 * The public cases: exactly the inputs Coursera's submit.m builds for ex4, plus one fixed,
 * visible case for each part Coursera did not grade (numerical gradient, random initialization).
 */
import { mapM, range, reshapeCM, unrollCM } from './colmajor';
import type { NnCase, NnInputs, RandInitCase, SigmoidCase } from './types';

/**
 * submit.m's network: Xm = reshape(sin(1:32), 16, 2)/5, ym = 1 + mod(1:16, 4)',
 * t1 = sin(reshape(1:2:24, 4, 3)), t2 = cos(reshape(1:2:40, 4, 5)), t = [t1(:); t2(:)], 2-4-4.
 */
export function courseraNnInputs(lambda: number): NnInputs {
  const Xm = mapM(reshapeCM(range(1, 32).map(Math.sin), 16, 2), (v) => v / 5);
  const ym = range(1, 16).map((i) => 1 + (i % 4));
  const t1 = mapM(reshapeCM(range(1, 24, 2), 4, 3), Math.sin);
  const t2 = mapM(reshapeCM(range(1, 40, 2), 4, 5), Math.cos);
  return { nnParams: unrollCM(t1, t2), inputLayerSize: 2, hiddenLayerSize: 4, numLabels: 4, X: Xm, y: ym, lambda };
}

/** submit.m's sigmoidGradient input: X = reshape(3*sin(1:30), 3, 10). */
export function courseraSigmoidInput(): { z: number[][] } {
  return { z: reshapeCM(range(1, 30).map((i) => 3 * Math.sin(i)), 3, 10) };
}

export function publicNnCase(regularized: boolean): NnCase {
  const lambda = regularized ? 1.5 : 0;
  return {
    id: `${regularized ? 'nn-reg' : 'nn-unreg'}/public`,
    family: regularized ? 'nn-reg' : 'nn-unreg',
    name: `public (Coursera's case, λ=${lambda})`,
    hidden: false,
    inputs: courseraNnInputs(lambda),
  };
}

export function publicSigmoidCase(): SigmoidCase {
  return { id: 'sigmoid/public', family: 'sigmoid', name: "public (Coursera's case, z = 3·sin(1:30) as 3×10)", hidden: false, inputs: courseraSigmoidInput() };
}

export function publicRandInitCase(): RandInitCase {
  return {
    id: 'rand-init/public',
    family: 'rand-init',
    name: 'public (lIn = 3, lOut = 5)',
    hidden: false,
    inputs: { lIn: 3, lOut: 5, seed: 42, otherSeed: 43 },
  };
}

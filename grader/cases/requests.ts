/** The sandbox calls a case needs. Every request gets its own copies of the inputs. */
import type { SandboxRequest } from '../sandbox/protocol';
import { copyM } from './colmajor';
import type { GradingCase } from './types';

/** The requests for a case, in the order judges receive their results. */
export function requestsFor(c: GradingCase): SandboxRequest[] {
  switch (c.family) {
    case 'nn-unreg':
    case 'nn-reg':
    case 'numcheck-unreg':
    case 'numcheck-reg':
    case 'probe-unreg':
    case 'probe-reg': {
      const i = c.inputs;
      return [
        {
          fn: 'nnCostFunction',
          nnParams: i.nnParams.slice(),
          inputLayerSize: i.inputLayerSize,
          hiddenLayerSize: i.hiddenLayerSize,
          numLabels: i.numLabels,
          X: copyM(i.X),
          y: i.y.slice(),
          lambda: i.lambda,
        },
      ];
    }
    case 'sigmoid':
      return [{ fn: 'sigmoidGradient', z: copyM(c.inputs.z) }];
    case 'numgrad':
      return [{ fn: 'computeNumericalGradient', J: c.inputs.J, params: structuredClone(c.inputs.params), theta: c.inputs.theta.slice() }];
    case 'rand-init': {
      const { lIn, lOut, seed, otherSeed } = c.inputs;
      // Twice with the same seed (reproducible?), once with another (does it use the source?).
      return [
        { fn: 'randInitializeWeights', lIn, lOut, seed },
        { fn: 'randInitializeWeights', lIn, lOut, seed },
        { fn: 'randInitializeWeights', lIn, lOut, seed: otherSeed },
      ];
    }
  }
}

/**
 * Where a variant's outputs come from: computed from the live reference (solutions/reference.ts
 * with MistakeOptions), or read from the stored fixtures (a student release has no solutions/;
 * only the single variants of the stored cases are there, see ./fixtures.ts).
 */
import type { Matrix as MatrixType } from 'ml-matrix';
import type { GradingCase } from '../cases/types';
import type { Reference } from '../reference/load';
import { evaluateKnownFunction } from '../sandbox/functions';
import { decodeVariantOutput, type VariantFixtures } from './fixtures';
import type { Variant, VariantQuantity } from './variants';

export interface VariantSource {
  /** True when any variant can be computed (pairs, estimated steps); false for stored outputs only. */
  readonly live: boolean;
  /** The variant's output on the case as column-major numbers, or undefined when unknown. */
  output(c: GradingCase, q: VariantQuantity, v: Variant): number[] | undefined;
}

/** Outputs of the live reference, each computed once per (case, variant): J and grad come from one call. */
export async function liveSource(ref: Reference): Promise<VariantSource> {
  // ml-matrix is loaded by the live reference already; imported here so fixtures mode never needs it.
  const { Matrix } = await import('ml-matrix');
  const nnCache = new Map<string, { J: number; grad: number[] } | null>();
  const colMajor = (M: MatrixType): number[] => {
    const out: number[] = [];
    for (let j = 0; j < M.columns; j++) for (let i = 0; i < M.rows; i++) out.push(M.get(i, j));
    return out;
  };
  return {
    live: true,
    output(c, q, v) {
      switch (c.family) {
        case 'nn-unreg':
        case 'nn-reg':
        case 'numcheck-unreg':
        case 'numcheck-reg': {
          const key = `${c.id}\u0000${v.key}`;
          let r = nnCache.get(key);
          if (r === undefined) {
            const i = c.inputs;
            const opts = v.options({ m: i.X.length });
            try {
              const out = ref.referenceCostFunction(i.nnParams, i.inputLayerSize, i.hiddenLayerSize, i.numLabels, new Matrix(i.X), i.y.slice(), i.lambda, opts);
              r = { J: out.J, grad: Array.from(out.grad) };
            } catch {
              r = null; // a variant that cannot run on this case explains nothing
            }
            nnCache.set(key, r);
          }
          if (!r) return undefined;
          return q === 'J' ? [r.J] : q === 'grad' ? r.grad : undefined;
        }
        case 'sigmoid':
          if (q !== 'g') return undefined;
          return colMajor(ref.referenceSigmoidGradient(new Matrix(c.inputs.z), v.options({ m: 1 })));
        case 'numgrad': {
          if (q !== 'numgrad') return undefined;
          const { J: name, params, theta } = c.inputs;
          const J = (t: Float64Array) => evaluateKnownFunction(name, params, t);
          return Array.from(ref.referenceNumericalGradient(J, Float64Array.from(theta), v.options({ m: 1 })));
        }
        case 'rand-init':
          return undefined;
      }
    },
  };
}

/** Outputs stored with the fixtures (single variants of the stored cases only). */
export function storedSource(stored: VariantFixtures | undefined): VariantSource {
  return {
    live: false,
    output(c, q, v) {
      const entry = stored?.[c.id]?.[`${q}:${v.key}`];
      return entry === undefined ? undefined : decodeVariantOutput(entry);
    },
  };
}

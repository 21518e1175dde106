/**
 * Where a variant's outputs come from: computed from the live reference (solutions/reference.ts
 * with MistakeOptions), or, in a student release (no solutions/), the single variants stored with
 * the fixtures: in the clear for the public cases (./fixtures.ts), sealed for the hidden pool (a
 * match is a hash match, grader/reference/sealed.ts).
 */
import type { Matrix as MatrixType } from 'ml-matrix';
import type { GradingCase, StoredReference } from '../cases/index';
import type { SealChecker } from '../compare/sealed';
import type { Reference } from '../reference/load';
import { poolSeal } from '../reference/sealed';
import { evaluateKnownFunction } from '../sandbox/functions';
import { decodeVariantOutput, type VariantFixtures } from './fixtures';
import type { Variant, VariantQuantity } from './variants';

export interface VariantSource {
  /** True when any variant can be computed (pairs, estimated steps); false for stored outputs only. */
  readonly live: boolean;
  /** The variant's output on the case as column-major numbers, or undefined when unknown. */
  output(c: GradingCase, q: VariantQuantity, v: Variant): number[] | undefined;
  /**
   * Sealed mode: whether `got` lies in the variant's sealed cells on a hidden case; undefined when
   * the case has no sealed output for this variant (or the diagnosis hash budget is spent).
   */
  sealedMatch?(c: GradingCase, q: VariantQuantity, v: Variant, got: readonly number[]): boolean | undefined;
}

/**
 * Hashes diagnosis may spend per grade in sealed mode (each ~55 ms). The public case (in the clear)
 * rules most variants out first, so a diagnosed part typically costs 1–3.
 */
export const SEALED_DIAGNOSIS_HASHES = 24;

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
      if (c.hidden) return undefined;
      const entry = stored?.[c.id]?.[`${q}:${v.key}`];
      return entry === undefined ? undefined : decodeVariantOutput(entry);
    },
  };
}

/** A release's variants: the public cases' in the clear, the hidden pool's sealed. */
export function sealedSource(stored: StoredReference | undefined, seals: SealChecker | undefined): VariantSource {
  const clear = storedSource(stored?.public.variants);
  let budget = SEALED_DIAGNOSIS_HASHES;
  return {
    ...clear,
    sealedMatch(c, q, v, got) {
      if (!stored || !seals || c.poolIndex === undefined || !c.sealed) return undefined;
      const seal = poolSeal(stored.sealed, c.family, c.poolIndex, `${q}:${v.key}`);
      if (!seal || budget <= 0) return undefined;
      budget--;
      return seals.check(seal, got);
    },
  };
}

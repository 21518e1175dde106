/**
 * Mistake variants: the one reference (solutions/reference.ts) with MistakeOptions switched on,
 * never copies of its math. Each failed part tries only the variants of its own quantity (the cost
 * parts cost variants, the gradient parts gradient variants, …), singles first, then pairs (two
 * mistakes in one file).
 */
import type { MistakeOptions } from '../reference/contract';
import type { PartId } from '../parts/ids';
import type { CatalogueId, MistakeDetail } from './catalogue';

/** What a variant is compared on: nnCostFunction's J or grad, sigmoidGradient's g, computeNumericalGradient's numgrad. */
export type VariantQuantity = 'J' | 'grad' | 'g' | 'numgrad';

/** A case's size facts some variants depend on (e.g. "λ·Θ instead of (λ/m)·Θ" is a factor m). */
export interface VariantScope {
  m: number;
}

export interface Variant {
  /** Stable key; stored fixtures are keyed by it (e.g. "regWrongScale:grad*m", "numgradStep:0.001"). */
  key: string;
  /** The catalogue mistakes it stands for (two for a pair), with their specifics. */
  names: { id: CatalogueId; detail?: MistakeDetail }[];
  /** The MistakeOptions key(s) it sets: a pair never sets the same switch twice. */
  switches: (keyof MistakeOptions)[];
  options(scope: VariantScope): MistakeOptions;
}

function single(key: string, id: CatalogueId, options: MistakeOptions | ((s: VariantScope) => MistakeOptions), detail?: MistakeDetail): Variant {
  const fn = typeof options === 'function' ? options : () => options;
  const probe = fn({ m: 2 });
  return { key, names: [{ id, detail }], switches: Object.keys(probe) as (keyof MistakeOptions)[], options: fn };
}

/** Two variants at once: both mistakes in one file. */
export function pair(a: Variant, b: Variant): Variant {
  return {
    key: `${a.key}+${b.key}`,
    names: [...a.names, ...b.names],
    switches: [...a.switches, ...b.switches],
    options: (s) => ({ ...a.options(s), ...b.options(s) }),
  };
}

// ---- nnCostFunction: mistakes in the data term (feedforward, labels, averaging) ------------------

const labelsNotOneHot = single('labelsNotOneHot', 'labels-not-one-hot', { labelsNotOneHot: true });
const labelsOffByOne = single('labelsOffByOne', 'labels-off-by-one', { labelsOffByOne: true });
/** `y % K` as the column: label K wraps around to the first column. */
const labelsWrap = single('labelsOffByOne:wrap', 'labels-off-by-one', { labelsOffByOne: 'wrap' }, { key: 'labels-wrap' });
const biasA1 = single('missingBiasUnit:a1', 'missing-bias-unit', { missingBiasUnit: 'a1' }, { key: 'bias-a1' });
const biasA2 = single('missingBiasUnit:a2', 'missing-bias-unit', { missingBiasUnit: 'a2' }, { key: 'bias-a2' });
const biasBoth = single('missingBiasUnit:both', 'missing-bias-unit', { missingBiasUnit: 'both' }, { key: 'bias-both' });

/** Data-term mistakes visible in J. */
export const COST_DATA: readonly Variant[] = [
  labelsNotOneHot,
  labelsOffByOne,
  labelsWrap,
  single('squaredErrorCost:half', 'squared-error-cost', { squaredErrorCost: true }, { key: 'squared-half' }),
  single('squaredErrorCost:one', 'squared-error-cost', { squaredErrorCost: 1 }, { key: 'squared-one' }),
  single('missingAverage:cost', 'missing-average', { missingAverage: 'cost' }),
  biasA1,
  biasA2,
  biasBoth,
];

/** Regularization mistakes visible in J (only at λ > 0). */
export const COST_REG: readonly Variant[] = [
  single('regIncludesBias:cost', 'reg-includes-bias', { regIncludesBias: 'cost' }),
  single('regWrongScale:cost', 'reg-wrong-scale', { regWrongScale: 'cost' }, { key: 'cost-lambda-m' }),
  single('regWrongScale:cost*m', 'reg-wrong-scale', (s) => ({ regWrongScale: { cost: s.m } }), { key: 'cost-lambda-2' }),
  single('regWrongScale:cost*2m', 'reg-wrong-scale', (s) => ({ regWrongScale: { cost: 2 * s.m } }), { key: 'cost-lambda' }),
  single('regWrongScale:cost/2', 'reg-wrong-scale', { regWrongScale: { cost: 0.5 } }, { key: 'cost-lambda-4m' }),
  single('regMissing:cost', 'reg-missing', { regMissing: 'cost' }),
];

/** Backpropagation mistakes visible in grad (sigmoidGradient's formula shows through δ2). */
export const GRAD_DATA: readonly Variant[] = [
  single('sigmoidGradientOfActivation', 'sigmoid-gradient-of-activation', { sigmoidGradientOfActivation: true }),
  single('gradUnrolledRowMajor', 'grad-unrolled-row-major', { gradUnrolledRowMajor: true }),
  single('gradSignFlipped', 'grad-sign-flipped', { gradSignFlipped: true }),
  single('missingAverage:grad', 'missing-average', { missingAverage: 'grad' }),
  labelsNotOneHot,
  labelsOffByOne,
  labelsWrap,
  biasA1,
  biasA2,
  biasBoth,
  single('sigmoidGradientFormula', 'sigmoid-gradient-formula', { sigmoidGradientFormula: true }),
];

/** Regularization mistakes visible in grad (only at λ > 0). */
export const GRAD_REG: readonly Variant[] = [
  single('regIncludesBias:grad', 'reg-includes-bias', { regIncludesBias: 'grad' }),
  single('regWrongScale:grad', 'reg-wrong-scale', { regWrongScale: 'grad' }, { key: 'grad-lambda-2m' }),
  single('regWrongScale:grad*m', 'reg-wrong-scale', (s) => ({ regWrongScale: { grad: s.m } }), { key: 'grad-lambda' }),
  single('regWrongScale:grad*2', 'reg-wrong-scale', { regWrongScale: { grad: 2 } }, { key: 'grad-2lambda-m' }),
  single('regWrongScale:grad/m', 'reg-wrong-scale', (s) => ({ regWrongScale: { grad: 1 / s.m } }), { key: 'grad-lambda-m2' }),
  single('regMissing:grad', 'reg-missing', { regMissing: 'grad' }),
];

export const SIGMOID: readonly Variant[] = [single('sigmoidGradientFormula', 'sigmoid-gradient-formula', { sigmoidGradientFormula: true })];

/** Steps students commonly type instead of 1e-4. */
export const COMMON_WRONG_STEPS: readonly number[] = [1e-3, 1e-2, 1e-5, 1e-6, 1, 0.1, 1e-7, 1e-8, 2e-4, 5e-5];

/** A numgrad-wrong-step variant for a step (also for steps estimated from the student's numbers). */
export function stepVariant(e: number): Variant {
  return single(`numgradStep:${e}`, 'numgrad-wrong-step', { numgradStep: e }, { key: 'none', params: { step: String(e) } });
}

const ONE_SIDED: readonly Variant[] = [
  single('numgradOneSided:forward', 'numgrad-one-sided', { numgradOneSided: 'forward' }, { key: 'one-sided-forward' }),
  single('numgradOneSided:backward', 'numgrad-one-sided', { numgradOneSided: 'backward' }, { key: 'one-sided-backward' }),
];
const NOT_RESTORED: readonly Variant[] = [
  single('numgradNotRestored:stays', 'numgrad-not-restored', { numgradNotRestored: 'stays-perturbed' }, { key: 'stays-perturbed' }),
  single('numgradNotRestored:stays-plus', 'numgrad-not-restored', { numgradNotRestored: 'stays-plus' }, { key: 'stays-plus' }),
  single('numgradNotRestored:cumulative', 'numgrad-not-restored', { numgradNotRestored: 'cumulative' }, { key: 'cumulative' }),
];
const STEPS: readonly Variant[] = COMMON_WRONG_STEPS.map(stepVariant);

export const NUMGRAD: readonly Variant[] = [...ONE_SIDED, ...NOT_RESTORED, ...STEPS];

/** The numerical-gradient variants stored with the fixtures: the five most common steps only (size). */
export const NUMGRAD_STORED: readonly Variant[] = [...ONE_SIDED, ...NOT_RESTORED, ...STEPS.slice(0, 5)];

/** Which quantity a part's variants are compared on. */
export function quantityOf(part: PartId): VariantQuantity {
  if (part === 'feedforward-cost' || part === 'regularized-cost') return 'J';
  if (part === 'sigmoid-gradient') return 'g';
  if (part === 'numerical-gradient') return 'numgrad';
  return 'grad';
}

/** Pairs of variants from two lists (or within one), never setting the same switch twice. */
function pairs(as: readonly Variant[], bs: readonly Variant[], within: boolean): Variant[] {
  const out: Variant[] = [];
  as.forEach((a, i) => {
    (within ? bs.slice(i + 1) : bs).forEach((b) => {
      if (a.switches.some((k) => b.switches.includes(k))) return;
      out.push(pair(a, b));
    });
  });
  return out;
}

/** The variants a failed part tries: single mistakes first, then pairs of two. Random-init has none (judged by properties). */
export function variantsFor(part: PartId): { singles: readonly Variant[]; pairs: readonly Variant[] } {
  switch (part) {
    case 'feedforward-cost':
      return { singles: COST_DATA, pairs: pairs(COST_DATA, COST_DATA, true) };
    case 'regularized-cost':
      return {
        singles: [...COST_DATA, ...COST_REG],
        pairs: [...pairs(COST_DATA, COST_REG, false), ...pairs(COST_DATA, COST_DATA, true), ...pairs(COST_REG, COST_REG, true)],
      };
    case 'backprop-gradient':
      return { singles: GRAD_DATA, pairs: pairs(GRAD_DATA, GRAD_DATA, true) };
    case 'regularized-gradient':
      return {
        singles: [...GRAD_DATA, ...GRAD_REG],
        pairs: [...pairs(GRAD_DATA, GRAD_REG, false), ...pairs(GRAD_DATA, GRAD_DATA, true), ...pairs(GRAD_REG, GRAD_REG, true)],
      };
    case 'sigmoid-gradient':
      return { singles: SIGMOID, pairs: [] };
    case 'numerical-gradient':
      return { singles: NUMGRAD, pairs: [...pairs(ONE_SIDED, STEPS, false), ...pairs(NOT_RESTORED, STEPS, false), ...pairs(ONE_SIDED, NOT_RESTORED, false)] };
    case 'random-init':
      return { singles: [], pairs: [] };
  }
}

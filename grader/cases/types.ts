/**
 * Cases: the inputs the grader hands to a submission, and (once known) the reference's outputs.
 * A case belongs to a family; one nnCostFunction call serves two parts (the cost parts judge J,
 * the gradient parts judge grad), so parts refer to cases and the runner calls each case once.
 */
import type { MessageRef } from '../messages/index';
import type { Seal } from '../reference/sealed';
import type { KnownFunctionName, NnCostFunctionArgs, PlainMatrix } from '../sandbox/protocol';

/** nnCostFunction's arguments (X: m×n without the bias column; y: labels 1..K): the wire shape. */
export type NnInputs = NnCostFunctionArgs;

export interface NnExpected {
  J: number;
  /** [Theta1_grad(:); Theta2_grad(:)] */
  grad: number[];
}

interface CaseBase {
  /** Unique within a run, e.g. "nn-unreg/public" or "nn-reg/hidden-2". */
  id: string;
  /** The case's name in English (logs, fixtures), e.g. "public (Coursera's case, λ=0)" or "hidden case B". */
  name: string;
  /** The name as a catalogue message (`report.case.*`), for readers; set by buildCaseSet. */
  nameRef?: MessageRef;
  /** Hidden cases' inputs are not shown to students. */
  hidden: boolean;
  /**
   * Sealed mode (a release grading hidden cases): the seals of the expected outputs by quantity
   * ("J", "grad", "g", "numgrad"), instead of `expected`. See grader/reference/sealed.ts.
   */
  sealed?: Record<string, Seal>;
  /** Sealed mode: the case's index in its family's pool (diagnosis looks its variants up by it). */
  poolIndex?: number;
}

/** nnCostFunction at λ = 0 ('nn-unreg') or λ > 0 ('nn-reg'): J and grad from the reference. */
export interface NnCase extends CaseBase {
  family: 'nn-unreg' | 'nn-reg';
  inputs: NnInputs;
  expected?: NnExpected;
}

/** nnCostFunction's grad against central differences of the reference cost. */
export interface NumCheckCase extends CaseBase {
  family: 'numcheck-unreg' | 'numcheck-reg';
  inputs: NnInputs;
  expected?: { numgrad: number[] };
}

export interface SigmoidCase extends CaseBase {
  family: 'sigmoid';
  inputs: { z: PlainMatrix };
  expected?: { g: PlainMatrix };
}

/** computeNumericalGradient on a known function J (grader/sandbox/functions.ts). */
export interface NumGradCase extends CaseBase {
  family: 'numgrad';
  inputs: { J: KnownFunctionName; params: Record<string, unknown>; theta: number[] };
  expected?: { numgrad: number[] };
}

/**
 * The speed probe of a gradient part: nnCostFunction on a network of about 10,000 parameters
 * (grader/cases/probe.ts), where backpropagation takes milliseconds and finite differences of the
 * cost cannot finish within the probe's time budget. Judged on grad only.
 */
export interface ProbeCase extends CaseBase {
  family: 'probe-unreg' | 'probe-reg';
  inputs: NnInputs;
  /** The call's time budget in ms (never more than the sandbox's per-call limit). */
  budgetMs: number;
  expected?: { grad: number[] };
}

/** randInitializeWeights: called twice with `seed` and once with `otherSeed`; judged by properties. */
export interface RandInitCase extends CaseBase {
  family: 'rand-init';
  inputs: { lIn: number; lOut: number; seed: number; otherSeed: number };
}

export type GradingCase = NnCase | NumCheckCase | SigmoidCase | NumGradCase | RandInitCase | ProbeCase;
export type CaseFamily = GradingCase['family'];

export const CASE_FAMILIES: readonly CaseFamily[] = [
  'nn-unreg',
  'nn-reg',
  'numcheck-unreg',
  'numcheck-reg',
  'sigmoid',
  'numgrad',
  'rand-init',
  'probe-unreg',
  'probe-reg',
];

/** The speed-probe families (one probe per run and gradient part). */
export const PROBE_FAMILIES = ['probe-unreg', 'probe-reg'] as const satisfies readonly CaseFamily[];

/** True for a speed probe. */
export function isProbe(c: GradingCase): c is ProbeCase {
  return c.family === 'probe-unreg' || c.family === 'probe-reg';
}

/** The cases of one run, per family: public first, then hidden. */
export type CaseSet = { [F in CaseFamily]: (GradingCase & { family: F })[] };

/**
 * The shipped public fixtures (grader/fixtures/public.json): the public cases with the reference's
 * outputs in the clear (Coursera's values are published anyway) and their mistake-variant outputs
 * for diagnosis. The hidden cases' expected outputs are never in this file (see
 * grader/reference/sealed.ts). Written by grader/reference/fixtures.ts.
 */
export interface PublicFixtures {
  format: 'backprop-grader/public';
  version: 2;
  /** Public cases with expected outputs, per family (families judged by properties have none). */
  cases: Partial<Record<CaseFamily, GradingCase[]>>;
  /** case id -> "quantity:variant key" -> J (number) or a vector ("f4:" / "f8:" + base64). */
  variants: Record<string, Record<string, number | string>>;
}

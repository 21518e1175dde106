/**
 * Cases: the inputs the grader hands to a submission, and (once known) the reference's outputs.
 * A case belongs to a family; one nnCostFunction call serves two parts (the cost parts judge J,
 * the gradient parts judge grad), so parts refer to cases and the runner calls each case once.
 */
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
  /** Student-facing name, e.g. "public λ=0" or "hidden #2". */
  name: string;
  /** Hidden cases' inputs are not shown to students. */
  hidden: boolean;
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

/** randInitializeWeights: called twice with `seed` and once with `otherSeed`; judged by properties. */
export interface RandInitCase extends CaseBase {
  family: 'rand-init';
  inputs: { lIn: number; lOut: number; seed: number; otherSeed: number };
}

export type GradingCase = NnCase | NumCheckCase | SigmoidCase | NumGradCase | RandInitCase;
export type CaseFamily = GradingCase['family'];

export const CASE_FAMILIES: readonly CaseFamily[] = [
  'nn-unreg',
  'nn-reg',
  'numcheck-unreg',
  'numcheck-reg',
  'sigmoid',
  'numgrad',
  'rand-init',
];

/** The cases of one run, per family: public first, then hidden. */
export type CaseSet = { [F in CaseFamily]: Extract<GradingCase, { family: F }>[] };

/**
 * The reference's named intermediate values of nnCostFunction and how they depend on each other
 * (a small graph), for matching a student's trace: the first value on the way to a wrong answer
 * that no student matrix reproduces, while everything it is computed from is reproduced, is where
 * the student's computation goes wrong. The values themselves come from the reference
 * (solutions/reference.ts referenceIntermediates); this file holds no math.
 */

/** The intermediates, in the order the reference computes them (parents always come first). */
export const INTERMEDIATES = [
  'Theta1',
  'Theta2',
  'a1',
  'z2',
  'a2',
  'z3',
  'a3',
  'Y',
  'costTerms',
  'costSum',
  'Jdata',
  'Theta1NoBias',
  'Theta2NoBias',
  'reg1',
  'reg2',
  'Jreg',
  'J',
  'd3',
  'gz2',
  'd2',
  'Delta1',
  'Delta2',
  'Theta1GradData',
  'Theta2GradData',
  'Theta1Reg',
  'Theta2Reg',
  'Theta1Grad',
  'Theta2Grad',
  'grad',
] as const;

export type IntermediateName = (typeof INTERMEDIATES)[number];

export interface IntermediateInfo {
  /** What it is computed from (other intermediates; none for the inputs' direct reshapes). */
  parents: readonly IntermediateName[];
  /** One row per example (m rows): a per-example loop builds it row by row. */
  perExample?: boolean;
  /** Only part of the regularization: meaningless (all zero) at λ = 0. */
  regularization?: boolean;
  /** Where the part's block is in nnCostFunction (1: feedforward and cost … 4: regularized gradient). */
  part: 1 | 2 | 3 | 4;
}

export const INTERMEDIATE_INFO: Readonly<Record<IntermediateName, IntermediateInfo>> = {
  Theta1: { parents: [], part: 1 },
  Theta2: { parents: [], part: 1 },
  a1: { parents: [], perExample: true, part: 1 },
  z2: { parents: ['a1', 'Theta1'], perExample: true, part: 1 },
  a2: { parents: ['z2'], perExample: true, part: 1 },
  z3: { parents: ['a2', 'Theta2'], perExample: true, part: 1 },
  a3: { parents: ['z3'], perExample: true, part: 1 },
  Y: { parents: [], perExample: true, part: 1 },
  costTerms: { parents: ['a3', 'Y'], perExample: true, part: 1 },
  costSum: { parents: ['costTerms'], part: 1 },
  Jdata: { parents: ['costSum'], part: 1 },
  Theta1NoBias: { parents: ['Theta1'], regularization: true, part: 2 },
  Theta2NoBias: { parents: ['Theta2'], regularization: true, part: 2 },
  reg1: { parents: ['Theta1NoBias'], regularization: true, part: 2 },
  reg2: { parents: ['Theta2NoBias'], regularization: true, part: 2 },
  Jreg: { parents: ['reg1', 'reg2'], regularization: true, part: 2 },
  J: { parents: ['Jdata', 'Jreg'], part: 2 },
  d3: { parents: ['a3', 'Y'], perExample: true, part: 3 },
  gz2: { parents: ['z2'], perExample: true, part: 3 },
  d2: { parents: ['d3', 'Theta2', 'gz2'], perExample: true, part: 3 },
  Delta1: { parents: ['d2', 'a1'], part: 3 },
  Delta2: { parents: ['d3', 'a2'], part: 3 },
  Theta1GradData: { parents: ['Delta1'], part: 3 },
  Theta2GradData: { parents: ['Delta2'], part: 3 },
  Theta1Reg: { parents: ['Theta1'], regularization: true, part: 4 },
  Theta2Reg: { parents: ['Theta2'], regularization: true, part: 4 },
  Theta1Grad: { parents: ['Theta1GradData', 'Theta1Reg'], part: 4 },
  Theta2Grad: { parents: ['Theta2GradData', 'Theta2Reg'], part: 4 },
  grad: { parents: ['Theta1Grad', 'Theta2Grad'], part: 4 },
};

/** The intermediates `target` is computed from, itself included, in computation order. */
export function ancestorsOf(target: IntermediateName): IntermediateName[] {
  const seen = new Set<IntermediateName>();
  const visit = (n: IntermediateName): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const p of INTERMEDIATE_INFO[n].parents) visit(p);
  };
  visit(target);
  return INTERMEDIATES.filter((n) => seen.has(n));
}


/**
 * The reference entry the grader loads (grader/reference/load.ts): the four solutions under the
 * students' names, plus the parameterised reference and its MistakeOptions for diagnosis.
 */
export { nnCostFunction } from './nnCostFunction';
export type { CostAndGradient } from './nnCostFunction';
export { sigmoidGradient } from './sigmoidGradient';
export { randInitializeWeights } from './randInitializeWeights';
export { computeNumericalGradient } from './computeNumericalGradient';
export * from './reference';

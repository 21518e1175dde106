/**
 * The part catalogue's identity: ids (an interface — external tools and configs rely on them),
 * titles, the student file and function each part judges, and the points of each preset.
 */
/** In the one step order of the exercise (GUIDE_SECTIONS): the report lists parts in this order. */
export const PART_IDS = [
  'feedforward-cost',
  'regularized-cost',
  'sigmoid-gradient',
  'random-init',
  'backprop-gradient',
  'regularized-gradient',
  'numerical-gradient',
] as const;

export type PartId = (typeof PART_IDS)[number];

/** The four files a student edits, relative to the submission's exercises folder. */
export const STUDENT_FILES = {
  nnCostFunction: 'nnCostFunction.ts',
  sigmoidGradient: 'sigmoidGradient.ts',
  randInitializeWeights: 'randInitializeWeights.ts',
  computeNumericalGradient: 'computeNumericalGradient.ts',
} as const;

export type StudentFunction = keyof typeof STUDENT_FILES;

export interface PartInfo {
  id: PartId;
  title: string;
  /** The exported function whose output this part judges. */
  fn: StudentFunction;
  /** The step of the notes to revisit when the part fails. */
  notesStep: string;
}

export const PARTS: Record<PartId, PartInfo> = {
  'feedforward-cost': {
    id: 'feedforward-cost',
    title: 'Feedforward and cost function',
    fn: 'nnCostFunction',
    notesStep: 'feedforward and cost function (Part 1 of nnCostFunction)',
  },
  'regularized-cost': {
    id: 'regularized-cost',
    title: 'Regularized cost function',
    fn: 'nnCostFunction',
    notesStep: 'regularized cost function (Part 2 of nnCostFunction)',
  },
  'sigmoid-gradient': {
    id: 'sigmoid-gradient',
    title: 'Sigmoid gradient',
    fn: 'sigmoidGradient',
    notesStep: 'sigmoid gradient, g\'(z) = g(z)(1 − g(z))',
  },
  'backprop-gradient': {
    id: 'backprop-gradient',
    title: 'Neural network gradient (backpropagation)',
    fn: 'nnCostFunction',
    notesStep: 'backpropagation (Part 3 of nnCostFunction)',
  },
  'regularized-gradient': {
    id: 'regularized-gradient',
    title: 'Regularized gradient',
    fn: 'nnCostFunction',
    notesStep: 'regularized gradient (Part 4 of nnCostFunction)',
  },
  'numerical-gradient': {
    id: 'numerical-gradient',
    title: 'Numerical gradient (gradient checking)',
    fn: 'computeNumericalGradient',
    notesStep: 'gradient checking (central differences, e = 1e-4)',
  },
  'random-init': {
    id: 'random-init',
    title: 'Random initialization',
    fn: 'randInitializeWeights',
    notesStep: 'random initialization (symmetry breaking, ε = 0.12)',
  },
};

export type PresetName = 'full' | 'coursera';

/** Points per part for each preset; a part absent from a preset is not graded under it. */
export const PRESETS: Record<PresetName, Partial<Record<PartId, number>>> = {
  full: {
    'feedforward-cost': 25,
    'regularized-cost': 10,
    'sigmoid-gradient': 5,
    'random-init': 5,
    'backprop-gradient': 35,
    'regularized-gradient': 10,
    'numerical-gradient': 10,
  },
  coursera: {
    'feedforward-cost': 30,
    'regularized-cost': 15,
    'sigmoid-gradient': 5,
    'backprop-gradient': 40,
    'regularized-gradient': 10,
  },
};

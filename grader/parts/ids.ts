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
}

export const PARTS: Record<PartId, PartInfo> = {
  'feedforward-cost': {
    id: 'feedforward-cost',
    title: 'Feedforward and cost function',
    fn: 'nnCostFunction',
  },
  'regularized-cost': {
    id: 'regularized-cost',
    title: 'Regularized cost function',
    fn: 'nnCostFunction',
  },
  'sigmoid-gradient': {
    id: 'sigmoid-gradient',
    title: 'Sigmoid gradient',
    fn: 'sigmoidGradient',
  },
  'backprop-gradient': {
    id: 'backprop-gradient',
    title: 'Neural network gradient (backpropagation)',
    fn: 'nnCostFunction',
  },
  'regularized-gradient': {
    id: 'regularized-gradient',
    title: 'Regularized gradient',
    fn: 'nnCostFunction',
  },
  'numerical-gradient': {
    id: 'numerical-gradient',
    title: 'Numerical gradient (gradient checking)',
    fn: 'computeNumericalGradient',
  },
  'random-init': {
    id: 'random-init',
    title: 'Random initialization',
    fn: 'randInitializeWeights',
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

/**
 * What the grader expects of the reference implementation (solutions/index.ts), as types only: the
 * grader must type-check and run where solutions/ is absent (a student release), so it never
 * imports from solutions/ except through loadReference().
 */
/** Which of the cost / the gradient a mistake applies to. */
export type CostOrGrad = 'cost' | 'grad' | 'both';

/**
 * Known student mistakes, all off by default. Each maps to an issue-4 catalogue id (in brackets).
 */
export interface MistakeOptions {
  // ---- nnCostFunction -----------------------------------------------------------------------
  /** [reg-includes-bias] the bias column (column 1) of each Theta is regularized too. */
  regIncludesBias?: CostOrGrad;
  /**
   * [reg-wrong-scale] wrong regularization factor. 'cost': λ/m instead of λ/(2m) in J; 'grad':
   * λ/(2m) instead of λ/m in grad; 'both': both. An object gives arbitrary multipliers of the
   * correct term, e.g. `{ grad: m }` for λ·Θ instead of (λ/m)·Θ.
   */
  regWrongScale?: CostOrGrad | { cost?: number; grad?: number };
  /** [reg-missing] λ ignored (no regularization term) in the cost, the gradient, or both. */
  regMissing?: CostOrGrad;
  /** [missing-average] the data term (cross-entropy / backprop Δ) not divided by m; regularization unchanged. */
  missingAverage?: CostOrGrad;
  /** [labels-not-one-hot] y used as numbers: Y(i, k) = y(i) for every k (Octave broadcasting y). */
  labelsNotOneHot?: boolean;
  /**
   * [labels-off-by-one] label k put in column index k (0-based) instead of k−1: label 1 lands in
   * the second column and label K falls off the matrix (its row stays all zeros), as
   * indexing the one-hot row with y(i) instead of y(i) − 1 silently does; `'wrap'`: label K
   * lands in the first column instead (`y % K` as the column index).
   */
  labelsOffByOne?: boolean | 'wrap';
  /**
   * [squared-error-cost] J uses squared error instead of cross-entropy: c/m · Σ(a3 − Y)², with
   * c = 1/2 for `true`, or the given number (e.g. 1 for the plain mean). The gradient is unchanged.
   */
  squaredErrorCost?: boolean | number;
  /** [sigmoid-gradient-of-activation] δ2 uses sigmoidGradient(a2) (of the activation) instead of sigmoidGradient(z2). */
  sigmoidGradientOfActivation?: boolean;
  /** [grad-unrolled-row-major] grad unrolled row by row instead of Octave's column-major (:). */
  gradUnrolledRowMajor?: boolean;
  /** [grad-sign-flipped] δ3 = Y − a3 instead of a3 − Y, so every data-term gradient has the wrong sign. */
  gradSignFlipped?: boolean;
  /**
   * [missing-bias-unit] no bias unit added to a1 ('a1'), a2 ('a2') or either ('both'): that
   * layer's product uses Theta(:, 2:end) only and its bias column gets a zero gradient.
   */
  missingBiasUnit?: 'a1' | 'a2' | 'both';

  // ---- sigmoidGradient (also used by the cost function's backprop) --------------------------
  /** [sigmoid-gradient-formula] sigmoidGradient computes z .* (1 − z) instead of g(z) .* (1 − g(z)). */
  sigmoidGradientFormula?: boolean;

  // ---- randInitializeWeights ----------------------------------------------------------------
  /** [rand-init-symmetric] every weight equals this value (true: 0). */
  randInitSymmetric?: boolean | number;
  /**
   * [rand-init-range] W = rand·2ε' − (centred ? ε' : 0): `epsilon` replaces ε = 0.12 (default
   * 0.12), `centred: false` forgets the "− ε" (weights in [0, 2ε)). `true` = `{ centred: false }`.
   */
  randInitRange?: boolean | { epsilon?: number; centred?: boolean };
  /** [rand-init-ignores-source] draws from Math.random instead of the `random` argument. */
  randInitIgnoresSource?: boolean;

  // ---- computeNumericalGradient -------------------------------------------------------------
  /** [numgrad-one-sided] (J(θ+e)−J(θ))/e ('forward') or (J(θ)−J(θ−e))/e ('backward'). */
  numgradOneSided?: 'forward' | 'backward';
  /** [numgrad-wrong-step] this step instead of e = 1e-4. */
  numgradStep?: number;
  /**
   * [numgrad-not-restored] a perturbed entry is not put back before the next one.
   * `true` / 'stays-perturbed': entry p keeps its last value θp − e (the in-place TS style, restoring
   * only after the +e evaluation); 'stays-plus': it keeps θp + e (the −e evaluation first);
   * 'cumulative': Octave's `perturb(p) = 0` forgotten, so entries 1..p are all perturbed by ±e.
   */
  numgradNotRestored?: boolean | 'stays-perturbed' | 'stays-plus' | 'cumulative';
}

// The reference's signatures are written in terms of the students' contract (exercises/), so this
// file restates no parameter lists of solutions/ (the release's leak scan looks for those).
type StudentCost = typeof import('../../exercises/nnCostFunction').nnCostFunction;
type StudentSigmoidGradient = typeof import('../../exercises/sigmoidGradient').sigmoidGradient;
type StudentRandInit = typeof import('../../exercises/randInitializeWeights').randInitializeWeights;
type StudentNumericalGradient = typeof import('../../exercises/computeNumericalGradient').computeNumericalGradient;
type WithMistakes<F extends (...args: never[]) => unknown, R = ReturnType<F>> = (
  ...args: [...Required<Parameters<F>>, mistakes?: MistakeOptions]
) => R;

/** The reference module the grader loads (solutions/index.ts, or dist/reference.js when built). */
export interface Reference {
  nnCostFunction: StudentCost;
  sigmoidGradient: StudentSigmoidGradient;
  randInitializeWeights: StudentRandInit;
  computeNumericalGradient: StudentNumericalGradient;
  /** The one parameterised reference: the correct answer with no mistakes, a variant with one. */
  referenceCostFunction: WithMistakes<StudentCost, { J: number; grad: Float64Array }>;
  referenceSigmoidGradient: WithMistakes<StudentSigmoidGradient>;
  referenceRandInitializeWeights: WithMistakes<StudentRandInit>;
  referenceNumericalGradient: WithMistakes<StudentNumericalGradient>;
  /** The named intermediates of referenceCostFunction (grader/diagnose/intermediates.ts), by name. */
  referenceIntermediates?: WithMistakes<StudentCost, Record<string, import('ml-matrix').Matrix | number | Float64Array>>;
}

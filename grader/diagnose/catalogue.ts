/**
 * The mistake catalogue of issue 4: ids (an interface — reports, gradebooks and tests rely on them)
 * and the student-facing words for each. A diagnosis names a catalogue id only when the student's
 * outputs matched that mistake's variant of the reference on every case of the part; otherwise the
 * diagnosis stage gives structural blame (ids "blame:<kind>", see ./blame.ts).
 */
import type { PartId } from '../parts/ids';
import type { Diagnosis } from '../report/types';

export const CATALOGUE_IDS = [
  'reg-includes-bias',
  'reg-wrong-scale',
  'reg-missing',
  'missing-average',
  'labels-not-one-hot',
  'labels-off-by-one',
  'squared-error-cost',
  'sigmoid-gradient-of-activation',
  'grad-unrolled-row-major',
  'grad-sign-flipped',
  'sigmoid-gradient-formula',
  'missing-bias-unit',
  'rand-init-symmetric',
  'rand-init-range',
  'rand-init-ignores-source',
  'numgrad-one-sided',
  'numgrad-wrong-step',
  'numgrad-not-restored',
] as const;

export type CatalogueId = (typeof CATALOGUE_IDS)[number];

/** Which quantity the failed part judges, so the words can say "your cost" or "your gradient". */
type Quantity = 'cost' | 'grad';

function quantityOf(part: PartId): Quantity {
  return part === 'feedforward-cost' || part === 'regularized-cost' ? 'cost' : 'grad';
}

const COST_STEP = 'the feedforward and cost function step';
const REG_COST_STEP = 'the regularized cost step';
const BACKPROP_STEP = 'the backpropagation step';
const REG_GRAD_STEP = 'the regularized gradient step';

/**
 * The student-facing diagnosis for a matched catalogue mistake on a part.
 * @param detail the matched variant's specifics (e.g. "λ/m instead of λ/(2m)"), when it has any
 */
export function catalogueDiagnosis(id: CatalogueId, part: PartId, detail?: string): Diagnosis {
  const q = quantityOf(part);
  const d = detail ? ` (${detail})` : '';
  const inFn = q === 'cost' ? 'the cost J in `nnCostFunction`' : 'the gradient in `nnCostFunction`';
  switch (id) {
    case 'reg-includes-bias':
      return {
        id,
        message: `Your regularization of ${inFn} includes the bias weights (column 1 of Theta1 and Theta2).`,
        hint:
          q === 'cost'
            ? `Regularization skips the first column of each Theta: see ${REG_COST_STEP} (sum Theta1(:, 2:end).^2, not Theta1.^2).`
            : `Regularization skips the first column of each Theta: see ${REG_GRAD_STEP} (add (λ/m)·Theta only to columns 2:end).`,
      };
    case 'reg-wrong-scale':
      return {
        id,
        message: `The regularization term of ${inFn} has the wrong factor${d}.`,
        hint:
          q === 'cost'
            ? `The cost adds λ/(2m) times the sum of the squared non-bias weights: see ${REG_COST_STEP}.`
            : `The gradient adds (λ/m)·Theta on the non-bias columns (the derivative of λ/(2m)·Θ² is (λ/m)·Θ): see ${REG_GRAD_STEP}.`,
      };
    case 'reg-missing':
      return {
        id,
        message: `${q === 'cost' ? 'The cost J' : 'The gradient'} of \`nnCostFunction\` ignores λ: the regularization term is missing.`,
        hint: q === 'cost' ? `Add λ/(2m)·(sum of squared non-bias weights) to J: see ${REG_COST_STEP}.` : `Add (λ/m)·Theta to the non-bias columns of each gradient: see ${REG_GRAD_STEP}.`,
      };
    case 'missing-average':
      return {
        id,
        message: `${q === 'cost' ? 'The cost J' : 'The gradient'} of \`nnCostFunction\` is a sum over the m examples, not their mean: it is not divided by m.`,
        hint: q === 'cost' ? `J is (1/m) times the summed cross-entropy: see ${COST_STEP}.` : `Theta1_grad and Theta2_grad are the accumulated Δ divided by m: see ${BACKPROP_STEP}.`,
      };
    case 'labels-not-one-hot':
      return {
        id,
        message: '`nnCostFunction` uses the labels y as numbers instead of recoding them as one-hot vectors (a row of 0s with a 1 in column y(i)).',
        hint: `Build Y (m×K) with Y(i, y(i)) = 1 (oneHot(y, K)) before the cost and δ3: see ${COST_STEP}.`,
      };
    case 'labels-off-by-one':
      return {
        id,
        message: "`nnCostFunction`'s one-hot labels are shifted by one column: label k lands in column k + 1 (0-based index k) instead of column k.",
        hint: `Labels run 1..K, TypeScript indices 0..K−1: put label k at index k − 1. See ${COST_STEP}.`,
      };
    case 'squared-error-cost':
      return {
        id,
        message: `\`nnCostFunction\` computes a squared-error cost${d} instead of the cross-entropy (logistic) cost.`,
        hint: `J = (1/m)·Σ Σ [−y·log(h) − (1 − y)·log(1 − h)]: see ${COST_STEP}.`,
      };
    case 'sigmoid-gradient-of-activation':
      return {
        id,
        message: "`nnCostFunction`'s δ2 uses sigmoidGradient of the activation a2 (already a sigmoid) instead of sigmoidGradient(z2).",
        hint: `δ2 = (δ3·Theta2(:, 2:end)) .* g′(z2), with g′ applied to z2 (or a2 .* (1 − a2) without calling sigmoidGradient): see ${BACKPROP_STEP}.`,
      };
    case 'grad-unrolled-row-major':
      return {
        id,
        message: "`nnCostFunction`'s gradient has the right numbers in the wrong order: it is unrolled row by row instead of column by column.",
        hint: `Unroll like Octave's (:): grad = [Theta1_grad(:); Theta2_grad(:)], column-major (the kit's unroll does this): see ${BACKPROP_STEP}.`,
      };
    case 'grad-sign-flipped':
      return {
        id,
        message: "`nnCostFunction`'s gradient has the wrong sign: δ3 is computed as y − a3 instead of a3 − y.",
        hint: `δ3 = a3 − Y (the output minus the target): see ${BACKPROP_STEP}.`,
      };
    case 'sigmoid-gradient-formula':
      return part === 'sigmoid-gradient'
        ? {
            id,
            message: '`sigmoidGradient` applies the formula to z itself (z .* (1 − z)) instead of to g(z) = sigmoid(z).',
            hint: "g′(z) = g(z) .* (1 − g(z)) with g = sigmoid(z): see the sigmoid gradient step.",
          }
        : {
            id,
            message:
              "`nnCostFunction`'s gradient is what backpropagation gives with your `sigmoidGradient`, which computes z .* (1 − z) instead of g(z) .* (1 − g(z)).",
            hint: 'Fix sigmoidGradient first (g′(z) = g(z)(1 − g(z))): see the sigmoid gradient step; backpropagation uses it for δ2.',
          };
    case 'missing-bias-unit':
      return {
        id,
        message: `\`nnCostFunction\` does not add the bias unit${d}, so the bias weights in column 1 of ${detail?.includes('a2') ? 'Theta2' : 'Theta1'} are never used.`,
        hint: `Add a column of ones: a1 = [ones(m, 1) X] and a2 = [ones(m, 1) sigmoid(z2)] (addBiasColumn): see ${COST_STEP}.`,
      };
    case 'rand-init-symmetric':
      return {
        id,
        message: `\`randInitializeWeights\` returns weights that are all equal${d}: every hidden unit would then learn the same thing.`,
        hint: 'Draw each weight at random to break the symmetry: W = rand(L_out, 1 + L_in)·2ε − ε: see the random initialization step.',
      };
    case 'rand-init-range':
      return {
        id,
        message: `\`randInitializeWeights\` draws its weights from the wrong range${detail ? `: ${detail}` : ''}.`,
        hint: 'Each weight should be uniform in [−ε, ε] with ε = 0.12: W = random()·2ε − ε. See the random initialization step.',
      };
    case 'rand-init-ignores-source':
      return {
        id,
        message: `\`randInitializeWeights\` does not draw from its \`random\` argument${d}, so a seeded source cannot reproduce its weights.`,
        hint: 'Call the `random` parameter (not Math.random) for every weight: see the random initialization step.',
      };
    case 'numgrad-one-sided':
      return {
        id,
        message: `\`computeNumericalGradient\` uses a one-sided difference${d} instead of the central difference.`,
        hint: 'numgrad(p) = (J(θ + e·u_p) − J(θ − e·u_p)) / (2e): see the gradient checking step.',
      };
    case 'numgrad-wrong-step':
      return {
        id,
        message: `\`computeNumericalGradient\` uses the step e = ${detail ?? 'a value other than 1e-4'} instead of e = 1e-4.`,
        hint: 'Use e = 1e-4 (the exercise compares with the reference at that step): see the gradient checking step.',
      };
    case 'numgrad-not-restored':
      return {
        id,
        message: `\`computeNumericalGradient\` does not put each perturbed entry of theta back before moving to the next one${d}.`,
        hint: "Perturb one entry at a time and restore it exactly (save the old value, or reset perturb(p) = 0); never change the caller's theta: see the gradient checking step.",
      };
  }
}

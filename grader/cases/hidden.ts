/**
 * Hidden randomized cases, all drawn from the run's seed. Case k of a family depends only on the seed
 * and k, so asking for more cases extends the list without changing the first ones (the stored pool
 * in grader/fixtures/ relies on this).
 */
import { familyRng, r4, type Rng } from './rng';
import type { NnCase, NnInputs, NumCheckCase, RandInitCase, SigmoidCase } from './types';

interface NetSizes {
  input: [number, number];
  hidden: [number, number];
  labels: [number, number];
  m: [number, number];
}

/** Small networks: big enough to catch every mistake in the catalogue, small enough to be instant. */
const HIDDEN_SIZES: NetSizes = { input: [2, 6], hidden: [2, 6], labels: [2, 5], m: [3, 12] };
/**
 * The numerical checks evaluate the reference cost twice per parameter (≤ 2·24 times here): keep
 * them smaller, so they cost a few milliseconds.
 */
const CHECK_SIZES: NetSizes = { input: [2, 3], hidden: [2, 3], labels: [2, 3], m: [3, 5] };

/** Fisher–Yates shuffle in place with the case generator's randomness. */
export function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/**
 * Labels for m examples with K classes. `variant` cycles through: every label present; label K
 * absent (catches one-hot encodings sized by max(y)); a random subset missing a middle label.
 */
function labels(rng: Rng, m: number, K: number, variant: number): number[] {
  if (variant === 0) return shuffle(rng, Array.from({ length: m }, (_, i) => 1 + (i % K)));
  if (variant === 1) return Array.from({ length: m }, () => rng.int(1, Math.max(1, K - 1)));
  const missing = K >= 3 ? rng.int(2, K - 1) : 1;
  const allowed = Array.from({ length: K }, (_, i) => i + 1).filter((k) => k !== missing);
  return Array.from({ length: m }, () => allowed[rng.int(0, allowed.length - 1)]);
}

function randomNetwork(rng: Rng, sizes: NetSizes, k: number, lambda: number): NnInputs {
  const n = rng.int(...sizes.input);
  const h = rng.int(...sizes.hidden);
  const K = rng.int(...sizes.labels);
  const m = rng.int(...sizes.m);
  const xScale = rng.logUniform(0.1, 5);
  const wScale = rng.logUniform(0.2, 1.5);
  const nParams = h * (n + 1) + K * (h + 1);
  const nnParams = Array.from({ length: nParams }, () => r4(rng.uniform(-1, 1) * wScale));
  const X = Array.from({ length: m }, () => Array.from({ length: n }, () => r4(rng.uniform(-1, 1) * xScale)));
  const y = labels(rng, m, K, k % 3);
  return { nnParams, inputLayerSize: n, hiddenLayerSize: h, numLabels: K, X, y, lambda };
}

/** A λ for the regularized parts: 0.3–3, two decimals (never 0, so regularization shows). */
export function drawLambda(rng: Rng): number {
  return Math.round(rng.uniform(0.3, 3) * 100) / 100;
}

/** `count` hidden nnCostFunction cases at λ = 0 or λ > 0. */
export function hiddenNnCases(seed: number, count: number, regularized: boolean): NnCase[] {
  const family = regularized ? 'nn-reg' : 'nn-unreg';
  const rng = familyRng(seed, family);
  return Array.from({ length: count }, (_, k) => {
    const lambda = regularized ? drawLambda(rng) : 0;
    const inputs = randomNetwork(rng, HIDDEN_SIZES, k, lambda);
    return { id: `${family}/hidden-${k + 1}`, family, name: `hidden #${k + 1}`, hidden: true, inputs };
  });
}

/** `count` numerical gradient checks of nnCostFunction's grad at λ = 0 or λ > 0. */
export function numCheckCases(seed: number, count: number, regularized: boolean): NumCheckCase[] {
  const family = regularized ? 'numcheck-reg' : 'numcheck-unreg';
  const rng = familyRng(seed, family);
  return Array.from({ length: count }, (_, k) => {
    const lambda = regularized ? drawLambda(rng) : 0;
    const inputs = randomNetwork(rng, CHECK_SIZES, k, lambda);
    return { id: `${family}/check-${k + 1}`, family, name: `numerical check #${k + 1}`, hidden: true, inputs };
  });
}

/**
 * `count` hidden sigmoidGradient inputs: random shapes (including 1×n rows) and scales, some exact
 * zeros. At least 3 elements each, so that a sealed expected output has enough unknown digits to
 * resist a brute-force search (docs/sealed-fixtures.md).
 */
export function hiddenSigmoidCases(seed: number, count: number): SigmoidCase[] {
  const rng = familyRng(seed, 'sigmoid');
  return Array.from({ length: count }, (_, k) => {
    const r = rng.int(1, 5);
    const c = rng.int(r >= 3 ? 1 : Math.ceil(4 / r), 8);
    const scale = rng.logUniform(0.1, 20);
    const z = Array.from({ length: r }, () => Array.from({ length: c }, () => r4(rng.uniform(-1, 1) * scale)));
    if (k % 2 === 0) z[rng.int(0, r - 1)][rng.int(0, c - 1)] = 0; // g'(0) = 0.25 exactly
    return { id: `sigmoid/hidden-${k + 1}`, family: 'sigmoid', name: `hidden #${k + 1}`, hidden: true, inputs: { z } };
  });
}

/**
 * `count` hidden randInitializeWeights layers. Sizes keep ≥ 24 weights per matrix so a correct
 * implementation fails the spread checks with probability below 1e-9.
 */
export function hiddenRandInitCases(seed: number, count: number): RandInitCase[] {
  const rng = familyRng(seed, 'rand-init');
  return Array.from({ length: count }, (_, k) => {
    const lIn = rng.int(5, 12);
    const lOut = rng.int(4, 10);
    const s = rng.seed();
    let other = rng.seed();
    if (other === s) other = s + 1;
    return {
      id: `rand-init/hidden-${k + 1}`,
      family: 'rand-init',
      name: `hidden #${k + 1} (lIn = ${lIn}, lOut = ${lOut})`,
      hidden: true,
      inputs: { lIn, lOut, seed: s, otherSeed: other },
    };
  });
}

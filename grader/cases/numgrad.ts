/**
 * computeNumericalGradient cases: the known functions of grader/sandbox/functions.ts with seeded
 * parameters and points. Their curvature is chosen so a forward/backward difference (error ~ f''·e/2)
 * and a wrong step (the reference's own central error f'''·e²/6 changes) are far outside the part's
 * tolerance, while a correct central difference with e = 1e-4 matches the reference to rounding.
 */
import type { KnownFunctionName } from '../sandbox/protocol';
import { familyRng, r4, type Rng } from './rng';
import type { NumGradCase } from './types';

function vec(rng: Rng, n: number, a: number, b: number): number[] {
  return Array.from({ length: n }, () => r4(rng.uniform(a, b)));
}

/** A magnitude in [lo, hi] with a random sign (keeps every coordinate visibly curved). */
function signed(rng: Rng, lo: number, hi: number): number {
  return r4((rng.float() < 0.5 ? -1 : 1) * rng.uniform(lo, hi));
}

function params(rng: Rng, name: KnownFunctionName): { params: Record<string, unknown>; theta: number[] } {
  switch (name) {
    case 'quadratic': {
      const n = rng.int(3, 6);
      // Diagonal 2–5 so a one-sided difference is off by A(i,i)·e/2 ≥ 1e-4 on every coordinate.
      const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? r4(rng.uniform(2, 5)) : r4(rng.uniform(-1, 1)))));
      return { params: { A, b: vec(rng, n, -1, 1) }, theta: vec(rng, n, -2, 2) };
    }
    case 'sin-sum': {
      const n = rng.int(3, 8);
      return { params: { a: Array.from({ length: n }, () => signed(rng, 1, 3)) }, theta: vec(rng, n, -3, 3) };
    }
    case 'log-sum-exp': {
      const n = rng.int(3, 8);
      return { params: { s: Array.from({ length: n }, () => signed(rng, 1, 3)) }, theta: vec(rng, n, -1.5, 1.5) };
    }
    case 'tiny-network': {
      const n = rng.int(2, 3);
      const hidden = rng.int(2, 3);
      const k = rng.int(1, 2);
      const m = rng.int(3, 5);
      const X = Array.from({ length: m }, () => vec(rng, n, -1, 1));
      const Y = Array.from({ length: m }, () => vec(rng, k, -1, 1));
      return { params: { X, Y, hidden }, theta: vec(rng, hidden * (n + 1) + k * (hidden + 1), -1.5, 1.5) };
    }
  }
}

/** Hidden cases cycle through these, so 3 cases already cover every kind of curvature. */
const ORDER: KnownFunctionName[] = ['log-sum-exp', 'tiny-network', 'sin-sum', 'quadratic'];

/** The visible case: sin-sum at a fixed point (its third derivative is as large as its gradient). */
export function publicNumGradCase(): NumGradCase {
  return {
    id: 'numgrad/public',
    family: 'numgrad',
    name: 'public (J = sin-sum, θ of length 5)',
    hidden: false,
    inputs: { J: 'sin-sum', params: { a: [1, 2, -1, 3, 0.5] }, theta: [1, -0.5, 2, 0.25, -1.5] },
  };
}

/** `count` hidden known-function cases. */
export function hiddenNumGradCases(seed: number, count: number): NumGradCase[] {
  const rng = familyRng(seed, 'numgrad');
  return Array.from({ length: count }, (_, k) => {
    const J = ORDER[k % ORDER.length];
    return { id: `numgrad/hidden-${k + 1}`, family: 'numgrad', name: `hidden #${k + 1} (J = ${J})`, hidden: true, inputs: { J, ...params(rng, J) } };
  });
}

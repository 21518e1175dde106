/**
 * fmincg: minimizes a differentiable function of many variables, as the exercise's fmincg.m
 * (Carl Edward Rasmussen's conjugate-gradient minimizer) does, so cost histories match Octave's.
 *
 * Nonlinear conjugate gradient with Polak-Ribière directions; each iteration is a line search
 * that brackets and refines the step with quadratic and cubic interpolation / cubic
 * extrapolation until the (strong) Wolfe-Powell conditions hold:
 *   f(x + z·s) <= f(x) + RHO·z·f'(x)·s   and   |f'(x + z·s)·s| <= -SIG·f'(x)·s.
 */

import { kitError } from './errors';

/** The function to minimize: its value and gradient at theta. It must not keep or modify theta. */
export type CostFunction = (theta: Float64Array) => { J: number; grad: ArrayLike<number> };

/** Options of fmincg. */
export interface FmincgOptions {
  /** Maximum number of line searches (iterations), like optimset('MaxIter', N). */
  maxIter: number;
  /** Receives one progress line per iteration, `Iteration    N | Cost: X.XXXXXXe+XX`; default console.log. */
  log?: (line: string) => void;
}

/** What fmincg returns. */
export interface FmincgResult {
  /** The best point found (a new array). */
  theta: Float64Array;
  /** Cost after each successful iteration (non-increasing), like fmincg.m's fX. */
  costs: number[];
  /** Number of iterations (line searches) performed. */
  iterations: number;
}

// The constants of fmincg.m.
const RHO = 0.01; // sufficient decrease (Wolfe-Powell 1)
const SIG = 0.5; // curvature (Wolfe-Powell 2); 0.5 makes the search loose, i.e. cheap
const INT = 0.1; // don't reevaluate within 0.1 of the limit of the current bracket
const EXT = 3.0; // extrapolate at most 3 times the current step
const MAX = 20; // at most 20 function evaluations per line search
const RATIO = 100; // largest allowed growth of the initial step between iterations
const REALMIN = 2.2250738585072014e-308;

/** Formats like C's `%4.6e` (two-digit exponent at least). */
export function formatExp(x: number): string {
  if (!Number.isFinite(x)) return String(x).padStart(4);
  const [mant, exp] = x.toExponential(6).split('e');
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** One progress line, as fmincg.m prints it: `Iteration %4i | Cost: %4.6e`. */
export function iterationLine(i: number, cost: number): string {
  return `Iteration ${String(i).padStart(4)} | Cost: ${formatExp(cost)}`;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** x += z·s, in place. */
function axpy(x: Float64Array, z: number, s: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] += z * s[i];
}

/**
 * Minimizes f starting at theta0 (length n, left unmodified).
 * @returns the final point, the cost history (one entry per successful iteration) and the
 *          number of iterations.
 */
export function fmincg(f: CostFunction, theta0: ArrayLike<number>, options: FmincgOptions): FmincgResult {
  const length = options.maxIter;
  const log = options.log ?? ((line: string) => console.log(line));
  const n = theta0.length;
  const X = Float64Array.from(theta0);
  const X0 = new Float64Array(n);
  let df0 = new Float64Array(n);
  let df1 = new Float64Array(n);
  let df2 = new Float64Array(n);
  const s = new Float64Array(n);
  const costs: number[] = [];

  // Evaluates f at X, copying the gradient into `into`; returns the cost.
  const evaluate = (into: Float64Array): number => {
    const { J, grad } = f(X);
    if (grad.length !== n) {
      throw kitError(new Error(`fmincg: the cost function returned a gradient of length ${grad.length}, expected ${n}`), 'fmincg-grad-length', { length: grad.length, expected: n });
    }
    for (let k = 0; k < n; k++) into[k] = grad[k];
    return J;
  };

  let i = 0; // iterations so far
  let lsFailed = false;
  let f1 = evaluate(df1);
  for (let k = 0; k < n; k++) s[k] = -df1[k]; // start with steepest descent
  let d1 = -dot(s, s); // slope along s
  let z1 = 1 / (1 - d1); // initial step: red/(1-d1) with red = 1

  while (i < length) {
    i++;
    X0.set(X);
    const f0 = f1;
    df0.set(df1);
    axpy(X, z1, s);
    let f2 = evaluate(df2);
    let d2 = dot(df2, s);
    // Point 3 starts as point 1 (relative to the current point 2 at distance z1).
    let f3 = f1;
    let d3 = d1;
    let z3 = -z1;
    let M = MAX;
    let success = false;
    let limit = -1; // no upper bracket yet

    for (;;) {
      // Interpolate while the step is too long (not enough decrease) or the slope is too
      // positive, i.e. while the minimum is bracketed between 1 and 2.
      while ((f2 > f1 + z1 * RHO * d1 || d2 > -SIG * d1) && M > 0) {
        limit = z1;
        let z2: number;
        if (f2 > f1) {
          z2 = z3 - (0.5 * d3 * z3 * z3) / (d3 * z3 + f2 - f3); // quadratic fit
        } else {
          const A = (6 * (f2 - f3)) / z3 + 3 * (d2 + d3); // cubic fit
          const B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2);
          z2 = (Math.sqrt(B * B - A * d2 * z3 * z3) - B) / A;
        }
        if (!Number.isFinite(z2)) z2 = z3 / 2; // bisect when the fit is useless
        z2 = Math.max(Math.min(z2, INT * z3), (1 - INT) * z3); // stay away from the ends
        z1 += z2;
        axpy(X, z2, s);
        f2 = evaluate(df2);
        M--;
        d2 = dot(df2, s);
        z3 -= z2; // z3 is now relative to the new point 2
      }
      if (f2 > f1 + z1 * RHO * d1 || d2 > -SIG * d1) break; // failure
      if (d2 > SIG * d1) {
        success = true; // both Wolfe-Powell conditions hold
        break;
      }
      if (M === 0) break; // out of evaluations
      // Extrapolate with a cubic through points 2 and 3.
      const A = (6 * (f2 - f3)) / z3 + 3 * (d2 + d3);
      const B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2);
      let z2 = (-d2 * z3 * z3) / (B + Math.sqrt(B * B - A * d2 * z3 * z3));
      if (!Number.isFinite(z2) || z2 < 0) {
        // Numerical trouble or the wrong side: extrapolate the maximum, or bisect the bracket.
        z2 = limit < -0.5 ? z1 * (EXT - 1) : (limit - z1) / 2;
      } else if (limit > -0.5 && z2 + z1 > limit) {
        z2 = (limit - z1) / 2; // beyond the bracket: bisect
      } else if (limit < -0.5 && z2 + z1 > z1 * EXT) {
        z2 = z1 * (EXT - 1.0); // too far: extrapolate the maximum amount
      } else if (z2 < -z3 * INT) {
        z2 = -z3 * INT; // too close to the current point
      } else if (limit > -0.5 && z2 < (limit - z1) * (1.0 - INT)) {
        z2 = (limit - z1) * (1.0 - INT); // too close to the limit
      }
      f3 = f2; // point 3 becomes point 2
      d3 = d2;
      z3 = -z2;
      z1 += z2;
      axpy(X, z2, s);
      f2 = evaluate(df2);
      M--;
      d2 = dot(df2, s);
    }

    if (success) {
      f1 = f2;
      costs.push(f1);
      log(iterationLine(i, f1));
      // Polak-Ribière: beta = (df2'df2 - df1'df2) / (df1'df1); s = beta·s - df2.
      const beta = (dot(df2, df2) - dot(df1, df2)) / dot(df1, df1);
      for (let k = 0; k < n; k++) s[k] = beta * s[k] - df2[k];
      [df1, df2] = [df2, df1];
      d2 = dot(df1, s);
      if (d2 > 0) {
        // Not a descent direction: restart with steepest descent.
        for (let k = 0; k < n; k++) s[k] = -df1[k];
        d2 = -dot(s, s);
      }
      z1 *= Math.min(RATIO, d1 / (d2 - REALMIN)); // slope ratio, capped
      d1 = d2;
      lsFailed = false;
    } else {
      // Restore the point from before the failed line search.
      X.set(X0);
      f1 = f0;
      [df1, df0] = [df0, df1];
      if (lsFailed || i > length) break; // failed twice in a row, or out of iterations
      // fmincg.m swaps df1 and df2 here and restarts along -df1, i.e. along the gradient of the
      // last point evaluated; we keep that so our iterations match Octave's.
      [df1, df2] = [df2, df1];
      for (let k = 0; k < n; k++) s[k] = -df1[k];
      d1 = -dot(s, s);
      z1 = 1 / (1 - d1);
      lsFailed = true;
    }
  }
  return { theta: X, costs, iterations: i };
}

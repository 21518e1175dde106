/**
 * The known functions the grader hands to a student's computeNumericalGradient as J, with their
 * analytic gradients (for the grader's own checks). They run inside the sandbox (bundled into the
 * harness) and in the grader's process.
 *
 * 'tiny-network' is deliberately a tanh network with a squared-error cost, NOT the exercise's
 * cross-entropy network, so that no solution code ships in grader/.
 */
import type { KnownFunctionName } from './protocol';

// Captured when this module loads, which in the sandbox is before any student module runs: a
// submission that monkeypatches Math cannot change the J its numerical gradient is judged on.
const { sin, cos, exp, log, tanh, abs, max } = Math;
const isFiniteNumber = Number.isFinite;
const isInteger = Number.isInteger;
const isArray = Array.isArray;

/** The names of every known function, in a stable order. */
export const KNOWN_FUNCTIONS: readonly KnownFunctionName[] = ['quadratic', 'sin-sum', 'log-sum-exp', 'tiny-network'];

/**
 * Parameters of each known function (all plain data, so they travel over IPC):
 * - quadratic:   J = ½·θᵀAθ + bᵀθ.  A: n×n rows, b: length n.
 * - sin-sum:     J = Σᵢ aᵢ·sin(θᵢ) + sin(Σᵢ θᵢ).  a: length n (default all ones).
 * - log-sum-exp: J = log Σᵢ exp(sᵢ·θᵢ).  s: length n (default all ones).
 * - tiny-network: θ = [W1(:); W2(:)] column-major, W1: hidden×(n+1), W2: k×(hidden+1);
 *   out = W2·[1; tanh(W1·[1; x])] (linear output), J = 1/(2m)·Σ (out − y)² over the m examples.
 *   X: m×n rows, Y: m×k rows, hidden: number of tanh units.
 */
export interface KnownFunctionParams {
  quadratic: { A: number[][]; b: number[] };
  'sin-sum': { a?: number[] };
  'log-sum-exp': { s?: number[] };
  'tiny-network': { X: number[][]; Y: number[][]; hidden: number };
}

// Plain loops, no Array.prototype methods: inside the sandbox a submission may have patched them.
function numberArray(value: unknown, what: string, length?: number): number[] {
  if (!isArray(value)) throw new TypeError(`${what} must be an array of numbers`);
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'number') throw new TypeError(`${what} must be an array of numbers`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${what} must have length ${length}, got ${value.length}`);
  }
  return value as number[];
}

function matrixRows(value: unknown, what: string, columns?: number): number[][] {
  if (!isArray(value)) throw new TypeError(`${what} must be an array of rows`);
  const width = columns ?? (value[0] as unknown[] | undefined)?.length;
  for (let i = 0; i < value.length; i++) numberArray(value[i], `${what} row ${i + 1}`, width);
  return value as number[][];
}

function thetaOf(theta: ArrayLike<number>, name: KnownFunctionName, n?: number): ArrayLike<number> {
  if (theta === null || typeof theta !== 'object' || typeof theta.length !== 'number') {
    throw new TypeError(`J (${name}) expects theta as a Float64Array or number array, got ${theta === null ? 'null' : typeof theta}`);
  }
  if (n !== undefined && theta.length !== n) {
    throw new RangeError(`J (${name}) expects theta of length ${n}, got length ${theta.length}`);
  }
  return theta;
}

interface Network {
  X: number[][];
  Y: number[][];
  h: number;
  n: number;
  k: number;
  m: number;
}

function network(params: Record<string, unknown>): Network {
  const X = matrixRows(params.X, 'tiny-network X');
  const Y = matrixRows(params.Y, 'tiny-network Y');
  const h = params.hidden;
  if (typeof h !== 'number' || !isInteger(h) || h < 1) throw new TypeError('tiny-network hidden must be a positive integer');
  if (X.length !== Y.length || X.length === 0) throw new RangeError('tiny-network X and Y must have the same, non-zero number of rows');
  return { X, Y, h, n: X[0].length, k: Y[0].length, m: X.length };
}

/** Number of parameters θ a known function takes with these params (undefined: any length). */
export function knownFunctionSize(name: KnownFunctionName, params: Record<string, unknown>): number | undefined {
  switch (name) {
    case 'quadratic':
      return numberArray(params.b, 'quadratic b').length;
    case 'sin-sum':
      return params.a === undefined ? undefined : numberArray(params.a, 'sin-sum a').length;
    case 'log-sum-exp':
      return params.s === undefined ? undefined : numberArray(params.s, 'log-sum-exp s').length;
    case 'tiny-network': {
      const net = network(params);
      return net.h * (net.n + 1) + net.k * (net.h + 1);
    }
    default:
      throw new RangeError(`unknown function ${String(name)}`);
  }
}

/** Forward pass of the tiny network for example i; W1(r, c) = θ[r + c·h] (column-major). */
function forward(net: Network, theta: ArrayLike<number>, i: number): { a2: number[]; out: number[] } {
  const { X, h, n, k } = net;
  const off2 = h * (n + 1);
  const a2: number[] = [];
  a2[0] = 1;
  for (let r = 0; r < h; r++) {
    let z = theta[r];
    for (let c = 0; c < n; c++) z += theta[r + (c + 1) * h] * X[i][c];
    a2[r + 1] = tanh(z);
  }
  const out: number[] = [];
  for (let r = 0; r < k; r++) {
    let s = 0;
    for (let c = 0; c <= h; c++) s += theta[off2 + r + c * k] * a2[c];
    out[r] = s;
  }
  return { a2, out };
}

/**
 * J(θ) of a known function.
 * @param theta length n (see KnownFunctionParams for n); never modified
 */
export function evaluateKnownFunction(name: KnownFunctionName, params: Record<string, unknown>, theta: ArrayLike<number>): number {
  switch (name) {
    case 'quadratic': {
      const b = numberArray(params.b, 'quadratic b');
      const A = matrixRows(params.A, 'quadratic A', b.length);
      const t = thetaOf(theta, name, b.length);
      let J = 0;
      for (let i = 0; i < b.length; i++) {
        let Ai = 0;
        for (let j = 0; j < b.length; j++) Ai += A[i][j] * t[j];
        J += 0.5 * t[i] * Ai + b[i] * t[i];
      }
      return J;
    }
    case 'sin-sum': {
      const t = thetaOf(theta, name, knownFunctionSize(name, params));
      const a = params.a as number[] | undefined;
      let J = 0;
      let total = 0;
      for (let i = 0; i < t.length; i++) {
        J += (a ? a[i] : 1) * sin(t[i]);
        total += t[i];
      }
      return J + sin(total);
    }
    case 'log-sum-exp': {
      const t = thetaOf(theta, name, knownFunctionSize(name, params));
      const s = params.s as number[] | undefined;
      // Shift by the maximum so exp never overflows (the value is unchanged).
      let top = -Infinity;
      for (let i = 0; i < t.length; i++) top = max(top, (s ? s[i] : 1) * t[i]);
      if (!isFiniteNumber(top)) return top;
      let total = 0;
      for (let i = 0; i < t.length; i++) total += exp((s ? s[i] : 1) * t[i] - top);
      return top + log(total);
    }
    case 'tiny-network': {
      const net = network(params);
      const t = thetaOf(theta, name, knownFunctionSize(name, params));
      let J = 0;
      for (let i = 0; i < net.m; i++) {
        const { out } = forward(net, t, i);
        for (let r = 0; r < net.k; r++) J += (out[r] - net.Y[i][r]) ** 2;
      }
      return J / (2 * net.m);
    }
    default:
      throw new RangeError(`unknown function ${String(name)}`);
  }
}

/**
 * The analytic gradient ∇J(θ) of a known function (for the grader: the exact answer a numerical
 * gradient approximates).
 * @returns a new Float64Array of the same length as theta
 */
export function knownFunctionGradient(name: KnownFunctionName, params: Record<string, unknown>, theta: ArrayLike<number>): Float64Array {
  switch (name) {
    case 'quadratic': {
      const b = numberArray(params.b, 'quadratic b');
      const A = matrixRows(params.A, 'quadratic A', b.length);
      const t = thetaOf(theta, name, b.length);
      const g = new Float64Array(b.length);
      // ∇(½θᵀAθ) = ½(A + Aᵀ)θ: A need not be symmetric.
      for (let i = 0; i < b.length; i++) {
        let s = b[i];
        for (let j = 0; j < b.length; j++) s += 0.5 * (A[i][j] + A[j][i]) * t[j];
        g[i] = s;
      }
      return g;
    }
    case 'sin-sum': {
      const t = thetaOf(theta, name, knownFunctionSize(name, params));
      const a = params.a as number[] | undefined;
      let total = 0;
      for (let i = 0; i < t.length; i++) total += t[i];
      const g = new Float64Array(t.length);
      for (let i = 0; i < t.length; i++) g[i] = (a ? a[i] : 1) * cos(t[i]) + cos(total);
      return g;
    }
    case 'log-sum-exp': {
      const t = thetaOf(theta, name, knownFunctionSize(name, params));
      const s = params.s as number[] | undefined;
      const J = evaluateKnownFunction(name, params, t);
      const g = new Float64Array(t.length);
      for (let i = 0; i < t.length; i++) {
        const si = s ? s[i] : 1;
        g[i] = si * exp(si * t[i] - J);
      }
      return g;
    }
    case 'tiny-network': {
      const net = network(params);
      const t = thetaOf(theta, name, knownFunctionSize(name, params));
      const { h, n, k, m, X, Y } = net;
      const off2 = h * (n + 1);
      const g = new Float64Array(off2 + k * (h + 1));
      for (let i = 0; i < m; i++) {
        const { a2, out } = forward(net, t, i);
        const d3: number[] = [];
        for (let r = 0; r < k; r++) d3[r] = (out[r] - Y[i][r]) / m;
        for (let r = 0; r < k; r++) for (let c = 0; c <= h; c++) g[off2 + r + c * k] += d3[r] * a2[c];
        for (let r = 0; r < h; r++) {
          let back = 0;
          for (let q = 0; q < k; q++) back += t[off2 + q + (r + 1) * k] * d3[q];
          const d2 = back * (1 - a2[r + 1] * a2[r + 1]);
          g[r] += d2;
          for (let c = 0; c < n; c++) g[r + (c + 1) * h] += d2 * X[i][c];
        }
      }
      return g;
    }
    default:
      throw new RangeError(`unknown function ${String(name)}`);
  }
}

/** Largest |x| in an array (a helper for tests and tolerances). */
export function maxAbs(values: ArrayLike<number>): number {
  let top = 0;
  for (let i = 0; i < values.length; i++) top = max(top, abs(values[i]));
  return top;
}

/**
 * How the harness calls a graded function for each kind of grading request: fresh arguments built
 * from the plain request, the arguments whose in-place changes are checked, and the observations
 * only some calls make (random draws, J calls). Runs inside the sandbox's child process.
 *
 * Mutation checks: every matrix or array argument is copied before the call and compared after
 * it, with loops over primitives captured when this module loads (a submission may patch
 * Array.prototype or Matrix.prototype.get).
 */
import { Matrix } from 'ml-matrix';
import { FlatMatrix } from '../../exercises/lib/kernels/flatMatrix';
import { seededRandom } from '../../exercises/lib/random';
import { evaluateKnownFunction } from './functions';
import type { CallObservations, SandboxRequest, WalkthroughRequest } from './protocol';

// Captured before any student code runs.
const realMathRandom = Math.random;
const isMatrix = Matrix.isMatrix;
const isView = ArrayBuffer.isView;
const isArray = Array.isArray;
const numberIsNaN = Number.isNaN;
const getPrototypeOf = Object.getPrototypeOf;
const matrixGet = Matrix.prototype.get;
const F64 = Float64Array;
const F64_PROTOTYPE = F64.prototype;
/** %TypedArray%.prototype.set and the length getter: native copies and lengths no submission can patch. */
const typedSet = F64.prototype.set;
const typedLength = Object.getOwnPropertyDescriptor(getPrototypeOf(F64_PROTOTYPE) as object, 'length')?.get as (this: Float64Array) => number;
/** The kit's FlatMatrix values reader, captured (a submission may replace the static later). */
const flatStorage = FlatMatrix.storage;

/** A grading request (not one of the walkthrough's). */
export type GradingRequest = Exclude<SandboxRequest, WalkthroughRequest>;

/** One prepared call of a student function. */
export interface Invocation {
  /** Calls the student's function `f` with fresh arguments (and any temporary patches) and returns its result. */
  invoke(f: (...args: unknown[]) => unknown): unknown;
  /** The arguments checked for in-place changes, by parameter name. */
  inputs: Readonly<Record<string, unknown>>;
  /** Adds the observations of this kind of call, after it returned. */
  observe?(observations: CallObservations): void;
}

/** A plain copy of one argument: its shape and its `count` numbers. */
interface Snapshot {
  rows: number;
  columns: number;
  count: number;
  values: Float64Array;
}

function copyNumbers(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/** True for a genuine Float64Array of exactly `length` numbers (its internal length, not a patchable getter). */
function isRowOf(row: unknown, length: number): row is Float64Array {
  return isView(row) && getPrototypeOf(row) === F64_PROTOTYPE && typedLength.call(row as Float64Array) === length;
}

/**
 * A matrix's numbers, row-major. ml-matrix keeps one Float64Array per row: those are copied
 * natively (a 5000×400 matrix in ~2 ms, against ~100 ms element by element in a cold process);
 * anything else (rows replaced by the submission) is read element by element through get().
 */
function matrixSnapshot(M: Matrix): Snapshot {
  const rows = M.rows;
  const columns = M.columns;
  const count = rows * columns;
  const values = new F64(count);
  const flat = flatValues(M);
  if (flat && typedLength.call(flat) === count) {
    typedSet.call(values, flat, 0);
    return { rows, columns, count, values };
  }
  const data = (M as unknown as { data?: unknown }).data;
  let fast = isArray(data) && data.length === rows;
  for (let i = 0; fast && i < rows; i++) {
    const row = (data as unknown[])[i];
    if (isRowOf(row, columns)) typedSet.call(values, row, i * columns);
    else fast = false;
  }
  if (!fast) {
    let k = 0;
    for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) values[k++] = matrixGet.call(M, i, j);
  }
  return { rows, columns, count, values };
}

/**
 * A FlatMatrix's own values, read without handing out its rows (reading `data` would, and the kit
 * would then copy the matrix on every product instead of reusing it and its non-zeros: the
 * walkthrough's training reads the same 5000×400 X some hundred times). Undefined for anything
 * else: the captured reader touches the kit's private fields, which only a real FlatMatrix has.
 */
function flatValues(M: Matrix): Float64Array | undefined {
  try {
    return flatStorage.call(FlatMatrix, M as unknown as FlatMatrix);
  } catch {
    return undefined;
  }
}

/** The numbers of an argument (row-major for a matrix), or null when it is not a matrix or array. */
function snapshot(value: unknown): Snapshot | null {
  if (isMatrix(value)) return matrixSnapshot(value as Matrix);
  if (isView(value) || isArray(value)) {
    const v = value as ArrayLike<number>;
    const count = isView(value) && getPrototypeOf(value) === F64_PROTOTYPE ? typedLength.call(value as Float64Array) : v.length;
    const values = new F64(count);
    for (let i = 0; i < count; i++) values[i] = v[i];
    return { rows: count, columns: 1, count, values };
  }
  return null;
}

function same(a: Snapshot, b: Snapshot): boolean {
  if (a.rows !== b.rows || a.columns !== b.columns || a.count !== b.count) return false;
  const x = a.values;
  const y = b.values;
  for (let i = 0; i < a.count; i++) {
    // Object.is-like: NaN equals NaN, so only real changes count.
    if (x[i] !== y[i] && !(numberIsNaN(x[i]) && numberIsNaN(y[i]))) return false;
  }
  return true;
}

/** Copies of the inputs before the call. */
export function snapshotInputs(inputs: Readonly<Record<string, unknown>>): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  for (const name of Object.keys(inputs)) {
    const s = snapshot(inputs[name]);
    if (s) out.set(name, s);
  }
  return out;
}

/** The names of the inputs whose shape or numbers differ from their copies (a shape change included). */
export function changedInputs(inputs: Readonly<Record<string, unknown>>, before: ReadonlyMap<string, Snapshot>): string[] {
  const out: string[] = [];
  for (const [name, copy] of before) {
    let now: Snapshot | null;
    try {
      now = snapshot(inputs[name]);
    } catch {
      now = null; // a matrix broken beyond reading has changed
    }
    if (!now || !same(now, copy)) out.push(name);
  }
  return out;
}

/** The call of a grading request: fresh inputs every time, so no call can affect another. */
export function gradingInvocation(request: GradingRequest): Invocation {
  switch (request.fn) {
    case 'nnCostFunction': {
      const nnParams = copyNumbers(request.nnParams);
      const X = new Matrix(request.X);
      const y = copyNumbers(request.y);
      return {
        inputs: { nnParams, X, y },
        invoke: (f) => f(nnParams, request.inputLayerSize, request.hiddenLayerSize, request.numLabels, X, y, request.lambda),
      };
    }
    case 'sigmoidGradient': {
      const z = new Matrix(request.z);
      return { inputs: { z }, invoke: (f) => f(z) };
    }
    case 'randInitializeWeights':
      return randInitInvocation(request);
    case 'computeNumericalGradient':
      return numericalGradientInvocation(request);
  }
}

/** randInitializeWeights with a seeded, counted `random`; Math.random counted while it runs. */
function randInitInvocation(request: Extract<GradingRequest, { fn: 'randInitializeWeights' }>): Invocation {
  const source = seededRandom(request.seed);
  let draws = 0;
  let mathRandomCalls = 0;
  const random = (): number => {
    draws++;
    return source();
  };
  return {
    inputs: {},
    invoke(f) {
      Math.random = function random(): number {
        mathRandomCalls++;
        return realMathRandom();
      };
      try {
        return f(request.lIn, request.lOut, random);
      } finally {
        Math.random = realMathRandom;
      }
    },
    observe(o) {
      o.randomDraws = draws;
      o.mathRandomCalls = mathRandomCalls;
    },
  };
}

/** computeNumericalGradient on a known J, counting J's calls; theta is checked like every input. */
function numericalGradientInvocation(request: Extract<GradingRequest, { fn: 'computeNumericalGradient' }>): Invocation {
  const theta = new F64(request.theta);
  let jCalls = 0;
  const { J: name, params } = request;
  const J = (t: Float64Array): number => {
    jCalls++;
    return evaluateKnownFunction(name, params, t);
  };
  return {
    inputs: { theta },
    invoke: (f) => f(J, theta),
    observe(o) {
      o.jCalls = jCalls;
    },
  };
}

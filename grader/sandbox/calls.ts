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
import { seededRandom } from '../../exercises/lib/random';
import { evaluateKnownFunction } from './functions';
import type { CallObservations, SandboxRequest, WalkthroughRequest } from './protocol';

// Captured before any student code runs.
const realMathRandom = Math.random;
const isMatrix = Matrix.isMatrix;
const isView = ArrayBuffer.isView;
const isArray = Array.isArray;
const numberIsNaN = Number.isNaN;
const matrixGet = Matrix.prototype.get;
const F64 = Float64Array;

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

/** A plain copy of one argument: its shape and numbers. */
interface Snapshot {
  rows: number;
  columns: number;
  values: number[];
}

function copyNumbers(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/** The numbers of an argument (row-major for a matrix), or null when it is not a matrix or array. */
function snapshot(value: unknown): Snapshot | null {
  if (isMatrix(value)) {
    const M = value as Matrix;
    const values: number[] = [];
    for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.columns; j++) values.push(matrixGet.call(M, i, j));
    return { rows: M.rows, columns: M.columns, values };
  }
  if (isView(value) || isArray(value)) {
    const v = value as ArrayLike<number>;
    return { rows: v.length, columns: 1, values: copyNumbers(v) };
  }
  return null;
}

function same(a: Snapshot, b: Snapshot): boolean {
  if (a.rows !== b.rows || a.columns !== b.columns || a.values.length !== b.values.length) return false;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i];
    const y = b.values[i];
    // Object.is-like: NaN equals NaN, so only real changes count.
    if (x !== y && !(numberIsNaN(x) && numberIsNaN(y))) return false;
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

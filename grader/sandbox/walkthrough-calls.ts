/**
 * The walkthrough's requests (protocol.ts WalkthroughRequest), inside the sandbox's child process.
 * The big data set is stored once under a key; cost evaluations and the whole training run (the
 * kit's fmincg calling the student's nnCostFunction, here in the child) then send and return only
 * small values. The student's functions still run with the harness's protections (timeouts,
 * no files or network, mutation checks of the stored data).
 */
import { Matrix } from 'ml-matrix';
import { kitError } from '../../exercises/lib/errors';
import { FlatMatrix } from '../../exercises/lib/kernels/flatMatrix';
import { fmincg } from '../../exercises/lib/fmincg';
import type { NetworkCallArgs, WalkthroughRequest, WireValue } from './protocol';

type StudentFn = (...args: unknown[]) => unknown;
const F64 = Float64Array;
const isView = ArrayBuffer.isView;

/** The data sets stored by `store-data`, by key (one child process serves one walkthrough). */
const stored = new Map<string, { X: Matrix; y: number[] }>();

/** Thrown for a request the harness cannot serve (an unknown key): a grader bug, not the student's. */
export class WalkthroughRequestError extends Error {}

function data(key: string): { X: Matrix; y: number[] } {
  const d = stored.get(key);
  if (!d) throw new WalkthroughRequestError(`no data stored under "${key}"`);
  return d;
}

function store(request: Extract<WalkthroughRequest, { op: 'store-data' }>): WireValue {
  const { rows, columns, values } = request;
  if (values.length !== rows * columns || request.y.length !== rows) throw new WalkthroughRequestError('store-data: sizes do not agree');
  // A FlatMatrix over one copy of the values (2 million set() calls would cost ~100 ms in a cold
  // process): the kit's products reuse it and its non-zeros from one evaluation to the next.
  const X = new FlatMatrix(rows, columns, F64.from(values as ArrayLike<number>));
  stored.set(request.key, { X, y: Array.from(request.y) });
  return { kind: 'number', value: rows };
}

/** The student's cost on stored data, with a fresh copy of nnParams (X and y are checked by the caller). */
function costCall(f: StudentFn, args: NetworkCallArgs, X: Matrix, y: number[]): unknown {
  return f(Float64Array.from(args.nnParams), args.inputLayerSize, args.hiddenLayerSize, args.numLabels, X, y, args.lambda);
}

/** The arguments of a walkthrough request that the student's code must leave unchanged, by name. */
export function walkthroughInputs(request: WalkthroughRequest): Record<string, unknown> {
  if (request.op === 'cost' || request.op === 'train') {
    const d = stored.get(request.key);
    return d ? { X: d.X, y: d.y } : {};
  }
  return {};
}

function numbers(v: unknown): number[] | null {
  if (!isView(v) && !Array.isArray(v)) return null;
  const a = v as ArrayLike<unknown>;
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'number') return null;
    out.push(a[i] as number);
  }
  return out;
}

/** fmincg inside the child on the student's nnCostFunction; the cost must be { J, grad } every time. */
function train(f: StudentFn, request: Extract<WalkthroughRequest, { op: 'train' }>): WireValue {
  const { X, y } = data(request.key);
  const r = fmincg(
    (theta) => {
      const out = costCall(f, { ...request, nnParams: theta }, X, y) as { J?: unknown; grad?: unknown } | null;
      const grad = out && typeof out === 'object' ? numbers(out.grad) : null;
      if (!out || typeof out.J !== 'number' || !grad) throw kitError(new TypeError('nnCostFunction must return { J, grad } (a number and a vector) during training'), 'train-cost');
      return { J: out.J, grad };
    },
    new F64(request.nnParams),
    { maxIter: request.iterations, log: () => undefined },
  );
  return { kind: 'training', theta: Array.from(r.theta), costs: r.costs.slice(), iterations: r.iterations };
}

/**
 * Runs a walkthrough request with the student's functions. `functionOf` gives a loaded student
 * function (it throws the harness's error when the function cannot be loaded).
 * @returns a WireValue of the harness's own (stored data, training), the student's value to
 *          describe (a cost), or the two vectors of a gradient check
 */
export async function walkthroughCall(
  request: WalkthroughRequest,
  functionOf: (fn: 'nnCostFunction' | 'computeNumericalGradient') => Promise<StudentFn>,
): Promise<{ wire: WireValue } | { value: unknown } | { gradientCheck: { numgrad: unknown; grad: unknown } }> {
  switch (request.op) {
    case 'store-data':
      return { wire: store(request) };
    case 'cost': {
      const { X, y } = data(request.key);
      return { value: costCall(await functionOf('nnCostFunction'), request, X, y) };
    }
    case 'train':
      return { wire: train(await functionOf('nnCostFunction'), request) };
    case 'check-gradients': {
      const cost = await functionOf('nnCostFunction');
      const numerical = await functionOf('computeNumericalGradient');
      const n = request.network;
      const X = new Matrix(n.X);
      const J = (theta: Float64Array): number => {
        const out = cost(theta, n.inputLayerSize, n.hiddenLayerSize, n.numLabels, X, n.y.slice(), n.lambda) as { J?: unknown } | null;
        return out && typeof out === 'object' && typeof out.J === 'number' ? out.J : Number.NaN;
      };
      const numgrad = numerical(J, new F64(n.nnParams));
      const analytic = cost(new F64(n.nnParams), n.inputLayerSize, n.hiddenLayerSize, n.numLabels, X, n.y.slice(), n.lambda) as { grad?: unknown } | null;
      return { gradientCheck: { numgrad, grad: analytic && typeof analytic === 'object' ? analytic.grad : analytic } };
    }
  }
}

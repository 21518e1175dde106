/**
 * The trace, inside the sandbox's child process: which values a student's function builds, with
 * the student's line for each, so the grader can point at the line where a computation first goes
 * wrong (grader/diagnose/trace.ts matches the entries against the reference's intermediates).
 *
 * Two kinds of hooks, both installed from outside the code they observe:
 * - the kit's helpers (exercises/lib/matrix.ts) reach students through the runtime's
 *   `lib/matrix` module, which is traced-matrix.ts: every export wrapped with `traced()`;
 * - ml-matrix's `Matrix` methods and static constructors are wrapped on the prototypes
 *   (`installMatrixHooks`), once per process, before any student module loads.
 * A wrapper does nothing but call through unless a Recorder is active (during a graded call), and
 * only the outermost wrapped call is recorded: the matrices a helper builds for itself are not.
 *
 * The hooks also protect: ml-matrix's `mmul` does not check shapes (a missing transpose gives a
 * matrix of the wrong shape and an error on a later, correct line), so the wrapper throws the
 * kit's MatrixShapeError at the student's own call instead. And in-place methods called on an
 * argument of the graded function (`z.neg()`) are reported with their line (mutation checks).
 *
 * Everything a recorder produces is plain data, capped (TRACE_BUDGET); a failure inside the
 * recorder never changes what the student's code computes.
 */
import { AbstractMatrix, Matrix } from 'ml-matrix';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { InPlaceCall, TraceEntry, TracePosition } from './protocol';
// The kit's own error class, so a shape error from mmul reads like the kit's helpers' ones.
import { MatrixShapeError } from '../../exercises/lib/matrix';

// Captured when the harness loads, before any student code runs.
const captureStackTrace = Error.captureStackTrace;
const isMatrix = AbstractMatrix.isMatrix;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const getOwnPropertyNames = Object.getOwnPropertyNames;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;
const matrixGet = Matrix.prototype.get;

/** How much one call may record: entries, values per entry, values in all. */
export const TRACE_BUDGET = { entries: 600, valuesPerEntry: 1024, values: 60_000 } as const;
/** In-place calls on arguments reported per call at most. */
const MAX_IN_PLACE_CALLS = 8;

/** Where student files are (absolute real paths), as in HarnessConfig. */
export interface TracePaths {
  submissionRoot: string;
  displayRoot: string;
  kitLibDir: string;
}

interface CallSiteLike {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

function toPath(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return fileURLToPath(location);
  } catch {
    return location;
  }
}

/**
 * Maps generated positions (the bundle's chunks) to the student's source positions through the
 * chunks' inline source maps, with a cache: a loop calls the same line many times.
 */
class Locator {
  private readonly maps = new Map<string, ReturnType<typeof findSourceMap> | null>();
  private readonly positions = new Map<string, TracePosition | null>();

  constructor(private readonly paths: TracePaths) {}

  /** The student's position of a call site, or null when it is not in a student file. */
  position(site: CallSiteLike): TracePosition | null {
    const name = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (!name || !line || !column) return null;
    const key = `${name}:${line}:${column}`;
    let pos = this.positions.get(key);
    if (pos === undefined) {
      pos = this.map(name, line, column);
      this.positions.set(key, pos);
    }
    return pos;
  }

  private map(name: string, line: number, column: number): TracePosition | null {
    let map = this.maps.get(name);
    if (map === undefined) {
      try {
        map = findSourceMap(name) ?? findSourceMap(toPath(name)) ?? null;
      } catch {
        map = null;
      }
      this.maps.set(name, map);
    }
    // Only the student's chunks carry source maps (the runtime has none): no map, not the student's.
    if (!map) return null;
    const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!entry || typeof entry.originalSource !== 'string' || typeof entry.originalLine !== 'number') return null;
    const path = toPath(entry.originalSource);
    const { submissionRoot, displayRoot, kitLibDir } = this.paths;
    if (!inside(path, submissionRoot) || inside(path, kitLibDir)) return null;
    const file = inside(path, displayRoot) ? path.slice(displayRoot.length).replace(/^\/+/, '') : path;
    return { file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }
}

/** A value's shape and numbers as the trace records them, or null for anything else. */
function describeValue(value: unknown, cap: number): Pick<TraceEntry, 'kind' | 'rows' | 'columns' | 'values' | 'truncated'> | null {
  if (typeof value === 'number') return { kind: 'number', rows: 1, columns: 1, values: [value] };
  if (isMatrix(value)) {
    const M = value as AbstractMatrix;
    const rows = M.rows;
    const columns = M.columns;
    if (!Number.isInteger(rows) || !Number.isInteger(columns) || rows < 0 || columns < 0) return null;
    const values: number[] = [];
    const data = (M as unknown as { data?: unknown }).data;
    const plain = isArray(data) && data.length === rows;
    outer: for (let i = 0; i < rows; i++) {
      const row = plain ? (data[i] as ArrayLike<number>) : undefined;
      for (let j = 0; j < columns; j++) {
        if (values.length >= cap) break outer;
        const x = row ? row[j] : (matrixGet.call(M as Matrix, i, j) as unknown);
        values.push(typeof x === 'number' ? x : Number.NaN);
      }
    }
    const truncated = rows * columns > values.length;
    return truncated ? { kind: 'matrix', rows, columns, values, truncated } : { kind: 'matrix', rows, columns, values };
  }
  if (isView(value) || (isArray(value) && value.length > 0 && typeof value[0] === 'number')) {
    const v = value as ArrayLike<unknown>;
    if (typeof v.length !== 'number') return null;
    const values: number[] = [];
    for (let i = 0; i < v.length && i < cap; i++) values.push(typeof v[i] === 'number' ? (v[i] as number) : Number.NaN);
    const truncated = v.length > values.length;
    return truncated ? { kind: 'vector', rows: v.length, columns: 1, values, truncated } : { kind: 'vector', rows: v.length, columns: 1, values };
  }
  return null;
}

/**
 * Records one call of a student function. `full`: every wrapped op with its values (the trace);
 * otherwise only in-place methods called on the watched arguments (mutation checks).
 */
export class Recorder {
  readonly entries: TraceEntry[] = [];
  readonly inPlaceCalls: InPlaceCall[] = [];
  truncated = false;
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private valueCount = 0;
  private readonly locator: Locator;
  /** In-place entries whose values are read when the next other op is recorded (or at the end). */
  private pending = new Map<string, { entry: TraceEntry; target: object }>();
  /** The in-place entry recorded last, while nothing else was recorded after it. */
  private lastInPlace: { target: object; op: string; entry: TraceEntry } | null = null;

  constructor(
    paths: TracePaths,
    /** The graded function's own file (e.g. "exercises/nnCostFunction.ts"): its frames locate an entry. */
    private readonly entryFile: string,
    readonly full: boolean,
    /** The arguments whose in-place changes are reported, by object. */
    private readonly watched: ReadonlyMap<object, string>,
  ) {
    this.locator = new Locator(paths);
  }

  /** The id of a matrix (assigned on first sight); 0 for anything else. */
  idOf(value: unknown): number {
    if (value === null || typeof value !== 'object' || !isMatrix(value)) return 0;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(value, id);
    }
    return id;
  }

  /** Records an op that returned `result` (`receiver` for methods); `caller` is the wrapper, cut from the stack. */
  record(op: string, receiver: unknown, args: readonly unknown[], result: unknown, caller: (...a: never[]) => unknown): void {
    const inPlace = receiver !== undefined && receiver !== null && result === receiver;
    if (inPlace && this.watched.has(receiver as object)) this.noteInPlace(op, receiver as object, caller);
    if (!this.full || this.truncated) return;
    if (inPlace) {
      this.recordInPlace(op, receiver as object, args, caller);
      return;
    }
    this.flush();
    this.lastInPlace = null;
    const described = describeValue(result, TRACE_BUDGET.valuesPerEntry);
    if (!described) return;
    const where = this.locate(caller);
    if (!where) return;
    const operands = receiver === undefined ? args : [receiver, ...args];
    const entry: TraceEntry = { op, ...described, ...where.pos, args: operands.map((a) => this.idOf(a)) };
    if (where.inner) entry.inner = where.inner;
    if (described.kind === 'matrix') entry.id = this.idOf(result);
    this.push(entry);
  }

  /** Reads the values of pending in-place entries (their matrices as the last in-place call left them). */
  flush(): void {
    for (const { entry, target } of this.pending.values()) {
      const described = describeValue(target, TRACE_BUDGET.valuesPerEntry);
      if (!described) continue;
      entry.rows = described.rows;
      entry.columns = described.columns;
      if (described.values) {
        this.valueCount += described.values.length - (entry.values?.length ?? 0);
        entry.values = described.values;
      }
      if (described.truncated) entry.truncated = true;
    }
    this.pending.clear();
  }

  private recordInPlace(op: string, target: object, args: readonly unknown[], caller: (...a: never[]) => unknown): void {
    // A loop calling the same in-place method on the same matrix (`Delta.set(i, j, …)`): one entry,
    // counted, without reading the stack again for every call.
    const last = this.lastInPlace;
    if (last && last.target === target && last.op === op) {
      last.entry.count = (last.entry.count ?? 1) + 1;
      return;
    }
    const where = this.locate(caller);
    if (!where) return;
    const id = this.idOf(target);
    const key = `${id}:${where.pos.file}:${where.pos.line}:${op}`;
    const seen = this.pending.get(key);
    if (seen) {
      seen.entry.count = (seen.entry.count ?? 1) + 1;
      this.lastInPlace = { target, op, entry: seen.entry };
      return;
    }
    const entry: TraceEntry = { op, kind: 'matrix', rows: 0, columns: 0, ...where.pos, id, args: [id, ...args.map((a) => this.idOf(a))], inPlace: true };
    if (where.inner) entry.inner = where.inner;
    if (this.push(entry)) {
      this.pending.set(key, { entry, target });
      this.lastInPlace = { target, op, entry };
    }
  }

  private push(entry: TraceEntry): boolean {
    const n = entry.values?.length ?? 0;
    if (this.entries.length >= TRACE_BUDGET.entries || this.valueCount + n > TRACE_BUDGET.values) {
      this.truncated = true;
      return false;
    }
    this.valueCount += n;
    this.entries.push(entry);
    return true;
  }

  private noteInPlace(method: string, target: object, caller: (...a: never[]) => unknown): void {
    if (this.inPlaceCalls.length >= MAX_IN_PLACE_CALLS) return;
    const where = this.locate(caller);
    const argument = this.watched.get(target) ?? '?';
    const pos = where?.pos ?? { file: this.entryFile, line: 0, column: 0 };
    if (this.inPlaceCalls.some((c) => c.argument === argument && c.method === method && c.line === pos.line)) return;
    this.inPlaceCalls.push({ argument, method, ...pos });
  }

  /**
   * The student's position of the current call: the outermost frame in the graded function's own
   * file (the line of its body, even when a helper function of that file made the call), and the
   * innermost student frame when it is elsewhere.
   */
  private locate(caller: (...a: never[]) => unknown): { pos: TracePosition; inner?: TracePosition } | null {
    const sites = callSites(caller);
    let innermost: TracePosition | null = null;
    let own: TracePosition | null = null;
    for (const site of sites) {
      const pos = this.locator.position(site);
      if (!pos) {
        if (innermost) break; // left the student's code (the harness called it)
        continue;
      }
      innermost ??= pos;
      if (pos.file === this.entryFile) own = pos;
    }
    if (!innermost) return null;
    if (!own) return { pos: innermost };
    return innermost === own || (innermost.line === own.line && innermost.file === own.file) ? { pos: own } : { pos: own, inner: innermost };
  }
}

/** The structured call sites above `caller` (V8's API), with the student's own settings put back. */
function callSites(caller: (...a: never[]) => unknown): CallSiteLike[] {
  const E = Error as unknown as { prepareStackTrace?: unknown; stackTraceLimit: number };
  const prepare = E.prepareStackTrace;
  const limit = E.stackTraceLimit;
  try {
    E.prepareStackTrace = (_: unknown, sites: CallSiteLike[]) => sites;
    // Enough for the student's calls (a few frames of their own helpers); each frame costs time.
    E.stackTraceLimit = 16;
    const holder: { stack?: unknown } = {};
    captureStackTrace(holder, caller);
    return isArray(holder.stack) ? (holder.stack as CallSiteLike[]) : [];
  } catch {
    return [];
  } finally {
    try {
      E.prepareStackTrace = prepare;
      E.stackTraceLimit = limit;
    } catch {
      // a student made them read-only: nothing to restore
    }
  }
}

// ---- the hooks ----------------------------------------------------------------------------------

/** The recorder of the call in progress (null between calls: the wrappers then only call through). */
let active: Recorder | null = null;
/** > 0 while a wrapped op runs: what it calls internally is not the student's and is not recorded. */
let depth = 0;

/** Makes `recorder` the one the hooks report to, until `stopRecording`. */
export function startRecording(recorder: Recorder): void {
  active = recorder;
  depth = 0;
}

/** Stops recording; pending in-place entries get their final values. */
export function stopRecording(): void {
  const r = active;
  active = null;
  depth = 0;
  if (r) {
    try {
      r.flush();
    } catch {
      // values that cannot be read are left out
    }
  }
}

/**
 * A function that reports each outermost call to the active recorder as `label` (a method's
 * receiver too), and otherwise just calls `fn`: same arguments, same result, same errors.
 * @param before a check made on every outermost call, recorded or not (mmul's shapes)
 */
function recording(label: string, fn: (...a: unknown[]) => unknown, isMethod: boolean, before?: (self: unknown, args: unknown[]) => void): (...a: unknown[]) => unknown {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    if (before && depth === 0) before(this, args);
    const rec = active;
    if (!rec || depth > 0) return fn.apply(this, args);
    depth++;
    let result: unknown;
    try {
      result = fn.apply(this, args);
    } finally {
      depth--;
    }
    safely(() => rec.record(label, isMethod ? this : undefined, args, result, wrapper));
    return result;
  };
  defineProperty(wrapper, 'name', { value: fn.name });
  return wrapper;
}

/**
 * A kit helper that reports to the active recorder: `op` names it in the trace. The kit's
 * behaviour is unchanged (same arguments, same result, same errors).
 */
export function traced<F extends (...args: never[]) => unknown>(op: string, fn: F): F {
  return recording(op, fn as unknown as (...a: unknown[]) => unknown, false) as unknown as F;
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // the trace explains; it never breaks the student's computation
  }
}

/** Methods never wrapped: hot element access, the class machinery, and what the hooks themselves use. */
const SKIP = new Set(['constructor', 'get', 'isMatrix', 'checkMatrix', 'copy', 'toString', 'toJSON', 'checkRowIndex', 'checkColumnIndex', 'checkRowVector', 'checkColumnVector', 'checkRange']);

function shapeOf(v: unknown): [number, number] | null {
  if (isMatrix(v)) return [(v as AbstractMatrix).rows, (v as AbstractMatrix).columns];
  if (isArray(v) && v.length > 0 && isArray(v[0])) return [v.length, (v[0] as unknown[]).length];
  return null;
}

/** ml-matrix's mmul multiplies whatever it is given; a product needs A.columns === B.rows. */
function checkMmul(A: unknown, B: unknown): void {
  const a = shapeOf(A);
  const b = shapeOf(B);
  if (!a || !b || a[1] === b[0]) return;
  let hint = '';
  let fix = 'none';
  if (a[1] === b[1]) [hint, fix] = [' (did you mean A.mmul(B.transpose())?)', 'transpose-b'];
  else if (a[0] === b[0]) [hint, fix] = [' (did you mean A.transpose().mmul(B)?)', 'transpose-a'];
  const params = { a: `${a[0]}×${a[1]}`, b: `${b[0]}×${b[1]}`, hint: fix };
  throw new MatrixShapeError(`mmul: inner dimensions must agree: A is ${params.a} but B is ${params.b}${hint}`, 'mmul', params);
}

function wrapMethod(owner: object, name: string, label: string, isStatic: boolean): void {
  const d = getOwnPropertyDescriptor(owner, name);
  if (!d || typeof d.value !== 'function' || !d.writable || !d.configurable) return;
  const check = name === 'mmul' && !isStatic ? (self: unknown, args: unknown[]) => checkMmul(self, args[0]) : undefined;
  defineProperty(owner, name, { ...d, value: recording(label, d.value as (...a: unknown[]) => unknown, !isStatic, check) });
}

let hooksInstalled = false;

/**
 * Wraps ml-matrix's Matrix methods (instance and static) once per process. Called by the harness
 * before any student module loads, so every student file sees the wrapped methods.
 */
export function installMatrixHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  for (const proto of [AbstractMatrix.prototype, Matrix.prototype]) {
    for (const name of getOwnPropertyNames(proto)) if (!SKIP.has(name)) wrapMethod(proto, name, name, false);
  }
  for (const cls of [AbstractMatrix, Matrix]) {
    for (const name of getOwnPropertyNames(cls)) {
      if (SKIP.has(name) || name === 'prototype' || name === 'length' || name === 'name') continue;
      wrapMethod(cls, name, `Matrix.${name}`, true);
    }
  }
}

/**
 * The harness: part of the prebuilt sandbox runtime (runtime.ts), run inside the sandbox's child
 * process. It builds
 * fresh inputs for every call from the plain request, calls the student's export, and describes the
 * return value as plain data (a WireValue). It never judges anything: comparison happens in the
 * grader's process.
 *
 * This module is imported by the boot script (boot.ts) BEFORE any student module; student modules
 * are imported lazily, on the first call to their function. Everything the harness relies on that a
 * student could monkeypatch is captured here, at load time.
 */
import { Matrix } from 'ml-matrix';
import { syncBuiltinESMExports } from 'node:module';
import { fileURLToPath } from 'node:url';
import { changedInputs, gradingInvocation, snapshotInputs, type GradingRequest } from './calls';
import { TEXT_CAPS, truncateText } from './limits';
import type { CallError, CallObservations, CallOutcome, IsolationMode, SandboxRequest, WalkthroughRequest, WireValue } from './protocol';
import { installMatrixHooks, Recorder, startRecording, stopRecording } from './trace';
import { walkthroughCall, walkthroughInputs, WalkthroughRequestError } from './walkthrough-calls';
import { blockHeapSnapshots, disableNetwork, hardenInternals, sealByteViews } from './walls';
import type { StudentFunction } from '../parts/ids';

/** What the grader tells the harness about the bundle (sent once, with the 'init' message). */
export interface HarnessConfig {
  /** Per loadable student function: its entry chunk (a file URL) and source file. */
  functions: Partial<Record<StudentFunction, { chunk: string; file: string }>>;
  /** Absolute real path of the submission's boundary: frames inside it (outside kitLibDir) are the student's. */
  submissionRoot: string;
  /** Absolute real path that student-facing file names are relative to. */
  displayRoot: string;
  /** Absolute real path of the kit's provided helpers (never the student's frames). */
  kitLibDir: string;
  /** Record the values nnCostFunction builds (CallObservations.trace); from SandboxOptions.trace. */
  trace: boolean;
  /**
   * The walls around this process. Under 'permission-model' alone the harness also takes away
   * signals, raw socket handles and the like itself (walls.ts); under 'namespaces' the kernel does.
   */
  isolation: IsolationMode;
  /** The process's memory limit (MB, RLIMIT_DATA), for out-of-memory messages. */
  memoryMb: number;
}

/** The harness as the boot script sees it. */
export interface Harness {
  call(request: SandboxRequest): Promise<CallOutcome>;
}

// Captured before any student code runs.
const realExit = process.exit.bind(process);
const realAbort = process.abort.bind(process);
const now = performance.now.bind(performance);
const isArray = Array.isArray;
const objectKeys = Object.keys;
const objectEntries = Object.entries;
const isMatrix = Matrix.isMatrix;
const isInteger = Number.isInteger;
const isView = ArrayBuffer.isView;
const F64 = Float64Array;
const stringify = JSON.stringify;

/** A plain copy made with a loop: no Array.prototype method a submission may have patched. */
function copyNumbers(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

function allNumbers(values: ArrayLike<unknown>): boolean {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') return false;
  return true;
}

/** Thrown by the intercepted process.exit/abort so the call unwinds instead of killing the process. */
class ExitSignal extends Error {
  constructor(readonly how: string) {
    super(`${how} was called`);
  }
}

let inCall = false;
let exitRequested: string | null = null;

function interceptExits(): void {
  // During a call, process.exit() ends only that call ('exited'); outside a call (a timer firing
  // later) it really exits, and the grader restarts the process for the next call.
  const exit = (code?: number | string | null): never => {
    if (!inCall) return realExit(code as number);
    exitRequested ??= `process.exit(${code === undefined ? '' : String(code)})`;
    throw new ExitSignal(exitRequested);
  };
  const abort = (): never => {
    if (!inCall) return realAbort();
    exitRequested ??= 'process.abort()';
    throw new ExitSignal(exitRequested);
  };
  process.exit = exit as typeof process.exit;
  process.abort = abort as typeof process.abort;
}

function describeKind(value: unknown, fn?: StudentFunction): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `a string ${stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `a number (${String(value)})`;
  if (typeof value === 'boolean' || typeof value === 'bigint' || typeof value === 'symbol') return `a ${typeof value} (${String(value)})`;
  if (typeof value === 'function') return `a function${value.name ? ` named ${value.name}` : ''}`;
  if (isInstance(value, Promise)) return `a Promise: ${fn ?? 'the function'} must return its result directly (remove async)`;
  if (isView(value)) return `a ${value.constructor?.name ?? 'typed array'} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (isArray(value)) {
    let bad = -1;
    for (let i = 0; bad < 0 && i < value.length; i++) if (typeof value[i] !== 'number') bad = i;
    const what = bad < 0 ? 'numbers' : `a ${isArray(value[bad]) ? 'nested array' : describeKind(value[bad])} at index ${bad}`;
    return `an array of length ${value.length} containing ${what}`;
  }
  const keys = objectKeys(value as object);
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  const prefix = ctor && ctor !== 'Object' ? `a ${ctor} object` : 'an object';
  return keys.length === 0 ? `${prefix} with no keys` : `${prefix} with keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`;
}

/** describeKind's facts as language-neutral params (WireValue `about`; the grader's `compare.other.<type>`). */
function aboutKind(value: unknown, fn?: StudentFunction): Record<string, string | number> {
  if (value === null || value === undefined) return { type: String(value) };
  switch (typeof value) {
    case 'string':
      return { type: 'string', preview: stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) };
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
      return { type: typeof value, value: String(value) };
    case 'function':
      return value.name ? { type: 'function-named', name: truncateText(value.name, 80, 1) } : { type: 'function' };
  }
  if (isInstance(value, Promise)) return { type: 'promise', fn: fn ?? '' };
  if (isView(value)) return { type: 'typed-array', name: value.constructor?.name ?? 'TypedArray', length: (value as unknown as ArrayLike<number>).length };
  if (isArray(value)) {
    let bad = 0;
    while (bad < value.length && typeof value[bad] === 'number') bad++;
    return { type: 'array', length: value.length, element: kindOf(value[bad]), index: bad };
  }
  const keys = objectKeys(value as object);
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  const list = truncateText(`${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`, 300, 1);
  if (ctor && ctor !== 'Object') return keys.length === 0 ? { type: 'instance-empty', name: truncateText(ctor, 80, 1) } : { type: 'instance', name: truncateText(ctor, 80, 1), keys: list };
  return keys.length === 0 ? { type: 'object-empty' } : { type: 'object', keys: list };
}

function looksLikeMatrix(value: unknown): value is { rows: number; columns: number; get(i: number, j: number): number } {
  if (isMatrix(value)) return true;
  const v = value as { rows?: unknown; columns?: unknown; get?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.rows === 'number' && typeof v.columns === 'number' && typeof v.get === 'function';
}

/** Describes a student's return value as plain data (its type first, then its numbers). */
export function toWire(value: unknown, fn: StudentFunction | undefined): WireValue {
  if (typeof value === 'number') return { kind: 'number', value };
  if (isInstance(value, F64)) return { kind: 'float64array', data: copyNumbers(value) };
  if (isArray(value) && allNumbers(value)) return { kind: 'array', data: copyNumbers(value) };
  if (looksLikeMatrix(value)) {
    const { rows, columns } = value;
    if (isInteger(rows) && isInteger(columns) && rows >= 0 && columns >= 0) {
      const data: number[][] = [];
      for (let i = 0; i < rows; i++) {
        const row: number[] = [];
        for (let j = 0; j < columns; j++) {
          const x = value.get(i, j);
          if (typeof x !== 'number') {
            const about = { type: 'matrix-like', row: i + 1, column: j + 1, element: kindOf(x) };
            return { kind: 'other', description: `a matrix-like object whose element (${i + 1}, ${j + 1}) is ${describeKind(x)}`, about };
          }
          row[j] = x;
        }
        data[i] = row;
      }
      return { kind: 'matrix', rows, columns, data };
    }
  }
  if (fn === 'nnCostFunction' && typeof value === 'object' && value !== null && !isArray(value) && 'J' in value && 'grad' in value) {
    const v = value as { J: unknown; grad: unknown };
    return { kind: 'cost-and-gradient', J: toWire(v.J, undefined), grad: toWire(v.grad, undefined) };
  }
  return { kind: 'other', description: truncateText(describeKind(value, fn)), about: aboutKind(value, fn) };
}

/**
 * `value instanceof C` that cannot throw: a thrown or returned Proxy runs the submission's
 * getPrototypeOf trap there, and a trap that throws once made the harness itself fail.
 */
function isInstance<T>(value: unknown, C: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof C;
  } catch {
    return false;
  }
}

function safeString(get: () => unknown, fallback: string): string {
  try {
    const v = get();
    return typeof v === 'string' ? v : fallback;
  } catch {
    return fallback;
  }
}

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

function toPath(location: string): string {
  if (location.startsWith('file://')) {
    try {
      return fileURLToPath(location);
    } catch {
      return location;
    }
  }
  return location;
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

function relativeTo(root: string, path: string): string {
  return inside(path, root) ? path.slice(root.length).replace(/^\/+/, '') : path;
}

/** A value's kind in one word, as the catalogue's `compare.element.*` names it. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (isInstance(value, Promise)) return 'promise';
  if (isView(value)) return 'typed-array';
  if (isArray(value)) return 'nested-array';
  const type = typeof value;
  return type === 'object' ? 'object' : type;
}

/** At most this many values of a kit error's description travel (the grader knows each kind's). */
const KIT_PARAMS = 8;

/**
 * The kit's own description of its error (exercises/lib/errors.ts: `error.kit`, a kind and
 * values), as CallError params: `kit` and `k.<name>`. Student code could forge one: the grader
 * renders only kinds and values it knows.
 */
function kitParams(error: object): Record<string, string | number> {
  try {
    const kit = (error as { kit?: { kind?: unknown; params?: unknown } }).kit;
    if (typeof kit !== 'object' || kit === null || typeof kit.kind !== 'string' || typeof kit.params !== 'object' || kit.params === null) return {};
    const out: Record<string, string | number> = { kit: truncateText(kit.kind, 40, 1) };
    for (const [name, value] of objectEntries(kit.params as Record<string, unknown>).slice(0, KIT_PARAMS)) {
      if (typeof value === 'string') out[`k.${truncateText(name, 20, 1)}`] = truncateText(value, 200, 1);
      else if (typeof value === 'number') out[`k.${truncateText(name, 20, 1)}`] = value;
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * The error as a student-facing CallError: message plus the student's own stack frames only.
 * Params for the catalogue: `error` (JavaScript's own "Name: message"), `loading` (thrown while its
 * file loaded), `denied` (a permission the sandbox withholds), `thrown` (the kind of a non-Error
 * value thrown), and the kit's description of its own errors (kitParams).
 */
function threwError(error: unknown, config: HarnessConfig, context: string): CallError {
  let message: string;
  let stack = '';
  const params: Record<string, string | number> = context ? { loading: 1 } : {};
  if (typeof error === 'object' && error !== null) {
    const name = safeString(() => (error as Error).name, 'Error');
    const text = safeString(() => (error as Error).message, '');
    const code = safeString(() => (error as { code?: unknown }).code, '');
    // Node's own format, "Error [ERR_ACCESS_DENIED]: ...", so the reason is visible in one line.
    const label = code ? `${name} [${code}]` : name;
    message = text ? `${label}: ${text}` : label;
    params.error = truncateText(message);
    Object.assign(params, kitParams(error));
    if (code === 'ERR_ACCESS_DENIED') {
      message += ' (the grader runs your code without access to files, processes or workers)';
      params.denied = 1;
    }
    stack = safeString(() => (error as Error).stack, '');
  } else {
    message = `${describeKind(error)} was thrown (throw an Error to get a stack trace)`;
    params.thrown = kindOf(error);
  }
  const frames: string[] = [];
  let first: { file: string; line: number; column: number } | undefined;
  // The stack repeats the message (up to megabytes): only lines short enough to be frames are parsed.
  for (const line of stack.slice(0, 256 * 1024).split('\n')) {
    if (line.length > 2000) continue;
    const m = FRAME.exec(line);
    if (!m) continue;
    const path = toPath(m[2]);
    if (!inside(path, config.submissionRoot) || inside(path, config.kitLibDir)) continue;
    const file = relativeTo(config.displayRoot, path);
    const where = `${file}:${m[3]}:${m[4]}`;
    frames.push(m[1] ? `${m[1]} (${where})` : where);
    first ??= { file, line: Number(m[3]), column: Number(m[4]) };
    if (frames.length >= 20) break;
  }
  return { code: 'threw', message: truncateText(`${context}${message}`), stack: frames.slice(0, TEXT_CAPS.stackFrames), ...first, params };
}

/** V8's and Node's words when an allocation fails for want of memory (RLIMIT_DATA), not for a bad size. */
const ALLOCATION_FAILED = /Array buffer allocation failed|ERR_MEMORY_ALLOCATION_FAILED|Unable to grow instance memory|Out of memory/i;

/** The out-of-memory CallError when `error` is a failed allocation, else undefined. */
function outOfMemory(error: unknown, fn: StudentFunction, config: HarnessConfig): CallError | undefined {
  if (!(isInstance(error, RangeError)) && safeString(() => (error as { code?: unknown }).code, '') !== 'ERR_MEMORY_ALLOCATION_FAILED') return undefined;
  const text = `${safeString(() => (error as Error).message, '')} ${safeString(() => (error as { code?: unknown }).code, '')}`;
  if (!ALLOCATION_FAILED.test(text)) return undefined;
  return {
    code: 'out-of-memory',
    message: `ran out of memory (the limit is ${config.memoryMb} MB); look for an array or matrix that grows without bound`,
    params: { fn, mb: config.memoryMb },
  };
}

function exitedError(fn: StudentFunction, file: string, how: string): CallError {
  return { code: 'exited', file, message: `${file} called ${how}; a graded function must return its result`, params: { fn, file, how } };
}

/** The walls this process has built (buildWalls), and for which isolation mode. */
let wallsFor: HarnessConfig['isolation'] | undefined;

/**
 * Builds the walls inside the child (walls.ts), once: the boot script calls this as soon as the
 * harness has loaded, with the isolation mode the child was started under, so the work is done
 * while the grader still prepares the submission; createHarness makes sure it happened. Throws
 * if asked for other walls than those built (the child must be started again).
 */
export function buildWalls(isolation: HarnessConfig['isolation']): void {
  if (wallsFor !== undefined) {
    if (wallsFor !== isolation) throw new Error(`the sandbox child was walled for ${wallsFor}, not ${isolation}`);
    return;
  }
  wallsFor = isolation;
  interceptExits();
  // hardenInternals first: it borrows net.Socket.prototype.connect once, before disableNetwork replaces it.
  if (isolation === 'permission-model') hardenInternals();
  disableNetwork();
  blockHeapSnapshots();
  sealByteViews();
  // ESM imports of builtins (`import { lookup } from 'node:dns'`) are copies of the exports made
  // when the module loaded; this updates them to the replacements.
  syncBuiltinESMExports();
}

/** Creates the harness for one bundle. Called by the boot script with the grader's config. */
export function createHarness(config: HarnessConfig): Harness {
  buildWalls(config.isolation);
  const modules = new Map<StudentFunction, Promise<Record<string, unknown>>>();

  function load(fn: StudentFunction): Promise<Record<string, unknown>> {
    let mod = modules.get(fn);
    if (!mod) {
      const entry = config.functions[fn];
      if (!entry) throw new Error(`no bundle for ${fn}`);
      mod = import(new URL(entry.chunk, import.meta.url).href) as Promise<Record<string, unknown>>;
      modules.set(fn, mod);
    }
    return mod;
  }

  /** The loaded student function, or the CallError that says why it cannot be called. */
  async function studentFunction(fn: StudentFunction, file: string): Promise<{ f: (...args: unknown[]) => unknown } | { error: CallError }> {
    const mod = await load(fn);
    if (!(fn in mod)) {
      const exported = truncateText(objectKeys(mod).join(', '), 300, 1);
      return {
        error: { code: 'missing-export', file, message: `${file} does not export a function named ${fn} (it exports: ${exported || 'nothing'})`, params: { fn, file, exported } },
      };
    }
    const f = mod[fn];
    // `type` is JavaScript's own word for it (typeof), the same in every language.
    if (typeof f !== 'function') return { error: { code: 'not-a-function', file, message: `${file} exports ${fn}, but it is ${describeKind(f)}, not a function`, params: { fn, file, type: f === null ? 'null' : typeof f } } };
    return { f: f as (...args: unknown[]) => unknown };
  }

  /** A grading call: fresh inputs, mutation checks, and the trace when the sandbox records one. */
  function gradedCall(request: GradingRequest, f: (...args: unknown[]) => unknown, file: string, observations: CallObservations): unknown {
    const invocation = gradingInvocation(request);
    const watched = new Map<object, string>();
    for (const [name, value] of Object.entries(invocation.inputs)) if (typeof value === 'object' && value !== null) watched.set(value, name);
    const recorder = new Recorder(config, file, config.trace === true && request.fn === 'nnCostFunction' && request.trace === true, watched);
    const traceInputs: Record<string, number> = {};
    if (recorder.full) for (const [name, value] of Object.entries(invocation.inputs)) if (recorder.idOf(value)) traceInputs[name] = recorder.idOf(value);
    const before = snapshotInputs(invocation.inputs);
    let result: unknown;
    startRecording(recorder);
    try {
      result = invocation.invoke(f);
    } finally {
      stopRecording();
      invocation.observe?.(observations);
      noteMutations(observations, changedInputs(invocation.inputs, before), recorder);
    }
    if (recorder.full) {
      observations.trace = recorder.entries;
      observations.traceInputs = traceInputs;
      if (recorder.truncated) observations.traceTruncated = true;
    }
    if (request.fn === 'computeNumericalGradient') observations.thetaModified = observations.mutated?.includes('theta') ?? false;
    return result;
  }

  function noteMutations(observations: CallObservations, mutated: string[], recorder: Recorder): void {
    if (mutated.length > 0) observations.mutated = mutated;
    const by = recorder.inPlaceCalls.filter((c) => mutated.includes(c.argument));
    if (by.length > 0) observations.mutatedBy = by;
  }

  /** A walkthrough call (protocol.ts WalkthroughRequest): stored data and the student's functions. */
  async function walkthrough(request: WalkthroughRequest, observations: CallObservations): Promise<WireValue> {
    const functionOf = async (fn: 'nnCostFunction' | 'computeNumericalGradient') => {
      const got = await studentFunction(fn, config.functions[fn]?.file ?? `${fn}.ts`);
      if ('error' in got) throw new CallFailure(got.error);
      return got.f;
    };
    const inputs = walkthroughInputs(request);
    const before = snapshotInputs(inputs);
    const watched = new Map<object, string>();
    for (const [name, value] of Object.entries(inputs)) if (typeof value === 'object' && value !== null) watched.set(value, name);
    const recorder = new Recorder(config, config.functions[request.fn]?.file ?? '', false, watched);
    startRecording(recorder);
    let out: Awaited<ReturnType<typeof walkthroughCall>>;
    try {
      out = await walkthroughCall(request, functionOf);
    } finally {
      stopRecording();
      noteMutations(observations, changedInputs(inputs, before), recorder);
    }
    if ('wire' in out) return out.wire;
    if ('value' in out) return toWire(out.value, request.fn === 'computeNumericalGradient' ? 'computeNumericalGradient' : 'nnCostFunction');
    return { kind: 'gradient-check', numgrad: toWire(out.gradientCheck.numgrad, 'computeNumericalGradient'), grad: toWire(out.gradientCheck.grad, undefined) };
  }

  async function call(request: SandboxRequest): Promise<CallOutcome> {
    const start = now();
    const fn = request.fn;
    const file = config.functions[fn]?.file ?? `${fn}.ts`;
    const fail = (error: CallError): CallOutcome => ({ ok: false, error, durationMs: now() - start });
    const observations: CallObservations = {};
    // Before any student module loads, so every student file sees the wrapped Matrix methods.
    installMatrixHooks();
    inCall = true;
    exitRequested = null;
    let loading = true;
    try {
      let value: WireValue;
      if ('op' in request) {
        loading = false;
        value = await walkthrough(request, observations);
      } else {
        const got = await studentFunction(fn, file);
        loading = false;
        if ('error' in got) return fail(got.error);
        value = toWire(gradedCall(request, got.f, file, observations), fn);
      }
      if (exitRequested) return fail(exitedError(fn, file, exitRequested));
      return { ok: true, value, observations, durationMs: now() - start };
    } catch (error) {
      if (isInstance(error, CallFailure)) return fail(error.error);
      if (isInstance(error, WalkthroughRequestError)) return fail({ code: 'crashed', message: `the walkthrough's request failed: ${error.message}` });
      if (exitRequested || isInstance(error, ExitSignal)) return fail(exitedError(fn, file, exitRequested ?? 'process.exit()'));
      // The kit's errors are recognised by their code (not instanceof), so any copy works.
      if (typeof error === 'object' && error !== null && safeString(() => (error as { code?: unknown }).code, '') === 'NOT_IMPLEMENTED') {
        return fail({ code: 'not-implemented', file, message: truncateText(safeString(() => (error as Error).message, `${fn} is not implemented yet`)), params: { fn, file } });
      }
      return fail(outOfMemory(error, fn, config) ?? threwError(error, config, loading ? `loading ${file} threw ` : ''));
    } finally {
      inCall = false;
    }
  }

  return { call };
}

/** A call that cannot be made, with the CallError to report (e.g. a missing export met mid-walkthrough). */
class CallFailure extends Error {
  constructor(readonly error: CallError) {
    super(error.message);
  }
}

/**
 * The sandbox's wire protocol: what the grader asks a submission to compute and what comes back.
 * Everything here is plain data (the channel's codec keeps NaN, ±Infinity, -0 and Float64Arrays exact),
 * so nothing the submission does to its own globals can reach the grader's comparisons.
 */
import type { MessageParams } from '../messages/index';
import type { StudentFunction } from '../parts/ids';
import type { IsolationMode } from '../report/types';

export type { IsolationMode } from '../report/types';

/** A matrix as plain rows (row-major: rows[i][j] is Octave's (i+1, j+1)). */
export type PlainMatrix = number[][];

/** Known functions the sandbox can hand to computeNumericalGradient as J. Defined in grader/sandbox/functions.ts. */
export type KnownFunctionName = 'quadratic' | 'sin-sum' | 'log-sum-exp' | 'tiny-network';

/** nnCostFunction's arguments as plain data (X: m×n without the bias column; y: labels 1..K). */
export interface NnCostFunctionArgs {
  nnParams: number[];
  inputLayerSize: number;
  hiddenLayerSize: number;
  numLabels: number;
  X: PlainMatrix;
  y: number[];
  lambda: number;
}

export type SandboxRequest =
  | ({
      fn: 'nnCostFunction';
      /** Record this call's trace (when the sandbox was opened with `trace: true`); a few calls per grade are enough. */
      trace?: boolean;
    } & NnCostFunctionArgs)
  | { fn: 'sigmoidGradient'; z: PlainMatrix }
  | {
      fn: 'randInitializeWeights';
      lIn: number;
      lOut: number;
      /** The harness builds a seeded uniform source from this seed and counts the draws. */
      seed: number;
    }
  | {
      fn: 'computeNumericalGradient';
      J: KnownFunctionName;
      /** Parameters of the known function (e.g. the tiny network's data), fixed by the grader. */
      params: Record<string, unknown>;
      theta: number[];
    }
  | WalkthroughRequest;

/**
 * The walkthrough's requests (exercises/ex4.ts), keyed like esbuild's context/rebuild: the big
 * data set (5000×400 digits) is sent once (`store-data`) and later requests name it by `key`, so
 * each cost evaluation or the whole training run (fmincg inside the child, calling the student's
 * nnCostFunction) carries only small values both ways. `fn` is the student function each one runs
 * (the sandbox checks it for compile errors and missing files like any call).
 */
export type WalkthroughRequest =
  | {
      fn: 'nnCostFunction';
      op: 'store-data';
      key: string;
      /** X: rows×columns (no bias column), row-major. */
      rows: number;
      columns: number;
      values: Float64Array | number[];
      /** Labels 1..K, one per row of X. */
      y: number[];
    }
  | ({ fn: 'nnCostFunction'; op: 'cost'; key: string } & NetworkCallArgs)
  | ({
      fn: 'nnCostFunction';
      op: 'train';
      key: string;
      /** fmincg's maximum number of iterations (line searches). */
      iterations: number;
    } & NetworkCallArgs)
  | {
      fn: 'computeNumericalGradient';
      op: 'check-gradients';
      /** The small network of checkNNGradients (X, y and nnParams included). */
      network: NnCostFunctionArgs;
    };

/** nnCostFunction's arguments without X and y (they come from stored data); `nnParams` is the start point of `train`. */
export interface NetworkCallArgs {
  nnParams: Float64Array | number[];
  inputLayerSize: number;
  hiddenLayerSize: number;
  numLabels: number;
  lambda: number;
}

/**
 * A value returned by the student, described so the grader can check its type before its numbers.
 * `kind` is what the student's value was; `data` is its numbers (row-major rows for matrices).
 */
export type WireValue =
  | { kind: 'matrix'; rows: number; columns: number; data: PlainMatrix }
  | { kind: 'float64array' | 'array'; data: number[] }
  | { kind: 'number'; value: number }
  | { kind: 'cost-and-gradient'; J: WireValue; grad: WireValue }
  /** The walkthrough's `train`: the parameters fmincg found and the cost after each iteration. */
  | { kind: 'training'; theta: number[]; costs: number[]; iterations: number }
  /** The walkthrough's `check-gradients`: the student's numerical gradient and nnCostFunction's grad. */
  | { kind: 'gradient-check'; numgrad: WireValue; grad: WireValue }
  /**
   * Anything else: `description` in English (logs), and `about`, the same description as
   * language-neutral params for the catalogue (`type` selects a `compare.other.*` sentence).
   */
  | { kind: 'other'; description: string; about?: Readonly<Record<string, string | number>> };

/** Extra observations a call reports besides its return value. */
export interface CallObservations {
  /** computeNumericalGradient: was theta modified in place? How many times was J called? */
  thetaModified?: boolean;
  jCalls?: number;
  /** randInitializeWeights: how many numbers were drawn from the `random` argument. */
  randomDraws?: number;
  /** Did the call use Math.random? (the harness counts calls to it) */
  mathRandomCalls?: number;
  /**
   * The arguments the call modified in place (their parameter names, e.g. ["X"] or ["z"]); empty or
   * absent when none changed. A graded function must never change its inputs.
   */
  mutated?: string[];
  /** The in-place ml-matrix methods the student's code called on an argument, with their lines (a few at most). */
  mutatedBy?: InPlaceCall[];
  /** The values the call built, in order (only when the sandbox was opened with `trace: true`). */
  trace?: TraceEntry[];
  /** Object ids (TraceEntry.id) of the matrix arguments, by parameter name (e.g. { X: 1 }). */
  traceInputs?: Record<string, number>;
  /** True when the trace hit its budget (entries or values) and stopped recording. */
  traceTruncated?: boolean;
}

/** An in-place ml-matrix method called on an argument of the graded function. */
export interface InPlaceCall {
  /** The parameter's name, e.g. "z". */
  argument: string;
  /** The method, e.g. "neg" (ml-matrix's instance methods change the matrix they are called on). */
  method: string;
  /** The student's source position of the call (relative to the submission root; 1-based). */
  file: string;
  line: number;
  column: number;
}

/** A student's source position: file relative to the submission root, 1-based line and column. */
export interface TracePosition {
  file: string;
  line: number;
  column: number;
}

/**
 * One value a student's function built, recorded inside the sandbox (grader/sandbox/trace.ts):
 * the operation (a kit helper such as `mtimes`, an ml-matrix method such as `mmul`, or a static
 * constructor such as `Matrix.zeros`), the result's shape, the student's line that called it, and
 * its values, so the grader can match it against the reference's intermediates. Capped in count
 * and size like output. Every field is student-controlled data: the grader validates it and uses
 * it only to explain, never to score.
 */
export interface TraceEntry extends TracePosition {
  op: string;
  /** Shape of the result (a number is 1×1; a vector n×1). */
  rows: number;
  columns: number;
  /*
   * file/line/column: the student's call, in the graded function's own file when that file is on
   * the stack (e.g. the line of nnCostFunction.ts that called sigmoidGradient), else the innermost
   * student frame.
   */
  /** The innermost student frame, when it is in another file than `file` (e.g. inside sigmoidGradient.ts). */
  inner?: TracePosition;
  /** The result's values, row-major (only the first ones when `truncated`). */
  values?: number[];
  /** What the result is: a Matrix (default), a plain number (e.g. sumAll), or a vector (unroll, to1DArray). */
  kind?: 'matrix' | 'number' | 'vector';
  /** Identity of the resulting matrix within the call; for an in-place op, the changed matrix's. */
  id?: number;
  /** Identities of the matrix operands, a method's receiver first (0: not a traced matrix). */
  args?: number[];
  /** The op changed its receiver in place (ml-matrix's add, neg, set…); `values` are the receiver's after the last such call. */
  inPlace?: boolean;
  /** How many consecutive calls of this in-place op on this line the entry stands for (a loop). */
  count?: number;
  /** `values` were cut at the cap. */
  truncated?: boolean;
}

export type CallErrorCode =
  | 'not-implemented'
  | 'compile-error'
  | 'missing-file'
  | 'missing-export'
  | 'not-a-function'
  | 'threw'
  | 'timeout'
  | 'out-of-memory'
  | 'exited'
  | 'crashed'
  | 'output-limit'
  /** The child sent something malformed, oversized or unexpected on the channel. */
  | 'protocol-error'
  /** A student file is larger than the grader accepts. */
  | 'file-too-large'
  /** A student file (or the exercises folder) is a symbolic link. */
  | 'symlink';

export interface CallError {
  code: CallErrorCode;
  /**
   * English, plain and specific: for logs and the grader's own use. Students read the catalogue's
   * `call.<code>` message rendered from `params` (grader/messages), in their language.
   */
  message: string;
  /** Language-neutral values for the catalogue message (e.g. { fn, file, seconds }). */
  params?: MessageParams;
  /** For compile errors and throws: the student's own location (file relative to the submission root). */
  file?: string;
  line?: number;
  column?: number;
  /** The student's own stack frames only, e.g. "nnCostFunction (exercises/nnCostFunction.ts:42:11)". */
  stack?: string[];
}

export type CallOutcome =
  | { ok: true; value: WireValue; observations: CallObservations; durationMs: number }
  | { ok: false; error: CallError; durationMs: number };

export interface SandboxLimits {
  /** Per-call wall-clock limit. Default 10 000 ms. */
  timeoutMs: number;
  /** V8 old-space limit for the submission process. Default 512 MB. */
  heapMb: number;
  /** Captured stdout+stderr kept per submission; beyond it output is dropped (and noted). */
  outputCapBytes: number;
  /**
   * The child's whole memory: a data-segment rlimit (RLIMIT_DATA) that counts the V8 heap,
   * ArrayBuffers and Buffers (WebAssembly keeps working). Raised to heapMb + 256 when smaller.
   * Default 1024 MB. Linux and macOS; not enforced on Windows.
   */
  memoryMb?: number;
  /** Largest packet the grader sends the child (bytes). Default 64 MB (a 5000×400 matrix is 16 MB). */
  maxRequestBytes?: number;
  /** Largest packet the child may send (bytes); a larger result is the call's `protocol-error`. Default 8 MB. */
  maxReplyBytes?: number;
  /** Most bytes the child may send during one call, all packets together. Default 16 MB. */
  maxReplyBytesPerCall?: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { timeoutMs: 10_000, heapMb: 512, outputCapBytes: 64 * 1024 };

/**
 * How hard the sandbox walls must be: `auto` uses OS namespaces (bubblewrap) when available and
 * falls back to the permission model, saying so; `strict` refuses to run without namespaces;
 * `permission-model` never uses namespaces (for platforms without them, and for comparison).
 */
export type IsolationPolicy = 'auto' | 'strict' | 'permission-model';

/**
 * Why a sandbox runs without namespaces: asked for (`--isolation permission-model`), not Linux,
 * no `bwrap` on PATH, user namespaces refused (e.g. Ubuntu 24.04's AppArmor restriction, or a
 * container without them), or bwrap failed for another reason.
 */
export type FallbackReason = 'requested' | 'not-linux' | 'bwrap-missing' | 'userns-unavailable' | 'bwrap-failed';

/** Per-call settings. */
export interface CallOptions {
  /** This call's wall-clock limit instead of SandboxLimits.timeoutMs (e.g. a tighter budget for a speed probe). */
  timeoutMs?: number;
}

/** How a sandbox is opened besides its limits. */
export interface SandboxOptions {
  /** Default 'auto'. */
  isolation: IsolationPolicy;
  /**
   * Record the matrices nnCostFunction builds (CallObservations.trace): every kit helper and
   * ml-matrix method the student's code calls, with its line. Default false.
   */
  trace: boolean;
}

export const DEFAULT_SANDBOX_OPTIONS: SandboxOptions = { isolation: 'auto', trace: false };

/** Where each student function lives, resolved by the loader; for annotations and messages. */
export interface FunctionLocation {
  fn: StudentFunction;
  file: string; // relative to the submission root
  line: number;
  column: number;
}

/**
 * The sandbox as the rest of the grader sees it (implemented in grader/sandbox/sandbox.ts):
 *
 *   const sb = await openSandbox(submissionDir, limits);
 *   const outcome = await sb.call({ fn: 'sigmoidGradient', z: [[0]] });
 *   ...
 *   await sb.close();
 *
 * openSandbox never throws for a bad submission: compile errors surface as CallError
 * ('compile-error') on every call to the affected function. A timeout, OOM, crash,
 * process.exit or protocol error ends only that call; the next call starts a fresh process.
 */
export interface Sandbox {
  /** The walls this sandbox actually has (decided when it opened). */
  readonly isolation: IsolationMode;
  /** Why it runs without namespaces (isolation 'permission-model'); see grader/sandbox/isolation.ts. */
  readonly fallbackReason?: FallbackReason;
  call(request: SandboxRequest, options?: CallOptions): Promise<CallOutcome>;
  /** Per student function: where it is defined (when found), for annotations. */
  locations(): Partial<Record<StudentFunction, FunctionLocation>>;
  /** The submission's captured stdout/stderr so far (capped). Never print it raw. */
  output(): string;
  close(): Promise<void>;
}

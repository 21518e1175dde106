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
  | ({ fn: 'nnCostFunction' } & NnCostFunctionArgs)
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
    };

/**
 * A value returned by the student, described so the grader can check its type before its numbers.
 * `kind` is what the student's value was; `data` is its numbers (row-major rows for matrices).
 */
export type WireValue =
  | { kind: 'matrix'; rows: number; columns: number; data: PlainMatrix }
  | { kind: 'float64array' | 'array'; data: number[] }
  | { kind: 'number'; value: number }
  | { kind: 'cost-and-gradient'; J: WireValue; grad: WireValue }
  | { kind: 'other'; description: string };

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
  /** The matrices the call built, in order (only when the sandbox was opened with `trace: true`). */
  trace?: TraceEntry[];
}

/**
 * One matrix a student's function built, recorded inside the sandbox: the operation (a kit helper
 * such as `mtimes`, an ml-matrix method such as `Matrix.mmul`, or a constructor), the result's
 * shape, the student's line that called it, and enough of the values to match it against the
 * reference's intermediates. Capped in count and size like output (grader/sandbox).
 */
export interface TraceEntry {
  op: string;
  rows: number;
  columns: number;
  /** The student's source position of the call (relative to the submission root; 1-based). */
  file: string;
  line: number;
  column: number;
  /** Up to a few values of the result (row-major), or a digest; the trace's owner defines it. */
  values?: number[];
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
  /** Record the matrices nnCostFunction builds (CallObservations.trace). Default false. */
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

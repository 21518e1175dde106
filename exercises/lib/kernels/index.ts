/**
 * Which kernels exercises/lib/matrix.ts runs on: the WebAssembly SIMD kernels when the engine
 * has WebAssembly SIMD (loaded on the first operation large enough for them), else the JS
 * kernels.
 *
 * For tests and benchmarks (not part of the students' API):
 *  - the environment variable BACKPROP_KERNELS=js|wasm (read once, on first use) forces a path;
 *    BACKPROP_KERNEL_THREADS=1 keeps the WebAssembly kernels on one thread;
 *  - setKernels('js' | 'wasm', options) switches at any time (options: see WasmOptions).
 */
import { FlatMatrix, snapshotOf } from './flatMatrix';
import { evaluateInJs, jsKernels } from './js';
import { MAX_RECIPE_DEPTH, Snapshot, setEvaluator, valuesOf } from './snapshot';
import type { Kernels } from './types';
import { DEFAULT_WASM_OPTIONS, WasmKernels, loadKernelModule, type WasmOptions } from './wasm';
import type { AbstractMatrix } from 'ml-matrix';

export { FlatMatrix, copyRowsInto, snapshotOf, storageOf, uninitializedValues } from './flatMatrix';
export type { Snapshot } from './snapshot';
export type { BinaryOp, Kernels, UnaryOp } from './types';

let active: Kernels | undefined;
let wasm: WasmKernels | null | undefined;

/** The WebAssembly kernels (one instance per process), or null when unavailable. */
function wasmKernels(options?: Partial<WasmOptions>): WasmKernels | null {
  if (wasm === undefined) {
    const loaded = loadKernelModule();
    const threads = process.env.BACKPROP_KERNEL_THREADS !== '1';
    wasm = loaded ? new WasmKernels(loaded, { threads, ...options }) : null;
  } else if (wasm && options) {
    Object.assign(wasm.options, options);
  }
  return wasm;
}

// Values a recipe describes are copied out of the WebAssembly memory when it still holds them
// (or computed there), else computed by the JS loops.
setEvaluator((s) => (wasm ? wasm.valuesOf(s) : undefined) ?? evaluateInJs(s));

/** The WebAssembly kernels when available, else the JS ones. */
const large = (): Kernels => wasmKernels() ?? jsKernels;

/** True when an operation on `values` values is too small for the WebAssembly kernels to pay. */
const small = (values: number): boolean => values < DEFAULT_WASM_OPTIONS.minElementwise;

/**
 * The default: operations too small for the WebAssembly kernels run on the JS ones, and the
 * module is compiled (about 1 ms) only when a large enough one comes. A grading process, whose
 * cases are tiny, never pays for it.
 */
const automatic: Kernels = {
  get name() {
    return large().name;
  },
  mtimes: (A, B) => (A.rows * A.columns * B.columns < DEFAULT_WASM_OPTIONS.minProductWork ? jsKernels : large()).mtimes(A, B),
  binary: (op, A, B) => (small(A.rows * A.columns) ? jsKernels : large()).binary(op, A, B),
  binaryScalar: (op, A, s, first) => (small(A.rows * A.columns) ? jsKernels : large()).binaryScalar(op, A, s, first),
  unary: (op, A) => (small(A.rows * A.columns) ? jsKernels : large()).unary(op, A),
  columnSums: (A) => (small(A.rows * A.columns) ? jsKernels : large()).columnSums(A),
};

/** The kernels in use: the automatic choice unless BACKPROP_KERNELS or setKernels says otherwise. */
export function kernels(): Kernels {
  if (!active) {
    const forced = process.env.BACKPROP_KERNELS;
    active = forced === 'js' ? jsKernels : forced === 'wasm' ? large() : automatic;
  }
  return active;
}

/** A result over a new recipe; one that chains too deep gets its values at once. */
function lazy(s: Snapshot): FlatMatrix {
  if (s.depth > MAX_RECIPE_DEPTH) valuesOf(s);
  return FlatMatrix.of(s);
}

/** `A'`, computed only if read: a product with it reads A itself. */
export function transposed(A: AbstractMatrix): FlatMatrix {
  return lazy(Snapshot.computed(A.columns, A.rows, { kind: 'transpose', src: snapshotOf(A) }));
}

/** `[ones(m,1) A]`, computed only if read: a product with it reads A's non-zeros and the ones. */
export function withBiasColumn(A: AbstractMatrix): FlatMatrix {
  return lazy(Snapshot.computed(A.rows, A.columns + 1, { kind: 'bias', src: snapshotOf(A) }));
}

/**
 * Tests and benchmarks: use the JS or the WebAssembly kernels from now on (throws when
 * WebAssembly SIMD is unavailable and 'wasm' is asked for). Returns the kernels now in use.
 */
export function setKernels(which: 'js' | 'wasm', options?: Partial<WasmOptions>): Kernels {
  if (which === 'js') active = jsKernels;
  else {
    const k = wasmKernels(options);
    if (!k) throw new Error('setKernels: WebAssembly SIMD is not available in this engine');
    active = k;
  }
  return active;
}

/** Whether the WebAssembly module has been compiled in this process (tests). */
export function wasmModuleLoaded(): boolean {
  return Boolean(wasm);
}

/** The WebAssembly kernels' instance, loading it (tests and benchmarks: threads, options). */
export function wasmKernelsInstance(): WasmKernels | null {
  return wasmKernels();
}

/** Ends the kernels' worker thread, if one was started (it is unref'd, so this is optional). */
export async function closeKernelThread(): Promise<void> {
  if (wasm) await wasm.close();
}

/**
 * Which kernels exercises/lib/matrix.ts runs on: the WebAssembly SIMD kernels when the engine
 * has WebAssembly SIMD, else the JS kernels. Chosen once, on first use.
 *
 * For tests and benchmarks (not part of the students' API):
 *  - the environment variable BACKPROP_KERNELS=js|wasm (read once, on first use) forces a path;
 *    BACKPROP_KERNEL_THREADS=1 keeps the WebAssembly products on one thread;
 *  - setKernels('js' | 'wasm', options) switches at any time (options: see WasmOptions).
 */
import { jsKernels } from './js';
import type { Kernels } from './types';
import { WasmKernels, loadKernelModule, type WasmOptions } from './wasm';

export { FlatMatrix, copyRowsInto, storageOf, uninitializedValues } from './flatMatrix';
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

/** The kernels in use (chosen on first call). */
export function kernels(): Kernels {
  if (!active) {
    const forced = process.env.BACKPROP_KERNELS;
    active = forced === 'js' ? jsKernels : (wasmKernels() ?? jsKernels);
  }
  return active;
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

/** The WebAssembly kernels' instance when loaded (tests and benchmarks: threads, options). */
export function wasmKernelsInstance(): WasmKernels | null {
  return wasmKernels();
}

/** Ends the kernels' worker thread, if one was started (it is unref'd, so this is optional). */
export async function closeKernelThread(): Promise<void> {
  if (wasm) await wasm.close();
}

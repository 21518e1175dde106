/// <reference path="./webassembly.d.ts" />
/**
 * The WebAssembly SIMD kernels (kernels.wat), driven from here: operands are copied into the
 * module's memory, the kernel runs (products on two threads when it pays, threads.ts), and the
 * result is copied out into a new FlatMatrix.
 *
 * Copies are the main cost next to the arithmetic, so the copies of matrices the kernels have
 * seen are kept (arena.ts) while the matrix is unchanged (its FlatMatrix version): the image
 * matrix a1 = [ones X] of nnCostFunction is copied in, and its non-zeros listed, once for its two
 * products; every result is already in the memory when the next operation reads it.
 *
 * Operations too small to pay for the copies, and any operation that does not fit the memory
 * limit, run on the JS kernels (same numbers, bit for bit).
 */
import type { AbstractMatrix } from 'ml-matrix';
import { Arena, type Block } from './arena';
import { FlatMatrix, copyRowsInto, uninitializedValues, versionOf } from './flatMatrix';
import { densityOf, jsKernels } from './js';
import { CTL_BOUNDS, CTL_KERNEL, CTL_PARAMS, CTL_SCRATCH, KernelThread, MAX_CHUNKS } from './threads';
import type { BinaryOp, Kernels, UnaryOp } from './types';
import { KERNELS_WASM_BASE64 } from './wasmBinary';

/** The module's exports (kernels.wat); offsets are bytes into the memory, lengths are values. */
interface Exports {
  all_finite(p: number, len: number): number;
  csr_build(a: number, c: number, rows: number, colIdx: number, vals: number, i0: number, i1: number): void;
  csc_from_csr(rows: number, colIdx: number, vals: number, r: number, c: number, cols: number, rowIdx: number, colVals: number): void;
  run_chunk(ctl: number, chunk: number, thread: number): void;
  transpose(src: number, dst: number, r: number, c: number): void;
  times_mm(a: number, b: number, c: number, len: number): void;
  plus_mm(a: number, b: number, c: number, len: number): void;
  minus_mm(a: number, b: number, c: number, len: number): void;
  rdivide_mm(a: number, b: number, c: number, len: number): void;
  times_ms(a: number, s: number, c: number, len: number): void;
  plus_ms(a: number, s: number, c: number, len: number): void;
  minus_ms(a: number, s: number, c: number, len: number): void;
  minus_sm(a: number, s: number, c: number, len: number): void;
  rdivide_ms(a: number, s: number, c: number, len: number): void;
  rdivide_sm(a: number, s: number, c: number, len: number): void;
  square(a: number, c: number, len: number): void;
  exp(a: number, c: number, len: number): void;
  log(a: number, c: number, len: number): void;
  sigmoid(a: number, c: number, len: number): void;
  colsum(a: number, out: number, r: number, c: number): void;
}

/** Tunables; the defaults are measured crossovers (2-core machine, medians of many runs). */
export interface WasmOptions {
  /** Use the worker thread for large products (when workers are allowed). */
  threads: boolean;
  /** Products with fewer multiply-adds than this run on the JS kernels. */
  minProductWork: number;
  /** Element-wise operations on fewer values than this run on the JS kernels. */
  minElementwise: number;
  /** Products with fewer (useful) multiply-adds than this stay on one thread. */
  threadMinWork: number;
}

export const DEFAULT_WASM_OPTIONS: WasmOptions = {
  threads: true,
  // A 16×16 product: 5.3 µs here, 8.7 µs on JS; 8×8: 3.5 vs 2.3 µs.
  minProductWork: 4096,
  // times of 1024 values: 6.6 µs here (copies in and out included), 3.8 µs on JS; of 4096:
  // 20 vs 26 µs. exp/log/sigmoid win by 10–35% from there on.
  minElementwise: 4096,
  // Measured on 2 cores (a1·W with m rows of the digits, kept non-zeros): two threads lose below
  // ~0.3M useful multiply-adds (waking the worker costs tens of µs), win 1.1–1.2x at 0.5M and
  // 1.5–1.7x from 2M on — when the second core is free; on a machine busy with other work they
  // win nothing (bench/costgrad.bench.ts prints both figures).
  threadMinWork: 500_000,
};

const PAGE = 65536;
/** The first page: the threads' control block at 0, per-thread scratch at 1024 and 1152. */
const CTL = 0;
const SCRATCH = [1024, 1152];
/** The memory starts with 32 MiB and may grow to this (the grader's sandbox allows ~1 GB of data). */
const INITIAL_BYTES = 32 << 20;
const MAX_BYTES = 512 << 20;
/** Operands denser than this are multiplied as dense (listing their non-zeros would not pay). */
const SPARSE_MAX = 0.5;
/** Kernel ids of run_chunk (kernels.wat). */
const KERNEL_DENSE_ROWS = 1;
const KERNEL_CSR_ROWS = 2;
const KERNEL_CSR_BUILD = 3;

/** Thrown inside an operation when the memory limit leaves no room; the operation runs on JS. */
class NoRoom extends Error {}

/** A matrix's copy in the memory, valid while the matrix has this version. */
interface Kept {
  version: number;
  raw?: Block;
  finite?: boolean;
  csr?: Csr;
  /** The non-zeros by columns: the rows of A' in the same form. */
  csc?: Csr;
}

/**
 * A matrix's non-zeros in the memory (csr_build): row i's are [rows[2i], rows[2i+1]) of
 * colIdx/vals. The same form describes the non-zeros by columns (csc_from_csr), as the rows of A'.
 */
interface Csr {
  block: Block;
  rows: number;
  colIdx: number;
  vals: number;
  nnz: number;
  /** Running count of non-zeros before each row (r + 1 values), for cutting work into even chunks. */
  before: Int32Array;
}

interface Loaded {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: Exports;
}

/** Compiles and instantiates the embedded module; null when WebAssembly SIMD (or shared memory) is unavailable. */
export function loadKernelModule(): Loaded | null {
  try {
    if (typeof WebAssembly !== 'object' || typeof SharedArrayBuffer !== 'function') return null;
    const bytes = Buffer.from(KERNELS_WASM_BASE64, 'base64');
    // An engine without SIMD (or threads) rejects the module here.
    if (!WebAssembly.validate(bytes)) return null;
    const module = new WebAssembly.Module(bytes);
    const memory = new WebAssembly.Memory({ initial: INITIAL_BYTES / PAGE, maximum: MAX_BYTES / PAGE, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return { module, memory, exports: instance.exports as unknown as Exports };
  } catch {
    return null;
  }
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** The WebAssembly kernels on one loaded module. */
export class WasmKernels implements Kernels {
  readonly name = 'wasm' as const;
  readonly options: WasmOptions;
  /** Counts of the work that kept copies save (tests, bench). */
  readonly stats = { copiesIn: 0, csrBuilds: 0, threadedJobs: 0 };
  readonly #module: WebAssembly.Module;
  readonly #memory: WebAssembly.Memory;
  readonly #x: Exports;
  readonly #arena: Arena;
  readonly #kept = new WeakMap<AbstractMatrix, Kept>();
  /** Blocks pinned by the operation in progress. */
  #pinned: Block[] = [];
  #f64: Float64Array;
  #i32: Int32Array;
  #thread: KernelThread | undefined | null = null; // null: not tried yet; undefined: not allowed

  constructor(loaded: Loaded, options: Partial<WasmOptions> = {}) {
    this.#module = loaded.module;
    this.#memory = loaded.memory;
    this.#x = loaded.exports;
    this.options = { ...DEFAULT_WASM_OPTIONS, ...options };
    this.#arena = new Arena(PAGE, this.#memory.buffer.byteLength);
    this.#f64 = new Float64Array(this.#memory.buffer);
    this.#i32 = new Int32Array(this.#memory.buffer);
  }

  // ---- memory ------------------------------------------------------------------------------

  /** Views of the whole memory, renewed after it grew. */
  #views(): { f64: Float64Array; i32: Int32Array } {
    const buffer = this.#memory.buffer;
    if (this.#f64.buffer.byteLength !== buffer.byteLength) {
      this.#f64 = new Float64Array(buffer);
      this.#i32 = new Int32Array(buffer);
    }
    return { f64: this.#f64, i32: this.#i32 };
  }

  /** A pinned block for this operation, growing the memory if needed. */
  #alloc(bytes: number): Block {
    for (;;) {
      const block = this.#arena.alloc(bytes);
      if (block) {
        this.#pinned.push(block);
        return block;
      }
      const have = this.#memory.buffer.byteLength;
      const want = Math.min(MAX_BYTES, roundUp(Math.max(2 * have, have + 4 * bytes), PAGE));
      if (want <= have) throw new NoRoom();
      this.#memory.grow((want - have) / PAGE);
      this.#arena.extendTo(this.#memory.buffer.byteLength);
    }
  }

  #pin(block: Block): Block {
    block.pins++;
    this.#pinned.push(block);
    return block;
  }

  /** Runs one operation: its blocks are unpinned at the end; no room at all means the JS kernels. */
  #operation<T>(body: () => T, fallback: () => T): T {
    try {
      return body();
    } catch (error) {
      if (error instanceof NoRoom) return fallback();
      throw error;
    } finally {
      for (const block of this.#pinned) block.pins--;
      this.#pinned = [];
    }
  }

  #keptOf(A: AbstractMatrix): Kept | undefined {
    const version = versionOf(A);
    if (version === undefined) return undefined;
    let kept = this.#kept.get(A);
    if (!kept || kept.version !== version) {
      kept = { version };
      this.#kept.set(A, kept);
    }
    return kept;
  }

  /** A's values (row-major) in the memory: its kept copy, or a new one (kept when A is tracked). */
  #raw(A: AbstractMatrix): Block {
    const kept = this.#keptOf(A);
    if (kept?.raw?.live) return this.#pin(kept.raw);
    const block = this.#alloc(8 * A.rows * A.columns);
    copyRowsInto(A, this.#views().f64, A.columns, block.offset / 8);
    this.stats.copiesIn++;
    if (kept) {
      kept.raw = block;
      kept.finite = undefined;
    }
    return block;
  }

  /** True when every value of A (whose copy is `raw`) is finite. */
  #finite(A: AbstractMatrix, raw: Block): boolean {
    const kept = this.#keptOf(A);
    if (kept?.finite !== undefined && kept.raw === raw) return kept.finite;
    const finite = this.#x.all_finite(raw.offset, A.rows * A.columns) === 1;
    if (kept && kept.raw === raw) kept.finite = finite;
    return finite;
  }

  /**
   * A's non-zeros (compressed rows) in the memory: kept, or listed now, on both threads for a
   * large A. Each range of rows has room for a dense block (12·r·c bytes in all).
   */
  #csr(A: AbstractMatrix): Csr {
    const kept = this.#keptOf(A);
    if (kept?.csr?.block.live) {
      this.#pin(kept.csr.block);
      return kept.csr;
    }
    const r = A.rows;
    const c = A.columns;
    const raw = this.#raw(A);
    const rowsBytes = roundUp(8 * r, 16);
    const block = this.#alloc(rowsBytes + 12 * r * c);
    const rows = block.offset;
    const vals = rows + rowsBytes;
    const colIdx = vals + 8 * r * c;
    this.#runChunks(KERNEL_CSR_BUILD, [raw.offset, c, rows, colIdx, vals], WasmKernels.#even(r), r * c);
    this.stats.csrBuilds++;
    const { i32 } = this.#views();
    const before = new Int32Array(r + 1);
    for (let i = 0; i < r; i++) before[i + 1] = before[i] + i32[rows / 4 + 2 * i + 1] - i32[rows / 4 + 2 * i];
    const csr: Csr = { block, rows, colIdx, vals, nnz: before[r], before };
    if (kept) kept.csr = csr;
    return csr;
  }

  /** A's non-zeros by columns (the rows of A'), from its rows: kept, or sorted now. */
  #csc(A: AbstractMatrix, csr: Csr): Csr {
    const kept = this.#keptOf(A);
    if (kept?.csc?.block.live) {
      this.#pin(kept.csc.block);
      return kept.csc;
    }
    const r = A.rows;
    const c = A.columns;
    const colsBytes = roundUp(8 * c, 16);
    const block = this.#alloc(colsBytes + 12 * csr.nnz);
    const cols = block.offset;
    const vals = cols + colsBytes;
    const rowIdx = vals + 8 * csr.nnz;
    this.#x.csc_from_csr(csr.rows, csr.colIdx, csr.vals, r, c, cols, rowIdx, vals);
    const { i32 } = this.#views();
    const before = new Int32Array(c + 1);
    for (let j = 0; j < c; j++) before[j + 1] = i32[cols / 4 + 2 * j + 1];
    const csc: Csr = { block, rows: cols, colIdx: rowIdx, vals, nnz: csr.nnz, before };
    if (kept) kept.csc = csc;
    return csc;
  }

  /** The r×c values at `block` as a new FlatMatrix, whose copy stays kept. */
  #result(block: Block, r: number, c: number): FlatMatrix {
    const start = block.offset / 8;
    const values = uninitializedValues(r * c);
    values.set(this.#views().f64.subarray(start, start + r * c));
    const M = new FlatMatrix(r, c, values);
    this.#kept.set(M, { version: 0, raw: block });
    return M;
  }

  // ---- threads -----------------------------------------------------------------------------

  /** The worker thread once it is ready; starts it on first use (never waits for it). */
  #readyThread(): KernelThread | undefined {
    if (!this.options.threads) return undefined;
    if (this.#thread === null) this.#thread = KernelThread.start(this.#module, this.#memory, CTL);
    return this.#thread?.ready ? this.#thread : undefined;
  }

  /**
   * Runs kernel `id` of run_chunk with `params` over the output ranges [bounds[c], bounds[c+1]):
   * on both threads when `work` (multiply-adds) is large enough and the worker is ready, else here.
   */
  #runChunks(id: number, params: number[], bounds: number[], work: number): void {
    const thread = work >= this.options.threadMinWork ? this.#readyThread() : undefined;
    const { i32 } = this.#views();
    i32[(CTL + CTL_KERNEL) / 4] = id;
    params.forEach((p, i) => (i32[(CTL + CTL_PARAMS) / 4 + i] = p));
    i32[(CTL + CTL_SCRATCH) / 4] = SCRATCH[0];
    i32[(CTL + CTL_SCRATCH) / 4 + 1] = SCRATCH[1];
    const chunks = thread ? bounds : [bounds[0], bounds[bounds.length - 1]];
    chunks.forEach((b, c) => (i32[(CTL + CTL_BOUNDS) / 4 + c] = b));
    if (thread) this.stats.threadedJobs++;
    if (thread && thread.run(this.#x, chunks.length - 1)) return;
    if (thread) {
      // The worker failed a chunk: stop using it and redo the job here.
      this.options.threads = false;
      i32[(CTL + CTL_BOUNDS) / 4 + 1] = bounds[bounds.length - 1];
    }
    this.#x.run_chunk(CTL, 0, 0);
  }

  /** Bounds cutting [0, rows) into at most MAX_CHUNKS/4 pieces of about equal cost. */
  static #even(rows: number, pieces = 16): number[] {
    const n = Math.max(1, Math.min(pieces, rows, MAX_CHUNKS));
    return Array.from({ length: n + 1 }, (_, c) => Math.round((rows * c) / n));
  }

  /** Bounds cutting the rows of a CSR matrix into pieces with about equal numbers of non-zeros. */
  static #balanced(csr: Csr, pieces = 16): number[] {
    const rows = csr.before.length - 1;
    const n = Math.max(1, Math.min(pieces, rows, MAX_CHUNKS));
    const bounds = [0];
    let row = 0;
    for (let c = 1; c < n; c++) {
      const target = (csr.nnz * c) / n;
      while (row < rows && csr.before[row] < target) row++;
      bounds.push(Math.max(bounds[c - 1], row));
    }
    bounds.push(rows);
    return bounds;
  }

  // ---- Kernels -----------------------------------------------------------------------------

  mtimes(A: AbstractMatrix, B: AbstractMatrix): FlatMatrix {
    const m = A.rows;
    const k = A.columns;
    const n = B.columns;
    if (m * k * n < this.options.minProductWork) return jsKernels.mtimes(A, B);
    return this.#operation(
      () => {
        const dA = densityOf(A);
        const dB = densityOf(B);
        if (dB * 1.3 < dA && dB < SPARSE_MAX) {
          const a = this.#raw(A);
          if (this.#finite(A, a)) return this.#mtimesSparseB(A, B, a, m, k, n);
        }
        const b = this.#raw(B);
        const C = this.#alloc(8 * m * n);
        if (dA < SPARSE_MAX && this.#finite(B, b)) {
          const csr = this.#csr(A);
          this.#runChunks(KERNEL_CSR_ROWS, [csr.rows, csr.colIdx, csr.vals, b.offset, C.offset, n], WasmKernels.#balanced(csr), csr.nnz * n);
        } else {
          const a = this.#raw(A);
          this.#runChunks(KERNEL_DENSE_ROWS, [a.offset, b.offset, C.offset, k, n], WasmKernels.#even(m), m * k * n);
        }
        return this.#result(C, m, n);
      },
      () => jsKernels.mtimes(A, B),
    );
  }

  /**
   * A·B skipping the zeros of B, through the transpose: C' = B'·A' with B' given by B's non-zeros
   * by columns, so every row of C' is summed in registers like gemm_csr_rows's rows (in
   * increasing p: C'(j, i) = Σ_p B(p, j)·A(i, p), the naive loop's sum), then C = C''.
   */
  #mtimesSparseB(A: AbstractMatrix, B: AbstractMatrix, a: Block, m: number, k: number, n: number): FlatMatrix {
    const csc = this.#csc(B, this.#csr(B));
    const at = this.#alloc(8 * k * m);
    this.#x.transpose(a.offset, at.offset, m, k);
    const ct = this.#alloc(8 * n * m);
    this.#runChunks(KERNEL_CSR_ROWS, [csc.rows, csc.colIdx, csc.vals, at.offset, ct.offset, m], WasmKernels.#balanced(csc), csc.nnz * m);
    const C = this.#alloc(8 * m * n);
    this.#x.transpose(ct.offset, C.offset, n, m);
    return this.#result(C, m, n);
  }

  binary(op: BinaryOp, A: AbstractMatrix, B: AbstractMatrix): FlatMatrix {
    const len = A.rows * A.columns;
    if (len < this.options.minElementwise || op === 'power') return jsKernels.binary(op, A, B);
    return this.#operation(
      () => {
        const a = this.#raw(A);
        const b = this.#raw(B);
        const C = this.#alloc(8 * len);
        const x = this.#x;
        const kernel = op === 'times' ? x.times_mm : op === 'plus' ? x.plus_mm : op === 'minus' ? x.minus_mm : x.rdivide_mm;
        kernel(a.offset, b.offset, C.offset, len);
        return this.#result(C, A.rows, A.columns);
      },
      () => jsKernels.binary(op, A, B),
    );
  }

  binaryScalar(op: BinaryOp, A: AbstractMatrix, s: number, scalarFirst: boolean): FlatMatrix {
    const len = A.rows * A.columns;
    const square = op === 'power' && s === 2 && !scalarFirst;
    if (len < this.options.minElementwise || (op === 'power' && !square)) return jsKernels.binaryScalar(op, A, s, scalarFirst);
    return this.#operation(
      () => {
        const a = this.#raw(A);
        const C = this.#alloc(8 * len);
        const x = this.#x;
        if (square) x.square(a.offset, C.offset, len);
        else {
          // s .* A and s + A equal A .* s and A + s bit for bit (IEEE products and sums commute).
          const kernel =
            op === 'times' ? x.times_ms : op === 'plus' ? x.plus_ms : op === 'minus' ? (scalarFirst ? x.minus_sm : x.minus_ms) : scalarFirst ? x.rdivide_sm : x.rdivide_ms;
          kernel(a.offset, s, C.offset, len);
        }
        return this.#result(C, A.rows, A.columns);
      },
      () => jsKernels.binaryScalar(op, A, s, scalarFirst),
    );
  }

  unary(op: UnaryOp, A: AbstractMatrix): FlatMatrix {
    const len = A.rows * A.columns;
    if (len < this.options.minElementwise) return jsKernels.unary(op, A);
    return this.#operation(
      () => {
        const a = this.#raw(A);
        const C = this.#alloc(8 * len);
        this.#x[op](a.offset, C.offset, len);
        return this.#result(C, A.rows, A.columns);
      },
      () => jsKernels.unary(op, A),
    );
  }

  transpose(A: AbstractMatrix): FlatMatrix {
    const len = A.rows * A.columns;
    if (len < this.options.minElementwise) return jsKernels.transpose(A);
    return this.#operation(
      () => {
        const a = this.#raw(A);
        const T = this.#alloc(8 * len);
        this.#x.transpose(a.offset, T.offset, A.rows, A.columns);
        return this.#result(T, A.columns, A.rows);
      },
      () => jsKernels.transpose(A),
    );
  }

  columnSums(A: AbstractMatrix): Float64Array {
    const len = A.rows * A.columns;
    if (len < this.options.minElementwise) return jsKernels.columnSums(A);
    return this.#operation(
      () => {
        const a = this.#raw(A);
        const out = this.#alloc(8 * A.columns);
        this.#x.colsum(a.offset, out.offset, A.rows, A.columns);
        out.live = false; // scratch: never a matrix's copy
        const start = out.offset / 8;
        return this.#views().f64.slice(start, start + A.columns);
      },
      () => jsKernels.columnSums(A),
    );
  }

  /** Ends the worker thread, if any (the kernels stay usable, on one thread). */
  async close(): Promise<void> {
    const thread = this.#thread;
    this.#thread = null; // a later large product starts a new one
    if (thread) await thread.close();
  }

  /** Bytes of WebAssembly memory in use (it only grows). */
  get memoryBytes(): number {
    return this.#memory.buffer.byteLength;
  }

  /** Whether the worker thread has started and is ready (tests, bench). */
  get threadReady(): boolean {
    return this.#thread?.ready ?? false;
  }

  /** Starts the worker now (tests, bench); resolves with whether it became ready. */
  async startThread(timeoutMs = 5000): Promise<boolean> {
    if (!this.options.threads) return false;
    if (this.#thread === null) this.#thread = KernelThread.start(this.#module, this.#memory, CTL);
    const until = Date.now() + timeoutMs;
    while (this.#thread && !this.#thread.ready && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    return this.threadReady;
  }
}

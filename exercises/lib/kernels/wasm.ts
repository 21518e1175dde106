/**
 * The WebAssembly SIMD kernels (kernels.wat), driven from here on the module's memory
 * (wasmMemory.ts); large products and exp/log/sigmoid are shared with a worker thread
 * (threads.ts) when it pays.
 *
 * Every result is computed in the memory and stays there: the matrix returned is a FlatMatrix
 * over a snapshot whose recipe says how it was made (snapshot.ts). Its values are copied out only
 * when something reads them in JS; the next operation finds them in the memory. If the memory
 * has been reused by then, the recipe computes them again (the same bits).
 *
 * Products take the shortest way the operands allow, every sum still in the naive loop's order:
 *  - [ones(m,1) X]·B with X sparse: X's non-zeros (listed once per X, kept in the long-lived
 *    ring), the bias column's term first;
 *  - A·[ones(m,1) X] with X sparse (d2'·a1): X's non-zeros by columns, A' read directly when A
 *    is itself a transpose, the bias column's sums first;
 *  - otherwise the sparser operand's non-zeros, or the dense loop.
 * Zeros are skipped only when the other operand is all finite (0·Infinity is NaN).
 *
 * Operations too small to pay for the memory, and any operation that does not fit the memory
 * limit, run on the JS kernels (same numbers, bit for bit).
 */
import type { Block } from './arena';
import { FlatMatrix } from './flatMatrix';
import { density, densityAt, jsKernels } from './js';
import { MAX_RECIPE_DEPTH, Snapshot, type Recipe } from './snapshot';
import { CTL_BOUNDS, CTL_KERNEL, CTL_PARAMS, CTL_SCALAR, CTL_SCRATCH, KernelThread, MAX_CHUNKS } from './threads';
import type { BinaryOp, Kernels, UnaryOp } from './types';
import { CTL, KernelMemory, SCRATCH, type Csr, type Loaded } from './wasmMemory';

export { loadKernelModule } from './wasmMemory';

/** Tunables; the defaults are measured crossovers (2-core machine, medians of many runs). */
export interface WasmOptions {
  /** Use the worker thread for large products and exp/log/sigmoid (when workers are allowed). */
  threads: boolean;
  /** Products with fewer multiply-adds than this run on the JS kernels. */
  minProductWork: number;
  /** Element-wise operations on fewer values than this run on the JS kernels. */
  minElementwise: number;
  /** Jobs with less work than this (useful multiply-adds; an exp or a log counts 16, an element-wise operation 12) stay on one thread. */
  threadMinWork: number;
  /** Pause the worker for a while when it gets too little CPU (threads.ts's WorkerPacer); tests turn it off. */
  pauseBusyWorker: boolean;
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
  pauseBusyWorker: true,
};

/** Operands denser than this are multiplied as dense (listing their non-zeros would not pay). */
const SPARSE_MAX = 0.5;
/** Kernel ids of run_chunk (kernels.wat). */
const KERNEL_DENSE_ROWS = 1;
const KERNEL_CSR_ROWS = 2;
const KERNEL_CSR_BUILD = 3;
const KERNEL_UNARY = 4;
const KERNEL_ELEMENTWISE = 5;
const KERNEL_CSR_BLOCKED = 6;
/**
 * A product reads one operand's rows over and over (B's for every row of A; A''s in the order
 * of B's non-zeros by columns when B's zeros are skipped): when that operand is larger than this,
 * its rows are taken in blocks of about this size, each staying in the cache while the other
 * operand goes through it. On the digits, one thread: d2' · a1 (A' 1 MB) 3.2 -> 2.8 ms (blocks of
 * 512 to 2048 rows alike); d3' · a2 (B 1 MB) 0.43 -> 0.27 ms.
 */
const CACHED_ROWS_BYTES = 256 << 10;
const UNARY_MODE: Record<UnaryOp, number> = { exp: 0, sigmoid: 1, log: 2 };
/** Codes of kernels.wat's $elementwise_range. */
const ELEMENTWISE_MM: Record<BinaryOp, number> = { times: 0, plus: 1, minus: 2, rdivide: 3, power: -1 };
const ELEMENTWISE_MS: Record<BinaryOp, number> = { times: 4, plus: 5, minus: 6, rdivide: 8, power: -1 };
const ELEMENTWISE_SM: Record<BinaryOp, number> = { times: 4, plus: 5, minus: 7, rdivide: 9, power: -1 };
const ELEMENTWISE_SQUARE = 10;
/**
 * Work of one exp or log, and of one element-wise operation (memory-bound: two threads win from
 * ~40,000 values when the worker is awake), in multiply-adds, for threadMinWork.
 */
const UNARY_WORK = 16;
const ELEMENTWISE_WORK = 12;

/** Chunks a job is cut into (the threads take them in turn). */
const PIECES = 16;
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** The matrix a bias recipe puts a column of ones in front of, if `s` is one. */
function biasSource(s: Snapshot): Snapshot | undefined {
  const r = s.recipe;
  return r?.kind === 'bias' ? r.src : undefined;
}

/** The WebAssembly kernels on one loaded module. */
export class WasmKernels implements Kernels {
  readonly name = 'wasm' as const;
  readonly options: WasmOptions;
  /** Counts of the work done and saved (tests, bench). */
  readonly stats = { copiesIn: 0, copiesOut: 0, computed: 0, recomputed: 0, csrBuilds: 0, cscBuilds: 0, threadedJobs: 0 };
  readonly #mem: KernelMemory;
  #thread: KernelThread | undefined | null = null; // null: not tried yet; undefined: not allowed

  constructor(loaded: Loaded, options: Partial<WasmOptions> = {}) {
    this.#mem = new KernelMemory(loaded);
    this.options = { ...DEFAULT_WASM_OPTIONS, ...options };
  }

  // ---- Kernels -----------------------------------------------------------------------------

  mtimes(A: Snapshot, B: Snapshot): FlatMatrix {
    if (A.rows * A.columns * B.columns < this.options.minProductWork) return jsKernels.mtimes(A, B);
    return this.#result(Snapshot.computed(A.rows, B.columns, { kind: 'mtimes', a: A, b: B }), () => jsKernels.mtimes(A, B));
  }

  binary(op: BinaryOp, A: Snapshot, B: Snapshot): FlatMatrix {
    if (A.rows * A.columns < this.options.minElementwise || op === 'power') return jsKernels.binary(op, A, B);
    return this.#result(Snapshot.computed(A.rows, A.columns, { kind: 'binary', op, a: A, b: B }), () => jsKernels.binary(op, A, B));
  }

  binaryScalar(op: BinaryOp, A: Snapshot, s: number, scalarFirst: boolean): FlatMatrix {
    const square = op === 'power' && s === 2 && !scalarFirst;
    if (A.rows * A.columns < this.options.minElementwise || (op === 'power' && !square)) return jsKernels.binaryScalar(op, A, s, scalarFirst);
    return this.#result(Snapshot.computed(A.rows, A.columns, { kind: 'scalar', op, a: A, s, scalarFirst }), () =>
      jsKernels.binaryScalar(op, A, s, scalarFirst),
    );
  }

  /** f(A); the same function of the same snapshot again is the same snapshot (sigmoid(z2), twice in backprop). */
  unary(op: UnaryOp, A: Snapshot): FlatMatrix {
    if (A.rows * A.columns < this.options.minElementwise) return jsKernels.unary(op, A);
    const known = A.unaryResults?.get(op);
    if (known) return FlatMatrix.of(known);
    const s = Snapshot.computed(A.rows, A.columns, { kind: 'unary', op, a: A });
    return this.#result(s, () => jsKernels.unary(op, A), () => (A.unaryResults ??= new Map()).set(op, s));
  }

  columnSums(A: Snapshot): Float64Array {
    if (A.rows * A.columns < this.options.minElementwise) return jsKernels.columnSums(A);
    const mem = this.#mem;
    return mem.operation(
      () => {
        const a = this.#block(A);
        const out = mem.scratch(8 * A.columns);
        mem.x.colsum(a.offset, out.offset, A.rows, A.columns);
        const start = out.offset / 8;
        return mem.f64.slice(start, start + A.columns);
      },
      () => jsKernels.columnSums(A),
    );
  }

  /**
   * s's values for JS: copied out of the memory, or computed here (then copied out). Undefined
   * for the recipes that are as cheap in JS (bias, transpose) and when the memory has no room.
   */
  valuesOf(s: Snapshot): Float64Array | undefined {
    const mem = this.#mem;
    const out = mem.copyOut(s);
    if (out) {
      this.stats.copiesOut++;
      return out;
    }
    const recipe = s.recipe;
    if (!recipe || recipe.kind === 'bias' || recipe.kind === 'transpose') return undefined;
    return mem.operation(
      () => {
        this.#block(s);
        this.stats.copiesOut++;
        return mem.copyOut(s)!;
      },
      () => undefined,
    );
  }

  // ---- values in the memory ------------------------------------------------------------------

  /** Computes s in the memory now; the result shows it (a deep recipe gets its values stored). */
  #result(s: Snapshot, fallback: () => FlatMatrix, done?: () => void): FlatMatrix {
    const mem = this.#mem;
    return mem.operation(() => {
      this.#block(s);
      if (s.depth > MAX_RECIPE_DEPTH) s.store(mem.copyOut(s)!);
      done?.();
      return FlatMatrix.of(s);
    }, fallback);
  }

  /** s's values in the memory (pinned): kept, copied in from JS, or computed from its recipe. */
  #block(s: Snapshot): Block {
    const mem = this.#mem;
    const kept = mem.kept(s);
    if (kept.raw?.live) return mem.pin(kept.raw);
    const values = s.values;
    let block: Block;
    if (values) {
      block = mem.alloc(8 * values.length);
      mem.f64.set(values, block.offset / 8);
      this.stats.copiesIn++;
    } else {
      if (kept.raw) this.stats.recomputed++;
      block = this.#compute(s.recipe!, s.rows, s.columns);
      this.stats.computed++;
    }
    kept.raw = block;
    return block;
  }

  /** A new block with the r×c values of `recipe`. */
  #compute(recipe: Recipe, r: number, c: number): Block {
    const mem = this.#mem;
    const x = mem.x;
    const len = r * c;
    switch (recipe.kind) {
      case 'bias': {
        const src = this.#block(recipe.src);
        const out = mem.alloc(8 * len);
        x.bias_rows(src.offset, out.offset, r, c - 1);
        return out;
      }
      case 'transpose': {
        const src = this.#block(recipe.src);
        const out = mem.alloc(8 * len);
        x.transpose(src.offset, out.offset, c, r);
        return out;
      }
      case 'mtimes':
        return this.#product(recipe.a, recipe.b);
      case 'binary': {
        const a = this.#block(recipe.a);
        const b = this.#block(recipe.b);
        const out = mem.alloc(8 * len);
        this.#elementwise(ELEMENTWISE_MM[recipe.op], a.offset, b.offset, 0, out.offset, len);
        return out;
      }
      case 'scalar': {
        const a = this.#block(recipe.a);
        const out = mem.alloc(8 * len);
        const { op, s, scalarFirst } = recipe;
        // s .* A and s + A equal A .* s and A + s bit for bit (IEEE products and sums commute).
        const code = op === 'power' ? ELEMENTWISE_SQUARE : scalarFirst && (op === 'minus' || op === 'rdivide') ? ELEMENTWISE_SM[op] : ELEMENTWISE_MS[op];
        this.#elementwise(code, a.offset, 0, s, out.offset, len);
        return out;
      }
      case 'unary': {
        const a = this.#block(recipe.a);
        const out = mem.alloc(8 * len);
        this.#runChunks(KERNEL_UNARY, [UNARY_MODE[recipe.op], a.offset, out.offset], WasmKernels.#even(len, 8), UNARY_WORK * len);
        return out;
      }
    }
  }

  /** Element-wise operation `code` (kernels.wat's $elementwise_range) of `len` values, on both threads when large. */
  #elementwise(code: number, a: number, b: number, s: number, c: number, len: number): void {
    this.#mem.f64[(CTL + CTL_SCALAR) / 8] = s;
    this.#runChunks(KERNEL_ELEMENTWISE, [code, a, b, c], WasmKernels.#even(len, 4), ELEMENTWISE_WORK * len);
  }

  /** True when every value of s is finite. */
  #finite(s: Snapshot): boolean {
    const kept = this.#mem.kept(s);
    if (kept.finite === undefined) {
      const recipe = s.recipe;
      if (recipe?.kind === 'bias' || recipe?.kind === 'transpose') kept.finite = this.#finite(recipe.src);
      else kept.finite = this.#mem.x.all_finite(this.#block(s).offset, s.rows * s.columns) === 1;
    }
    return kept.finite;
  }

  /** Estimated fraction of non-zeros of s. */
  #density(s: Snapshot): number {
    const kept = this.#mem.kept(s);
    if (kept.density === undefined) {
      const recipe = s.recipe;
      const values = s.values;
      if (recipe?.kind === 'transpose') kept.density = this.#density(recipe.src);
      else if (recipe?.kind === 'bias') kept.density = (s.rows + this.#density(recipe.src) * s.rows * (s.columns - 1)) / (s.rows * s.columns || 1);
      else if (values) kept.density = density(values);
      else kept.density = densityAt(this.#mem.f64, this.#block(s).offset / 8, s.rows * s.columns);
    }
    return kept.density;
  }

  /**
   * s's non-zeros by rows: kept, or listed now (on both threads for a large s). The non-zeros of
   * stored values (inputs such as X, likely multiplied again) go to the long-lived ring.
   */
  #csr(s: Snapshot): Csr {
    const mem = this.#mem;
    const kept = mem.kept(s);
    if (kept.csr?.block.live) {
      mem.pin(kept.csr.block);
      return kept.csr;
    }
    const r = s.rows;
    const c = s.columns;
    const raw = this.#block(s);
    // Each range of rows is listed from its first row's dense offset (i0·c), so the ranges can
    // be listed at once.
    const rowsBytes = roundUp(8 * r, 16);
    const build = s.values ? mem.scratch(rowsBytes + 12 * r * c) : mem.alloc(rowsBytes + 12 * r * c);
    const rows = build.offset;
    const vals = rows + rowsBytes;
    const colIdx = vals + 8 * r * c;
    const bounds = WasmKernels.#even(r);
    this.#runChunks(KERNEL_CSR_BUILD, [raw.offset, c, rows, colIdx, vals], bounds, r * c);
    this.stats.csrBuilds++;
    const i32 = mem.i32;
    const before = new Int32Array(r + 1);
    for (let i = 0; i < r; i++) before[i + 1] = before[i] + i32[rows / 4 + 2 * i + 1] - i32[rows / 4 + 2 * i];
    let csr: Csr = { block: build, rows, colIdx, vals, nnz: before[r], before };
    if (s.values) csr = this.#packed(csr, bounds);
    kept.csr = csr;
    return csr;
  }

  /** The same non-zeros without the gaps between ranges of rows, in the long-lived ring. */
  #packed(csr: Csr, bounds: number[]): Csr {
    const mem = this.#mem;
    const { before, nnz } = csr;
    const r = before.length - 1;
    const rowsBytes = roundUp(8 * r, 16);
    const block = mem.allocLong(rowsBytes + 12 * nnz);
    const rows = block.offset;
    const vals = rows + rowsBytes;
    const colIdx = vals + 8 * nnz;
    const f64 = mem.f64;
    const i32 = mem.i32;
    for (let k = 0; k + 1 < bounds.length; k++) {
      const [i0, i1] = [bounds[k], bounds[k + 1]];
      if (i0 === i1) continue;
      const from = i32[csr.rows / 4 + 2 * i0];
      const count = before[i1] - before[i0];
      f64.copyWithin(vals / 8 + before[i0], csr.vals / 8 + from, csr.vals / 8 + from + count);
      i32.copyWithin(colIdx / 4 + before[i0], csr.colIdx / 4 + from, csr.colIdx / 4 + from + count);
    }
    for (let i = 0; i < r; i++) {
      i32[rows / 4 + 2 * i] = before[i];
      i32[rows / 4 + 2 * i + 1] = before[i + 1];
    }
    return { block, rows, colIdx, vals, nnz, before };
  }

  /** s's non-zeros by columns (the rows of s'), from its rows: kept, or sorted now. */
  #csc(s: Snapshot): Csr {
    const mem = this.#mem;
    const kept = mem.kept(s);
    if (kept.csc?.block.live) {
      mem.pin(kept.csc.block);
      return kept.csc;
    }
    const csr = this.#csr(s);
    const r = s.rows;
    const c = s.columns;
    const colsBytes = roundUp(8 * c, 16);
    const bytes = colsBytes + 12 * csr.nnz;
    const block = s.values ? mem.allocLong(bytes) : mem.alloc(bytes);
    const cols = block.offset;
    const vals = cols + colsBytes;
    const rowIdx = vals + 8 * csr.nnz;
    mem.x.csc_from_csr(csr.rows, csr.colIdx, csr.vals, r, c, cols, rowIdx, vals);
    this.stats.cscBuilds++;
    const i32 = mem.i32;
    const before = new Int32Array(c + 1);
    for (let j = 0; j < c; j++) before[j + 1] = i32[cols / 4 + 2 * j + 1];
    const csc: Csr = { block, rows: cols, colIdx: rowIdx, vals, nnz: csr.nnz, before };
    kept.csc = csc;
    return csc;
  }

  // ---- products ------------------------------------------------------------------------------

  /** A block with A·B (A m×k, B k×n): see the file comment for the ways. */
  #product(A: Snapshot, B: Snapshot): Block {
    const m = A.rows;
    const k = A.columns;
    const n = B.columns;
    const dA = this.#density(A);
    const dB = this.#density(B);
    if (dB * 1.3 < dA && dB < SPARSE_MAX && this.#finite(A)) return this.#productSparseB(A, B);
    if (dA < SPARSE_MAX && this.#finite(B)) return this.#productSparseA(A, B);
    const a = this.#block(A);
    const b = this.#block(B);
    const C = this.#mem.alloc(8 * m * n);
    // Every row of A reads all of B: a B larger than the cache is taken in blocks of its rows.
    const kblock = 8 * k * n <= CACHED_ROWS_BYTES ? Math.max(k, 1) : Math.max(8, Math.floor(CACHED_ROWS_BYTES / (8 * n)));
    this.#runChunks(KERNEL_DENSE_ROWS, [a.offset, b.offset, C.offset, k, n, kblock], WasmKernels.#even(m), m * k * n);
    return C;
  }

  /** A·B skipping the zeros of A; A = [ones X] is X's non-zeros with B's first row as the bias term. */
  #productSparseA(A: Snapshot, B: Snapshot): Block {
    const n = B.columns;
    const src = biasSource(A);
    const csr = this.#csr(src ?? A);
    const b = this.#block(B);
    const C = this.#mem.alloc(8 * A.rows * n);
    const bias = src ? b.offset : 0;
    const entries = src ? b.offset + 8 * n : b.offset;
    this.#runChunks(KERNEL_CSR_ROWS, [csr.rows, csr.colIdx, csr.vals, entries, C.offset, n, bias], WasmKernels.#balanced(csr), csr.nnz * n);
    return C;
  }

  /**
   * A·B skipping the zeros of B, through the transpose: C' = B'·A', each row of C' (a column of
   * B) summed in registers over B's non-zeros in increasing p, then C = C''. A' is A's source
   * when A is a transpose (d2' · a1 reads d2). For B = [ones X], C' starts with the row of
   * A's row sums (Σ_p A(i, p)·1, the column sums of A').
   */
  #productSparseB(A: Snapshot, B: Snapshot): Block {
    const mem = this.#mem;
    const m = A.rows;
    const k = A.columns;
    const n = B.columns;
    const recipe = A.recipe;
    const at = recipe?.kind === 'transpose' ? this.#block(recipe.src) : this.#transposed(A);
    const src = biasSource(B);
    const csc = this.#csc(src ?? B);
    const ct = mem.scratch(8 * n * m);
    let rowsOut = ct.offset;
    if (src) {
      mem.x.colsum(at.offset, ct.offset, k, m);
      rowsOut += 8 * m;
    }
    const bounds = WasmKernels.#balanced(csc);
    if (8 * k * m <= CACHED_ROWS_BYTES) this.#runChunks(KERNEL_CSR_ROWS, [csc.rows, csc.colIdx, csc.vals, at.offset, rowsOut, m, 0], bounds, csc.nnz * m);
    else {
      // A' does not stay in the cache while B's non-zeros stream through: its rows in blocks.
      const blockRows = Math.max(64, Math.floor(CACHED_ROWS_BYTES / (8 * m)));
      const table = this.#blockTable(src ?? B, csc, blockRows);
      this.#runChunks(KERNEL_CSR_BLOCKED, [table.offset, Math.ceil(k / blockRows), csc.before.length - 1, csc.colIdx, csc.vals, at.offset, rowsOut, m], bounds, csc.nnz * m);
    }
    const C = mem.alloc(8 * m * n);
    mem.x.transpose(ct.offset, C.offset, n, m);
    return C;
  }

  /**
   * For s's non-zeros by columns (csc, the rows of s'): tables of (start, end) per row, one table
   * per block of `blockRows` of s's rows, so that each row's entries from that block are
   * [start, end) (kernels.wat's gemm_csr_rows_blocked). Kept with the csc.
   */
  #blockTable(s: Snapshot, csc: Csr, blockRows: number): Block {
    const mem = this.#mem;
    const kept = mem.kept(s);
    if (kept.blockTable?.block.live && kept.blockTable.blockRows === blockRows) return mem.pin(kept.blockTable.block);
    const rows = csc.before.length - 1;
    const blocks = Math.ceil(s.rows / blockRows);
    const table = s.values ? mem.allocLong(8 * rows * blocks) : mem.alloc(8 * rows * blocks);
    const i32 = mem.i32;
    const rowIdx = csc.colIdx / 4;
    const out = table.offset / 4;
    for (let j = 0; j < rows; j++) {
      let e = i32[csc.rows / 4 + 2 * j];
      const end = i32[csc.rows / 4 + 2 * j + 1];
      for (let t = 0; t < blocks; t++) {
        const limit = (t + 1) * blockRows;
        const start = e;
        while (e < end && i32[rowIdx + e] < limit) e++;
        i32[out + 2 * (t * rows + j)] = start;
        i32[out + 2 * (t * rows + j) + 1] = e;
      }
    }
    kept.blockTable = { block: table, blockRows };
    return table;
  }

  /** A' in a block of scratch. */
  #transposed(A: Snapshot): Block {
    const a = this.#block(A);
    const t = this.#mem.scratch(8 * A.rows * A.columns);
    this.#mem.x.transpose(a.offset, t.offset, A.rows, A.columns);
    return t;
  }

  // ---- threads -----------------------------------------------------------------------------

  /** The worker thread once it is ready; starts it on first use (never waits for it). */
  #readyThread(): KernelThread | undefined {
    if (!this.options.threads) return undefined;
    if (this.#thread === null) this.#thread = KernelThread.start(this.#mem.module, this.#mem.memory, CTL);
    if (this.#thread) this.#thread.pacer.enabled = this.options.pauseBusyWorker;
    return this.#thread?.ready ? this.#thread : undefined;
  }

  /**
   * Runs kernel `id` of run_chunk with `params` over the ranges [bounds[c], bounds[c+1]): on
   * both threads when `work` is large enough and the worker is ready, else here.
   */
  #runChunks(id: number, params: number[], bounds: number[], work: number): void {
    const thread = work >= this.options.threadMinWork ? this.#readyThread() : undefined;
    const mem = this.#mem;
    const i32 = mem.i32;
    i32[(CTL + CTL_KERNEL) / 4] = id;
    params.forEach((p, i) => (i32[(CTL + CTL_PARAMS) / 4 + i] = p));
    i32[(CTL + CTL_SCRATCH) / 4] = SCRATCH[0];
    i32[(CTL + CTL_SCRATCH) / 4 + 1] = SCRATCH[1];
    const chunks = thread ? bounds : [bounds[0], bounds[bounds.length - 1]];
    chunks.forEach((b, c) => (i32[(CTL + CTL_BOUNDS) / 4 + c] = b));
    if (thread) this.stats.threadedJobs++;
    if (thread && thread.run(mem.x, chunks.length - 1)) return;
    if (thread) {
      // The worker failed a chunk: stop using it and redo the job here.
      this.options.threads = false;
      i32[(CTL + CTL_BOUNDS) / 4 + 1] = bounds[bounds.length - 1];
    }
    mem.x.run_chunk(CTL, 0, 0);
  }

  /** Bounds cutting [0, n) into at most `pieces` ranges of about equal length. */
  static #even(n: number, pieces = PIECES): number[] {
    const count = Math.max(1, Math.min(pieces, n, MAX_CHUNKS));
    return Array.from({ length: count + 1 }, (_, c) => Math.round((n * c) / count));
  }

  /** Bounds cutting the rows of a CSR matrix into pieces with about equal numbers of non-zeros. */
  static #balanced(csr: Csr, pieces = PIECES): number[] {
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

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Ends the worker thread, if any (the kernels stay usable, on one thread). */
  async close(): Promise<void> {
    const thread = this.#thread;
    this.#thread = null; // a later large job starts a new one
    if (thread) await thread.close();
  }

  /** Bytes of WebAssembly memory in use (it only grows). */
  get memoryBytes(): number {
    return this.#mem.bytes;
  }

  /** Whether the worker thread has started and runs (tests, bench). */
  get threadReady(): boolean {
    return this.#thread?.started ?? false;
  }

  /** Starts the worker now (tests, bench); resolves with whether it became ready. */
  async startThread(timeoutMs = 5000): Promise<boolean> {
    if (!this.options.threads) return false;
    if (this.#thread === null) this.#thread = KernelThread.start(this.#mem.module, this.#mem.memory, CTL);
    const until = Date.now() + timeoutMs;
    while (this.#thread && !this.#thread.started && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    return this.threadReady;
  }
}

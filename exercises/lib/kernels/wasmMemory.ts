/// <reference path="./webassembly.d.ts" />
/**
 * The WebAssembly module and its memory as the kernels use it (wasm.ts runs the operations):
 *
 *   [page 0: the threads' control block and scratch][long-lived ring][results' ring, growing ->]
 *
 * - The results' ring (arena.ts) holds every operand copied in, every result computed, and
 *   scratch. It turns over every few cost evaluations; what it drops is never lost: the values
 *   of a snapshot (snapshot.ts) are either stored in JS or follow from its recipe.
 * - The long-lived ring holds what is costly to rebuild and belongs to values that live long:
 *   the non-zeros (by rows and by columns) of stored matrices such as the digit images X, which
 *   every evaluation of the cost multiplies twice. It has its own ring, so the results' turnover
 *   never drops them.
 * - What the memory holds for a snapshot (its values, its non-zeros, whether it is all finite,
 *   its density) is kept in a WeakMap by snapshot: snapshots never change, so nothing kept can
 *   go stale, and it goes when the snapshot does.
 * - Blocks an operation uses are pinned until it ends, so it never loses its own operands; when
 *   pinned blocks leave no room, the memory grows (up to MAX_BYTES) or the operation runs on the
 *   JS kernels instead.
 */
import { Arena, type Block } from './arena';
import { uninitializedValues } from './flatMatrix';
import type { Snapshot } from './snapshot';
import { KERNELS_WASM_BASE64 } from './wasmBinary';

/** The module's exports (kernels.wat); offsets are bytes into the memory, lengths are values. */
export interface Exports {
  all_finite(p: number, len: number): number;
  csr_build(a: number, c: number, rows: number, colIdx: number, vals: number, i0: number, i1: number): void;
  csc_from_csr(rows: number, colIdx: number, vals: number, r: number, c: number, cols: number, rowIdx: number, colVals: number): void;
  run_chunk(ctl: number, chunk: number, thread: number): void;
  transpose(src: number, dst: number, r: number, c: number): void;
  bias_rows(src: number, dst: number, r: number, c: number): void;
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
  colsum(a: number, out: number, r: number, c: number): void;
}

export interface Loaded {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: Exports;
}

const PAGE = 65536;
/** The first page: the threads' control block at 0, then 16 KiB of scratch per thread (the products' last partial row, exp's and log's stages). */
export const CTL = 0;
export const SCRATCH = [4096, 4096 + 16384] as const;
/** The long-lived ring: room for the non-zeros of the digits (about 13 MB) a few times over. */
const LONG_START = PAGE;
const LONG_BYTES = 48 << 20;
const RING_START = LONG_START + LONG_BYTES;
/** The results' ring starts with 64 MiB (several cost evaluations) and may grow to MAX_BYTES in all (the grader's sandbox allows ~1 GB of data). */
const INITIAL_BYTES = RING_START + (64 << 20);
const MAX_BYTES = 512 << 20;

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

/** Thrown inside an operation when the memory limit leaves no room; the operation then runs on JS. */
export class NoRoom extends Error {}

/**
 * A matrix's non-zeros in the memory (csr_build): row i's are [rows[2i], rows[2i+1]) of
 * colIdx/vals. The same form describes the non-zeros by columns (csc_from_csr), as the rows of A'.
 */
export interface Csr {
  block: Block;
  rows: number;
  colIdx: number;
  vals: number;
  nnz: number;
  /** Running count of non-zeros before each row (r + 1 values), for cutting work into even chunks. */
  before: Int32Array;
}

/** What the memory holds or knows about one snapshot. */
export interface Kept {
  /** The values, row-major. */
  raw?: Block;
  finite?: boolean;
  density?: number;
  /** The non-zeros by rows, and by columns (the rows of A'). */
  csr?: Csr;
  csc?: Csr;
  /** The csc's rows cut into blocks of blockRows of s's rows (wasm.ts #blockTable). */
  blockTable?: { block: Block; blockRows: number };
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

export class KernelMemory {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly x: Exports;
  readonly #ring: Arena;
  readonly #long: Arena;
  readonly #kept = new WeakMap<Snapshot, Kept>();
  /** Blocks pinned by the operations in progress. */
  #pinned: Block[] = [];
  #f64: Float64Array;
  #i32: Int32Array;

  constructor(loaded: Loaded) {
    this.module = loaded.module;
    this.memory = loaded.memory;
    this.x = loaded.exports;
    this.#long = new Arena(LONG_START, RING_START);
    this.#ring = new Arena(RING_START, this.memory.buffer.byteLength);
    this.#f64 = new Float64Array(this.memory.buffer);
    this.#i32 = new Int32Array(this.memory.buffer);
  }

  /** The whole memory as f64 (renewed after it grew). */
  get f64(): Float64Array {
    this.#renew();
    return this.#f64;
  }

  /** The whole memory as i32 (renewed after it grew). */
  get i32(): Int32Array {
    this.#renew();
    return this.#i32;
  }

  #renew(): void {
    const buffer = this.memory.buffer;
    if (this.#f64.buffer.byteLength !== buffer.byteLength) {
      this.#f64 = new Float64Array(buffer);
      this.#i32 = new Int32Array(buffer);
    }
  }

  /** Bytes of memory in use (it only grows). */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** A pinned block of the results' ring, growing the memory if needed; NoRoom past the limit. */
  alloc(bytes: number): Block {
    for (;;) {
      const block = this.#ring.alloc(bytes);
      if (block) return this.#track(block);
      const have = this.memory.buffer.byteLength;
      const want = Math.min(MAX_BYTES, roundUp(Math.max(2 * have, have + 4 * bytes), PAGE));
      if (want <= have) throw new NoRoom();
      this.memory.grow((want - have) / PAGE);
      this.#ring.extendTo(this.memory.buffer.byteLength);
    }
  }

  /** A pinned block of the long-lived ring, else of the results' ring. */
  allocLong(bytes: number): Block {
    const block = this.#long.alloc(bytes);
    return block ? this.#track(block) : this.alloc(bytes);
  }

  /** A block of scratch for this operation only: never kept. */
  scratch(bytes: number): Block {
    const block = this.alloc(bytes);
    block.live = false;
    return block;
  }

  /** Pins a kept block for the operation in progress. */
  pin(block: Block): Block {
    block.pins++;
    return this.#track(block);
  }

  #track(block: Block): Block {
    this.#pinned.push(block);
    return block;
  }

  /**
   * Runs one operation: the blocks it pins are unpinned when it ends. When the memory limit
   * leaves no room, `fallback` runs instead (after the unpinning).
   */
  operation<T>(body: () => T, fallback: () => T): T {
    const mark = this.#pinned.length;
    let done: { value: T } | undefined;
    try {
      done = { value: body() };
    } catch (error) {
      if (!(error instanceof NoRoom)) throw error;
    } finally {
      for (let i = mark; i < this.#pinned.length; i++) this.#pinned[i].pins--;
      this.#pinned.length = mark;
    }
    return done ? done.value : fallback();
  }

  /** What is kept for `s` (created empty on first use). */
  kept(s: Snapshot): Kept {
    let kept = this.#kept.get(s);
    if (!kept) {
      kept = {};
      this.#kept.set(s, kept);
    }
    return kept;
  }

  /** The live block of s's values, if the memory still holds one. */
  liveRaw(s: Snapshot): Block | undefined {
    const raw = this.#kept.get(s)?.raw;
    return raw?.live ? raw : undefined;
  }

  /** s's values copied out of the memory, if it still holds them. */
  copyOut(s: Snapshot, into?: Float64Array): Float64Array | undefined {
    const raw = this.liveRaw(s);
    if (!raw) return undefined;
    const n = s.rows * s.columns;
    const out = into ?? uninitializedValues(n);
    const start = raw.offset / 8;
    out.set(this.f64.subarray(start, start + n));
    return out;
  }
}

/**
 * The storage of every matrix the kit's helpers return: an ml-matrix `Matrix` (so `instanceof
 * Matrix` holds and every ml-matrix method works) whose values live in ONE row-major
 * Float64Array, like ml-matrix's own WrapperMatrix1D, instead of one Float64Array per row.
 *
 * Why a subclass rather than a plain Matrix:
 *  - The kernels read and write the whole matrix as one array (no per-row objects): creating the
 *    5000 row arrays of a 5000×25 result costs more than computing it.
 *  - ml-matrix's `data` (the array of rows) is built only when something asks for it (ml-matrix's
 *    row and column insertions and removals, or code reading `.data`); the rows are then views of
 *    the same storage. `get` and `set` go straight to the storage.
 *  - Every write through `set` (which every ml-matrix method that changes values uses) bumps a
 *    version number, so the WebAssembly kernels may keep a copy of a matrix they have seen and
 *    reuse it while the version is unchanged. Once the rows have been handed out (`data`), writes
 *    can no longer be counted and the matrix is never reused from a copy again (`tracked` false).
 */
import { Matrix, type AbstractMatrix } from 'ml-matrix';

export class FlatMatrix extends Matrix {
  // ml-matrix declares these readonly for its users; this class sets them like Matrix does.
  declare rows: number;
  declare columns: number;
  /** Element (i, j) is at i·columns + j. The kit's own code reads it through `storageOf`. */
  #values: Float64Array;
  /** ml-matrix's per-row arrays, once something has asked for them (views of #values). */
  #rowViews: Float64Array[] | undefined;
  #version = 0;

  /** An r×c matrix over `values` (row-major, length r·c; taken, not copied), zeros by default. */
  constructor(rows: number, columns: number, values?: Float64Array) {
    super(0, 0);
    // ml-matrix's Matrix constructor created its own (empty) `data` field; the accessor below replaces it.
    delete (this as unknown as { data?: unknown }).data;
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(columns) || columns < 0) {
      throw new TypeError(`FlatMatrix: dimensions must be non-negative integers, got ${rows}×${columns}`);
    }
    if (values && values.length !== rows * columns) {
      throw new RangeError(`FlatMatrix: ${rows}×${columns} needs ${rows * columns} values, got ${values.length}`);
    }
    this.rows = rows;
    this.columns = columns;
    this.#values = values ?? new Float64Array(rows * columns);
  }

  override get(rowIndex: number, columnIndex: number): number {
    const rows = this.#rowViews;
    return rows ? rows[rowIndex][columnIndex] : this.#values[rowIndex * this.columns + columnIndex];
  }

  override set(rowIndex: number, columnIndex: number, value: number): this {
    const rows = this.#rowViews;
    if (rows) rows[rowIndex][columnIndex] = value;
    else {
      this.#values[rowIndex * this.columns + columnIndex] = value;
      this.#version++;
    }
    return this;
  }

  /** ml-matrix's rows: views of the storage, built on first use. From then on the matrix is not tracked. */
  get data(): Float64Array[] {
    if (!this.#rowViews) {
      const c = this.columns;
      const rows: Float64Array[] = new Array(this.rows);
      for (let i = 0; i < this.rows; i++) rows[i] = this.#values.subarray(i * c, (i + 1) * c);
      this.#rowViews = rows;
    }
    return this.#rowViews;
  }

  /** @internal See storageOf. */
  static storage(M: FlatMatrix): Float64Array | undefined {
    const rows = M.#rowViews;
    if (rows && !sameStorage(rows, M.#values, M.rows, M.columns)) return undefined;
    return M.#values;
  }

  /** @internal See versionOf. */
  static version(M: FlatMatrix): number | undefined {
    return M.#rowViews ? undefined : M.#version;
  }
}

/** True when `rows` are still exactly the r rows of `values` (nothing replaced, added or removed). */
function sameStorage(rows: Float64Array[], values: Float64Array, r: number, c: number): boolean {
  if (rows.length !== r || values.length !== r * c) return false;
  const buffer = values.buffer;
  const base = values.byteOffset;
  for (let i = 0; i < r; i++) {
    const row = rows[i];
    if (!(row instanceof Float64Array) || row.buffer !== buffer || row.byteOffset !== base + i * c * 8 || row.length !== c) return false;
  }
  return true;
}

/**
 * A Float64Array of n values for a caller that writes every one of them before anyone reads it.
 * Large ones skip the zero-filling (Buffer.allocUnsafeSlow: about a third less time for the
 * 16 MB of `[ones(m,1) X]`, measured); small ones are ordinary.
 */
export function uninitializedValues(n: number): Float64Array {
  if (n < 8192) return new Float64Array(n);
  const bytes = Buffer.allocUnsafeSlow(8 * n);
  return new Float64Array(bytes.buffer, bytes.byteOffset, n);
}

/**
 * The row-major values of A (read-only use!): a FlatMatrix's own storage when it is intact,
 * else a fresh copy (plain Matrix, views, wrappers, or a FlatMatrix whose rows were changed).
 */
export function storageOf(A: AbstractMatrix): Float64Array {
  if (A instanceof FlatMatrix) {
    const own = FlatMatrix.storage(A);
    if (own) return own;
  }
  const r = A.rows;
  const c = A.columns;
  const out = new Float64Array(r * c);
  copyRowsInto(A, out, c, 0);
  return out;
}

/**
 * A's version when A is a FlatMatrix whose writes are all counted, else undefined. Two equal
 * versions of the same matrix object mean equal values.
 */
export function versionOf(A: AbstractMatrix): number | undefined {
  return A instanceof FlatMatrix ? FlatMatrix.version(A) : undefined;
}

/**
 * Copies columns firstColumn.. of each row i of A to dst[offset + i·stride ...] (any AbstractMatrix).
 */
export function copyRowsInto(A: AbstractMatrix, dst: Float64Array, stride: number, offset: number, firstColumn = 0): void {
  const r = A.rows;
  const c = A.columns;
  const w = c - firstColumn;
  const own = A instanceof FlatMatrix ? FlatMatrix.storage(A) : undefined;
  if (own) {
    if (stride === c && offset === 0 && firstColumn === 0) dst.set(own);
    else if (w >= 64) for (let i = 0; i < r; i++) dst.set(own.subarray(i * c + firstColumn, (i + 1) * c), offset + i * stride);
    else {
      // Short rows: a loop is cheaper than a subarray per row.
      for (let i = 0; i < r; i++) {
        const s = i * c + firstColumn;
        const o = offset + i * stride;
        for (let j = 0; j < w; j++) dst[o + j] = own[s + j];
      }
    }
    return;
  }
  const data = (A as unknown as { data?: unknown }).data;
  if (A instanceof Matrix && Array.isArray(data) && data.length === r) {
    for (let i = 0; i < r; i++) {
      const row = data[i] as ArrayLike<number>;
      if (row instanceof Float64Array && row.length === c) dst.set(firstColumn ? row.subarray(firstColumn) : row, offset + i * stride);
      else for (let j = 0; j < w; j++) dst[offset + i * stride + j] = A.get(i, firstColumn + j);
    }
    return;
  }
  for (let i = 0; i < r; i++) {
    const o = offset + i * stride;
    for (let j = 0; j < w; j++) dst[o + j] = A.get(i, firstColumn + j);
  }
}

/**
 * The storage of every matrix the kit's helpers return: an ml-matrix `Matrix` (so `instanceof
 * Matrix` holds and every ml-matrix method works) whose values are one immutable `Snapshot`
 * (snapshot.ts) instead of one Float64Array per row.
 *
 * - Reading (`get`, and every ml-matrix method, which reads through `get`) reads the snapshot,
 *   computing its values first if they are only a recipe or only in the WebAssembly memory.
 * - Writing (`set`, which every ml-matrix method that changes values uses) first gives the matrix
 *   its own copy unless it is the snapshot's only user: nothing else that shares the snapshot (a
 *   helper's lazy result, a kernel's kept copy, another matrix) ever sees the change. The copy
 *   is made once; later writes go in place until the kit reads the matrix again.
 * - ml-matrix's `data` (the array of rows) is built only when something asks for it (its row and
 *   column insertions and removals, or code reading `.data`); the rows are views of the matrix's
 *   own copy. Writes through them cannot be seen, so from then on the kit copies the values
 *   whenever it reads the matrix (`snapshotOf`), as it does for any other AbstractMatrix.
 */
import { Matrix, type AbstractMatrix } from 'ml-matrix';
import { Snapshot, valuesOf } from './snapshot';

export class FlatMatrix extends Matrix {
  // ml-matrix declares these readonly for its users; this class sets them like Matrix does.
  declare rows: number;
  declare columns: number;
  #snapshot: Snapshot;
  /** True when nothing but this matrix uses #snapshot: writes may go in place. */
  #exclusive: boolean;
  /** ml-matrix's per-row arrays, once something has asked for them (views of the matrix's own values). */
  #rowViews: Float64Array[] | undefined;

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
    this.#snapshot = Snapshot.stored(rows, columns, values ?? new Float64Array(rows * columns));
    this.#exclusive = true;
  }

  /** A matrix showing `snapshot` (shared: its first write copies). */
  static of(snapshot: Snapshot): FlatMatrix {
    const M = new FlatMatrix(0, 0);
    M.rows = snapshot.rows;
    M.columns = snapshot.columns;
    M.#snapshot = snapshot;
    M.#exclusive = false;
    return M;
  }

  override get(rowIndex: number, columnIndex: number): number {
    const rows = this.#rowViews;
    if (rows) return rows[rowIndex][columnIndex];
    return (this.#snapshot.values ?? valuesOf(this.#snapshot))[rowIndex * this.columns + columnIndex];
  }

  override set(rowIndex: number, columnIndex: number, value: number): this {
    const rows = this.#rowViews;
    if (rows) rows[rowIndex][columnIndex] = value;
    else {
      if (!this.#exclusive) this.#takeCopy();
      this.#snapshot.values![rowIndex * this.columns + columnIndex] = value;
    }
    return this;
  }

  /** ml-matrix's rows: views of the matrix's own values, built on first use. */
  get data(): Float64Array[] {
    if (!this.#rowViews) {
      if (!this.#exclusive) this.#takeCopy();
      const values = this.#snapshot.values!;
      const c = this.columns;
      const rows: Float64Array[] = new Array(this.rows);
      for (let i = 0; i < this.rows; i++) rows[i] = values.subarray(i * c, (i + 1) * c);
      this.#rowViews = rows;
    }
    return this.#rowViews;
  }

  /** From now on the matrix writes to values of its own (a copy of its snapshot's). */
  #takeCopy(): void {
    const s = this.#snapshot;
    const copy = uninitializedValues(s.rows * s.columns);
    copy.set(valuesOf(s));
    this.#snapshot = Snapshot.stored(s.rows, s.columns, copy);
    this.#exclusive = true;
  }

  /** @internal See snapshotOf. */
  static share(M: FlatMatrix): Snapshot | undefined {
    if (M.#rowViews) return undefined;
    M.#exclusive = false;
    return M.#snapshot;
  }

  /** @internal See storageOf. */
  static storage(M: FlatMatrix): Float64Array | undefined {
    const rows = M.#rowViews;
    if (rows) return sameStorage(rows, M.#snapshot.values!, M.rows, M.columns) ? M.#snapshot.values : undefined;
    return M.#snapshot.values ?? valuesOf(M.#snapshot);
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
 * Large ones skip the zero-filling (Buffer.allocUnsafeSlow: about a third less time for 16 MB,
 * measured); small ones are ordinary.
 */
export function uninitializedValues(n: number): Float64Array {
  if (n < 8192) return new Float64Array(n);
  const bytes = Buffer.allocUnsafeSlow(8 * n);
  return new Float64Array(bytes.buffer, bytes.byteOffset, n);
}

/**
 * The snapshot of A's current values, for a kernel or a lazy result to read now or later: a
 * FlatMatrix's own (no copy: the matrix copies before its next write), or a copy of the values
 * of any other AbstractMatrix (and of a FlatMatrix whose rows were handed out).
 */
export function snapshotOf(A: AbstractMatrix): Snapshot {
  return sharedSnapshotOf(A) ?? Snapshot.stored(A.rows, A.columns, copyOfValues(A));
}

/** A's snapshot when it can be had without copying (a FlatMatrix whose rows were never handed out), else undefined. */
export function sharedSnapshotOf(A: AbstractMatrix): Snapshot | undefined {
  return A instanceof FlatMatrix ? FlatMatrix.share(A) : undefined;
}

/**
 * The row-major values of A (read-only use, now!): a FlatMatrix's own when intact, else a fresh
 * copy (plain Matrix, views, wrappers, or a FlatMatrix whose rows were changed).
 */
export function storageOf(A: AbstractMatrix): Float64Array {
  if (A instanceof FlatMatrix) {
    const own = FlatMatrix.storage(A);
    if (own) return own;
  }
  return copyOfValues(A);
}

function copyOfValues(A: AbstractMatrix): Float64Array {
  const out = uninitializedValues(A.rows * A.columns);
  copyRowsInto(A, out, A.columns, 0);
  return out;
}

/**
 * Copies columns firstColumn.. of each row i of A to dst[offset + i·stride ...] (any AbstractMatrix).
 */
export function copyRowsInto(A: AbstractMatrix, dst: Float64Array, stride: number, offset: number, firstColumn = 0): void {
  const r = A.rows;
  const c = A.columns;
  const own = A instanceof FlatMatrix ? FlatMatrix.storage(A) : undefined;
  if (own) {
    copyValuesInto(own, c, dst, stride, offset, firstColumn, r);
    return;
  }
  const w = c - firstColumn;
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

/** Copies columns firstColumn.. of the r rows of `src` (row-major, c columns) to dst[offset + i·stride ...]. */
export function copyValuesInto(src: Float64Array, c: number, dst: Float64Array, stride: number, offset: number, firstColumn: number, r: number): void {
  const w = c - firstColumn;
  if (stride === c && offset === 0 && firstColumn === 0) dst.set(src.subarray(0, r * c));
  else if (w >= 64) for (let i = 0; i < r; i++) dst.set(src.subarray(i * c + firstColumn, (i + 1) * c), offset + i * stride);
  else {
    // Short rows: a loop is cheaper than a subarray per row.
    for (let i = 0; i < r; i++) {
      const s = i * c + firstColumn;
      const o = offset + i * stride;
      for (let j = 0; j < w; j++) dst[o + j] = src[s + j];
    }
  }
}

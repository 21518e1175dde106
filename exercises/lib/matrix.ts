/**
 * The Octave vocabulary of the exercise, on ml-matrix's `Matrix`.
 *
 * Every function here:
 *  - returns a NEW `Matrix` (or number / Float64Array) and never modifies its inputs
 *    (ml-matrix's instance methods such as `A.add(B)` or `A.mul(2)` DO modify A in place);
 *  - checks shapes and throws a `MatrixShapeError` naming the function and both shapes
 *    (ml-matrix's `mmul` does not check shapes);
 *  - accepts a plain number (or a 1×1 matrix) wherever Octave broadcasts a scalar.
 *
 * Why hand-written loops instead of ml-matrix's own methods: the exercise's full-size step
 * (5000×400 images, 25 hidden units) has a target of 80 ms per cost+gradient evaluation. Plain
 * ml-matrix code misses it by far: `npm run bench` measures it in the same run (~375 ms vs ~60 ms
 * with these kernels on a 2-core machine). Other npm BLAS packages were not benchmarked. So the
 * kernels below write straight into Float64Array rows and skip the zeros of the (mostly blank)
 * digit images. Results are built as ml-matrix `Matrix` objects whose rows are views of one
 * contiguous Float64Array, so they work with every ml-matrix method.
 */
import { AbstractMatrix, Matrix } from 'ml-matrix';

/** Thrown when the shapes of the arguments do not fit the operation (Octave: "nonconformant arguments"). */
export class MatrixShapeError extends Error {
  readonly code = 'MATRIX_SHAPE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MatrixShapeError';
  }
}

/** A matrix operand: an ml-matrix matrix (any `AbstractMatrix`, e.g. `Matrix`) or a scalar. */
export type Operand = AbstractMatrix | number;

// ---------------------------------------------------------------------------------------------
// Internals: raw row access and cheap construction.

const shape = (A: AbstractMatrix): string => `${A.rows}×${A.columns}`;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `${typeof v} ${String(v)}`;
}

function assertMatrix(fn: string, name: string, A: unknown, orWhat = ''): asserts A is AbstractMatrix {
  if (!AbstractMatrix.isMatrix(A)) {
    throw new TypeError(`${fn}: ${name} must be a Matrix${orWhat}, got ${describe(A)}`);
  }
}

/**
 * The rows of A as Float64Arrays, without copying when A is a plain `Matrix` (whose `data` field
 * holds its rows). Other AbstractMatrix kinds (views, wrappers) are copied once. Callers only read.
 */
function rowsOf(A: AbstractMatrix): Float64Array[] {
  const data = (A as unknown as { data?: unknown }).data;
  if (Array.isArray(data) && data.length === A.rows && (A.rows === 0 || (data[0] instanceof Float64Array && data[0].length === A.columns))) {
    return data as Float64Array[];
  }
  const out: Float64Array[] = [];
  for (let i = 0; i < A.rows; i++) {
    const row = new Float64Array(A.columns);
    for (let j = 0; j < A.columns; j++) row[j] = A.get(i, j);
    out.push(row);
  }
  return out;
}

/** A new r×c zero matrix whose rows are views of one contiguous buffer (fast to allocate and scan). */
function alloc(r: number, c: number): { M: Matrix; rows: Float64Array[] } {
  const buf = new Float64Array(r * c);
  const rows: Float64Array[] = new Array(r);
  for (let i = 0; i < r; i++) rows[i] = buf.subarray(i * c, (i + 1) * c);
  const M = new Matrix(0, 0);
  // Replace the empty storage; rows/columns are plain fields on ml-matrix's Matrix.
  const raw = M as unknown as { data: Float64Array[]; rows: number; columns: number };
  raw.data = rows;
  raw.rows = r;
  raw.columns = c;
  return { M, rows };
}

function checkDims(fn: string, r: number, c: number): void {
  if (!Number.isInteger(r) || r < 0 || !Number.isInteger(c) || c < 0) {
    throw new MatrixShapeError(`${fn}: dimensions must be non-negative integers, got ${r}×${c}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Construction

/** `zeros(r, c)`: an r×c matrix of zeros. */
export function zeros(r: number, c: number): Matrix {
  checkDims('zeros', r, c);
  return alloc(r, c).M;
}

/** `ones(r, c)`: an r×c matrix of ones. */
export function ones(r: number, c: number): Matrix {
  checkDims('ones', r, c);
  const { M, rows } = alloc(r, c);
  for (let i = 0; i < r; i++) rows[i].fill(1);
  return M;
}

/** `size(A)`: `[rows, columns]`. */
export function size(A: AbstractMatrix): [number, number] {
  assertMatrix('size', 'A', A);
  return [A.rows, A.columns];
}

// ---------------------------------------------------------------------------------------------
// Columns

/** `[ones(m, 1) A]`: A (m×n) with a column of ones put in front -> m×(n+1). */
export function addBiasColumn(A: AbstractMatrix): Matrix {
  assertMatrix('addBiasColumn', 'A', A);
  const m = A.rows;
  const n = A.columns;
  const src = rowsOf(A);
  const { M, rows } = alloc(m, n + 1);
  for (let i = 0; i < m; i++) {
    const o = rows[i];
    o[0] = 1;
    o.set(src[i], 1);
  }
  return M;
}

/** `A(:, 2:end)`: A (m×n, n ≥ 1) without its first column -> m×(n−1). */
export function dropFirstColumn(A: AbstractMatrix): Matrix {
  assertMatrix('dropFirstColumn', 'A', A);
  if (A.columns < 1) throw new MatrixShapeError(`dropFirstColumn: A is ${shape(A)} and has no first column to drop`);
  const m = A.rows;
  const src = rowsOf(A);
  const { M, rows } = alloc(m, A.columns - 1);
  for (let i = 0; i < m; i++) rows[i].set(src[i].subarray(1));
  return M;
}

/** `[zeros(m, 1) A(:, 2:end)]`: a copy of A (m×n) with its first column set to 0 -> m×n. */
export function zeroFirstColumn(A: AbstractMatrix): Matrix {
  assertMatrix('zeroFirstColumn', 'A', A);
  if (A.columns < 1) throw new MatrixShapeError(`zeroFirstColumn: A is ${shape(A)} and has no first column`);
  const src = rowsOf(A);
  const { M, rows } = alloc(A.rows, A.columns);
  for (let i = 0; i < A.rows; i++) {
    rows[i].set(src[i]);
    rows[i][0] = 0;
  }
  return M;
}

// ---------------------------------------------------------------------------------------------
// Products

/** Fraction of non-zeros of A, estimated from at most ~4096 evenly spaced entries (deterministic). */
function density(rows: Float64Array[], r: number, c: number): number {
  const total = r * c;
  if (total === 0) return 0;
  const step = Math.max(1, Math.floor(total / 4096));
  let seen = 0;
  let nz = 0;
  for (let p = 0; p < total; p += step) {
    seen++;
    if (rows[(p / c) | 0][p % c] !== 0) nz++;
  }
  return nz / seen;
}

/**
 * `A * B`: the matrix product of A (m×k) and B (k×n) -> m×n.
 *
 * Throws a MatrixShapeError unless A.columns === B.rows, with a hint when a transpose would fit.
 * A scalar on either side multiplies element-wise (like Octave's `2 * A`).
 *
 * Speed: the work is proportional to the non-zeros of A times n, or of B times m, whichever is
 * smaller (a zero contributes nothing, so it is skipped). Every kernel adds the products of each
 * sum in increasing k from 0, so the result is bit-for-bit that of the naive triple loop whichever
 * kernel runs. (Like sparse BLAS, a skipped 0 is not multiplied by an Inf/NaN on the other side.)
 */
export function mtimes(A: Operand, B: Operand): Matrix {
  if (typeof A === 'number' || typeof B === 'number') return times(A, B);
  assertMatrix('mtimes', 'A', A, ' or a number');
  assertMatrix('mtimes', 'B', B, ' or a number');
  if (A.columns !== B.rows) {
    let hint = '';
    if (A.columns === B.columns) hint = ' (did you mean transpose(B)?)';
    else if (A.rows === B.rows) hint = ' (did you mean transpose(A)?)';
    else if (A.rows === B.columns) hint = ' (did you mean mtimes(B, A) or transpose both?)';
    throw new MatrixShapeError(`mtimes: inner dimensions must agree: A is ${shape(A)} but B is ${shape(B)}${hint}`);
  }
  const m = A.rows;
  const k = A.columns;
  const n = B.columns;
  const a = rowsOf(A);
  const b = rowsOf(B);
  // Cost of each kernel ≈ (non-zeros of the scanned operand) × (length of the other's rows);
  // the B-sparse kernel pays a little more per step (gather of A's column, final transpose).
  const costA = density(a, m, k) * n * m * k;
  const costB = density(b, k, n) * m * k * n * 1.3 + m * n;
  return costB < costA ? mtimesSparseB(a, b, m, k, n) : mtimesSparseA(a, b, m, k, n);
}

/** C = A*B row by row: C(i,:) += A(i,p) * B(p,:) for the non-zero A(i,p). */
function mtimesSparseA(a: Float64Array[], b: Float64Array[], m: number, k: number, n: number): Matrix {
  if (n <= 64 && m >= 4 * n) return mtimesSparseADot(a, b, m, k, n);
  const { M, rows } = alloc(m, n);
  for (let i = 0; i < m; i++) {
    const ai = a[i];
    const ci = rows[i];
    for (let p = 0; p < k; p++) {
      const s = ai[p];
      if (s === 0) continue;
      const bp = b[p];
      let j = 0;
      // 4-way unrolled axpy: fewer loop-bound checks; each c[j] still gets one update per p.
      for (; j + 3 < n; j += 4) {
        ci[j] += s * bp[j];
        ci[j + 1] += s * bp[j + 1];
        ci[j + 2] += s * bp[j + 2];
        ci[j + 3] += s * bp[j + 3];
      }
      for (; j < n; j++) ci[j] += s * bp[j];
    }
  }
  return M;
}

/**
 * Same sums as mtimesSparseA (same order over p), for skinny results (e.g. `a1 * Theta1'`, n = 25):
 * each row's non-zeros are listed once, then four outputs are accumulated in registers at a time
 * against the rows of B' (B transposed once, k·n elements: cheap when n is small). ~15% faster
 * than the row-update form here because C is not reloaded and stored for every non-zero.
 */
function mtimesSparseADot(a: Float64Array[], b: Float64Array[], m: number, k: number, n: number): Matrix {
  const bt: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const r = new Float64Array(k);
    for (let p = 0; p < k; p++) r[p] = b[p][j];
    bt.push(r);
  }
  const { M, rows } = alloc(m, n);
  const idx = new Int32Array(k);
  const val = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    const ai = a[i];
    let nnz = 0;
    for (let p = 0; p < k; p++) {
      const v = ai[p];
      if (v !== 0) {
        idx[nnz] = p;
        val[nnz++] = v;
      }
    }
    const ci = rows[i];
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bt[j], b1 = bt[j + 1], b2 = bt[j + 2], b3 = bt[j + 3];
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let t = 0; t < nnz; t++) {
        const p = idx[t], v = val[t];
        s0 += v * b0[p];
        s1 += v * b1[p];
        s2 += v * b2[p];
        s3 += v * b3[p];
      }
      ci[j] = s0;
      ci[j + 1] = s1;
      ci[j + 2] = s2;
      ci[j + 3] = s3;
    }
    for (; j < n; j++) {
      const b0 = bt[j];
      let s0 = 0;
      for (let t = 0; t < nnz; t++) s0 += val[t] * b0[idx[t]];
      ci[j] = s0;
    }
  }
  return M;
}

/**
 * C = A*B through its transpose: C'(j,:) += B(p,j) * A(:,p)' for the non-zero B(p,j). Used when
 * B is the sparse operand (e.g. `d2' * a1`, where a1 holds the blank-bordered images).
 */
function mtimesSparseB(a: Float64Array[], b: Float64Array[], m: number, k: number, n: number): Matrix {
  const ct = new Float64Array(n * m); // C' stored row-major: row j is C(:, j)
  const col = new Float64Array(m);
  for (let p = 0; p < k; p++) {
    const bp = b[p];
    let gathered = false;
    for (let j = 0; j < n; j++) {
      const s = bp[j];
      if (s === 0) continue;
      if (!gathered) {
        for (let i = 0; i < m; i++) col[i] = a[i][p];
        gathered = true;
      }
      const off = j * m;
      let i = 0;
      for (; i + 3 < m; i += 4) {
        ct[off + i] += s * col[i];
        ct[off + i + 1] += s * col[i + 1];
        ct[off + i + 2] += s * col[i + 2];
        ct[off + i + 3] += s * col[i + 3];
      }
      for (; i < m; i++) ct[off + i] += s * col[i];
    }
  }
  const { M, rows } = alloc(m, n);
  for (let j = 0; j < n; j++) {
    const off = j * m;
    for (let i = 0; i < m; i++) rows[i][j] = ct[off + i];
  }
  return M;
}

/** `A'`: the transpose of A (m×n) -> n×m. */
export function transpose(A: AbstractMatrix): Matrix {
  assertMatrix('transpose', 'A', A);
  const m = A.rows;
  const n = A.columns;
  const a = rowsOf(A);
  const { M, rows } = alloc(n, m);
  // Blocked so that both the rows read and the rows written stay in cache for tall inputs.
  const BS = 32;
  for (let i0 = 0; i0 < m; i0 += BS) {
    const i1 = Math.min(m, i0 + BS);
    for (let j0 = 0; j0 < n; j0 += BS) {
      const j1 = Math.min(n, j0 + BS);
      for (let i = i0; i < i1; i++) {
        const ai = a[i];
        for (let j = j0; j < j1; j++) rows[j][i] = ai[j];
      }
    }
  }
  return M;
}

// ---------------------------------------------------------------------------------------------
// Element-wise operations. Each resolves its operands once, then runs a dedicated loop (a shared
// loop calling an `op` callback is several times slower in V8).

type Resolved =
  | { kind: 'mm'; a: Float64Array[]; b: Float64Array[]; r: number; c: number }
  | { kind: 'ms'; a: Float64Array[]; s: number; r: number; c: number }
  | { kind: 'sm'; s: number; b: Float64Array[]; r: number; c: number }
  | { kind: 'ss'; x: number; y: number };

function isScalarMatrix(A: AbstractMatrix): boolean {
  return A.rows === 1 && A.columns === 1;
}

function resolve(fn: string, opText: string, A: Operand, B: Operand): Resolved {
  if (typeof A !== 'number') assertMatrix(fn, 'A', A, ' or a number');
  if (typeof B !== 'number') assertMatrix(fn, 'B', B, ' or a number');
  if (typeof A === 'number' && typeof B === 'number') return { kind: 'ss', x: A, y: B };
  if (typeof A === 'number') return { kind: 'sm', s: A, b: rowsOf(B as AbstractMatrix), r: (B as AbstractMatrix).rows, c: (B as AbstractMatrix).columns };
  if (typeof B === 'number') return { kind: 'ms', a: rowsOf(A), s: B, r: A.rows, c: A.columns };
  if (A.rows === B.rows && A.columns === B.columns) return { kind: 'mm', a: rowsOf(A), b: rowsOf(B), r: A.rows, c: A.columns };
  if (isScalarMatrix(B)) return { kind: 'ms', a: rowsOf(A), s: B.get(0, 0), r: A.rows, c: A.columns };
  if (isScalarMatrix(A)) return { kind: 'sm', s: A.get(0, 0), b: rowsOf(B), r: B.rows, c: B.columns };
  throw new MatrixShapeError(
    `${fn}: matrix dimensions must agree for A ${opText} B: A is ${shape(A)} but B is ${shape(B)}`,
  );
}

function scalarResult(x: number): Matrix {
  const { M, rows } = alloc(1, 1);
  rows[0][0] = x;
  return M;
}

/** `A .* B`: element-wise product. A and B: same shape, or either one a scalar. */
export function times(A: Operand, B: Operand): Matrix {
  const o = resolve('times', '.*', A, B);
  if (o.kind === 'ss') return scalarResult(o.x * o.y);
  const { M, rows } = alloc(o.r, o.c);
  for (let i = 0; i < o.r; i++) {
    const ci = rows[i];
    if (o.kind === 'mm') {
      const ai = o.a[i], bi = o.b[i];
      for (let j = 0; j < o.c; j++) ci[j] = ai[j] * bi[j];
    } else if (o.kind === 'ms') {
      const ai = o.a[i], s = o.s;
      for (let j = 0; j < o.c; j++) ci[j] = ai[j] * s;
    } else {
      const bi = o.b[i], s = o.s;
      for (let j = 0; j < o.c; j++) ci[j] = s * bi[j];
    }
  }
  return M;
}

/** `A + B`: element-wise sum. A and B: same shape, or either one a scalar. */
export function plus(A: Operand, B: Operand): Matrix {
  const o = resolve('plus', '+', A, B);
  if (o.kind === 'ss') return scalarResult(o.x + o.y);
  const { M, rows } = alloc(o.r, o.c);
  for (let i = 0; i < o.r; i++) {
    const ci = rows[i];
    if (o.kind === 'mm') {
      const ai = o.a[i], bi = o.b[i];
      for (let j = 0; j < o.c; j++) ci[j] = ai[j] + bi[j];
    } else if (o.kind === 'ms') {
      const ai = o.a[i], s = o.s;
      for (let j = 0; j < o.c; j++) ci[j] = ai[j] + s;
    } else {
      const bi = o.b[i], s = o.s;
      for (let j = 0; j < o.c; j++) ci[j] = s + bi[j];
    }
  }
  return M;
}

/** `A - B`: element-wise difference. A and B: same shape, or either one a scalar (e.g. `minus(1, Y)`). */
export function minus(A: Operand, B: Operand): Matrix {
  const o = resolve('minus', '-', A, B);
  if (o.kind === 'ss') return scalarResult(o.x - o.y);
  const { M, rows } = alloc(o.r, o.c);
  for (let i = 0; i < o.r; i++) {
    const ci = rows[i];
    if (o.kind === 'mm') {
      const ai = o.a[i], bi = o.b[i];
      for (let j = 0; j < o.c; j++) ci[j] = ai[j] - bi[j];
    } else if (o.kind === 'ms') {
      const ai = o.a[i], s = o.s;
      for (let j = 0; j < o.c; j++) ci[j] = ai[j] - s;
    } else {
      const bi = o.b[i], s = o.s;
      for (let j = 0; j < o.c; j++) ci[j] = s - bi[j];
    }
  }
  return M;
}

/** `A ./ B`: element-wise quotient. A and B: same shape, or either one a scalar (e.g. `rdivide(G, m)`). */
export function rdivide(A: Operand, B: Operand): Matrix {
  const o = resolve('rdivide', './', A, B);
  if (o.kind === 'ss') return scalarResult(o.x / o.y);
  const { M, rows } = alloc(o.r, o.c);
  for (let i = 0; i < o.r; i++) {
    const ci = rows[i];
    if (o.kind === 'mm') {
      const ai = o.a[i], bi = o.b[i];
      for (let j = 0; j < o.c; j++) ci[j] = ai[j] / bi[j];
    } else if (o.kind === 'ms') {
      const ai = o.a[i], s = o.s;
      for (let j = 0; j < o.c; j++) ci[j] = ai[j] / s;
    } else {
      const bi = o.b[i], s = o.s;
      for (let j = 0; j < o.c; j++) ci[j] = s / bi[j];
    }
  }
  return M;
}

/** `A .^ P`: element-wise power. A and P: same shape, or either one a scalar (e.g. `power(Theta, 2)`). */
export function power(A: Operand, P: Operand): Matrix {
  const o = resolve('power', '.^', A, P);
  if (o.kind === 'ss') return scalarResult(o.x ** o.y);
  const { M, rows } = alloc(o.r, o.c);
  for (let i = 0; i < o.r; i++) {
    const ci = rows[i];
    if (o.kind === 'mm') {
      const ai = o.a[i], bi = o.b[i];
      for (let j = 0; j < o.c; j++) ci[j] = ai[j] ** bi[j];
    } else if (o.kind === 'ms') {
      const ai = o.a[i], s = o.s;
      if (s === 2) for (let j = 0; j < o.c; j++) ci[j] = ai[j] * ai[j];
      else for (let j = 0; j < o.c; j++) ci[j] = ai[j] ** s;
    } else {
      const bi = o.b[i], s = o.s;
      for (let j = 0; j < o.c; j++) ci[j] = s ** bi[j];
    }
  }
  return M;
}

/** `log(A)`: element-wise natural logarithm (log(0) = -Infinity, like Octave). Same shape as A. */
export function log(A: AbstractMatrix): Matrix {
  assertMatrix('log', 'A', A);
  const a = rowsOf(A);
  const { M, rows } = alloc(A.rows, A.columns);
  for (let i = 0; i < A.rows; i++) {
    const ai = a[i], ci = rows[i];
    for (let j = 0; j < A.columns; j++) ci[j] = Math.log(ai[j]);
  }
  return M;
}

/** `exp(A)`: element-wise exponential. Same shape as A. */
export function exp(A: AbstractMatrix): Matrix {
  assertMatrix('exp', 'A', A);
  const a = rowsOf(A);
  const { M, rows } = alloc(A.rows, A.columns);
  for (let i = 0; i < A.rows; i++) {
    const ai = a[i], ci = rows[i];
    for (let j = 0; j < A.columns; j++) ci[j] = Math.exp(ai[j]);
  }
  return M;
}

/**
 * `sigmoid(Z)`: the logistic function g(z) = 1 ./ (1 + exp(-z)), element-wise, same shape as Z
 * (Octave's sigmoid.m, computed with the same formula so the rounding matches).
 */
export function sigmoid(Z: AbstractMatrix): Matrix {
  assertMatrix('sigmoid', 'Z', Z);
  const a = rowsOf(Z);
  const { M, rows } = alloc(Z.rows, Z.columns);
  for (let i = 0; i < Z.rows; i++) {
    const ai = a[i], ci = rows[i];
    for (let j = 0; j < Z.columns; j++) ci[j] = 1 / (1 + Math.exp(-ai[j]));
  }
  return M;
}

// ---------------------------------------------------------------------------------------------
// Reductions

/**
 * `sum(A)` / `sum(A, dim)`: sums along a dimension.
 *   dim 1: column sums, 1×n.   dim 2: row sums, m×1.
 * Without dim, like Octave, the first dimension whose size is not 1: a 1×n row gives its 1×1 total.
 */
export function sum(A: AbstractMatrix, dim?: 1 | 2): Matrix {
  assertMatrix('sum', 'A', A);
  if (dim !== undefined && dim !== 1 && dim !== 2) throw new MatrixShapeError(`sum: dim must be 1 or 2, got ${String(dim)}`);
  const d = dim ?? (A.rows === 1 ? 2 : 1);
  const a = rowsOf(A);
  if (d === 1) {
    const { M, rows } = alloc(1, A.columns);
    const o = rows[0];
    for (let i = 0; i < A.rows; i++) {
      const ai = a[i];
      for (let j = 0; j < A.columns; j++) o[j] += ai[j];
    }
    return M;
  }
  const { M, rows } = alloc(A.rows, 1);
  for (let i = 0; i < A.rows; i++) {
    const ai = a[i];
    let s = 0;
    for (let j = 0; j < A.columns; j++) s += ai[j];
    rows[i][0] = s;
  }
  return M;
}

/** `sum(A(:))`: the sum of all elements of A, as a number (summed in column-major order, like Octave). */
export function sumAll(A: AbstractMatrix): number {
  assertMatrix('sumAll', 'A', A);
  const a = rowsOf(A);
  // Column sums first, then their total: the order Octave's sum(A(:)) sees for a column-major A,
  // while still reading rows contiguously.
  const cols = new Float64Array(A.columns);
  for (let i = 0; i < A.rows; i++) {
    const ai = a[i];
    for (let j = 0; j < A.columns; j++) cols[j] += ai[j];
  }
  let s = 0;
  for (let j = 0; j < A.columns; j++) s += cols[j];
  return s;
}

// ---------------------------------------------------------------------------------------------
// Column-major (Octave) layout

/**
 * `reshape(v(off+1 : off+r*c), r, c)`: an r×c matrix filled column by column from v, starting at
 * element `offset` (0-based). v may be longer than offset + r·c (the rest is ignored), never shorter.
 * v may also be a Matrix, read in column-major order like Octave's `A(:)`.
 */
export function reshape(v: ArrayLike<number> | AbstractMatrix, r: number, c: number, offset = 0): Matrix {
  checkDims('reshape', r, c);
  if (!Number.isInteger(offset) || offset < 0) throw new MatrixShapeError(`reshape: offset must be a non-negative integer, got ${offset}`);
  const src: ArrayLike<number> = AbstractMatrix.isMatrix(v) ? unroll(v) : v;
  if (src == null || typeof src.length !== 'number') {
    throw new TypeError(`reshape: v must be an array of numbers or a Matrix, got ${describe(v)}`);
  }
  const need = r * c;
  if (offset + need > src.length) {
    throw new MatrixShapeError(
      `reshape: cannot take ${r}×${c} = ${need} elements from offset ${offset}: the vector has only ${src.length} elements (${src.length - offset} after the offset)`,
    );
  }
  const { M, rows } = alloc(r, c);
  for (let j = 0; j < c; j++) {
    const base = offset + j * r;
    for (let i = 0; i < r; i++) rows[i][j] = src[base + i];
  }
  return M;
}

/** `[A(:); B(:); ...]`: the matrices' elements, each column-major, one after another -> Float64Array. */
export function unroll(...matrices: AbstractMatrix[]): Float64Array {
  let total = 0;
  matrices.forEach((A, idx) => {
    assertMatrix('unroll', `argument ${idx + 1}`, A);
    total += A.rows * A.columns;
  });
  const out = new Float64Array(total);
  let pos = 0;
  for (const A of matrices) {
    const a = rowsOf(A);
    const r = A.rows;
    for (let i = 0; i < r; i++) {
      const ai = a[i];
      for (let j = 0; j < A.columns; j++) out[pos + j * r + i] = ai[j];
    }
    pos += r * A.columns;
  }
  return out;
}

/**
 * One-hot matrix of labels: `eye(K)(y, :)` in Octave. y: m labels in 1..K (an array, or an
 * m×1 / 1×m Matrix) -> m×K with a 1 in column y(i) (1-based: label k goes to column index k−1).
 * Throws a RangeError naming the first label that is not an integer in 1..K.
 */
export function oneHot(y: ArrayLike<number> | AbstractMatrix, K: number): Matrix {
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`oneHot: K must be a positive integer, got ${K}`);
  let labels: ArrayLike<number>;
  if (AbstractMatrix.isMatrix(y)) {
    if (y.rows !== 1 && y.columns !== 1) throw new MatrixShapeError(`oneHot: y must be a vector, but it is ${shape(y)}`);
    labels = unroll(y);
  } else if (y != null && typeof (y as ArrayLike<number>).length === 'number') {
    labels = y;
  } else {
    throw new TypeError(`oneHot: y must be an array of labels or a vector Matrix, got ${describe(y)}`);
  }
  const m = labels.length;
  const { M, rows } = alloc(m, K);
  for (let i = 0; i < m; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 1 || l > K) {
      throw new RangeError(`oneHot: label ${String(l)} at y[${i}] is not an integer in 1..${K} (labels are 1-based)`);
    }
    rows[i][l - 1] = 1;
  }
  return M;
}

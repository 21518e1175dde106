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
 * Speed: the products and the element-wise functions run on the kernels in ./kernels/ —
 * WebAssembly SIMD (two values per instruction, the zeros of the mostly blank digit images
 * skipped, large products on two threads) when the engine has it, plain TypeScript otherwise.
 * Both give the same numbers bit for bit: every sum adds its terms in the naive loop's order.
 * `npm run bench` measures one cost+gradient evaluation of the full-size exercise against plain
 * ml-matrix code and Octave in the same run. Results are ml-matrix `Matrix` objects (a subclass
 * storing the values in one array), so they work with every ml-matrix method.
 */
import { AbstractMatrix, type Matrix } from 'ml-matrix';
import { kitError, type KitErrorDescription } from './errors';
import { FlatMatrix, copyRowsInto, kernels, snapshotOf, storageOf, transposed, uninitializedValues, withBiasColumn, type BinaryOp } from './kernels';

/** Thrown when the shapes of the arguments do not fit the operation (Octave: "nonconformant arguments"). */
export class MatrixShapeError extends Error {
  readonly code = 'MATRIX_SHAPE' as const;
  /** The message as a catalogue id (`kit.<kind>`) and values: the grader shows it in the student's language. */
  readonly kit: KitErrorDescription;
  constructor(message: string, kind = 'shape', params: Record<string, string | number> = {}) {
    super(message);
    this.name = 'MatrixShapeError';
    this.kit = { kind, params };
  }
}

/** A matrix operand: an ml-matrix matrix (any `AbstractMatrix`, e.g. `Matrix`) or a scalar. */
export type Operand = AbstractMatrix | number;

// ---------------------------------------------------------------------------------------------
// Internals: raw row access and cheap construction.

const shape = (A: AbstractMatrix): string => `${A.rows}×${A.columns}`;

/** What `describe` says, as catalogue values (`kit.got.<got>`). */
function described(v: unknown): Record<string, string | number> {
  if (v === null) return { got: 'null' };
  if (Array.isArray(v)) return { got: 'array', length: v.length };
  if (ArrayBuffer.isView(v)) return { got: 'typed-array', ctor: v.constructor.name, length: (v as unknown as ArrayLike<number>).length };
  if (typeof v === 'object') return { got: 'object', ctor: (v as object).constructor?.name ?? 'Object' };
  return { got: 'value', type: typeof v, value: String(v) };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `${typeof v} ${String(v)}`;
}

function assertMatrix(fn: string, name: string, A: unknown, orWhat = ''): asserts A is AbstractMatrix {
  if (!AbstractMatrix.isMatrix(A)) {
    const argument = /^argument (\d+)$/.exec(name);
    const params = { fn, ...(argument ? { index: Number(argument[1]) } : { name }), or: orWhat ? 'number' : 'none', ...described(A) };
    throw kitError(new TypeError(`${fn}: ${name} must be a Matrix${orWhat}, got ${describe(A)}`), argument ? 'not-a-matrix-argument' : 'not-a-matrix', params);
  }
}

function checkDims(fn: string, r: number, c: number): void {
  if (!Number.isInteger(r) || r < 0 || !Number.isInteger(c) || c < 0) {
    throw new MatrixShapeError(`${fn}: dimensions must be non-negative integers, got ${r}×${c}`, 'bad-dims', { fn, rows: String(r), columns: String(c) });
  }
}

// ---------------------------------------------------------------------------------------------
// Construction

/** `zeros(r, c)`: an r×c matrix of zeros. */
export function zeros(r: number, c: number): Matrix {
  checkDims('zeros', r, c);
  return new FlatMatrix(r, c);
}

/** `ones(r, c)`: an r×c matrix of ones. */
export function ones(r: number, c: number): Matrix {
  checkDims('ones', r, c);
  return new FlatMatrix(r, c, new Float64Array(r * c).fill(1));
}

/** `size(A)`: `[rows, columns]`. */
export function size(A: AbstractMatrix): [number, number] {
  assertMatrix('size', 'A', A);
  return [A.rows, A.columns];
}

// ---------------------------------------------------------------------------------------------
// Columns

/**
 * `[ones(m, 1) A]`: A (m×n) with a column of ones put in front -> m×(n+1).
 * (Its values are filled in only when read; `mtimes` uses A's values and the ones directly.)
 */
export function addBiasColumn(A: AbstractMatrix): Matrix {
  assertMatrix('addBiasColumn', 'A', A);
  return withBiasColumn(A);
}

/** `A(:, 2:end)`: A (m×n, n ≥ 1) without its first column -> m×(n−1). */
export function dropFirstColumn(A: AbstractMatrix): Matrix {
  assertMatrix('dropFirstColumn', 'A', A);
  if (A.columns < 1) throw new MatrixShapeError(`dropFirstColumn: A is ${shape(A)} and has no first column to drop`, 'drop-first-column', { shape: shape(A) });
  const m = A.rows;
  const out = uninitializedValues(m * (A.columns - 1));
  copyRowsInto(A, out, A.columns - 1, 0, 1);
  return new FlatMatrix(m, A.columns - 1, out);
}

/** `[zeros(m, 1) A(:, 2:end)]`: a copy of A (m×n) with its first column set to 0 -> m×n. */
export function zeroFirstColumn(A: AbstractMatrix): Matrix {
  assertMatrix('zeroFirstColumn', 'A', A);
  if (A.columns < 1) throw new MatrixShapeError(`zeroFirstColumn: A is ${shape(A)} and has no first column`, 'zero-first-column', { shape: shape(A) });
  const out = uninitializedValues(A.rows * A.columns);
  copyRowsInto(A, out, A.columns, 0);
  for (let i = 0; i < A.rows; i++) out[i * A.columns] = 0;
  return new FlatMatrix(A.rows, A.columns, out);
}

// ---------------------------------------------------------------------------------------------
// Products

/**
 * `A * B`: the matrix product of A (m×k) and B (k×n) -> m×n.
 *
 * Throws a MatrixShapeError unless A.columns === B.rows, with a hint when a transpose would fit.
 * A scalar on either side multiplies element-wise (like Octave's `2 * A`).
 *
 * Speed: the work is proportional to the non-zeros of A times n, or of B times m, whichever is
 * smaller (a zero contributes nothing, so it is skipped while the other operand is all finite).
 * Every kernel adds the products of each sum in increasing k from 0, so the result is bit-for-bit
 * that of the naive triple loop, NaN and Infinity included (0 * Inf is NaN), whichever kernel runs.
 */
export function mtimes(A: Operand, B: Operand): Matrix {
  if (typeof A === 'number' || typeof B === 'number') return times(A, B);
  assertMatrix('mtimes', 'A', A, ' or a number');
  assertMatrix('mtimes', 'B', B, ' or a number');
  if (A.columns !== B.rows) {
    let hint = '';
    let fix = 'none';
    // One column short is the classic missing bias column (a1 = X instead of [ones(m, 1) X]).
    if (A.columns + 1 === B.rows && A.columns === B.columns) {
      [hint, fix] = [' (A has one column fewer than B has rows: is the bias column missing (addBiasColumn), or did you mean transpose(B)?)', 'bias-or-transpose-b'];
    } else if (A.columns + 1 === B.rows) [hint, fix] = [' (A has one column fewer than B has rows: is the bias column missing? addBiasColumn(A) adds it)', 'bias'];
    else if (A.columns === B.columns) [hint, fix] = [' (did you mean transpose(B)?)', 'transpose-b'];
    else if (A.rows === B.rows) [hint, fix] = [' (did you mean transpose(A)?)', 'transpose-a'];
    else if (A.rows === B.columns) [hint, fix] = [' (did you mean mtimes(B, A) or transpose both?)', 'swap'];
    throw new MatrixShapeError(`mtimes: inner dimensions must agree: A is ${shape(A)} but B is ${shape(B)}${hint}`, 'mtimes', { a: shape(A), b: shape(B), hint: fix });
  }
  return kernels().mtimes(snapshotOf(A), snapshotOf(B));
}

/** `A'`: the transpose of A (m×n) -> n×m. (Filled in only when read; `mtimes` uses A directly.) */
export function transpose(A: AbstractMatrix): Matrix {
  assertMatrix('transpose', 'A', A);
  return transposed(A);
}

// ---------------------------------------------------------------------------------------------
// Element-wise operations: the operands are resolved (and their shapes checked) here, the loops
// are the kernels'.

type Resolved =
  | { kind: 'mm'; A: AbstractMatrix; B: AbstractMatrix }
  | { kind: 'ms'; A: AbstractMatrix; s: number }
  | { kind: 'sm'; s: number; B: AbstractMatrix }
  | { kind: 'ss'; x: number; y: number };

function isScalarMatrix(A: AbstractMatrix): boolean {
  return A.rows === 1 && A.columns === 1;
}

function resolve(fn: string, opText: string, A: Operand, B: Operand): Resolved {
  if (typeof A !== 'number') assertMatrix(fn, 'A', A, ' or a number');
  if (typeof B !== 'number') assertMatrix(fn, 'B', B, ' or a number');
  if (typeof A === 'number' && typeof B === 'number') return { kind: 'ss', x: A, y: B };
  if (typeof A === 'number') return { kind: 'sm', s: A, B: B as AbstractMatrix };
  if (typeof B === 'number') return { kind: 'ms', A, s: B };
  if (A.rows === B.rows && A.columns === B.columns) return { kind: 'mm', A, B };
  if (isScalarMatrix(B)) return { kind: 'ms', A, s: B.get(0, 0) };
  if (isScalarMatrix(A)) return { kind: 'sm', s: A.get(0, 0), B };
  throw new MatrixShapeError(
    `${fn}: matrix dimensions must agree for A ${opText} B: A is ${shape(A)} but B is ${shape(B)}`,
    'elementwise',
    { fn, op: opText, a: shape(A), b: shape(B) },
  );
}

/** The two-operand helpers share everything but the operation (and its text in messages). */
function elementwise(op: BinaryOp, opText: string, A: Operand, B: Operand, scalar: (x: number, y: number) => number): Matrix {
  const o = resolve(op, opText, A, B);
  switch (o.kind) {
    case 'ss':
      return new FlatMatrix(1, 1, Float64Array.of(scalar(o.x, o.y)));
    case 'mm':
      return kernels().binary(op, snapshotOf(o.A), snapshotOf(o.B));
    case 'ms':
      return kernels().binaryScalar(op, snapshotOf(o.A), o.s, false);
    case 'sm':
      return kernels().binaryScalar(op, snapshotOf(o.B), o.s, true);
  }
}

/** `A .* B`: element-wise product. A and B: same shape, or either one a scalar. */
export function times(A: Operand, B: Operand): Matrix {
  return elementwise('times', '.*', A, B, (x, y) => x * y);
}

/** `A + B`: element-wise sum. A and B: same shape, or either one a scalar. */
export function plus(A: Operand, B: Operand): Matrix {
  return elementwise('plus', '+', A, B, (x, y) => x + y);
}

/** `A - B`: element-wise difference. A and B: same shape, or either one a scalar (e.g. `minus(1, Y)`). */
export function minus(A: Operand, B: Operand): Matrix {
  return elementwise('minus', '-', A, B, (x, y) => x - y);
}

/** `A ./ B`: element-wise quotient. A and B: same shape, or either one a scalar (e.g. `rdivide(G, m)`). */
export function rdivide(A: Operand, B: Operand): Matrix {
  return elementwise('rdivide', './', A, B, (x, y) => x / y);
}

/** `A .^ P`: element-wise power. A and P: same shape, or either one a scalar (e.g. `power(Theta, 2)`). */
export function power(A: Operand, P: Operand): Matrix {
  return elementwise('power', '.^', A, P, (x, y) => x ** y);
}

/** `log(A)`: element-wise natural logarithm (log(0) = -Infinity, like Octave). Same shape as A. */
export function log(A: AbstractMatrix): Matrix {
  assertMatrix('log', 'A', A);
  return kernels().unary('log', snapshotOf(A));
}

/** `exp(A)`: element-wise exponential. Same shape as A. */
export function exp(A: AbstractMatrix): Matrix {
  assertMatrix('exp', 'A', A);
  return kernels().unary('exp', snapshotOf(A));
}

/**
 * `sigmoid(Z)`: the logistic function g(z) = 1 ./ (1 + exp(-z)), element-wise, same shape as Z
 * (Octave's sigmoid.m, computed with the same formula so the rounding matches).
 */
export function sigmoid(Z: AbstractMatrix): Matrix {
  assertMatrix('sigmoid', 'Z', Z);
  return kernels().unary('sigmoid', snapshotOf(Z));
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
  if (dim !== undefined && dim !== 1 && dim !== 2) throw new MatrixShapeError(`sum: dim must be 1 or 2, got ${String(dim)}`, 'sum-dim', { dim: String(dim) });
  const d = dim ?? (A.rows === 1 ? 2 : 1);
  if (d === 1) return new FlatMatrix(1, A.columns, kernels().columnSums(snapshotOf(A)));
  const a = storageOf(A);
  const c = A.columns;
  const out = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += a[i * c + j];
    out[i] = s;
  }
  return new FlatMatrix(A.rows, 1, out);
}

/** `sum(A(:))`: the sum of all elements of A, as a number (summed in column-major order, like Octave). */
export function sumAll(A: AbstractMatrix): number {
  assertMatrix('sumAll', 'A', A);
  // Column sums first, then their total: the order Octave's sum(A(:)) sees for a column-major A,
  // while still reading rows contiguously.
  const cols = kernels().columnSums(snapshotOf(A));
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
  if (!Number.isInteger(offset) || offset < 0) throw new MatrixShapeError(`reshape: offset must be a non-negative integer, got ${offset}`, 'reshape-offset', { offset: String(offset) });
  const src: ArrayLike<number> = AbstractMatrix.isMatrix(v) ? unroll(v) : v;
  if (src == null || typeof src.length !== 'number') {
    throw kitError(new TypeError(`reshape: v must be an array of numbers or a Matrix, got ${describe(v)}`), 'reshape-type', described(v));
  }
  const need = r * c;
  if (offset + need > src.length) {
    throw new MatrixShapeError(
      `reshape: cannot take ${r}×${c} = ${need} elements from offset ${offset}: the vector has only ${src.length} elements (${src.length - offset} after the offset)`,
      'reshape-short',
      { rows: r, columns: c, need, offset, length: src.length, left: src.length - offset },
    );
  }
  const out = uninitializedValues(r * c);
  for (let j = 0; j < c; j++) {
    const base = offset + j * r;
    for (let i = 0; i < r; i++) out[i * c + j] = src[base + i];
  }
  return new FlatMatrix(r, c, out);
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
    const a = storageOf(A);
    const r = A.rows;
    const c = A.columns;
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) out[pos + j * r + i] = a[i * c + j];
    }
    pos += r * c;
  }
  return out;
}

/**
 * One-hot matrix of labels: `eye(K)(y, :)` in Octave. y: m labels in 1..K (an array, or an
 * m×1 / 1×m Matrix) -> m×K with a 1 in column y(i) (1-based: label k goes to column index k−1).
 * Throws a RangeError naming the first label that is not an integer in 1..K.
 */
export function oneHot(y: ArrayLike<number> | AbstractMatrix, K: number): Matrix {
  if (!Number.isInteger(K) || K < 1) throw kitError(new RangeError(`oneHot: K must be a positive integer, got ${K}`), 'one-hot-k', { K: String(K) });
  let labels: ArrayLike<number>;
  if (AbstractMatrix.isMatrix(y)) {
    if (y.rows !== 1 && y.columns !== 1) throw new MatrixShapeError(`oneHot: y must be a vector, but it is ${shape(y)}`, 'one-hot-shape', { shape: shape(y) });
    labels = unroll(y);
  } else if (y != null && typeof (y as ArrayLike<number>).length === 'number') {
    labels = y;
  } else {
    throw kitError(new TypeError(`oneHot: y must be an array of labels or a vector Matrix, got ${describe(y)}`), 'one-hot-type', described(y));
  }
  const m = labels.length;
  const out = new Float64Array(m * K);
  for (let i = 0; i < m; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 1 || l > K) {
      throw kitError(new RangeError(`oneHot: label ${String(l)} at y[${i}] is not an integer in 1..${K} (labels are 1-based)`), 'one-hot-label', { label: String(l), index: i, K });
    }
    out[i * K + l - 1] = 1;
  }
  return new FlatMatrix(m, K, out);
}

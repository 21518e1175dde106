/**
 * The plain TypeScript kernels: used when WebAssembly SIMD is unavailable, for operands too small
 * for the WebAssembly kernels to pay off, and as the reference the WebAssembly kernels must match
 * bit for bit (test/kernels.test.ts).
 *
 * Each operation resolves its operands once, then runs a dedicated loop (a shared loop calling an
 * `op` callback is several times slower in V8).
 */
import { FlatMatrix, copyValuesInto, uninitializedValues } from './flatMatrix';
import { valuesOf, type Snapshot } from './snapshot';
import type { BinaryOp, Kernels, UnaryOp } from './types';

/** True when every value is finite (x − x is 0 for finite x, NaN for ±Infinity and NaN). */
export function allFinite(a: Float64Array): boolean {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i] - a[i];
  return acc === 0;
}

/**
 * Fraction of non-zeros among `total` values (valueAt(0..total-1)), estimated from at most ~4096
 * evenly spaced ones (deterministic). Chooses which operand's zeros a product skips.
 */
function sampledDensity(total: number, valueAt: (p: number) => number): number {
  if (total === 0) return 0;
  const step = Math.max(1, Math.floor(total / 4096));
  let seen = 0;
  let nz = 0;
  for (let p = 0; p < total; p += step) {
    seen++;
    if (valueAt(p) !== 0) nz++;
  }
  return nz / seen;
}

/** Estimated fraction of non-zeros of the values in a. */
export function density(a: Float64Array): number {
  return sampledDensity(a.length, (p) => a[p]);
}

/** Estimated fraction of non-zeros of the first `length` values of a (e.g. a matrix in the WebAssembly memory). */
export function densityAt(a: Float64Array, start: number, length: number): number {
  return sampledDensity(length, (p) => a[start + p]);
}

/**
 * Which operand of A·B (m×k · k×n) to scan for zeros: the work is about (non-zeros of the scanned
 * operand) × (length of the other's rows). Scanning B costs a little more per step (the gathered
 * column of A, the final transpose), hence the 1.3.
 */
export function sparseSide(a: Float64Array, b: Float64Array, m: number, k: number, n: number): 'A' | 'B' {
  const costA = density(a) * n * m * k;
  const costB = density(b) * m * k * n * 1.3 + m * n;
  return costB < costA ? 'B' : 'A';
}

/** C = A·B row by row: C(i,:) += A(i,p)·B(p,:) for every A(i,p), or only the non-zero ones when `skip`. */
function mtimesRows(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number, skip: boolean): void {
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * k;
    for (let p = 0; p < k; p++) {
      const s = a[ai + p];
      if (skip && s === 0) continue;
      const bp = p * n;
      let j = 0;
      // 4-way unrolled axpy: fewer loop-bound checks; each c[j] still gets one update per p.
      for (; j + 3 < n; j += 4) {
        c[ci + j] += s * b[bp + j];
        c[ci + j + 1] += s * b[bp + j + 1];
        c[ci + j + 2] += s * b[bp + j + 2];
        c[ci + j + 3] += s * b[bp + j + 3];
      }
      for (; j < n; j++) c[ci + j] += s * b[bp + j];
    }
  }
}

/**
 * Same sums as mtimesRows (same order over p), for skinny results (e.g. `a1 * Theta1'`, n = 25):
 * each row's (non-zero) entries are listed once, then four outputs are accumulated in registers
 * at a time against the rows of B' (B transposed once, k·n elements: cheap when n is small).
 */
function mtimesRowsDot(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number, skip: boolean): void {
  const bt = new Float64Array(n * k);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
  const idx = new Int32Array(k);
  const val = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    let nnz = 0;
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p];
      if (v !== 0 || !skip) {
        idx[nnz] = p;
        val[nnz++] = v;
      }
    }
    const ci = i * n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let t = 0; t < nnz; t++) {
        const p = idx[t], v = val[t];
        s0 += v * bt[b0 + p];
        s1 += v * bt[b1 + p];
        s2 += v * bt[b2 + p];
        s3 += v * bt[b3 + p];
      }
      c[ci + j] = s0;
      c[ci + j + 1] = s1;
      c[ci + j + 2] = s2;
      c[ci + j + 3] = s3;
    }
    for (; j < n; j++) {
      const b0 = j * k;
      let s0 = 0;
      for (let t = 0; t < nnz; t++) s0 += val[t] * bt[b0 + idx[t]];
      c[ci + j] = s0;
    }
  }
}

/**
 * C = A·B through its transpose, skipping the zeros of B: C'(j,:) += B(p,j)·A(:,p)' for the
 * non-zero B(p,j), p increasing. Used when B is the sparse operand (e.g. `d2' * a1`).
 */
function mtimesSparseB(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void {
  const ct = new Float64Array(n * m); // C' row-major: row j is C(:, j)
  const col = new Float64Array(m);
  for (let p = 0; p < k; p++) {
    const bp = p * n;
    let gathered = false;
    for (let j = 0; j < n; j++) {
      const s = b[bp + j];
      if (s === 0) continue;
      if (!gathered) {
        for (let i = 0; i < m; i++) col[i] = a[i * k + p];
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
  for (let j = 0; j < n; j++) {
    const off = j * m;
    for (let i = 0; i < m; i++) c[i * n + j] = ct[off + i];
  }
}

/**
 * C = A·B (row-major, C zero on entry) by the fastest of the loops above, skipping zeros of the
 * sparser operand only when the other operand is all finite.
 */
export function mtimesInto(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void {
  if (sparseSide(a, b, m, k, n) === 'B' && allFinite(a)) return mtimesSparseB(a, b, c, m, k, n);
  const skip = allFinite(b);
  if (n <= 64 && m >= 4 * n) mtimesRowsDot(a, b, c, m, k, n, skip);
  else mtimesRows(a, b, c, m, k, n, skip);
}

/** c = a op b element-wise (a, b, c of one length; c may be a or b). */
export function binaryInto(op: BinaryOp, a: Float64Array, b: Float64Array, c: Float64Array): void {
  const len = c.length;
  switch (op) {
    case 'times':
      for (let i = 0; i < len; i++) c[i] = a[i] * b[i];
      return;
    case 'plus':
      for (let i = 0; i < len; i++) c[i] = a[i] + b[i];
      return;
    case 'minus':
      for (let i = 0; i < len; i++) c[i] = a[i] - b[i];
      return;
    case 'rdivide':
      for (let i = 0; i < len; i++) c[i] = a[i] / b[i];
      return;
    case 'power':
      for (let i = 0; i < len; i++) c[i] = a[i] ** b[i];
      return;
  }
}

/** c = a op s element-wise, or s op a when `scalarFirst`. */
export function binaryScalarInto(op: BinaryOp, a: Float64Array, s: number, c: Float64Array, scalarFirst: boolean): void {
  const len = c.length;
  switch (op) {
    case 'times':
      if (scalarFirst) for (let i = 0; i < len; i++) c[i] = s * a[i];
      else for (let i = 0; i < len; i++) c[i] = a[i] * s;
      return;
    case 'plus':
      if (scalarFirst) for (let i = 0; i < len; i++) c[i] = s + a[i];
      else for (let i = 0; i < len; i++) c[i] = a[i] + s;
      return;
    case 'minus':
      if (scalarFirst) for (let i = 0; i < len; i++) c[i] = s - a[i];
      else for (let i = 0; i < len; i++) c[i] = a[i] - s;
      return;
    case 'rdivide':
      if (scalarFirst) for (let i = 0; i < len; i++) c[i] = s / a[i];
      else for (let i = 0; i < len; i++) c[i] = a[i] / s;
      return;
    case 'power':
      if (scalarFirst) for (let i = 0; i < len; i++) c[i] = s ** a[i];
      else if (s === 2) for (let i = 0; i < len; i++) c[i] = a[i] * a[i];
      else for (let i = 0; i < len; i++) c[i] = a[i] ** s;
      return;
  }
}

/** c = f(a) element-wise. */
export function unaryInto(op: UnaryOp, a: Float64Array, c: Float64Array): void {
  const len = c.length;
  switch (op) {
    case 'exp':
      for (let i = 0; i < len; i++) c[i] = Math.exp(a[i]);
      return;
    case 'log':
      for (let i = 0; i < len; i++) c[i] = Math.log(a[i]);
      return;
    case 'sigmoid':
      // Octave's sigmoid.m formula, so the rounding is the same.
      for (let i = 0; i < len; i++) c[i] = 1 / (1 + Math.exp(-a[i]));
      return;
  }
}

/** t (c×r) = a (r×c)', blocked so that the rows read and the rows written stay in cache. */
export function transposeInto(a: Float64Array, r: number, c: number, t: Float64Array): void {
  const BS = 32;
  for (let i0 = 0; i0 < r; i0 += BS) {
    const i1 = Math.min(r, i0 + BS);
    for (let j0 = 0; j0 < c; j0 += BS) {
      const j1 = Math.min(c, j0 + BS);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) t[j * r + i] = a[i * c + j];
      }
    }
  }
}

/** out[j] = Σ_i a(i, j) for a r×c, in increasing i from +0. */
export function columnSumsInto(a: Float64Array, r: number, c: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < r; i++) {
    const ai = i * c;
    for (let j = 0; j < c; j++) out[j] += a[ai + j];
  }
}

/** out (r×(c+1)) = [ones(r, 1) a] for a r×c. */
export function biasInto(a: Float64Array, r: number, c: number, out: Float64Array): void {
  for (let i = 0; i < r; i++) out[i * (c + 1)] = 1;
  copyValuesInto(a, c, out, c + 1, 1, 0, r);
}

/** A new r×c FlatMatrix from `fill`, which writes all r·c values. */
function result(r: number, c: number, fill: (out: Float64Array) => void): FlatMatrix {
  const out = uninitializedValues(r * c);
  fill(out);
  return new FlatMatrix(r, c, out);
}

/** The plain TypeScript kernels. */
export const jsKernels: Kernels = {
  name: 'js',
  mtimes(A, B) {
    // Zero-filled: the row loop accumulates into C.
    const out = new Float64Array(A.rows * B.columns);
    mtimesInto(valuesOf(A), valuesOf(B), out, A.rows, A.columns, B.columns);
    return new FlatMatrix(A.rows, B.columns, out);
  },
  binary: (op, A, B) => result(A.rows, A.columns, (out) => binaryInto(op, valuesOf(A), valuesOf(B), out)),
  binaryScalar: (op, A, s, scalarFirst) => result(A.rows, A.columns, (out) => binaryScalarInto(op, valuesOf(A), s, out, scalarFirst)),
  unary: (op, A) => result(A.rows, A.columns, (out) => unaryInto(op, valuesOf(A), out)),
  columnSums(A) {
    const out = new Float64Array(A.columns);
    columnSumsInto(valuesOf(A), A.rows, A.columns, out);
    return out;
  },
};

/** The values of `s` computed from its recipe with the loops above (operands read through valuesOf). */
export function evaluateInJs(s: Snapshot): Float64Array {
  const recipe = s.recipe;
  if (!recipe) return valuesOf(s);
  const out = recipe.kind === 'mtimes' ? new Float64Array(s.rows * s.columns) : uninitializedValues(s.rows * s.columns);
  switch (recipe.kind) {
    case 'bias':
      biasInto(valuesOf(recipe.src), recipe.src.rows, recipe.src.columns, out);
      break;
    case 'transpose':
      transposeInto(valuesOf(recipe.src), recipe.src.rows, recipe.src.columns, out);
      break;
    case 'mtimes':
      mtimesInto(valuesOf(recipe.a), valuesOf(recipe.b), out, recipe.a.rows, recipe.a.columns, recipe.b.columns);
      break;
    case 'binary':
      binaryInto(recipe.op, valuesOf(recipe.a), valuesOf(recipe.b), out);
      break;
    case 'scalar':
      binaryScalarInto(recipe.op, valuesOf(recipe.a), recipe.s, out, recipe.scalarFirst);
      break;
    case 'unary':
      unaryInto(recipe.op, valuesOf(recipe.a), out);
      break;
  }
  return out;
}

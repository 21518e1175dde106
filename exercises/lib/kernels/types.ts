import type { FlatMatrix } from './flatMatrix';
import type { Snapshot } from './snapshot';

/** Element-wise operations of two operands: `.*`, `+`, `-`, `./`, `.^`. */
export type BinaryOp = 'times' | 'plus' | 'minus' | 'rdivide' | 'power';

/** Element-wise functions of one operand. sigmoid is 1 ./ (1 + exp(-z)). */
export type UnaryOp = 'exp' | 'log' | 'sigmoid';

/**
 * The loops behind exercises/lib/matrix.ts, with two implementations: kernels/js.ts (plain
 * TypeScript, always available) and kernels/wasm.ts (WebAssembly SIMD, optionally on two
 * threads). Both give bit-for-bit the same numbers: every sum adds its terms in increasing index
 * order from +0 (the naive triple loop's order), and exp/log are the same functions.
 *
 * Callers (matrix.ts) have already checked the shapes. Operands are snapshots (never modified);
 * every result is a new FlatMatrix, which shares nothing writable with anything else.
 */
export interface Kernels {
  readonly name: 'js' | 'wasm';
  /**
   * A·B: A m×k, B k×n -> m×n. C(i, j) = Σ_p A(i, p)·B(p, j), summed in increasing p. Zeros of
   * the sparser operand are skipped only when the other operand is all finite, so NaN and
   * ±Infinity propagate exactly as in the naive loop (0·Infinity is NaN).
   */
  mtimes(A: Snapshot, B: Snapshot): FlatMatrix;
  /** A op B element-wise; A and B have the same shape. */
  binary(op: BinaryOp, A: Snapshot, B: Snapshot): FlatMatrix;
  /** A op s element-wise, or s op A when `scalarFirst`. */
  binaryScalar(op: BinaryOp, A: Snapshot, s: number, scalarFirst: boolean): FlatMatrix;
  /** f(A) element-wise. */
  unary(op: UnaryOp, A: Snapshot): FlatMatrix;
  /** The column sums of A (r×c): out[j] = Σ_i A(i, j), in increasing i from +0. Length c. */
  columnSums(A: Snapshot): Float64Array;
}

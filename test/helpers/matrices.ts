/**
 * TESTS ONLY: deterministic random matrices and the naive product the kit's kernels must equal.
 */
import { Matrix, type AbstractMatrix } from 'ml-matrix';
import { seededRandom } from '../../exercises/lib/random';

/** A deterministic random r×c matrix (values in [-1, 1)) with the given fraction of exact zeros. */
export function randomMatrix(r: number, c: number, zeroFraction: number, seed: number): Matrix {
  const rnd = seededRandom(seed);
  const A = new Matrix(r, c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) if (rnd() >= zeroFraction) A.set(i, j, rnd() * 2 - 1);
  return A;
}

/** The obvious triple loop, summing over p in increasing order from 0. */
export function naiveProduct(A: AbstractMatrix, B: AbstractMatrix): number[][] {
  const C: number[][] = [];
  for (let i = 0; i < A.rows; i++) {
    C.push([]);
    for (let j = 0; j < B.columns; j++) {
      let s = 0;
      for (let p = 0; p < A.columns; p++) s += A.get(i, p) * B.get(p, j);
      C[i].push(s);
    }
  }
  return C;
}

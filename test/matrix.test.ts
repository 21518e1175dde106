import { Matrix, MatrixTransposeView } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  MatrixShapeError,
  addBiasColumn,
  dropFirstColumn,
  exp,
  log,
  minus,
  mtimes,
  oneHot,
  ones,
  plus,
  power,
  rdivide,
  reshape,
  sigmoid,
  size,
  sum,
  sumAll,
  times,
  transpose,
  unroll,
  zeroFirstColumn,
  zeros,
} from '../exercises/lib/matrix';
import { naiveProduct, randomMatrix } from './helpers/matrices';

const M = (rows: number[][]) => new Matrix(rows);
const arr = (A: Matrix) => A.to2DArray();

describe('construction and columns', () => {
  it('zeros, ones, size', () => {
    expect(arr(zeros(2, 3))).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(arr(ones(2, 1))).toEqual([[1], [1]]);
    expect(size(zeros(4, 7))).toEqual([4, 7]);
    expect(() => zeros(-1, 2)).toThrow('zeros: dimensions must be non-negative integers, got -1×2');
  });

  it('addBiasColumn, dropFirstColumn, zeroFirstColumn', () => {
    const A = M([[1, 2], [3, 4]]);
    expect(arr(addBiasColumn(A))).toEqual([[1, 1, 2], [1, 3, 4]]);
    expect(arr(dropFirstColumn(A))).toEqual([[2], [4]]);
    expect(arr(zeroFirstColumn(A))).toEqual([[0, 2], [0, 4]]);
    expect(arr(A)).toEqual([[1, 2], [3, 4]]);
  });

  it('results are ordinary ml-matrix matrices that share no storage with the inputs', () => {
    const A = M([[1, 2], [3, 4]]);
    const B = zeroFirstColumn(A);
    expect(B).toBeInstanceOf(Matrix);
    B.add(10); // ml-matrix's in-place method on our result
    expect(arr(B)).toEqual([[10, 12], [10, 14]]);
    expect(arr(A)).toEqual([[1, 2], [3, 4]]);
    expect(arr(B.transpose())).toEqual([[10, 10], [12, 14]]);
    expect(arr(mtimes(B, ones(2, 1)))).toEqual([[22], [24]]);
  });

  it('accepts matrices other than Matrix (ml-matrix views)', () => {
    const A = M([[1, 2, 3], [4, 5, 6]]);
    expect(arr(addBiasColumn(new MatrixTransposeView(A)))).toEqual([[1, 1, 4], [1, 2, 5], [1, 3, 6]]);
  });
});

describe('mtimes', () => {
  it('multiplies a small case by hand', () => {
    expect(arr(mtimes(M([[1, 2], [3, 4]]), M([[5, 6, 7], [8, 9, 10]])))).toEqual([
      [21, 24, 27],
      [47, 54, 61],
    ]);
    expect(arr(mtimes(2, M([[1, -1]])))).toEqual([[2, -2]]);
  });

  // Every kernel (row updates, skinny register dot products, sparse-B through the transpose)
  // must give exactly the naive loop's numbers.
  it.each([
    ['dense square', 7, 9, 5, 0, 0],
    ['skinny result, sparse A (a1 * Theta1\')', 300, 41, 5, 0.7, 0],
    ['sparse B (d2\' * a1)', 5, 300, 41, 0, 0.7],
    ['wide, dense', 3, 4, 130, 0.1, 0.1],
    ['empty inner dimension', 3, 0, 4, 0, 0],
  ])('%s equals the naive triple loop exactly', (_name, m, k, n, zA, zB) => {
    const A = randomMatrix(m, k, zA, 1 + m);
    const B = randomMatrix(k, n, zB, 2 + n);
    expect(arr(mtimes(A, B))).toEqual(naiveProduct(A, B));
  });

  it('names both shapes and suggests the transpose', () => {
    expect(() => mtimes(zeros(5000, 401), zeros(25, 401))).toThrow(
      new MatrixShapeError('mtimes: inner dimensions must agree: A is 5000×401 but B is 25×401 (did you mean transpose(B)?)', 'mtimes', { a: '5000×401', b: '25×401', hint: 'transpose-b' }),
    );
    expect(() => mtimes(zeros(25, 5000), zeros(25, 401))).toThrow(
      'mtimes: inner dimensions must agree: A is 25×5000 but B is 25×401 (did you mean transpose(A)?)',
    );
    expect(() => mtimes(zeros(2, 3), zeros(4, 5))).toThrow('mtimes: inner dimensions must agree: A is 2×3 but B is 4×5');
    expect(() => mtimes(zeros(2, 3), zeros(4, 5))).toThrow(MatrixShapeError);
  });

  it('suggests the bias column when A has one column fewer than B has rows (a1 = X)', () => {
    expect(() => mtimes(zeros(16, 2), zeros(3, 4))).toThrow(
      new MatrixShapeError('mtimes: inner dimensions must agree: A is 16×2 but B is 3×4 (A has one column fewer than B has rows: is the bias column missing? addBiasColumn(A) adds it)', 'mtimes', { a: '16×2', b: '3×4', hint: 'bias' }),
    );
    // X (7×3) times Theta1' (4×3): a transpose would fit too, so both are offered.
    expect(() => mtimes(zeros(7, 3), zeros(4, 3))).toThrow(
      new MatrixShapeError('mtimes: inner dimensions must agree: A is 7×3 but B is 4×3 (A has one column fewer than B has rows: is the bias column missing (addBiasColumn), or did you mean transpose(B)?)', 'mtimes', { a: '7×3', b: '4×3', hint: 'bias-or-transpose-b' }),
    );
    expect(() => mtimes(zeros(2, 3), zeros(5, 4))).toThrow(new MatrixShapeError('mtimes: inner dimensions must agree: A is 2×3 but B is 5×4', 'mtimes', { a: '2×3', b: '5×4', hint: 'none' }));
  });

  it('rejects things that are not matrices', () => {
    expect(() => mtimes(new Float64Array(3) as unknown as Matrix, zeros(3, 1))).toThrow(
      'mtimes: A must be a Matrix or a number, got a Float64Array of length 3',
    );
  });
});

describe('transpose and element-wise operations', () => {
  const A = M([[1, 2, 3], [4, 5, 6]]);
  const B = M([[2, 4, 8], [-1, 0.5, 3]]);

  it('computes the values', () => {
    expect(arr(transpose(A))).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(arr(times(A, B))).toEqual([[2, 8, 24], [-4, 2.5, 18]]);
    expect(arr(plus(A, B))).toEqual([[3, 6, 11], [3, 5.5, 9]]);
    expect(arr(minus(A, B))).toEqual([[-1, -2, -5], [5, 4.5, 3]]);
    expect(arr(rdivide(A, B))).toEqual([[0.5, 0.5, 0.375], [-4, 10, 2]]);
    expect(arr(power(A, 2))).toEqual([[1, 4, 9], [16, 25, 36]]);
    expect(arr(power(B, A))).toEqual([[2, 16, 512], [1, 0.5 ** 5, 729]]);
    expect(arr(power(2, M([[0, 3]])))).toEqual([[1, 8]]);
  });

  it('broadcasts scalars (and 1×1 matrices) on either side', () => {
    expect(arr(minus(1, M([[0.25, 1]])))).toEqual([[0.75, 0]]);
    expect(arr(times(-1, A))).toEqual([[-1, -2, -3], [-4, -5, -6]]);
    expect(arr(rdivide(A, 2))).toEqual([[0.5, 1, 1.5], [2, 2.5, 3]]);
    expect(arr(rdivide(6, M([[1, 2, 3]])))).toEqual([[6, 3, 2]]);
    expect(arr(plus(M([[10]]), A))).toEqual([[11, 12, 13], [14, 15, 16]]);
    expect(arr(times(3, 4))).toEqual([[12]]);
  });

  it('log, exp and sigmoid use Octave\'s formulas', () => {
    const Z = M([[-1, 0, 1], [2, -30, 40]]);
    expect(arr(sigmoid(Z))).toEqual(arr(Z).map((r) => r.map((z) => 1 / (1 + Math.exp(-z)))));
    expect(sigmoid(M([[0]])).get(0, 0)).toBe(0.5);
    expect(arr(exp(M([[0, 1]])))).toEqual([[1, Math.E]]);
    expect(arr(log(M([[1, Math.E, 0]])))).toEqual([[0, 1, -Infinity]]);
  });

  it('refuses mismatched shapes with the function, the operator and both shapes', () => {
    expect(() => times(zeros(5000, 10), zeros(5000, 1))).toThrow(
      new MatrixShapeError('times: matrix dimensions must agree for A .* B: A is 5000×10 but B is 5000×1', 'elementwise', { fn: 'times', op: '.*', a: '5000×10', b: '5000×1' }),
    );
    expect(() => minus(zeros(2, 3), zeros(3, 2))).toThrow('minus: matrix dimensions must agree for A - B: A is 2×3 but B is 3×2');
    expect(() => plus(zeros(1, 3), zeros(3, 1))).toThrow('plus: matrix dimensions must agree for A + B: A is 1×3 but B is 3×1');
    expect(() => rdivide(zeros(2, 2), zeros(2, 1))).toThrow('rdivide: matrix dimensions must agree for A ./ B: A is 2×2 but B is 2×1');
    expect(() => power(zeros(2, 2), zeros(1, 2))).toThrow('power: matrix dimensions must agree for A .^ B: A is 2×2 but B is 1×2');
    expect(() => times([1, 2] as unknown as Matrix, 2)).toThrow('times: A must be a Matrix or a number, got an array of length 2');
  });

  it('never modifies an input', () => {
    const inputs = [M([[1, -2], [0.5, 3]]), M([[4, 5], [6, 7]])];
    const before = inputs.map(arr);
    const [P, Q] = inputs;
    const results = [
      addBiasColumn(P), dropFirstColumn(P), zeroFirstColumn(P), mtimes(P, Q), transpose(P),
      times(P, Q), plus(P, Q), minus(P, Q), rdivide(P, Q), power(P, 2), log(Q), exp(P), sigmoid(P),
      sum(P), sum(P, 2), reshape(P, 1, 4), oneHot(M([[1], [2]]), 2),
    ];
    expect(inputs.map(arr)).toEqual(before);
    for (const R of results) expect(inputs.every((I) => R !== I)).toBe(true);
    expect(sumAll(P)).toBe(2.5);
    expect(unroll(P, Q)).toEqual(Float64Array.from([1, 0.5, -2, 3, 4, 6, 5, 7]));
    expect(inputs.map(arr)).toEqual(before);
  });
});

describe('sums', () => {
  const A = M([[1, 2, 3], [4, 5, 6]]);
  it('sum along dimensions, Octave defaults', () => {
    expect(arr(sum(A))).toEqual([[5, 7, 9]]);
    expect(arr(sum(A, 1))).toEqual([[5, 7, 9]]);
    expect(arr(sum(A, 2))).toEqual([[6], [15]]);
    expect(arr(sum(M([[1, 2, 3]])))).toEqual([[6]]); // a row sums along its length, like Octave
    expect(arr(sum(M([[1, 2, 3]]), 1))).toEqual([[1, 2, 3]]);
    expect(sumAll(A)).toBe(21);
  });
});

describe('column-major reshape and unroll', () => {
  it('match Octave by hand', () => {
    // Octave: reshape(1:6, 2, 3) = [1 3 5; 2 4 6]
    expect(arr(reshape([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([[1, 3, 5], [2, 4, 6]]);
    // Octave: v = 1:10; reshape(v(3:8), 2, 3) = [3 5 7; 4 6 8]
    expect(arr(reshape([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2, 3, 2))).toEqual([[3, 5, 7], [4, 6, 8]]);
    // Octave: A = [1 2; 3 4]; B = [5 6 7]; [A(:); B(:)]' = [1 3 2 4 5 6 7]
    expect(Array.from(unroll(M([[1, 2], [3, 4]]), M([[5, 6, 7]])))).toEqual([1, 3, 2, 4, 5, 6, 7]);
    // A Matrix argument is read as A(:)
    expect(arr(reshape(M([[1, 2], [3, 4]]), 1, 4))).toEqual([[1, 3, 2, 4]]);
  });

  it('round-trips [Theta1(:); Theta2(:)]', () => {
    const T1 = randomMatrix(4, 3, 0, 11);
    const T2 = randomMatrix(4, 5, 0, 12);
    const v = unroll(T1, T2);
    expect(v.length).toBe(32);
    expect(arr(reshape(v, 4, 3))).toEqual(arr(T1));
    expect(arr(reshape(v, 4, 5, 12))).toEqual(arr(T2));
    expect(unroll(reshape(v, 4, 3), reshape(v, 4, 5, 12))).toEqual(v);
  });

  it('says how many elements were missing', () => {
    expect(() => reshape([1, 2, 3, 4, 5], 2, 3, 2)).toThrow(
      new MatrixShapeError('reshape: cannot take 2×3 = 6 elements from offset 2: the vector has only 5 elements (3 after the offset)', 'reshape-short', { rows: 2, columns: 3, need: 6, offset: 2, length: 5, left: 3 }),
    );
  });
});

describe('oneHot', () => {
  it('puts label k in column k (1-based)', () => {
    expect(arr(oneHot([3, 1, 2, 3], 3))).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(arr(oneHot(M([[2], [1]]), 2))).toEqual([[0, 1], [1, 0]]);
  });
  it('rejects labels outside 1..K', () => {
    expect(() => oneHot([1, 0, 2], 3)).toThrow('oneHot: label 0 at y[1] is not an integer in 1..3 (labels are 1-based)');
    expect(() => oneHot([1, 4], 3)).toThrow('oneHot: label 4 at y[1] is not an integer in 1..3 (labels are 1-based)');
    expect(() => oneHot(zeros(2, 2), 3)).toThrow('oneHot: y must be a vector, but it is 2×2');
  });
});

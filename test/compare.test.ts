import { describe, expect, it } from 'vitest';
import { compactDiff } from '../grader/compare/diff';
import { fmtNum, octaveFixed5 } from '../grader/compare/format';
import { compareValues, compareWire, gradLayout, positionOf, readNumbers, type QuantitySpec } from '../grader/compare/index';
import type { WireValue } from '../grader/sandbox/protocol';

const tol = { atol: 1e-9, rtol: 1e-6 };
const J: QuantitySpec = { fn: 'nnCostFunction', what: 'J', layout: { kind: 'scalar' } };
/** Network 2-4-4: Theta1 4×3, Theta2 4×5, 32 parameters. */
const grad: QuantitySpec = { fn: 'nnCostFunction', what: 'grad', layout: gradLayout(2, 4, 4) };
const g: QuantitySpec = { fn: 'sigmoidGradient', what: 'g', layout: { kind: 'matrix', rows: 2, columns: 3, shapeNote: { id: 'compare.note.same-shape-as-z' } } };

describe('type and shape come first', () => {
  it('names a wrong gradient length with the Theta shapes', () => {
    const v: WireValue = { kind: 'float64array', data: new Array(30).fill(0) };
    expect(compareWire(v, new Array(32).fill(0), grad, tol)).toEqual({
      passed: false,
      problem: 'shape',
      message: '`nnCostFunction` returned grad of length 30, expected 32 (= 4×3 + 4×5 unrolled as [Theta1(:); Theta2(:)]).',
      messageId: 'compare.length',
      params: { fn: 'nnCostFunction', what: 'grad', length: 30, expectedLength: 32, note: { id: 'compare.note.grad-length', params: { theta1: '4×3', theta2: '4×5' } } },
    });
  });

  it('names a wrong type', () => {
    expect(compareWire({ kind: 'other', description: 'a string' }, [1], J, tol).message).toBe(
      '`nnCostFunction` returned J as a string, expected a number.',
    );
    expect(compareWire({ kind: 'array', data: [1, 2] }, [1], J, tol).message).toBe(
      '`nnCostFunction` returned J as an array of length 2, expected a number.',
    );
  });

  it('names a wrong matrix shape', () => {
    const v: WireValue = { kind: 'matrix', rows: 3, columns: 2, data: [[1, 2], [3, 4], [5, 6]] };
    expect(compareWire(v, [1, 2, 3, 4, 5, 6], g, tol).message).toBe(
      '`sigmoidGradient` returned g as a 3×2 matrix, expected 2×3 (the same shape as z).',
    );
    expect(compareWire({ kind: 'array', data: [1, 2, 3, 4, 5, 6] }, [1, 2, 3, 4, 5, 6], g, tol).message).toBe(
      '`sigmoidGradient` returned g as an array of length 6, expected a 2×3 Matrix (ml-matrix).',
    );
  });

  it('accepts a gradient as an n×1 or 1×n matrix, a number[] or a Float64Array', () => {
    const data = Array.from({ length: 32 }, (_, i) => i / 10);
    for (const v of [
      { kind: 'array', data },
      { kind: 'float64array', data },
      { kind: 'matrix', rows: 32, columns: 1, data: data.map((x) => [x]) },
      { kind: 'matrix', rows: 1, columns: 32, data: [data] },
    ] as WireValue[]) {
      expect(compareWire(v, data, grad, tol).passed).toBe(true);
    }
  });

  it('reads matrices column-major, like Octave (:)', () => {
    const v: WireValue = { kind: 'matrix', rows: 2, columns: 3, data: [[1, 3, 5], [2, 4, 6]] };
    expect(readNumbers(v, g)).toEqual({ ok: true, values: [1, 2, 3, 4, 5, 6] });
  });
});

describe('NaN and Infinity are detected and named', () => {
  it('in a scalar', () => {
    expect(compareValues([NaN], [0.287629], J, tol).message).toBe(
      '`nnCostFunction` returned J = NaN, expected 0.287629. NaN comes from 0/0 or the log of a negative number; Infinity from log(0) or a division by zero.',
    );
  });
  it('in a gradient, with its Theta position and count', () => {
    const got = new Array(32).fill(0.1);
    got[13] = Infinity;
    got[20] = NaN;
    const cmp = compareValues(got, new Array(32).fill(0.1), grad, tol);
    expect(cmp.problem).toBe('non-finite');
    expect(cmp.message).toBe(
      '`nnCostFunction` returned Infinity at grad(14) = Theta2(2, 1) (2 of its 32 elements are not finite), expected 0.1. NaN comes from 0/0 or the log of a negative number; Infinity from log(0) or a division by zero.',
    );
  });
});

describe('tolerance: |got − expected| <= atol + rtol·|expected|', () => {
  it('passes inside and fails just outside', () => {
    expect(compareValues([1 + 0.9e-6], [1], J, tol).passed).toBe(true);
    expect(compareValues([1 + 1.1e-6 + 1e-9], [1], J, tol).passed).toBe(false);
    expect(compareValues([5e-10], [0], J, tol).passed).toBe(true);
    expect(compareValues([2e-9], [0], J, tol).passed).toBe(false);
  });

  it('never compares rounded strings: equal at 5 decimals is still wrong, and gets no diff', () => {
    const cmp = compareValues([0.2876291], [0.2876295], J, tol);
    expect(cmp.passed).toBe(false);
    expect(cmp.diff).toBeUndefined();
  });

  it('reports a scalar with both errors', () => {
    const cmp = compareValues([0.3], [0.287629], J, tol);
    expect(cmp.message).toBe('`nnCostFunction` returned J = 0.3, expected 0.287629 (absolute error 1.2e-2, relative error 4.3e-2).');
    // A scalar has no position: no index (WorstElement.index is absent for a scalar, report/types.ts).
    expect(cmp.worst).toEqual({ expected: 0.287629, got: 0.3, absError: 0.3 - 0.287629, relError: (0.3 - 0.287629) / 0.287629 });
    expect(cmp.diff).toBe('[-0.28763-]{+0.30000+}');
  });

  it('shows the worst gradient element in Theta terms, with a compact diff of the %0.5f rendering', () => {
    const expected = Array.from({ length: 32 }, (_, i) => Math.round(Math.sin(i + 1) * 1e5) / 1e5);
    const got = expected.slice();
    got[16] += 0.5; // Theta2(1, 2): the 17th element, 5th of Theta2 (4 rows)
    got[2] += 0.01; // Theta1(3, 1)
    const cmp = compareValues(got, expected, grad, tol);
    expect(cmp.message).toBe(
      '`nnCostFunction` returned a wrong grad: 2 of 32 elements are off. The worst is grad(17) = Theta2(1, 2): expected -0.96140, got -0.4614 (absolute error 5.0e-1, relative error 5.2e-1).'
        .replace('-0.96140', fmtNum(expected[16])),
    );
    expect(cmp.worst).toMatchObject({ index: 17, matrix: 'Theta2', row: 1, column: 2, expected: expected[16], got: got[16] });
    expect(cmp.diff).toBe('0.84147 0.90930 [-0.14112-]{+0.15112+} -0.75680 -0.95892 … 0.65029 -0.28790 [--0.96140-]{+-0.46140+} -0.75099 0.14988 …');
  });

  it('names matrix positions (row, column) and the unrolled index', () => {
    const cmp = compareValues([1, 2, 3, 4, 5, 7], [1, 2, 3, 4, 5, 6], g, tol);
    expect(cmp.message).toBe(
      '`sigmoidGradient` returned a wrong g: 1 of 6 elements is off. The worst is g(2, 3) (element 6 of g(:)): expected 6, got 7 (absolute error 1.0e+0, relative error 1.7e-1).',
    );
    expect(cmp.worst).toMatchObject({ index: 6, matrix: 'g', row: 2, column: 3 });
  });

  it('says when the expected value is exactly 0', () => {
    expect(compareValues([0.5], [0], J, tol).message).toBe(
      '`nnCostFunction` returned J = 0.5, expected 0 (absolute error 5.0e-1, relative error n/a (expected exactly 0)).',
    );
  });
});

describe('positions and renderings', () => {
  it('maps unrolled indices into Theta1 and Theta2', () => {
    expect(positionOf(0, grad).text).toBe('grad(1) = Theta1(1, 1)');
    expect(positionOf(11, grad).text).toBe('grad(12) = Theta1(4, 3)');
    expect(positionOf(12, grad).text).toBe('grad(13) = Theta2(1, 1)');
    expect(positionOf(31, grad).text).toBe('grad(32) = Theta2(4, 5)');
  });
  it('renders like Octave sprintf %0.5f', () => {
    expect([0.287629, -0, -1e-7, NaN, Infinity, -Infinity, 3].map(octaveFixed5)).toEqual(['0.28763', '-0.00000', '-0.00000', 'NaN', 'Inf', '-Inf', '3.00000']);
  });
  it('shortens the diff to the changed region', () => {
    const a = Array.from({ length: 40 }, (_, i) => i);
    const b = a.slice();
    b[20] = 99;
    expect(compactDiff(a, b)).toBe('… 18.00000 19.00000 [-20.00000-]{+99.00000+} 21.00000 22.00000 …');
    expect(compactDiff(a, a)).toBeUndefined();
  });
});

/**
 * The harness's mutation check (grader/sandbox/calls.ts): copies of every matrix or array argument
 * before the call, compared after it. Matrices are copied row by row natively when they still hold
 * ml-matrix's own rows, element by element otherwise; either way, every change is seen, and a
 * submission that patches typed arrays cannot hide one.
 */
import { Matrix } from 'ml-matrix';
import { afterEach, describe, expect, it } from 'vitest';
import { FlatMatrix, snapshotOf } from '../exercises/lib/kernels';
import { changedInputs, snapshotInputs } from '../grader/sandbox/calls';

const X = (): Matrix =>
  new Matrix([
    [1, 2, 3],
    [4, NaN, 6],
  ]);

/** The names changedInputs reports after `change` ran on fresh inputs. */
function changedBy(change: (inputs: { X: Matrix; theta: Float64Array; y: number[] }) => void): string[] {
  const inputs = { X: X(), theta: new Float64Array([0.5, -0.5]), y: [1, 2] };
  const before = snapshotInputs(inputs);
  change(inputs);
  return changedInputs(inputs, before);
}

// The patch below shadows %TypedArray%.prototype.length on Float64Array.prototype; removing it restores the original.
afterEach(() => {
  delete (Float64Array.prototype as unknown as Record<string, unknown>).length;
});

describe('mutation check', () => {
  it('sees nothing when nothing changed (NaN stays NaN)', () => {
    expect(changedBy(() => undefined)).toEqual([]);
  });

  it('sees one changed number of a matrix, of a typed array, of an array', () => {
    expect(changedBy(({ X }) => X.set(1, 2, 7))).toEqual(['X']);
    expect(changedBy(({ theta }) => (theta[1] = 0))).toEqual(['theta']);
    expect(changedBy(({ y }) => y.push(3))).toEqual(['y']);
  });

  it('sees a matrix whose shape changed in place', () => {
    expect(changedBy(({ X }) => X.addRow([7, 8, 9]))).toEqual(['X']);
    expect(changedBy(({ X }) => X.removeColumn(0))).toEqual(['X']);
  });

  it('reads matrices whose rows the submission replaced element by element, and still compares them right', () => {
    expect(changedBy(({ X }) => ((X as unknown as { data: unknown[] }).data = X.to2DArray().map((r) => Array.from(r))))).toEqual([]);
    expect(changedBy(({ X }) => ((X as unknown as { data: number[][] }).data = [[1, 2, 3], [4, NaN, 0]]))).toEqual(['X']);
    expect(changedBy(({ X }) => ((X as unknown as { data: Float64Array[] }).data[0] = new Float64Array([1, 2])))).toEqual(['X']);
  });

  it('cannot be fooled by a patched Float64Array length', () => {
    expect(
      changedBy(({ X, theta }) => {
        Object.defineProperty(Float64Array.prototype, 'length', { get: () => 0, configurable: true });
        X.set(0, 0, 100);
        theta[0] = 100;
      }),
    ).toEqual(['X', 'theta']);
  });

  describe("the kit's FlatMatrix (the walkthrough's stored X)", () => {
    const flat = () => new FlatMatrix(2, 3, new Float64Array([1, 2, 3, 4, NaN, 6]));
    const changed = (change: (X: FlatMatrix) => void): string[] => {
      const inputs = { X: flat() };
      const before = snapshotInputs(inputs);
      change(inputs.X);
      return changedInputs(inputs, before);
    };

    it('is checked without handing out its rows, so the kit keeps sharing it between products', () => {
      const X = flat();
      const before = snapshotInputs({ X });
      expect(changedInputs({ X }, before)).toEqual([]);
      // Shared: two snapshots are the same object (a matrix whose rows were read would be copied each time).
      expect(snapshotOf(X)).toBe(snapshotOf(X));
    });

    it('sees every change: set(), a write through its rows, a shape change', () => {
      expect(changed((X) => X.set(0, 1, 7))).toEqual(['X']);
      expect(changed((X) => (X.data[1][2] = 0))).toEqual(['X']);
      expect(changed((X) => X.data[1].fill(4))).toEqual(['X']);
      expect(changed((X) => X.addRow([7, 8, 9]))).toEqual(['X']);
    });

    it('cannot be fooled by a replaced FlatMatrix.storage (the reader was captured when the harness loaded)', () => {
      const original = FlatMatrix.storage;
      try {
        expect(
          changed((X) => {
            const before = new Float64Array([1, 2, 3, 4, NaN, 6]);
            (FlatMatrix as unknown as { storage: () => Float64Array }).storage = () => before;
            X.set(0, 0, 100);
          }),
        ).toEqual(['X']);
      } finally {
        (FlatMatrix as unknown as { storage: typeof original }).storage = original;
      }
    });
  });
});

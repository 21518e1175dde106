/**
 * The walkthrough's data and parameters (exercises/ex4.ts): the embedded digits or a MAT-file with
 * X and y (and optionally Xtest, ytest), and Theta1/Theta2 from a MAT-file. Runs in the
 * walkthrough's own process: none of it is student code.
 */
import { join } from 'node:path';
import type { Matrix } from 'ml-matrix';
import { loadDigits } from '../../exercises/lib/digits';
import { readMatFileDetailed } from '../../exercises/lib/matfile';
import { KIT_LIB_DIR } from '../paths';

export interface LoadedData {
  X: Matrix;
  y: number[];
  K: number;
  Xtest?: Matrix;
  ytest?: number[];
  /** Where it came from: the embedded digits, or the file's path. */
  file?: string;
}

/** "5000×400". */
export function shapeOf(M: { rows: number; columns: number }): string {
  return `${M.rows}×${M.columns}`;
}

function labelsOf(M: Matrix, name: string, file: string, m: number): number[] {
  if (Math.min(M.rows, M.columns) !== 1 || M.rows * M.columns !== m) {
    throw new Error(`${file}: ${name} is ${shapeOf(M)}, expected a vector of ${m} labels`);
  }
  const v = M.to1DArray();
  const bad = v.findIndex((l) => !Number.isInteger(l) || l < 1);
  if (bad >= 0) throw new Error(`${file}: ${name}(${bad + 1}) is ${v[bad]}; labels must be whole numbers 1..K`);
  return v;
}

/** The embedded digits (no file), or X and y (and Xtest, ytest when present) from a level-5 MAT-file. */
export function loadData(file: string | undefined): LoadedData {
  // The kit's data file by the grader's installation (this module may run from a bundle in dist/).
  if (!file) return { ...loadDigits({ file: join(KIT_LIB_DIR, '..', 'data', 'digits20.bin.gz') }), K: 10 };
  const { variables } = readMatFileDetailed(file, { unsupported: 'skip' });
  const need = (name: string): Matrix => {
    const M = variables[name];
    if (!M) throw new Error(`${file} has no numeric variable "${name}" (found: ${Object.keys(variables).join(', ') || 'none'})`);
    return M;
  };
  const X = need('X');
  const y = labelsOf(need('y'), 'y', file, X.rows);
  let K = Math.max(...y);
  let Xtest: Matrix | undefined;
  let ytest: number[] | undefined;
  if (variables.Xtest && variables.ytest) {
    Xtest = variables.Xtest;
    if (Xtest.columns !== X.columns) throw new Error(`${file}: Xtest is ${shapeOf(Xtest)} but X has ${X.columns} columns`);
    ytest = labelsOf(variables.ytest, 'ytest', file, Xtest.rows);
    K = Math.max(K, ...ytest);
  }
  return { X, y, K, Xtest, ytest, file };
}

/** Theta1 and Theta2 from a MAT-file, checked against the data's n features and K labels. */
export function loadWeights(file: string, n: number, K: number): { Theta1: Matrix; Theta2: Matrix } {
  const { variables } = readMatFileDetailed(file, { unsupported: 'skip' });
  const { Theta1, Theta2 } = variables;
  if (!Theta1 || !Theta2) {
    throw new Error(`${file} must hold Theta1 and Theta2 (found: ${Object.keys(variables).join(', ') || 'none'})`);
  }
  if (Theta1.columns !== n + 1) throw new Error(`${file}: Theta1 is ${shapeOf(Theta1)} but the data has ${n} features (expected ${n + 1} columns)`);
  if (Theta2.rows !== K || Theta2.columns !== Theta1.rows + 1) {
    throw new Error(`${file}: Theta2 is ${shapeOf(Theta2)}, expected ${K}×${Theta1.rows + 1} (labels × hidden units + 1)`);
  }
  return { Theta1, Theta2 };
}

/** X as one row-major Float64Array (what the sandbox's `store-data` takes). */
export function rowMajor(X: Matrix): Float64Array {
  const out = new Float64Array(X.rows * X.columns);
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < X.columns; j++) out[i * X.columns + j] = X.get(i, j);
  return out;
}

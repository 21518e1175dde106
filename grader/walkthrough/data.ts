/**
 * The walkthrough's data and parameters (exercises/ex4.ts): the embedded digits or a MAT-file with
 * X and y (and optionally Xtest, ytest), and Theta1/Theta2 from a MAT-file. Runs in the
 * walkthrough's own process: none of it is student code.
 */
import { join } from 'node:path';
import type { Matrix } from 'ml-matrix';
import { loadDigits } from '../../exercises/lib/digits';
import { KIT_LIB_DIR } from '../paths';
import { MatFileError, readMatFileDetailed, type MatFileContents } from '../../exercises/lib/matfile';
import { render, type MessageId, type MessageParams, type MessageRef } from '../messages/index';

/** A data or weights file the walkthrough cannot use: the reason as a catalogue message (`message` is its English). */
export class DataError extends Error {
  constructor(readonly ref: MessageRef) {
    super(render(ref, 'en'));
    this.name = 'DataError';
  }
}

function dataError(kind: string, params: MessageParams): DataError {
  return new DataError({ id: `walkthrough.data-error.${kind}` as MessageId, params });
}

/** The file's numeric variables; an unreadable file is a DataError saying why. */
function readVariables(file: string): MatFileContents['variables'] {
  try {
    return readMatFileDetailed(file, { unsupported: 'skip' }).variables;
  } catch (error) {
    if (error instanceof MatFileError) {
      // An unreadable file: the system's error code (EACCES, EISDIR…) is the detail, in any language.
      const detail = error.problem === 'unreadable' ? String((error.cause as { code?: unknown } | undefined)?.code ?? error.detail) : error.detail;
      throw dataError(`mat.${error.problem}`, { file, detail });
    }
    throw error;
  }
}

/** The variables' names for a message ("X, y"), or "-" when there are none. */
function names(variables: Record<string, unknown>): string {
  return Object.keys(variables).join(', ') || '-';
}

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
    throw dataError('labels-shape', { file, name, shape: shapeOf(M), m });
  }
  const v = M.to1DArray();
  const bad = v.findIndex((l) => !Number.isInteger(l) || l < 1);
  if (bad >= 0) throw dataError('labels-value', { file, name, index: bad + 1, value: String(v[bad]) });
  return v;
}

/**
 * The embedded digits (no file), or X and y (and Xtest, ytest when present) from a level-5 MAT-file.
 * @throws DataError when the file cannot be read or does not hold usable data
 */
export function loadData(file: string | undefined): LoadedData {
  // The kit's data file by the grader's installation (this module may run from a bundle in dist/).
  if (!file) return { ...loadDigits({ file: join(KIT_LIB_DIR, '..', 'data', 'digits20.bin.gz') }), K: 10 };
  const variables = readVariables(file);
  const need = (name: string): Matrix => {
    const M = variables[name];
    if (!M) throw dataError('no-variable', { file, name, found: names(variables) });
    return M;
  };
  const X = need('X');
  const y = labelsOf(need('y'), 'y', file, X.rows);
  let K = Math.max(...y);
  let Xtest: Matrix | undefined;
  let ytest: number[] | undefined;
  if (variables.Xtest && variables.ytest) {
    Xtest = variables.Xtest;
    if (Xtest.columns !== X.columns) throw dataError('test-columns', { file, shape: shapeOf(Xtest), columns: X.columns });
    ytest = labelsOf(variables.ytest, 'ytest', file, Xtest.rows);
    K = Math.max(K, ...ytest);
  }
  return { X, y, K, Xtest, ytest, file };
}

/**
 * Theta1 and Theta2 from a MAT-file, checked against the data's n features and K labels.
 * @throws DataError when the file cannot be read or its matrices do not fit
 */
export function loadWeights(file: string, n: number, K: number): { Theta1: Matrix; Theta2: Matrix } {
  const variables = readVariables(file);
  const { Theta1, Theta2 } = variables;
  if (!Theta1 || !Theta2) throw dataError('no-weights', { file, found: names(variables) });
  if (Theta1.columns !== n + 1) throw dataError('theta1-shape', { file, shape: shapeOf(Theta1), n, columns: n + 1 });
  if (Theta2.rows !== K || Theta2.columns !== Theta1.rows + 1) throw dataError('theta2-shape', { file, shape: shapeOf(Theta2), expected: `${K}×${Theta1.rows + 1}` });
  return { Theta1, Theta2 };
}

/** X as one row-major Float64Array (what the sandbox's `store-data` takes). */
export function rowMajor(X: Matrix): Float64Array {
  const out = new Float64Array(X.rows * X.columns);
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < X.columns; j++) out[i * X.columns + j] = X.get(i, j);
  return out;
}

/**
 * Small dense matrices as plain data (row-major numbers) for comparing a student's traced values
 * with the reference's intermediates, and the structural relations between two of them that a
 * student can act on: a missing or extra column, one wrong column or row, a constant factor,
 * columns shifted by one.
 */
import type { Tolerance } from '../options';
import { close } from './blame';

/** rows×columns, row-major; `values` may be shorter than rows·columns (a capped trace entry). */
export interface Dense {
  rows: number;
  columns: number;
  values: readonly number[];
}

/** The grader's default tolerance, used to decide that a traced value is the reference's. */
export const TRACE_TOLERANCE: Tolerance = { atol: 1e-9, rtol: 1e-6 };

export function at(d: Dense, i: number, j: number): number {
  return d.values[i * d.columns + j];
}

export function transposed(d: Dense): Dense {
  const values: number[] = [];
  for (let j = 0; j < d.columns; j++) for (let i = 0; i < d.rows; i++) values.push(at(d, i, j));
  return { rows: d.columns, columns: d.rows, values };
}

export function row(d: Dense, i: number): Dense {
  return { rows: 1, columns: d.columns, values: d.values.slice(i * d.columns, (i + 1) * d.columns) };
}

/** d with some columns removed (0-based indices kept in order). */
export function columns(d: Dense, keep: (j: number) => boolean): Dense {
  const js = Array.from({ length: d.columns }, (_, j) => j).filter(keep);
  const values: number[] = [];
  for (let i = 0; i < d.rows; i++) for (const j of js) values.push(at(d, i, j));
  return { rows: d.rows, columns: js.length, values };
}

export function rows(d: Dense, keep: (i: number) => boolean): Dense {
  const values: number[] = [];
  let r = 0;
  for (let i = 0; i < d.rows; i++) {
    if (!keep(i)) continue;
    r++;
    values.push(...d.values.slice(i * d.columns, (i + 1) * d.columns));
  }
  return { rows: r, columns: d.columns, values };
}

/** Complete (not capped) and every value available. */
export function complete(d: Dense): boolean {
  return d.values.length === d.rows * d.columns;
}

/** Same shape and every available value within tolerance (a capped side compares its prefix, at least one value). */
export function equal(a: Dense, b: Dense, tol: Tolerance = TRACE_TOLERANCE): boolean {
  if (a.rows !== b.rows || a.columns !== b.columns) return false;
  const n = Math.min(a.values.length, b.values.length);
  if (n === 0) return a.rows * a.columns === 0;
  for (let p = 0; p < n; p++) if (!close(a.values[p], b.values[p], tol)) return false;
  return true;
}

/** Equal as is, or transposed (Octave code and ours may build either orientation). */
export function equalUpToTranspose(a: Dense, b: Dense): boolean {
  return equal(a, b) || (a.rows === b.columns && a.columns === b.rows && a.rows !== a.columns && equal(transposed(a), b));
}

/** A vector (1×c or c×1) as a 1×c row. */
export function asRow(d: Dense): Dense | null {
  if (d.rows === 1) return d;
  if (d.columns === 1) return { rows: 1, columns: d.rows, values: d.values };
  return null;
}

/** A structural difference between a student's value and the reference's, as a catalogue key and params. */
export interface Difference {
  /** `trace.diff.<key>` in the catalogue. */
  key: string;
  params: Record<string, string | number>;
  /** The student's value is the reference's shape transposed (the difference is told after transposing it). */
  transposed?: boolean;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

/** Same-shape differences: a constant factor, one column, some rows, shifted columns, or some values. */
function sameShapeDifference(got: Dense, want: Dense): Difference {
  const count = Math.min(got.values.length, want.values.length);
  let num = 0;
  let den = 0;
  for (let k = 0; k < count; k++) {
    num += got.values[k] * want.values[k];
    den += want.values[k] * want.values[k];
  }
  const c = den > 0 ? num / den : Number.NaN;
  if (Number.isFinite(c) && Math.abs(c - 1) > 1e-6 && got.values.slice(0, count).every((g, k) => close(g, c * want.values[k], { atol: 1e-9, rtol: 1e-6 }))) {
    return Math.abs(c + 1) < 1e-6 ? { key: 'sign', params: {} } : { key: 'factor', params: { factor: fmt(c) } };
  }
  const wrongCols = new Set<number>();
  const wrongRows = new Set<number>();
  let wrong = 0;
  let first = -1;
  for (let k = 0; k < count; k++) {
    if (close(got.values[k], want.values[k], { atol: 1e-9, rtol: 1e-6 })) continue;
    wrong++;
    if (first < 0) first = k;
    wrongRows.add(Math.floor(k / want.columns));
    wrongCols.add(k % want.columns);
  }
  if (want.columns > 1 && complete(got) && complete(want)) {
    const shifted = (d: number): boolean => {
      for (let i = 0; i < want.rows; i++) for (let j = 0; j < want.columns; j++) {
        const src = j - d;
        if (src >= 0 && src < want.columns && !close(at(got, i, j), at(want, i, src), { atol: 1e-9, rtol: 1e-6 })) return false;
      }
      return true;
    };
    if (wrongCols.size > 1 && shifted(1)) return { key: 'columns-shifted-right', params: {} };
    if (wrongCols.size > 1 && shifted(-1)) return { key: 'columns-shifted-left', params: {} };
  }
  if (wrongCols.size === 1 && want.columns > 1) {
    const j = [...wrongCols][0];
    const colGot = Array.from({ length: want.rows }, (_, i) => at(got, i, j));
    const colWant = Array.from({ length: want.rows }, (_, i) => at(want, i, j));
    const constant = (xs: number[]) => xs.every((x) => close(x, xs[0], { atol: 1e-12, rtol: 1e-9 }));
    if (constant(colGot) && constant(colWant)) return { key: 'column-value', params: { column: j + 1, got: fmt(colGot[0]), expected: fmt(colWant[0]) } };
    return { key: 'column', params: { column: j + 1 } };
  }
  if (wrongRows.size === 1 && want.rows > 1) return { key: 'row', params: { row: [...wrongRows][0] + 1 } };
  const i = Math.floor(first / want.columns);
  const j = first % want.columns;
  return { key: 'values', params: { count: wrong, total: count, row: i + 1, column: j + 1, got: fmt(got.values[first]), expected: fmt(want.values[first]) } };
}

/**
 * How `got` (a student's value) differs from `want` (the reference's), in terms a student can act
 * on. Transposed values are compared as such; a shape that is one column or row off says which.
 */
export function describeDifference(got: Dense, want: Dense): Difference {
  if (want.rows === 1 && want.columns === 1 && got.rows * got.columns === 1) {
    const g = got.values[0];
    const w = want.values[0];
    if (w !== 0 && Number.isFinite(g / w) && Math.abs(g / w - 1) > 1e-6) {
      return Math.abs(g / w + 1) < 1e-6 ? { key: 'sign', params: {} } : { key: 'scalar-factor', params: { got: fmt(g), expected: fmt(w), factor: fmt(g / w) } };
    }
    return { key: 'scalar', params: { got: fmt(g), expected: fmt(w) } };
  }
  if (got.rows === want.rows && got.columns === want.columns) return sameShapeDifference(got, want);
  if (got.rows === want.columns && got.columns === want.rows && want.rows !== want.columns) {
    return { ...sameShapeDifference(transposed(got), want), transposed: true };
  }
  if (got.rows === want.rows && got.columns === want.columns - 1 && complete(got) && complete(want)) {
    if (equal(got, columns(want, (j) => j > 0))) {
      const ones = Array.from({ length: want.rows }, (_, i) => at(want, i, 0)).every((x) => x === 1);
      return { key: ones ? 'missing-ones-column' : 'missing-first-column', params: {} };
    }
    if (equal(got, columns(want, (j) => j < want.columns - 1))) return { key: 'missing-last-column', params: {} };
  }
  if (got.rows === want.rows && got.columns === want.columns + 1 && complete(got) && complete(want)) {
    if (equal(columns(got, (j) => j > 0), want)) return { key: 'extra-first-column', params: {} };
  }
  if (got.columns === want.columns && got.rows === want.rows - 1 && complete(got) && complete(want)) {
    if (equal(got, rows(want, (i) => i > 0))) return { key: 'missing-first-row', params: {} };
  }
  return { key: 'shape', params: { got: `${got.rows}×${got.columns}`, expected: `${want.rows}×${want.columns}` } };
}

/** How alike two shapes are for a candidate: 3 the same (or transposed), 2 one row or column off, 1 the same size, 0 unrelated. */
export function shapeAffinity(got: Dense, want: Dense): number {
  if ((got.rows === want.rows && got.columns === want.columns) || (got.rows === want.columns && got.columns === want.rows)) return 3;
  if ((got.rows === want.rows && Math.abs(got.columns - want.columns) === 1) || (got.columns === want.columns && Math.abs(got.rows - want.rows) === 1)) return 2;
  if (Math.abs(got.rows - want.rows) === 1 && Math.abs(got.columns - want.columns) === 1) return 2;
  if (got.rows * got.columns === want.rows * want.columns) return 1;
  return 0;
}

/** Fraction of the values that agree (same shape, or the transpose), for ranking candidates. */
export function agreement(got: Dense, want: Dense): number {
  const g = got.rows === want.rows && got.columns === want.columns ? got : got.rows === want.columns && got.columns === want.rows ? transposed(got) : null;
  if (!g) return 0;
  const n = Math.min(g.values.length, want.values.length);
  if (n === 0) return 0;
  let ok = 0;
  for (let p = 0; p < n; p++) if (close(g.values[p], want.values[p], TRACE_TOLERANCE)) ok++;
  return ok / n;
}

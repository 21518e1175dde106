/**
 * Tiny Octave-style helpers on plain arrays, so that building cases never needs ml-matrix
 * (the grader's startup stays light). Matrices are PlainMatrix rows (rows[i][j] = Octave (i+1, j+1));
 * vectors are column-major like Octave's `(:)`.
 */
import type { PlainMatrix } from '../sandbox/protocol';

/** Octave `a:step:b` as an array (inclusive). */
export function range(a: number, b: number, step = 1): number[] {
  const out: number[] = [];
  for (let v = a; step > 0 ? v <= b : v >= b; v += step) out.push(v);
  return out;
}

/** Octave `reshape(v, r, c)`: fills column by column. Throws when numel differs (an internal bug). */
export function reshapeCM(v: ArrayLike<number>, r: number, c: number, offset = 0): PlainMatrix {
  if (v.length - offset < r * c) throw new Error(`reshapeCM: need ${r * c} values, have ${v.length - offset}`);
  const rows: PlainMatrix = Array.from({ length: r }, () => new Array<number>(c));
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) rows[i][j] = v[offset + j * r + i];
  return rows;
}

/** Octave `A(:)`: the column-major unrolling of a matrix. */
export function unrollCM(...ms: PlainMatrix[]): number[] {
  const out: number[] = [];
  for (const m of ms) {
    const r = m.length;
    const c = r === 0 ? 0 : m[0].length;
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) out.push(m[i][j]);
  }
  return out;
}

/** Applies f element-wise to a matrix (new matrix). */
export function mapM(m: PlainMatrix, f: (x: number) => number): PlainMatrix {
  return m.map((row) => row.map(f));
}

/** Deep copy, so no two calls (or the grader and a call) ever share arrays. */
export function copyM(m: PlainMatrix): PlainMatrix {
  return m.map((row) => row.slice());
}

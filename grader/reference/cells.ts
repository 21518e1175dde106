/**
 * The arithmetic of sealed expected values (docs/sealed-fixtures.md): quantising a vector to cells
 * whose integer indices are what the slow hash protects. Pure functions, no hashing and no I/O, so
 * the cell logic can be exercised on thousands of cases without the slow hash.
 *
 * Two schemes:
 * - `centred` (every graded hidden case): element i gets a cell of half-width h_i, a power of two
 *   just below its tolerance tol_i = atol + rtol·|e_i|, and the expected value e_i sits at the
 *   centre of its cell up to 1/256 of a cell (the stored offset byte). An answer g is in the same
 *   cells exactly when |g_i − centre_i| < h_i for every i: a box like today's tolerance, never wider.
 * - `grid` (the speed probes: ~10,000 elements, nothing stored per element): one fixed cell width
 *   for every element and no offsets; an element within EDGE of a cell edge is ambiguous and both
 *   neighbouring cells are tried (the neighbour-cell check).
 */

/** A tolerance in the grader's sense: |got − expected| <= atol + rtol·|expected|. */
export interface CellTolerance {
  atol: number;
  rtol: number;
}

/** Offset resolution: the centre is stored as a multiple of 1/OFFSET_STEPS of a cell. */
export const OFFSET_STEPS = 256;

/**
 * The half-width of element cells: the largest power of two h with h·(1 + 1/256) <= tol, so that
 * the acceptance box (half-width h, centred within h/256 of the expected value) never reaches beyond
 * today's tolerance; it is at least tol/2.
 * @returns log2(h), an integer
 */
export function cellExponent(expected: number, tol: CellTolerance): number {
  const t = tol.atol + tol.rtol * Math.abs(expected);
  if (!(t > 0) || !Number.isFinite(t)) throw new RangeError(`cellExponent: tolerance must be positive and finite, got ${t}`);
  let x = Math.floor(Math.log2((t * OFFSET_STEPS) / (OFFSET_STEPS + 1)));
  // log2 may be off by one ulp at exact powers of two: settle it with exact comparisons.
  while (2 ** x * (1 + 1 / OFFSET_STEPS) > t) x--;
  while (2 ** (x + 1) * (1 + 1 / OFFSET_STEPS) <= t) x++;
  return x;
}

/** Per-element layout of a centred seal: exponents (log2 h_i) and offset bytes. */
export interface CentredLayout {
  exps: Int8Array;
  offs: Uint8Array;
}

/**
 * The centred layout and the cell indices of an expected vector.
 * @throws RangeError for a non-finite expected value (such a value cannot be sealed)
 */
export function centre(expected: readonly number[], tol: CellTolerance): { layout: CentredLayout; cells: number[] } {
  const n = expected.length;
  const exps = new Int8Array(n);
  const offs = new Uint8Array(n);
  const cells = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    if (!Number.isFinite(e)) throw new RangeError(`centre: expected value ${e} at ${i} cannot be sealed`);
    const x = cellExponent(e, tol);
    if (x < -128 || x > 127) throw new RangeError(`centre: cell exponent ${x} out of range`);
    exps[i] = x;
    const u = e / 2 ** (x + 1); // position in cell units (cells are 2h wide); exact: a power-of-two division
    const b = Math.round((u - Math.floor(u)) * OFFSET_STEPS) % OFFSET_STEPS;
    offs[i] = b;
    cells[i] = Math.round(u - b / OFFSET_STEPS);
  }
  return { layout: { exps, offs }, cells };
}

/**
 * The cell indices of an answer under a centred layout, or null when it has a non-finite element
 * (NaN/Infinity are reported as such, never hashed).
 */
export function centredCells(values: readonly number[], layout: CentredLayout): number[] | null {
  const n = layout.exps.length;
  if (values.length !== n) return null;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const g = values[i];
    if (!Number.isFinite(g)) return null;
    const k = Math.round(g / 2 ** (layout.exps[i] + 1) - layout.offs[i] / OFFSET_STEPS);
    out[i] = k === 0 ? 0 : k; // never −0: the preimage must not depend on the sign of a zero
  }
  return out;
}

/** How far an answer is from the centre of its expected cell, in half-widths (< 1 passes); for tests and measurements. */
export function centredDistance(values: readonly number[], expected: readonly number[], layout: CentredLayout): number {
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const h = 2 ** layout.exps[i];
    const u = expected[i] / (2 * h);
    const centreValue = (Math.round(u - layout.offs[i] / OFFSET_STEPS) + layout.offs[i] / OFFSET_STEPS) * 2 * h;
    worst = Math.max(worst, Math.abs(values[i] - centreValue) / h);
  }
  return worst;
}

// ---- grid cells (the speed probes) ----------------------------------------------------------------

/** The probes' grid: cells 2·GRID_HALF_WIDTH wide, aligned at 0, one width for every element. */
export const GRID_HALF_WIDTH = 2 ** -20;
/** An element within this fraction of a cell from an edge is ambiguous: both cells are tried. */
export const GRID_EDGE = 1e-6;
/** At most this many ambiguous elements are resolved (2^4 hashes); more is a failure (probability ~3e-11 for a correct answer). */
export const GRID_MAX_AMBIGUOUS = 4;

/** Cell indices of a vector on the grid (the reference side: no ambiguity). */
export function gridCells(values: readonly number[]): number[] {
  return values.map((v) => {
    const k = Math.floor(v / (2 * GRID_HALF_WIDTH));
    return k === 0 ? 0 : k;
  });
}

/**
 * The candidate cell vectors of an answer on the grid: its own cells, and for each element within
 * GRID_EDGE of an edge also the neighbouring cell across that edge. Null when the answer has a
 * non-finite element or more than GRID_MAX_AMBIGUOUS ambiguous elements.
 */
export function gridCandidates(values: readonly number[]): number[][] | null {
  const base: number[] = [];
  const ambiguous: { i: number; alt: number }[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) return null;
    const u = v / (2 * GRID_HALF_WIDTH);
    const k = Math.floor(u);
    base.push(k === 0 ? 0 : k);
    const frac = u - k;
    if (frac < GRID_EDGE) ambiguous.push({ i, alt: k - 1 });
    else if (frac > 1 - GRID_EDGE) ambiguous.push({ i, alt: k + 1 });
  }
  if (ambiguous.length > GRID_MAX_AMBIGUOUS) return null;
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << ambiguous.length; mask++) {
    const c = base.slice();
    ambiguous.forEach((a, bit) => {
      if (mask & (1 << bit)) c[a.i] = a.alt === 0 ? 0 : a.alt;
    });
    out.push(c);
  }
  return out;
}

/**
 * A rough count of the bits a brute-force search over plausible values must cover for one sealed
 * vector: Σ log2(|e_i| / (2h_i)) over elements wider than one cell, plus a sign bit for each nonzero
 * element. Reported in docs/sealed-fixtures.md; not a security proof.
 */
export function entropyBits(expected: readonly number[], layout: CentredLayout, signKnown = false): number {
  let bits = 0;
  for (let i = 0; i < expected.length; i++) {
    const ratio = Math.abs(expected[i]) / 2 ** (layout.exps[i] + 1);
    if (ratio > 1) bits += Math.log2(ratio);
    if (!signKnown && expected[i] !== 0) bits += 1;
  }
  return bits;
}

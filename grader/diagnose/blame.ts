/**
 * Structural blame: where a wrong answer is wrong, when it matches no catalogue mistake. Pure
 * functions of the student's numbers and the expected ones (column-major), case by case; they never
 * name a catalogue mistake. Each detector needs the pattern on EVERY case it is given.
 */
import type { Block } from '../compare/index';
import type { Tolerance } from '../options';

/** One case as the detectors see it. */
export interface BlameCase {
  got: readonly number[];
  expected: readonly number[];
  tol: Tolerance;
  /** Number of examples of the case (nnCostFunction), for factors like ×m. */
  m?: number;
}

/** |got − expected| <= atol + rtol·|expected| (the grader's rule), NaN never close. */
export function close(got: number, expected: number, tol: Tolerance): boolean {
  return Math.abs(got - expected) <= tol.atol + tol.rtol * Math.abs(expected);
}

/** Every entry (of the given indices, or all) within tolerance. */
export function allClose(got: readonly number[], expected: readonly number[], tol: Tolerance, indices?: readonly number[]): boolean {
  if (got.length !== expected.length) return false;
  if (indices) return indices.every((p) => close(got[p], expected[p], tol));
  for (let p = 0; p < got.length; p++) if (!close(got[p], expected[p], tol)) return false;
  return true;
}

/** A ratio's fitting tolerance: the fitted factor carries rounding of its own. */
const FIT_RTOL = 1e-6;

/** Least-squares factor c with got ≈ c·expected on the given entries, or null when expected is all 0 there. */
function fitFactor(got: readonly number[], expected: readonly number[], idx: readonly number[]): number | null {
  let num = 0;
  let den = 0;
  for (const p of idx) {
    num += got[p] * expected[p];
    den += expected[p] * expected[p];
  }
  if (den === 0 || !Number.isFinite(num)) return null;
  return num / den;
}

export interface Factor {
  /** The factor on the first case (for "×0.37"). */
  value: number;
  /** How it reads: "×2", "×−1", "×m", "÷m", "×0.37". */
  label: string;
  /** Which plain words say it (catalogue `diagnose.factor.<kind>`, with `factor` for 'const'). */
  kind: 'sign' | 'x2' | 'half' | 'x-2' | 'x-half' | 'm' | 'per-m' | 'neg-m' | 'const';
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= FIT_RTOL * Math.max(Math.abs(a), Math.abs(b));
}

function fmtFactor(c: number): string {
  const r = Number(c.toPrecision(4));
  return String(r).replace('-', '−');
}

const NAMED: { c: number; label: string; kind: Factor['kind'] }[] = [
  { c: -1, label: '×−1', kind: 'sign' },
  { c: 2, label: '×2', kind: 'x2' },
  { c: 0.5, label: '×1/2', kind: 'half' },
  { c: -2, label: '×−2', kind: 'x-2' },
  { c: -0.5, label: '×−1/2', kind: 'x-half' },
];

/**
 * A consistent constant factor between got and expected on the given entries of every case:
 * the same c everywhere, or c = m (not divided by m) or c = 1/m (divided by m twice) per case.
 * A single scalar case proves nothing (any two numbers have a ratio): then at least two cases are needed.
 * @param indices entries to look at per case (default all)
 */
export function constantFactor(cases: readonly BlameCase[], indices?: (c: BlameCase) => readonly number[]): Factor | null {
  if (cases.length === 0) return null;
  const fits: number[] = [];
  let entries = 0;
  for (const c of cases) {
    const idx = indices ? indices(c) : c.got.map((_, p) => p);
    const f = fitFactor(c.got, c.expected, idx);
    if (f === null || !Number.isFinite(f)) return null;
    const tol = { atol: c.tol.atol, rtol: Math.max(c.tol.rtol, FIT_RTOL) };
    if (!idx.every((p) => close(c.got[p], f * c.expected[p], tol))) return null;
    fits.push(f);
    entries += idx.filter((p) => c.expected[p] !== 0).length;
  }
  if (entries < 2) return null;
  const c0 = fits[0];
  if (near(c0, 1) && fits.every((f) => near(f, 1))) return null; // that is the right answer
  if (fits.every((f) => Math.abs(f) < 1e-12)) return null; // all zero: "not written yet", said by the judge
  const ms = cases.map((c) => c.m);
  const haveM = ms.every((m): m is number => m !== undefined && m > 1);
  const distinctM = haveM && new Set(ms).size > 1;
  // ×m is only told apart from a plain constant when m varies (or when it is the only case: m is then the best reading).
  if (haveM && fits.every((f, i) => near(f, ms[i] as number)) && (distinctM || !fits.every((f) => near(f, c0)) || cases.length === 1)) {
    return { value: c0, label: '×m', kind: 'm' };
  }
  if (haveM && fits.every((f, i) => near(f * (ms[i] as number), 1)) && (distinctM || cases.length === 1)) {
    return { value: c0, label: '÷m', kind: 'per-m' };
  }
  if (haveM && fits.every((f, i) => near(f, -(ms[i] as number))) && (distinctM || cases.length === 1)) {
    return { value: c0, label: '×−m', kind: 'neg-m' };
  }
  if (!fits.every((f) => near(f, c0))) return null;
  if (cases.length < 2 && cases[0].got.length < 2) return null;
  const named = NAMED.find((n) => near(n.c, c0));
  if (named) return { value: c0, label: named.label, kind: named.kind };
  return { value: c0, label: `×${fmtFactor(c0)}`, kind: 'const' };
}

export type Mapping = 'row-major' | 'blocks-swapped' | 'reversed';

/** Column-major positions of a block laid out row by row (the mapping of a row-major unroll). */
function rowMajorOrder(blocks: readonly Block[]): number[] {
  const order: number[] = [];
  let off = 0;
  for (const b of blocks) {
    for (let i = 0; i < b.rows; i++) for (let j = 0; j < b.columns; j++) order.push(off + j * b.rows + i);
    off += b.rows * b.columns;
  }
  return order;
}

function blocksSwappedOrder(blocks: readonly Block[]): number[] {
  if (blocks.length !== 2) return [];
  const n1 = blocks[0].rows * blocks[0].columns;
  const n2 = blocks[1].rows * blocks[1].columns;
  return [...Array.from({ length: n2 }, (_, i) => n1 + i), ...Array.from({ length: n1 }, (_, i) => i)];
}

/**
 * The right numbers in the wrong order: on every case the sorted values match (within tolerance)
 * while the positions do not. Names the mapping when a known one fits exactly: row-major unrolling,
 * the two blocks swapped, or the vector reversed.
 * @returns null when it is not a permutation; the mapping (or undefined when none of the known ones fits)
 */
export function permutation(cases: readonly BlameCase[], blocksOf?: (c: BlameCase) => readonly Block[]): { mapping?: Mapping } | null {
  if (cases.length === 0) return null;
  let anyMoved = false;
  for (const c of cases) {
    if (c.got.length !== c.expected.length || c.got.length < 2) return null;
    const g = [...c.got].sort((a, b) => a - b);
    const e = [...c.expected].sort((a, b) => a - b);
    if (!allClose(g, e, c.tol)) return null;
    if (!allClose(c.got, c.expected, c.tol)) anyMoved = true;
  }
  if (!anyMoved) return null;
  const fits = (order: (c: BlameCase) => number[]) =>
    cases.every((c) => {
      const o = order(c);
      return o.length === c.got.length && o.every((src, p) => close(c.got[p], c.expected[src], c.tol));
    });
  if (blocksOf && fits((c) => rowMajorOrder(blocksOf(c)))) return { mapping: 'row-major' };
  if (blocksOf && fits((c) => blocksSwappedOrder(blocksOf(c)))) return { mapping: 'blocks-swapped' };
  if (fits((c) => c.got.map((_, p) => c.got.length - 1 - p))) return { mapping: 'reversed' };
  return {};
}

/** The entry indices of a grad vector by block and by bias / non-bias column. */
export interface GradIndices {
  block: number[][];
  bias: number[][];
  weights: number[][];
}

/** Splits [Theta1(:); Theta2(:)] into its blocks, and each block into its bias column (column 1) and the rest. */
export function gradIndices(blocks: readonly Block[]): GradIndices {
  const out: GradIndices = { block: [], bias: [], weights: [] };
  let off = 0;
  for (const b of blocks) {
    const all = Array.from({ length: b.rows * b.columns }, (_, q) => off + q);
    out.block.push(all);
    out.bias.push(all.slice(0, b.rows));
    out.weights.push(all.slice(b.rows));
    off += b.rows * b.columns;
  }
  return out;
}

export interface BlockBlame {
  /** Blocks (0: Theta1, 1: Theta2) with a wrong entry on some case. */
  wrongBlocks: number[];
  /** True when every wrong entry, on every case, is in a bias column. */
  biasOnly: boolean;
  /** Blocks whose bias column has a wrong entry on some case. */
  wrongBiasBlocks: number[];
  /** The constant factor of the wrong block, when exactly one block is wrong and it has one. */
  factor?: Factor;
}

/** Which blocks of grad, and which columns, are wrong across the cases (grad per case must follow `blocks`). */
export function blockBlame(cases: readonly BlameCase[], blocks: (c: BlameCase) => readonly Block[]): BlockBlame {
  const wrong = new Set<number>();
  const wrongBias = new Set<number>();
  let weightsWrong = false;
  for (const c of cases) {
    const ix = gradIndices(blocks(c));
    ix.block.forEach((_, b) => {
      if (!allClose(c.got, c.expected, c.tol, ix.bias[b])) {
        wrong.add(b);
        wrongBias.add(b);
      }
      if (!allClose(c.got, c.expected, c.tol, ix.weights[b])) {
        wrong.add(b);
        weightsWrong = true;
      }
    });
  }
  const wrongBlocks = [...wrong].sort();
  const out: BlockBlame = { wrongBlocks, biasOnly: wrongBlocks.length > 0 && !weightsWrong, wrongBiasBlocks: [...wrongBias].sort() };
  if (wrongBlocks.length === 1) {
    const b = wrongBlocks[0];
    const f = constantFactor(cases, (c) => gradIndices(blocks(c)).block[b]);
    if (f) out.factor = f;
  }
  return out;
}

/**
 * Comparison of a student's value with the reference: type and shape first, then NaN/Infinity,
 * then numbers within |got − expected| <= atol + rtol·|expected|. Never compares rounded strings;
 * the '%0.5f ' rendering only illustrates a failure (compactDiff).
 */
import type { MessageId, MessageParams } from '../messages/index';
import type { Tolerance } from '../options';
import type { WorstElement } from '../report/types';
import type { WireValue } from '../sandbox/protocol';
import { compactDiff } from './diff';
import { fmtErr, fmtNum, shape } from './format';

/** A named block of an unrolled vector, e.g. Theta1 (h×(n+1)) inside grad, column-major. */
export interface Block {
  name: string;
  rows: number;
  columns: number;
}

/** What the value should look like. Matrices and vectors are compared column-major (Octave's (:)). */
export type Layout =
  | { kind: 'scalar' }
  | { kind: 'vector'; length: number; blocks?: Block[]; lengthNote?: string }
  | { kind: 'matrix'; rows: number; columns: number; shapeNote?: string };

/** The quantity being judged, for messages: "`nnCostFunction` returned grad …". */
export interface QuantitySpec {
  fn: string;
  /** The quantity's name in messages and positions: "J", "grad", "g", "numgrad", "W". */
  what: string;
  layout: Layout;
}

export type Problem = 'type' | 'shape' | 'non-finite' | 'value';

export interface Comparison {
  passed: boolean;
  problem?: Problem;
  /** Student-facing, when not passed. */
  message?: string;
  worst?: WorstElement;
  diff?: string;
  /** The student's numbers, column-major, whenever type and shape were right. */
  got?: number[];
  /** The catalogue id and params of `message`, when it came from the catalogue. */
  messageId?: MessageId;
  params?: MessageParams;
  /** Judged against a seal (grader/reference/sealed.ts): the comparison holds no expected value. */
  sealed?: boolean;
}

/** "a 3×10 matrix", "a Float64Array of length 30", "the number 0.5", or the harness's description. */
export function describeWire(v: WireValue): string {
  switch (v.kind) {
    case 'number':
      return `the number ${fmtNum(v.value)}`;
    case 'matrix':
      return `a ${shape(v.rows, v.columns)} matrix`;
    case 'float64array':
      return `a Float64Array of length ${v.data.length}`;
    case 'array':
      return `an array of length ${v.data.length}`;
    case 'cost-and-gradient':
      return 'an object { J, grad }';
    case 'training':
    case 'gradient-check':
      return `the walkthrough's ${v.kind} result`;
    case 'other':
      return v.description;
  }
}

function expectedDescription(layout: Layout): string {
  switch (layout.kind) {
    case 'scalar':
      return 'a number';
    case 'vector':
      return `a vector of ${layout.length} numbers (a Float64Array or number[])`;
    case 'matrix':
      return `a ${shape(layout.rows, layout.columns)} Matrix (ml-matrix)`;
  }
}

/** Column-major numbers of a matrix given as row-major rows. */
function colMajor(rows: number[][], r: number, c: number): number[] {
  const out = new Array<number>(r * c);
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) out[j * r + i] = rows[i][j];
  return out;
}

type Read = { ok: true; values: number[] } | { ok: false; problem: Problem; message: string };

/** The student's value as column-major numbers, if its type and shape fit the layout. */
export function readNumbers(v: WireValue, spec: QuantitySpec): Read {
  const { fn, what, layout } = spec;
  const typeError = (): Read => ({
    ok: false,
    problem: 'type',
    message: `\`${fn}\` returned ${what} as ${describeWire(v)}, expected ${expectedDescription(layout)}.`,
  });
  if (layout.kind === 'scalar') {
    if (v.kind === 'number') return { ok: true, values: [v.value] };
    if (v.kind === 'matrix' && v.rows === 1 && v.columns === 1) return { ok: true, values: [v.data[0][0]] };
    if ((v.kind === 'array' || v.kind === 'float64array') && v.data.length === 1) return { ok: true, values: [v.data[0]] };
    return typeError();
  }
  if (layout.kind === 'vector') {
    let values: number[] | undefined;
    let got: string;
    if (v.kind === 'array' || v.kind === 'float64array') {
      values = v.data;
      got = `of length ${v.data.length}`;
    } else if (v.kind === 'matrix' && (v.columns === 1 || v.rows === 1)) {
      // an n×1 (Octave's column) or 1×n matrix holds the same numbers in the same order
      values = colMajor(v.data, v.rows, v.columns);
      got = `as a ${shape(v.rows, v.columns)} matrix`;
    } else return typeError();
    if (values.length !== layout.length) {
      const note = layout.lengthNote ? ` ${layout.lengthNote}` : '';
      return { ok: false, problem: 'shape', message: `\`${fn}\` returned ${what} ${got}, expected ${layout.length}${note}.` };
    }
    return { ok: true, values: values.slice() };
  }
  if (v.kind !== 'matrix') return typeError();
  if (v.rows !== layout.rows || v.columns !== layout.columns) {
    const note = layout.shapeNote ? ` ${layout.shapeNote}` : '';
    return {
      ok: false,
      problem: 'shape',
      message: `\`${fn}\` returned ${what} as a ${shape(v.rows, v.columns)} matrix, expected ${shape(layout.rows, layout.columns)}${note}.`,
    };
  }
  return { ok: true, values: colMajor(v.data, v.rows, v.columns) };
}

/** Octave position of the 0-based unrolled index p: "grad(7) = Theta1(3, 2)", "g(2, 3)". */
export function positionOf(p: number, spec: QuantitySpec): { text: string; matrix?: string; row?: number; column?: number } {
  const { layout, what } = spec;
  if (layout.kind === 'scalar') return { text: what };
  if (layout.kind === 'matrix') {
    const row = (p % layout.rows) + 1;
    const column = Math.floor(p / layout.rows) + 1;
    return { text: `${what}(${row}, ${column}) (element ${p + 1} of ${what}(:))`, matrix: what, row, column };
  }
  let offset = 0;
  for (const b of layout.blocks ?? []) {
    const n = b.rows * b.columns;
    if (p < offset + n) {
      const q = p - offset;
      const row = (q % b.rows) + 1;
      const column = Math.floor(q / b.rows) + 1;
      return { text: `${what}(${p + 1}) = ${b.name}(${row}, ${column})`, matrix: b.name, row, column };
    }
    offset += n;
  }
  return { text: `${what}(${p + 1})` };
}

/** Vectors longer than this get no compact diff (see compareValues). */
const MAX_DIFF_ELEMENTS = 400;

const NON_FINITE_HINT =
  'NaN comes from 0/0 or the log of a negative number; Infinity from log(0) or a division by zero.';

/** Compares numbers already read (column-major) with the expected ones. */
export function compareValues(got: number[], expected: readonly number[], spec: QuantitySpec, tol: Tolerance): Comparison {
  const { fn, what } = spec;
  if (got.length !== expected.length) throw new Error(`compareValues: ${got.length} vs ${expected.length} values (grader bug)`);
  // 1. NaN / Infinity, named, before any arithmetic on them.
  const bad: number[] = [];
  for (let p = 0; p < got.length; p++) if (!Number.isFinite(got[p]) && Number.isFinite(expected[p])) bad.push(p);
  if (bad.length > 0) {
    const p = bad[0];
    const pos = positionOf(p, spec);
    const which = spec.layout.kind === 'scalar' ? `${what} = ${fmtNum(got[p])}` : `${fmtNum(got[p])} at ${pos.text}`;
    const count = bad.length > 1 ? ` (${bad.length} of its ${got.length} elements are not finite)` : '';
    return {
      passed: false,
      problem: 'non-finite',
      message: `\`${fn}\` returned ${which}${count}, expected ${fmtNum(expected[p])}. ${NON_FINITE_HINT}`,
      got,
    };
  }
  // 2. |got − expected| <= atol + rtol·|expected|, element by element.
  let worst = -1;
  let worstRatio = 0;
  let off = 0;
  for (let p = 0; p < got.length; p++) {
    const e = expected[p];
    const abs = Math.abs(got[p] - e);
    const allowed = tol.atol + tol.rtol * Math.abs(e);
    if (abs > allowed) off++;
    const ratio = abs / allowed;
    if (abs > allowed && ratio > worstRatio) {
      worstRatio = ratio;
      worst = p;
    }
  }
  if (off === 0) return { passed: true, got };

  const e = expected[worst];
  const g = got[worst];
  const absError = Math.abs(g - e);
  // Relative to |expected|; when expected is exactly 0 any value is wholly wrong: 1.
  const relError = e !== 0 ? absError / Math.abs(e) : 1;
  const pos = positionOf(worst, spec);
  // A scalar has no position: no index (the report says "expected x, got y", not "at index 1").
  const worstEl: WorstElement = spec.layout.kind === 'scalar' ? { expected: e, got: g, absError, relError } : { index: worst + 1, expected: e, got: g, absError, relError };
  if (pos.row !== undefined) {
    if (pos.matrix !== undefined) worstEl.matrix = pos.matrix;
    worstEl.row = pos.row;
    worstEl.column = pos.column;
  }
  const errors = `absolute error ${fmtErr(absError)}, relative error ${e !== 0 ? fmtErr(relError) : 'n/a (expected exactly 0)'}`;
  let message: string;
  if (spec.layout.kind === 'scalar') {
    message = `\`${fn}\` returned ${what} = ${fmtNum(g)}, expected ${fmtNum(e)} (${errors}).`;
  } else {
    message =
      `\`${fn}\` returned a wrong ${what}: ${off} of ${got.length} elements are off. ` +
      `The worst is ${pos.text}: expected ${fmtNum(e)}, got ${fmtNum(g)} (${errors}).`;
  }
  // The '%0.5f' diff is for the exercise's small cases; on a speed probe's 10,000 elements the
  // diff algorithm alone would take seconds (quadratic when everything differs).
  const diff = got.length <= MAX_DIFF_ELEMENTS ? compactDiff(expected, got) : undefined;
  const result: Comparison = { passed: false, problem: 'value', message, worst: worstEl, got };
  if (diff !== undefined) result.diff = diff;
  return result;
}

/** Reads the student's value (type, shape) and compares it with the expected column-major numbers. */
export function compareWire(v: WireValue, expected: readonly number[], spec: QuantitySpec, tol: Tolerance): Comparison {
  const read = readNumbers(v, spec);
  if (!read.ok) return { passed: false, problem: read.problem, message: read.message };
  return compareValues(read.values, expected, spec, tol);
}

/** The layout of nnCostFunction's grad: [Theta1(:); Theta2(:)], Theta1 h×(n+1), Theta2 K×(h+1). */
export function gradLayout(n: number, h: number, K: number): Layout {
  const b1 = { name: 'Theta1', rows: h, columns: n + 1 };
  const b2 = { name: 'Theta2', rows: K, columns: h + 1 };
  return {
    kind: 'vector',
    length: h * (n + 1) + K * (h + 1),
    blocks: [b1, b2],
    lengthNote: `(= ${shape(b1.rows, b1.columns)} + ${shape(b2.rows, b2.columns)} unrolled as [Theta1(:); Theta2(:)])`,
  };
}

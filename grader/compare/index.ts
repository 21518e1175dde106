/**
 * Comparison of a student's value with the reference: type and shape first, then NaN/Infinity,
 * then numbers within |got − expected| <= atol + rtol·|expected|. Never compares rounded strings;
 * the '%0.5f ' rendering only illustrates a failure (compactDiff).
 */
import { render, type MessageId, type MessageParams, type MessageRef } from '../messages/index';
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

/**
 * What the value should look like. Matrices and vectors are compared column-major (Octave's (:)).
 * The notes are catalogue fragments (`compare.note.*`) that follow the expected length or shape.
 */
export type Layout =
  | { kind: 'scalar' }
  | { kind: 'vector'; length: number; blocks?: Block[]; lengthNote?: MessageRef }
  | { kind: 'matrix'; rows: number; columns: number; shapeNote?: MessageRef };

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
  /**
   * Why it did not pass, in English (logs, tests); readers get `messageId` + `params` rendered in
   * their language (the report does it, and can redo it: every param is language-neutral).
   */
  message?: string;
  messageId?: MessageId;
  params?: MessageParams;
  worst?: WorstElement;
  diff?: string;
  /** The student's numbers, column-major, whenever type and shape were right. */
  got?: number[];
  /** Judged against a seal (grader/reference/sealed.ts): the comparison holds no expected value. */
  sealed?: boolean;
}

/** A failed comparison whose sentence is the catalogue message `ref` (its English text in `message`). */
export function failedWith(problem: Problem | undefined, ref: MessageRef, extra: Omit<Comparison, 'passed' | 'problem' | 'message' | 'messageId' | 'params'> = {}): Comparison {
  const out: Comparison = { passed: false, message: render(ref, 'en'), messageId: ref.id, ...extra };
  if (problem) out.problem = problem;
  if (ref.params) out.params = ref.params;
  return out;
}

/** A comparison's sentence as a catalogue message (undefined when it passed or has none). */
export function comparisonRef(c: Comparison): MessageRef | undefined {
  if (!c.messageId) return undefined;
  return c.params ? { id: c.messageId, params: c.params } : { id: c.messageId };
}

/**
 * The comparison with a second sentence after its own (`compare.and`), e.g. a hint that a part is
 * not written yet; a comparison without a catalogue sentence is returned unchanged.
 */
export function withNote(c: Comparison, note: MessageRef): Comparison {
  const first = comparisonRef(c);
  if (!first) return c;
  const ref: MessageRef = { id: 'compare.and', params: { first, second: note } };
  return { ...c, message: render(ref, 'en'), messageId: ref.id, params: ref.params };
}

/** The harness's structured descriptions (`about.type`) that have a catalogue sentence, with the params each needs. */
const OTHER_KINDS: Readonly<Record<string, readonly string[]>> = {
  null: [],
  undefined: [],
  string: ['preview'],
  number: ['value'],
  boolean: ['value'],
  bigint: ['value'],
  symbol: ['value'],
  function: [],
  'function-named': ['name'],
  promise: ['fn'],
  'typed-array': ['name', 'length'],
  array: ['length', 'element', 'index'],
  object: ['keys'],
  'object-empty': [],
  instance: ['name', 'keys'],
  'instance-empty': ['name'],
  'matrix-like': ['row', 'column', 'element'],
};

/** Element kinds a structured description may name (`compare.element.*`). */
const ELEMENT_KINDS: ReadonlySet<string> = new Set(['null', 'undefined', 'string', 'number', 'boolean', 'bigint', 'symbol', 'function', 'promise', 'typed-array', 'nested-array', 'object']);

/**
 * A returned value's description as a catalogue message: "a 3×10 matrix", "a Float64Array of
 * length 30", "the number 0.5", or, for anything else, the harness's structured description (its
 * English text when the structure is missing or unknown: the child is hostile, so only known kinds
 * and element kinds select a sentence).
 */
export function wireRef(v: WireValue): MessageRef {
  switch (v.kind) {
    case 'number':
      return { id: 'compare.wire.number', params: { value: fmtNum(v.value) } };
    case 'matrix':
      return { id: 'compare.wire.matrix', params: { rows: v.rows, columns: v.columns } };
    case 'float64array':
    case 'array':
      return { id: `compare.wire.${v.kind}`, params: { length: v.data.length } };
    case 'cost-and-gradient':
      return { id: 'compare.wire.cost-and-gradient' };
    case 'training':
    case 'gradient-check':
      return { id: `compare.wire.${v.kind}` };
    case 'other': {
      const about = v.about;
      const needs = about && typeof about.type === 'string' ? OTHER_KINDS[about.type] : undefined;
      if (about && needs && needs.every((k) => about[k] !== undefined) && (!('element' in about) || ELEMENT_KINDS.has(String(about.element)))) {
        const params: Record<string, string | number> = {};
        for (const k of needs) params[k] = about[k];
        return { id: `compare.other.${about.type}` as MessageId, params };
      }
      return { id: 'compare.wire.described', params: { description: v.description } };
    }
  }
}

/** "a 3×10 matrix", "a Float64Array of length 30", "the number 0.5", or the harness's description (English, for logs). */
export function describeWire(v: WireValue): string {
  return render(wireRef(v), 'en');
}

function expectedRef(layout: Layout): MessageRef {
  switch (layout.kind) {
    case 'scalar':
      return { id: 'compare.expected.scalar' };
    case 'vector':
      return { id: 'compare.expected.vector', params: { length: layout.length } };
    case 'matrix':
      return { id: 'compare.expected.matrix', params: { rows: layout.rows, columns: layout.columns } };
  }
}

/** Column-major numbers of a matrix given as row-major rows. */
function colMajor(rows: number[][], r: number, c: number): number[] {
  const out = new Array<number>(r * c);
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) out[j * r + i] = rows[i][j];
  return out;
}

type Read = { ok: true; values: number[] } | { ok: false; problem: Problem; ref: MessageRef };

/** The student's value as column-major numbers, if its type and shape fit the layout. */
export function readNumbers(v: WireValue, spec: QuantitySpec): Read {
  const { fn, what, layout } = spec;
  const typeError = (): Read => ({ ok: false, problem: 'type', ref: { id: 'compare.type', params: { fn, what, got: wireRef(v), expected: expectedRef(layout) } } });
  if (layout.kind === 'scalar') {
    if (v.kind === 'number') return { ok: true, values: [v.value] };
    if (v.kind === 'matrix' && v.rows === 1 && v.columns === 1) return { ok: true, values: [v.data[0][0]] };
    if ((v.kind === 'array' || v.kind === 'float64array') && v.data.length === 1) return { ok: true, values: [v.data[0]] };
    return typeError();
  }
  if (layout.kind === 'vector') {
    let values: number[] | undefined;
    let got: MessageRef;
    const note = layout.lengthNote ?? '';
    if (v.kind === 'array' || v.kind === 'float64array') {
      values = v.data;
      got = { id: 'compare.length', params: { fn, what, length: v.data.length, expectedLength: layout.length, note } };
    } else if (v.kind === 'matrix' && (v.columns === 1 || v.rows === 1)) {
      // an n×1 (Octave's column) or 1×n matrix holds the same numbers in the same order
      values = colMajor(v.data, v.rows, v.columns);
      got = { id: 'compare.length-matrix', params: { fn, what, rows: v.rows, columns: v.columns, expectedLength: layout.length, note } };
    } else return typeError();
    if (values.length !== layout.length) return { ok: false, problem: 'shape', ref: got };
    return { ok: true, values: values.slice() };
  }
  if (v.kind !== 'matrix') return typeError();
  if (v.rows !== layout.rows || v.columns !== layout.columns) {
    const params = { fn, what, rows: v.rows, columns: v.columns, expectedRows: layout.rows, expectedColumns: layout.columns, note: layout.shapeNote ?? '' };
    return { ok: false, problem: 'shape', ref: { id: 'compare.shape', params } };
  }
  return { ok: true, values: colMajor(v.data, v.rows, v.columns) };
}

/** The comparison of a value whose type or shape was wrong. */
export function readFailure(read: Extract<Read, { ok: false }>, extra: { sealed?: boolean } = {}): Comparison {
  return failedWith(read.problem, read.ref, extra);
}

/** An Octave position: its catalogue rendering (`ref`; `text` is the English) and its matrix, row and column when it has them. */
export interface Position {
  text: string;
  ref: MessageRef;
  matrix?: string;
  row?: number;
  column?: number;
}

/** Octave position of the 0-based unrolled index p: "grad(7) = Theta1(3, 2)", "g(2, 3) (element 6 of g(:))". */
export function positionOf(p: number, spec: QuantitySpec): Position {
  const { layout, what } = spec;
  const at = (ref: MessageRef, where: Omit<Position, 'text' | 'ref'> = {}): Position => ({ text: render(ref, 'en'), ref, ...where });
  if (layout.kind === 'scalar') return at({ id: 'compare.position.scalar', params: { what } });
  if (layout.kind === 'matrix') {
    const row = (p % layout.rows) + 1;
    const column = Math.floor(p / layout.rows) + 1;
    return at({ id: 'compare.position.matrix', params: { what, row, column, index: p + 1 } }, { matrix: what, row, column });
  }
  let offset = 0;
  for (const b of layout.blocks ?? []) {
    const n = b.rows * b.columns;
    if (p < offset + n) {
      const q = p - offset;
      const row = (q % b.rows) + 1;
      const column = Math.floor(q / b.rows) + 1;
      return at({ id: 'compare.position.block', params: { what, index: p + 1, matrix: b.name, row, column } }, { matrix: b.name, row, column });
    }
    offset += n;
  }
  return at({ id: 'compare.position.index', params: { what, index: p + 1 } });
}

/** Vectors longer than this get no compact diff (see compareValues). */
const MAX_DIFF_ELEMENTS = 400;

/** Compares numbers already read (column-major) with the expected ones. */
export function compareValues(got: number[], expected: readonly number[], spec: QuantitySpec, tol: Tolerance): Comparison {
  const { fn, what } = spec;
  if (got.length !== expected.length) throw new Error(`compareValues: ${got.length} vs ${expected.length} values (grader bug)`);
  // 1. NaN / Infinity, named, before any arithmetic on them.
  const bad: number[] = [];
  for (let p = 0; p < got.length; p++) if (!Number.isFinite(got[p]) && Number.isFinite(expected[p])) bad.push(p);
  if (bad.length > 0) {
    const p = bad[0];
    const values = { fn, got: fmtNum(got[p]), expected: fmtNum(expected[p]) };
    let ref: MessageRef;
    if (spec.layout.kind === 'scalar') ref = { id: 'compare.non-finite.scalar', params: { ...values, what } };
    else if (bad.length === 1) ref = { id: 'compare.non-finite.one', params: { ...values, position: positionOf(p, spec).ref } };
    else ref = { id: 'compare.non-finite.many', params: { ...values, position: positionOf(p, spec).ref, count: bad.length, total: got.length } };
    return failedWith('non-finite', ref, { got });
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
  const errors: MessageRef = e !== 0 ? { id: 'compare.errors', params: { abs: fmtErr(absError), rel: fmtErr(relError) } } : { id: 'compare.errors.expected-zero', params: { abs: fmtErr(absError) } };
  const values = { fn, what, expected: fmtNum(e), got: fmtNum(g), errors };
  const ref: MessageRef =
    spec.layout.kind === 'scalar'
      ? { id: 'compare.value.scalar', params: values }
      : { id: 'compare.value.vector', params: { ...values, count: off, total: got.length, position: pos.ref } };
  // The '%0.5f' diff is for the exercise's small cases; on a speed probe's 10,000 elements the
  // diff algorithm alone would take seconds (quadratic when everything differs).
  const diff = got.length <= MAX_DIFF_ELEMENTS ? compactDiff(expected, got) : undefined;
  return failedWith('value', ref, diff === undefined ? { worst: worstEl, got } : { worst: worstEl, diff, got });
}

/** Reads the student's value (type, shape) and compares it with the expected column-major numbers. */
export function compareWire(v: WireValue, expected: readonly number[], spec: QuantitySpec, tol: Tolerance): Comparison {
  const read = readNumbers(v, spec);
  if (!read.ok) return readFailure(read);
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
    lengthNote: { id: 'compare.note.grad-length', params: { theta1: shape(b1.rows, b1.columns), theta2: shape(b2.rows, b2.columns) } },
  };
}

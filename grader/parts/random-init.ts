/**
 * randInitializeWeights, judged by properties (the order of draws is the student's choice):
 * shape lOut×(1+lIn); every value in [−0.12, 0.12]; drawn from the `random` argument (the same seed
 * gives the same matrix, another seed another matrix); spread over both signs, not constant.
 */
import { failedWith, readFailure, readNumbers, type Comparison } from '../compare/index';
import type { MessageId, MessageParams } from '../messages/index';
import { fmtNum } from '../compare/format';
import { PARTS, STUDENT_FILES } from './ids';
import type { CallResult, PartDefinition } from './types';

export const EPSILON_INIT = 0.12;
/** Rounding slack for rand·2ε − ε computed in floating point. */
const SLACK = 1e-12;
/**
 * Spread thresholds. With ≥ 40 uniform weights per case (two independent matrices), a correct
 * implementation misses them with probability < 1e-8: (0.625)^40 for each side, (0.5)^40 for reach.
 */
const SIDE = 0.03;
const REACH = 0.06;

/** A failed judgement with the catalogue sentence `compare.rand-init.<kind>` (fn is always given). */
function fail(kind: string, params: MessageParams, got: number[]): Comparison {
  return failedWith('value', { id: `compare.rand-init.${kind}` as MessageId, params: { fn: 'randInitializeWeights', ...params } }, { got });
}

/** "W(2, 3)" for the 0-based column-major index p of an r-row matrix. */
function at(p: number, r: number): string {
  return `W(${(p % r) + 1}, ${Math.floor(p / r) + 1})`;
}

export const randomInit: PartDefinition = {
  id: 'random-init',
  info: PARTS['random-init'],
  file: STUDENT_FILES.randInitializeWeights,
  families: ['rand-init'],
  judge(c, results: CallResult[]) {
    if (c.family !== 'rand-init') throw new Error(`random-init cannot judge ${c.family}`);
    const { lIn, lOut } = c.inputs;
    const fn = 'randInitializeWeights';
    const spec = {
      fn,
      what: 'W',
      layout: { kind: 'matrix' as const, rows: lOut, columns: 1 + lIn, shapeNote: { id: 'compare.note.rand-init-shape' as const, params: { lOut, columns: 1 + lIn } } },
    };
    const mats: number[][] = [];
    for (const r of results) {
      const read = readNumbers(r.value, spec);
      if (!read.ok) return readFailure(read);
      mats.push(read.values);
    }
    const [a, b, other] = mats;
    const all = [...a, ...other];
    const bad = all.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) return failedWith('non-finite', { id: 'compare.rand-init.non-finite', params: { fn, value: fmtNum(all[bad]), at: at(bad % a.length, lOut) } });

    const mathRandom = Math.max(...results.map((r) => r.observations.mathRandomCalls ?? 0));
    if (mathRandom > 0) return fail('math-random', { calls: mathRandom }, a);
    if (results.some((r) => r.observations.randomDraws === 0)) return fail('no-draws', {}, a);
    const out = all.findIndex((x) => Math.abs(x) > EPSILON_INIT + SLACK);
    if (out >= 0) return fail('out-of-range', { at: at(out % a.length, lOut), value: fmtNum(all[out]) }, a);
    const diffAt = a.findIndex((x, i) => x !== b[i]);
    if (diffAt >= 0) return fail('not-reproducible', { at: at(diffAt, lOut), first: fmtNum(a[diffAt]), second: fmtNum(b[diffAt]) }, a);
    if (a.every((x, i) => x === other[i])) return fail('same-for-sources', {}, a);
    const min = Math.min(...all);
    const max = Math.max(...all);
    if (min === max) return fail('constant', { count: all.length / 2, value: fmtNum(min) }, a);
    const reach = Math.max(-min, max);
    if (reach < REACH) return fail('narrow', { reach: fmtNum(reach) }, a);
    if (min > -SIDE) return fail('one-sided-low', { value: fmtNum(min) }, a);
    if (max < SIDE) return fail('one-sided-high', { value: fmtNum(max) }, a);
    return { passed: true, got: a };
  },
};

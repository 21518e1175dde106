/**
 * random-init's catalogue mistakes, judged from the values and the call observations directly (the
 * order of draws is the student's choice, so there is no variant output to compare with):
 *   all weights equal                                   -> rand-init-symmetric
 *   outside [−0.12, 0.12], not centred, or too narrow    -> rand-init-range
 *   Math.random called, or same-seed calls that differ  -> rand-init-ignores-source
 */
import { readNumbers } from '../compare/index';
import { fmtNum } from '../compare/format';
import type { PartEvaluation } from '../parts/types';
import type { Diagnosis } from '../report/types';
import type { Lang } from '../messages/index';
import { catalogueDiagnosis, type MistakeDetail } from './catalogue';

const EPSILON = 0.12;
/** Rounding slack for rand·2ε − ε in floating point. */
const SLACK = 1e-12;
/** The mean of ≥ 20 uniform draws in [−ε, ε] is within ±0.06 (4 standard deviations) for a correct implementation. */
const MEAN_LIMIT = 0.06;
/** Spread of a correct implementation (the judge's thresholds): both signs beyond ±0.03, reach beyond 0.06. */
const SIDE = 0.03;
const REACH = 0.06;

/** The three matrices (same seed twice, another seed) and the observations of each answered case. */
function answeredCases(ev: PartEvaluation) {
  const out: { values: number[][]; draws: number[]; mathRandom: number[] }[] = [];
  for (const ce of ev.cases) {
    if (ce.case.family !== 'rand-init' || ce.outcomes.length < 3) continue;
    const { lIn, lOut } = ce.case.inputs;
    const spec = { fn: 'randInitializeWeights', what: 'W', layout: { kind: 'matrix' as const, rows: lOut, columns: 1 + lIn } };
    const values: number[][] = [];
    const draws: number[] = [];
    const mathRandom: number[] = [];
    for (const o of ce.outcomes) {
      if (!o.ok) break;
      const read = readNumbers(o.value, spec);
      if (!read.ok) break;
      values.push(read.values);
      draws.push(o.observations.randomDraws ?? -1);
      mathRandom.push(o.observations.mathRandomCalls ?? 0);
    }
    if (values.length === 3 && values.every((v) => v.every(Number.isFinite))) out.push({ values, draws, mathRandom });
  }
  return out;
}

/** The catalogue mistakes a failed random-init part shows (none when it shows no known pattern). */
export function diagnoseRandInit(ev: PartEvaluation, lang: Lang): Diagnosis[] {
  const cases = answeredCases(ev);
  if (cases.length === 0) return [];
  const out: Diagnosis[] = [];
  const part = ev.id;

  const mathRandom = Math.max(...cases.flatMap((c) => c.mathRandom));
  const sameSeedDiffers = cases.some((c) => c.values[0].some((x, i) => x !== c.values[1][i]));
  if (mathRandom > 0 || sameSeedDiffers) {
    const never = cases.every((c) => c.draws.every((d) => d === 0));
    const key = mathRandom > 0 ? (never ? 'math-random-never-source' : 'math-random') : 'same-seed-differs';
    out.push(catalogueDiagnosis('rand-init-ignores-source', part, lang, { key }));
  }

  const all = cases.flatMap((c) => [...c.values[0], ...c.values[2]]);
  const symmetric = cases.every((c) => c.values.every((v) => v.every((x) => x === v[0])));
  if (symmetric) {
    const values = new Set(all);
    const detail = values.size === 1 ? { key: 'all-weights-equal', params: { value: fmtNum(all[0]) } } : { key: 'matrix-weights-equal' };
    out.push(catalogueDiagnosis('rand-init-symmetric', part, lang, detail));
    return out;
  }

  const min = Math.min(...all);
  const max = Math.max(...all);
  const mean = all.reduce((s, x) => s + x, 0) / all.length;
  let range: MistakeDetail | undefined;
  if (max > EPSILON + SLACK || min < -EPSILON - SLACK) range = { key: 'range-outside', params: { value: fmtNum(Math.abs(max) > Math.abs(min) ? max : min) } };
  if (min > -SIDE) range = { key: 'range-not-centred-min', params: { value: fmtNum(min) } };
  else if (max < SIDE) range = { key: 'range-not-centred-max', params: { value: fmtNum(max) } };
  else if (Math.abs(mean) > MEAN_LIMIT) range = { key: 'range-mean', params: { value: fmtNum(mean) } };
  else if (!range && Math.max(-min, max) < REACH) range = { key: 'range-narrow', params: { value: fmtNum(Math.max(-min, max)) } };
  if (range) out.push(catalogueDiagnosis('rand-init-range', part, lang, range));
  return out;
}

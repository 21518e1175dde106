/**
 * randInitializeWeights, judged by properties (the order of draws is the student's choice):
 * shape lOut×(1+lIn); every value in [−0.12, 0.12]; drawn from the `random` argument (the same seed
 * gives the same matrix, another seed another matrix); spread over both signs, not constant.
 */
import { readNumbers, type Comparison } from '../compare/index';
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

function fail(message: string, got?: number[]): Comparison {
  return got ? { passed: false, problem: 'value', message, got } : { passed: false, problem: 'value', message };
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
      layout: { kind: 'matrix' as const, rows: lOut, columns: 1 + lIn, shapeNote: `(lOut = ${lOut} rows, 1 + lIn = ${1 + lIn} columns: the bias column is included)` },
    };
    const mats: number[][] = [];
    for (const r of results) {
      const read = readNumbers(r.value, spec);
      if (!read.ok) return { passed: false, problem: read.problem, message: read.message };
      mats.push(read.values);
    }
    const [a, b, other] = mats;
    const all = [...a, ...other];
    const bad = all.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) return { passed: false, problem: 'non-finite', message: `\`${fn}\` returned ${fmtNum(all[bad])} at ${at(bad % a.length, lOut)}; every weight should be a number in [−0.12, 0.12].` };

    const mathRandom = Math.max(...results.map((r) => r.observations.mathRandomCalls ?? 0));
    if (mathRandom > 0) {
      return fail(`\`${fn}\` called Math.random (${mathRandom} times in one call). Draw every number from the \`random\` argument instead, so that a seeded source gives the same weights every time.`, a);
    }
    if (results.some((r) => r.observations.randomDraws === 0)) {
      return fail(`\`${fn}\` never called its \`random\` argument. Draw each weight from random() (uniform in [0, 1)) and scale it to [−ε, ε] with ε = 0.12.`, a);
    }
    const out = all.findIndex((x) => Math.abs(x) > EPSILON_INIT + SLACK);
    if (out >= 0) {
      return fail(`\`${fn}\` returned ${at(out % a.length, lOut)} = ${fmtNum(all[out])}, outside [−0.12, 0.12]. Use W = rand·2ε − ε with ε = 0.12.`, a);
    }
    const diffAt = a.findIndex((x, i) => x !== b[i]);
    if (diffAt >= 0) {
      return fail(`\`${fn}\` returned different weights for two calls with the same seeded \`random\` source (${at(diffAt, lOut)}: ${fmtNum(a[diffAt])} then ${fmtNum(b[diffAt])}). Draw only from the \`random\` argument.`, a);
    }
    if (a.every((x, i) => x === other[i])) {
      return fail(`\`${fn}\` returned the same weights for two different \`random\` sources: the weights must come from random().`, a);
    }
    const min = Math.min(...all);
    const max = Math.max(...all);
    if (min === max) {
      return fail(`\`${fn}\` returned ${all.length / 2} weights that are all ${fmtNum(min)}: equal weights cannot break the symmetry between hidden units. Draw each weight from random().`, a);
    }
    const reach = Math.max(-min, max);
    if (reach < REACH) {
      return fail(`\`${fn}\`: the weights only reach ±${fmtNum(reach)}; uniform in [−ε, ε] with ε = 0.12 should use the whole range.`, a);
    }
    if (min > -SIDE || max < SIDE) {
      const side = min > -SIDE ? `every weight is ≥ ${fmtNum(min)}` : `every weight is ≤ ${fmtNum(max)}`;
      return fail(`\`${fn}\`: ${side}. The weights should be spread over [−0.12, 0.12], centred on 0: W = rand·2ε − ε.`, a);
    }
    return { passed: true, got: a };
  },
};

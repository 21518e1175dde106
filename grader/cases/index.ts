/**
 * The cases of one run: the public cases plus `hiddenCases` seeded cases per family, generated from
 * the seed (live reference) or picked by the seed from the stored pool (fixtures). Only the families
 * the graded parts use are built.
 */
import type { FixturesFile } from '../reference/fixtures';
import { hiddenNnCases, hiddenRandInitCases, hiddenSigmoidCases, numCheckCases, pickFromPool } from './hidden';
import { hiddenNumGradCases, publicNumGradCase } from './numgrad';
import { publicNnCase, publicRandInitCase, publicSigmoidCase } from './public';
import type { CaseFamily, CaseSet, GradingCase } from './types';

export * from './types';

/**
 * Numerical checks per gradient part: a second, independent opinion (the exact reference grad is the
 * first), kept few because each costs 2n reference costs: 1 for up to 4 hidden cases, then 1 more per 4.
 */
export function numCheckCount(hiddenCases: number): number {
  return hiddenCases <= 0 ? 0 : 1 + Math.floor((hiddenCases - 1) / 4);
}

/** Public cases of a family (the numerical checks have none: they are all seeded). */
export function publicCases(family: CaseFamily): GradingCase[] {
  switch (family) {
    case 'nn-unreg':
      return [publicNnCase(false)];
    case 'nn-reg':
      return [publicNnCase(true)];
    case 'sigmoid':
      return [publicSigmoidCase()];
    case 'numgrad':
      return [publicNumGradCase()];
    case 'rand-init':
      return [publicRandInitCase()];
    case 'numcheck-unreg':
    case 'numcheck-reg':
      return [];
  }
}

/** `count` generated hidden cases of a family from a seed (case k depends only on seed and k). */
export function generateHidden(family: CaseFamily, seed: number, count: number): GradingCase[] {
  switch (family) {
    case 'nn-unreg':
      return hiddenNnCases(seed, count, false);
    case 'nn-reg':
      return hiddenNnCases(seed, count, true);
    case 'numcheck-unreg':
      return numCheckCases(seed, count, false);
    case 'numcheck-reg':
      return numCheckCases(seed, count, true);
    case 'sigmoid':
      return hiddenSigmoidCases(seed, count);
    case 'numgrad':
      return hiddenNumGradCases(seed, count);
    case 'rand-init':
      return hiddenRandInitCases(seed, count);
  }
}

function hiddenCount(family: CaseFamily, hiddenCases: number): number {
  return family === 'numcheck-unreg' || family === 'numcheck-reg' ? numCheckCount(hiddenCases) : hiddenCases;
}

/**
 * Builds the run's cases for the given families.
 * @param fixtures the stored fixtures (fixtures mode: public cases and hidden pool with expected
 *        outputs), or undefined to generate hidden cases from the seed (live reference).
 */
export function buildCaseSet(families: Iterable<CaseFamily>, seed: number, hiddenCases: number, fixtures?: FixturesFile): Partial<CaseSet> {
  const set: Partial<Record<CaseFamily, GradingCase[]>> = {};
  for (const family of families) {
    const n = hiddenCount(family, hiddenCases);
    if (fixtures) {
      const pub = fixtures.public[family] ?? [];
      set[family] = [...pub, ...pickFromPool(fixtures.pool[family], seed, family, n)].map((c) => structuredClone(c));
    } else {
      set[family] = [...publicCases(family), ...generateHidden(family, seed, n)];
    }
  }
  return set as Partial<CaseSet>;
}

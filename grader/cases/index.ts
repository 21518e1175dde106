/**
 * The cases of one run: the public cases plus `hiddenCases` seeded cases per family and one speed
 * probe per gradient part. Live reference: hidden cases are generated from the run's seed. Sealed
 * (a release): the public cases come from the shipped public fixtures, and the hidden ones are
 * picked by the seed from the sealed pool, whose inputs are regenerated from the pool's seed and
 * whose expected outputs are seals (grader/reference/sealed.ts). Only the families the graded parts
 * use are built. Hidden cases are named by their position in the run ("hidden case A"), never by
 * their place in the pool.
 */
import { render, type MessageRef } from '../messages/index';
import { poolSeal, probeSeal, type SealedFile, type Seal } from '../reference/sealed';
import { familyRng } from './rng';
import { hiddenNnCases, hiddenRandInitCases, hiddenSigmoidCases, numCheckCases, shuffle } from './hidden';
import { hiddenNumGradCases, publicNumGradCase } from './numgrad';
import { pickProbeIndex, PROBE_BUDGET_MS, probeCase, probeInputs } from './probe';
import { publicNnCase, publicRandInitCase, publicSigmoidCase } from './public';
import { isProbe, type CaseFamily, type CaseSet, type GradingCase, type ProbeCase, type PublicFixtures } from './types';

function isProbeFamily(f: CaseFamily): f is ProbeCase['family'] {
  return f === 'probe-unreg' || f === 'probe-reg';
}

export * from './types';

/**
 * Numerical checks per gradient part: a second, independent opinion (the exact reference grad is the
 * first), kept few because each costs 2n reference costs: 1 for up to 4 hidden cases, then 1 more per 4.
 */
export function numCheckCount(hiddenCases: number): number {
  return hiddenCases <= 0 ? 0 : 1 + Math.floor((hiddenCases - 1) / 4);
}

/** Public cases of a family (the numerical checks and the speed probes have none). */
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
    case 'probe-unreg':
    case 'probe-reg':
      return [];
  }
}

/**
 * `count` generated hidden cases of a family from a seed (case k depends only on seed and k). The
 * probe families have one probe per index (see ./probe.ts), generated with the default budget.
 */
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
    case 'probe-unreg':
    case 'probe-reg':
      return Array.from({ length: count }, (_, k) => probeCase(family, seed, k, PROBE_BUDGET_MS));
  }
}

/** How many hidden cases of a family a run has. */
export function hiddenCount(family: CaseFamily, hiddenCases: number): number {
  if (family === 'numcheck-unreg' || family === 'numcheck-reg') return numCheckCount(hiddenCases);
  if (family === 'probe-unreg' || family === 'probe-reg') return hiddenCases > 0 ? 1 : 0;
  return hiddenCases;
}

/** The quantities a family's cases are judged on (the keys of their seals), in a fixed order. */
export const SEALED_QUANTITIES: Partial<Record<CaseFamily, readonly string[]>> = {
  'nn-unreg': ['J', 'grad'],
  'nn-reg': ['J', 'grad'],
  'numcheck-unreg': ['numgrad'],
  'numcheck-reg': ['numgrad'],
  sigmoid: ['g'],
  numgrad: ['numgrad'],
};

/** n distinct indices of a pool of `size`, chosen by the run's seed, ascending. */
export function pickIndices(size: number, seed: number, family: string, n: number): number[] {
  const rng = familyRng(seed, `pick:${family}`);
  return shuffle(rng, Array.from({ length: size }, (_, i) => i))
    .slice(0, Math.min(n, size))
    .sort((a, b) => a - b);
}

/** The pool's generated inputs per family, regenerated once per process (they depend only on the pool's seed). */
const poolCache = new Map<string, GradingCase[]>();
function poolCases(family: CaseFamily, poolSeed: number, count: number): GradingCase[] {
  const key = `${family} ${poolSeed}`;
  let cases = poolCache.get(key);
  if (!cases || cases.length < count) {
    cases = generateHidden(family, poolSeed, count);
    poolCache.set(key, cases);
  }
  return cases;
}

/**
 * Recently generated probe inputs (50,000 random numbers each, ~10 ms): a batch grades every
 * submission with one seed, so the same probes come back. A few entries only (each ~1 MB); the
 * inputs are shared read-only (requestsFor copies them for every call).
 */
const probeCache = new Map<string, ProbeCase['inputs']>();
const PROBE_CACHE_SIZE = 4;
function cachedProbeInputs(family: ProbeCase['family'], seed: number, index: number): ProbeCase['inputs'] {
  const key = `${family} ${seed} ${index}`;
  let inputs = probeCache.get(key);
  if (!inputs) {
    inputs = probeInputs(family, seed, index);
    if (probeCache.size >= PROBE_CACHE_SIZE) probeCache.delete(probeCache.keys().next().value as string);
    probeCache.set(key, inputs);
  }
  return inputs;
}

/** The stored reference a sealed run grades from. */
export interface StoredReference {
  public: PublicFixtures;
  sealed: SealedFile;
}

export interface CaseSetOptions {
  /** Sealed mode: the shipped public fixtures and sealed pool. Absent: live (cases generated from the seed). */
  stored?: StoredReference;
  /** A probe's time budget (ms): PROBE_BUDGET_MS capped by the sandbox's per-call limit. */
  probeBudgetMs?: number;
}

function sealedHidden(family: CaseFamily, seed: number, n: number, stored: StoredReference, budgetMs: number): GradingCase[] {
  const file = stored.sealed;
  if (family === 'rand-init') return generateHidden(family, seed, n); // judged by properties: nothing to seal
  if (family === 'probe-unreg' || family === 'probe-reg') {
    if (n === 0) return [];
    const index = pickProbeIndex(seed, family, file.probePoolSize);
    const seal = probeSeal(file, family, index);
    if (!seal) throw new Error(`backprop-grader: the sealed pool has no ${family} probe ${index}; run \`backprop-grader fixtures\``);
    return [{ ...probeCase(family, file.poolSeed, index, budgetMs, cachedProbeInputs(family, file.poolSeed, index)), sealed: { grad: seal }, poolIndex: index }];
  }
  const indices = pickIndices(file.poolSize, seed, family, n);
  const generated = poolCases(family, file.poolSeed, file.poolSize);
  return indices.map((index) => {
    const c = structuredClone(generated[index]);
    const seals: Record<string, Seal> = {};
    for (const q of SEALED_QUANTITIES[family] ?? []) {
      const seal = poolSeal(file, family, index, q);
      if (!seal) throw new Error(`backprop-grader: the sealed pool has no ${q} for ${family} case ${index}; run \`backprop-grader fixtures\``);
      seals[q] = seal;
    }
    return { ...c, sealed: seals, poolIndex: index };
  });
}

/** A public case's name by its family (the same in live and sealed runs, whatever the fixtures file says). */
function publicNameRef(c: GradingCase): MessageRef {
  switch (c.family) {
    case 'nn-unreg':
    case 'nn-reg':
      return { id: 'report.case.public-coursera', params: { lambda: c.inputs.lambda } };
    case 'sigmoid':
      return { id: 'report.case.public-sigmoid' };
    case 'rand-init':
      return { id: 'report.case.public-rand-init', params: { lIn: c.inputs.lIn, lOut: c.inputs.lOut } };
    case 'numgrad':
      return { id: 'report.case.public-numgrad' };
    default:
      return { id: 'report.named', params: { name: c.name } };
  }
}

/**
 * Names the cases for readers (`nameRef`, and `name` in English): public cases by what they are,
 * hidden cases by their position in the run: "hidden case A", "numerical check A", "speed check".
 */
function nameCases(cases: GradingCase[]): GradingCase[] {
  let k = 0;
  return cases.map((c) => {
    let nameRef: MessageRef;
    if (!c.hidden) nameRef = publicNameRef(c);
    else {
      const letter = String.fromCharCode(65 + (k % 26)) + (k >= 26 ? String(Math.floor(k / 26)) : '');
      k++;
      if (isProbe(c)) nameRef = { id: 'report.case.probe' };
      else nameRef = { id: c.family === 'numcheck-unreg' || c.family === 'numcheck-reg' ? 'report.case.numcheck' : 'report.case.hidden', params: { letter } };
    }
    return { ...c, name: render(nameRef, 'en'), nameRef };
  });
}

/** A case's name as a catalogue message (its English `name` as is for a case buildCaseSet did not name). */
export function caseNameRef(c: GradingCase): MessageRef {
  return c.nameRef ?? { id: 'report.named', params: { name: c.name } };
}

/**
 * Builds the run's cases for the given families.
 * @param options.stored sealed mode (public fixtures + sealed pool); absent: live reference
 */
export function buildCaseSet(families: Iterable<CaseFamily>, seed: number, hiddenCases: number, options: CaseSetOptions = {}): Partial<CaseSet> {
  const set: Partial<Record<CaseFamily, GradingCase[]>> = {};
  const budgetMs = options.probeBudgetMs ?? PROBE_BUDGET_MS;
  for (const family of families) {
    const n = hiddenCount(family, hiddenCases);
    let cases: GradingCase[];
    if (options.stored) {
      const pub = (options.stored.public.cases[family] ?? publicCases(family)).map((c) => structuredClone(c));
      cases = [...pub, ...sealedHidden(family, seed, n, options.stored, budgetMs)];
    } else {
      const hidden = isProbeFamily(family)
        ? Array.from({ length: n }, (_, k) => probeCase(family, seed, k, budgetMs, cachedProbeInputs(family, seed, k)))
        : generateHidden(family, seed, n);
      cases = [...publicCases(family), ...hidden];
    }
    set[family] = nameCases(cases);
  }
  return set as Partial<CaseSet>;
}

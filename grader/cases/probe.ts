/**
 * The speed probes: one nnCostFunction call per gradient part on a network large enough that only
 * backpropagation answers in time (docs/sealed-fixtures.md, "Backprop must be backprop").
 *
 * Size: 400-25-10 (the exercise's own digits network) with 100 examples, 10,285 parameters.
 * Measured through the sandbox on the 2-core development machine under load (`npm run bench --
 * probe`): backpropagation 15–27 ms per call (per-example loop, vectorized, plain arrays; cold first
 * calls up to 160 ms), Richardson-extrapolated finite differences of the cost 103 s (plain central
 * differences about half). The budget, 2 s, is 12× the slowest cold backprop call and 26–52×
 * below the finite differences.
 */
import { drawLambda, shuffle } from './hidden';
import { familyRng } from './rng';
import type { ProbeCase } from './types';

/** The probe network: inputs, hidden units, labels, examples. */
export const PROBE_SIZES = { input: 400, hidden: 25, labels: 10, m: 100 } as const;

/** Wall-clock budget of a probe call, in ms (capped by the sandbox's per-call limit). */
export const PROBE_BUDGET_MS = 2000;

/** Parameters of the probe network: 25×401 + 10×26 = 10,285. */
export const PROBE_PARAMS = PROBE_SIZES.hidden * (PROBE_SIZES.input + 1) + PROBE_SIZES.labels * (PROBE_SIZES.hidden + 1);

/**
 * Probe `index` of `family` for a seed: its inputs depend only on (seed, family, index), so a
 * sealed pool of probes can be regenerated from its seed and an index picked per run.
 * @param budgetMs the call's time budget (already capped by the caller)
 */
export function probeCase(family: ProbeCase['family'], seed: number, index: number, budgetMs: number, inputs = probeInputs(family, seed, index)): ProbeCase {
  return { id: `${family}/${index}`, family, name: 'speed check', hidden: true, inputs, budgetMs };
}

/** The probe's inputs (generated; see probeCase). */
export function probeInputs(family: ProbeCase['family'], seed: number, index: number): ProbeCase['inputs'] {
  const rng = familyRng(seed, `${family}#${index}`);
  const { input: n, hidden: h, labels: K, m } = PROBE_SIZES;
  const lambda = family === 'probe-reg' ? drawLambda(rng) : 0;
  const nnParams = Array.from({ length: PROBE_PARAMS }, () => rng.uniform(-0.5, 0.5));
  const X = Array.from({ length: m }, () => Array.from({ length: n }, () => rng.uniform(-1, 1)));
  const y = shuffle(rng, Array.from({ length: m }, (_, i) => 1 + (i % K)));
  return { nnParams, inputLayerSize: n, hiddenLayerSize: h, numLabels: K, X, y, lambda };
}

/** The probe index a run uses from a pool of `poolSize` probes (sealed mode), chosen by the run's seed. */
export function pickProbeIndex(seed: number, family: ProbeCase['family'], poolSize: number): number {
  return familyRng(seed, `pick:${family}`).int(0, poolSize - 1);
}

/**
 * The engine's sealed-mode and speed-probe steps, kept out of api.ts:
 * - prefetching seal verdicts while the sandbox still runs (hashing overlaps the student's code);
 * - the verdict of a speed probe that ran out of time (failed, kind `too-slow`);
 * - the failure kind of a case for the report.
 */
import { isProbe, type GradingCase, type ProbeCase } from '../cases/types';
import { PROBE_PARAMS, PROBE_SIZES } from '../cases/probe';
import { failedWith, type Comparison } from '../compare/index';
import type { SealChecker } from '../compare/sealed';
import type { Tolerance } from '../options';
import type { FailureKind } from '../report/types';
import type { SealVerifier } from '../reference/sealed';
import type { CallOutcome } from '../sandbox/protocol';
import type { CallResult, CaseEvaluation, PartDefinition } from './types';

/**
 * Starts verifying a freshly answered case against its seals in the background: runs the judges of
 * the parts that judge it with a checker that records what it is asked (verdicts are discarded; the
 * real judging happens once every call has returned and the verifier has settled).
 */
export function prefetchSeals(c: GradingCase, outcomes: readonly CallOutcome[], parts: readonly PartDefinition[], verifier: SealVerifier, tolerance: Tolerance): void {
  if (!c.sealed || outcomes.some((o) => !o.ok)) return;
  const results: CallResult[] = outcomes.map((o) => (o.ok ? { value: o.value, observations: o.observations } : (undefined as never)));
  const seals: SealChecker = {
    check(seal, values) {
      verifier.prefetch(seal, values);
      return true;
    },
  };
  for (const part of parts) {
    if (!part.families.includes(c.family)) continue;
    try {
      part.judge(c, results, { tolerance, seals });
    } catch {
      // The real judging reports any problem; prefetching only warms the verdicts.
    }
  }
}

/** The comparison of a speed probe that did not return within its budget: failed, too slow. */
export function probeTooSlow(c: ProbeCase): Comparison {
  const params = {
    budgetMs: c.budgetMs,
    input: PROBE_SIZES.input,
    hidden: PROBE_SIZES.hidden,
    labels: PROBE_SIZES.labels,
    params: PROBE_PARAMS,
    m: PROBE_SIZES.m,
    calls: 2 * PROBE_PARAMS,
  };
  return failedWith('value', { id: 'sealed.probe.too-slow', params });
}

/** True when a probe's own call ran out of its budget (not a timeout copied from an earlier case). */
export function isProbeTimeout(c: GradingCase, outcome: CallOutcome | undefined, ownTimeouts: ReadonlySet<string>): c is ProbeCase {
  return isProbe(c) && ownTimeouts.has(c.id) && outcome !== undefined && !outcome.ok && outcome.error.code === 'timeout';
}

/** Why a case did not pass, for the report (undefined when it passed). */
export function failureKind(e: CaseEvaluation): FailureKind | undefined {
  if (e.verdict === 'passed') return undefined;
  if (e.failure) return e.failure;
  if (e.error) return e.error.code === 'not-implemented' ? 'not-implemented' : 'error';
  switch (e.comparison.problem) {
    case 'type':
      return 'type';
    case 'shape':
      return 'shape';
    case 'non-finite':
      return 'nan';
    default:
      return 'value';
  }
}

/**
 * Comparison against an expected value that may be sealed. A clear expectation is compared as
 * always (compareWire: type, shape, NaN, tolerance, worst element, diff). A sealed one (a hidden
 * case in a release, grader/reference/sealed.ts) gets the same type and shape checks, then NaN, then
 * the seal's verdict: pass or fail, with no expected value anywhere in the result.
 */
import type { Tolerance } from '../options';
import type { Seal } from '../reference/sealed';
import type { WireValue } from '../sandbox/protocol';
import { fmtNum } from './format';
import { compareWire, failedWith, positionOf, readFailure, readNumbers, type Comparison, type QuantitySpec } from './index';

/** Answers "is this answer inside the sealed cells?" synchronously (grader/reference/sealed.ts SealVerifier). */
export interface SealChecker {
  check(seal: Seal, values: readonly number[]): boolean;
}

/** What an answer is judged against. */
export type Expectation = { kind: 'clear'; values: readonly number[] } | { kind: 'sealed'; seal: Seal };

/** What a sealed comparison needs besides the value. */
export interface SealedContext {
  seals?: SealChecker;
}

/** Compares a student's value with an expectation (clear or sealed). */
export function compareExpectation(v: WireValue, exp: Expectation, spec: QuantitySpec, tol: Tolerance, ctx: SealedContext): Comparison {
  if (exp.kind === 'clear') return compareWire(v, exp.values, spec, tol);
  const read = readNumbers(v, spec);
  if (!read.ok) return readFailure(read, { sealed: true });
  return compareSealedValues(read.values, exp.seal, spec, ctx);
}

/** Compares numbers already read (column-major) with a seal. */
export function compareSealedValues(got: number[], seal: Seal, spec: QuantitySpec, ctx: SealedContext): Comparison {
  const { fn, what } = spec;
  const bad = got.flatMap((x, p) => (Number.isFinite(x) ? [] : [p]));
  if (bad.length > 0) {
    const params = { fn, what, count: bad.length, total: got.length, position: positionOf(bad[0], spec).ref };
    return failedWith('non-finite', { id: 'sealed.case.nan', params }, { got, sealed: true });
  }
  if (!ctx.seals) throw new Error('grader bug: a sealed case was judged without a seal checker');
  if (ctx.seals.check(seal, got)) return { passed: true, got, sealed: true };
  const scalar = spec.layout.kind === 'scalar';
  const id = scalar ? 'sealed.case.value-scalar' : 'sealed.case.value';
  const params: Record<string, string> = scalar ? { fn, what, got: fmtNum(got[0]) } : { fn, what };
  return failedWith('value', { id, params }, { got, sealed: true });
}

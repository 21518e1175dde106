/**
 * GradeOptions: one typed object with documented defaults, resolved once (CLI flags over the
 * optional backprop-grader.config.json over these defaults) and passed down the pipeline.
 */
import type { Lang } from './messages/index';
import type { PartId, PresetName } from './parts/ids';
import { DEFAULT_LIMITS, type IsolationPolicy, type SandboxLimits } from './sandbox/protocol';

export interface Tolerance {
  /** Absolute tolerance: |got − expected| <= atol + rtol·|expected|. Default 1e-9. */
  atol: number;
  /** Relative tolerance. Default 1e-6. */
  rtol: number;
}

export interface GradeOptions {
  /** A student's exercises folder, or a repository that contains exercises/. */
  submission: string;
  /** Seed of the hidden cases; a fresh one is drawn (and reported) when absent. */
  seed?: number;
  /** Which parts are graded and their default points. Default 'full'. */
  preset: PresetName;
  /** Per-part point overrides (only for parts of the preset). */
  points: Partial<Record<PartId, number>>;
  tolerance: Tolerance;
  /** Off (default): a part scores all or nothing. On: points in proportion to the cases passed. */
  partialCredit: boolean;
  limits: SandboxLimits;
  /** Hidden randomized cases per part (besides the public case). Default 3. */
  hiddenCases: number;
  /**
   * Where reference outputs come from: 'solutions' (live, full detail), 'sealed' (the shipped public
   * fixtures and sealed hidden cases, as a student release grades), or 'auto': solutions/ when
   * present, else sealed. 'fixtures' is the former name of 'sealed' and means the same.
   */
  reference: 'auto' | 'solutions' | 'sealed' | 'fixtures';
  /** Name the student's mistake in failed parts (grader/diagnose). Default true; off only to measure or compare. */
  diagnose: boolean;
  /** How hard the sandbox walls must be (grader/sandbox). Default 'auto'. */
  isolation: IsolationPolicy;
  /** The language of every rendered text in the report. Default 'en' (the CLI resolves flag > config > locale). */
  lang: Lang;
  /** Grade only these parts of the preset (`--part`); undefined grades them all. */
  parts?: PartId[];
  /** Trace the matrices nnCostFunction builds, to point at the line of a mistake. Default true. */
  trace: boolean;
}

export const DEFAULT_OPTIONS: Omit<GradeOptions, 'submission'> = {
  preset: 'full',
  points: {},
  tolerance: { atol: 1e-9, rtol: 1e-6 },
  partialCredit: false,
  limits: DEFAULT_LIMITS,
  hiddenCases: 3,
  reference: 'auto',
  diagnose: true,
  isolation: 'auto',
  lang: 'en',
  trace: true,
};

/** Fills every option not given with its default (nested objects merged field by field). */
export function resolveOptions(partial: Partial<GradeOptions> & { submission: string }): GradeOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...partial,
    points: { ...DEFAULT_OPTIONS.points, ...partial.points },
    tolerance: { ...DEFAULT_OPTIONS.tolerance, ...partial.tolerance },
    limits: { ...DEFAULT_OPTIONS.limits, ...partial.limits },
  };
}

/**
 * A part's definition (the catalogue entry the engine runs) and the evaluation it produces: every
 * case with its inputs, the student's outcome, the expected value and the comparison. The diagnosis
 * stage (grader/diagnose) and scoring read PartEvaluations; the report is built from them.
 */
import type { CaseFamily, GradingCase } from '../cases/types';
import type { Comparison } from '../compare/index';
import type { SealChecker } from '../compare/sealed';
import type { Tolerance } from '../options';
import type { FailureKind } from '../report/types';
import type { CallError, CallObservations, CallOutcome, WireValue } from '../sandbox/protocol';
import type { PartId, PartInfo } from './ids';

/** passed: the answer is right; failed: the code ran (or is a stub) and the answer is wrong; errored: no answer. */
export type Verdict = 'passed' | 'failed' | 'errored';

export interface JudgeContext {
  /** options.tolerance (a part may tighten or loosen it for a documented reason). */
  tolerance: Tolerance;
  /** Verifies answers against seals (sealed mode); absent with a live reference. */
  seals?: SealChecker;
}

/** One successful call's result, as a judge sees it. */
export interface CallResult {
  value: WireValue;
  observations: CallObservations;
}

/** The verdict on one case from the student's results (judges only run when every call returned). */
export type CaseJudgement = Comparison;

export interface PartDefinition {
  id: PartId;
  info: PartInfo;
  /** The student's file, relative to the submission's exercises folder. */
  file: string;
  /** The case families this part judges, in order (public cases first within each). */
  families: readonly CaseFamily[];
  /**
   * Judges one case. `results` follow requestsFor(case) order. Must not throw for any student
   * value (a throw here is a grader bug).
   */
  judge(c: GradingCase, results: CallResult[], ctx: JudgeContext): CaseJudgement;
}

/** One case of one part, everything diagnosis needs. */
export interface CaseEvaluation {
  /** The case: id, name, hidden, inputs and the reference's expected outputs (when it has any). */
  case: GradingCase;
  /** The student's outcome per call (WireValue + observations, or a CallError). */
  outcomes: CallOutcome[];
  verdict: Verdict;
  /** The comparison (message, worst element, diff, the student's numbers) or the error's message. */
  comparison: Comparison;
  /** The first call error, when the case did not get an answer (or the function is a stub). */
  error?: CallError;
  /**
   * The failure's kind when the comparison alone does not tell it: `mutation` (an argument changed in
   * place), `too-slow` (a speed probe out of time).
   */
  failure?: FailureKind;
  durationMs: number;
}

export interface PartEvaluation {
  id: PartId;
  definition: PartDefinition;
  maxScore: number;
  cases: CaseEvaluation[];
}

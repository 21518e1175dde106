/**
 * Diagnosis: names the student's mistake from their outputs (issue 4). This stub returns no
 * diagnoses; the diagnosis stage replaces its body. It runs after comparison and before scoring
 * and must never change a verdict, only explain it.
 */
import type { Reference } from '../reference/load';
import type { GradeOptions } from '../options';
import type { PartId } from '../parts/ids';
import type { PartEvaluation } from '../parts/types';
import type { Diagnosis } from '../report/types';

export interface DiagnoseContext {
  /** The live reference (with its MistakeOptions hooks), or null in fixtures mode. */
  reference: Reference | null;
  options: GradeOptions;
  seed: number;
}

/**
 * Diagnoses for the failed parts, by part id (parts without diagnoses may be absent).
 * @param evaluations every graded part with its cases: inputs, expected outputs, the student's
 *        outcomes and the comparisons
 */
export function diagnose(evaluations: PartEvaluation[], ctx: DiagnoseContext): Map<PartId, Diagnosis[]> {
  void evaluations;
  void ctx;
  return new Map();
}

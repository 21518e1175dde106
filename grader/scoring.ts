/**
 * Scoring: the ONLY place where points are added up. A part scores all or nothing by default;
 * with partial credit, points in proportion to the cases passed. Scores are rounded to 2 decimals
 * so that a part's points and the total always print the same in every report format.
 */
import type { Verdict } from './parts/types';
import type { PartStatus } from './report/types';

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * A part's score.
 * @param maxScore the part's points
 * @param verdicts one per case (an empty list scores 0: a part with no evidence never passes)
 */
export function scorePart(maxScore: number, verdicts: readonly Verdict[], partialCredit: boolean): number {
  if (verdicts.length === 0) return 0;
  const passed = verdicts.filter((v) => v === 'passed').length;
  if (partialCredit) return round2((maxScore * passed) / verdicts.length);
  return passed === verdicts.length ? maxScore : 0;
}

/**
 * A part's status: passed when every case passed; errored when some case could not get an answer
 * (compile error, throw, timeout, crash, missing export); otherwise failed (wrong answers, stubs).
 */
export function partStatus(verdicts: readonly Verdict[]): PartStatus {
  if (verdicts.length > 0 && verdicts.every((v) => v === 'passed')) return 'passed';
  return verdicts.includes('errored') ? 'errored' : 'failed';
}

/** The report's total: the sum of the parts' scores and of their maximum scores. */
export function totalScore(parts: readonly { score: number; maxScore: number }[]): { score: number; maxScore: number } {
  let score = 0;
  let maxScore = 0;
  for (const p of parts) {
    score += p.score;
    maxScore += p.maxScore;
  }
  return { score: round2(score), maxScore: round2(maxScore) };
}

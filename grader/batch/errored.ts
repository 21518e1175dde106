/**
 * The report filed for a submission the batch could not grade (grade() threw, or the batch's
 * watchdog gave up on it). "A report always exists": every part of the preset appears with its full
 * max score and status errored, so the gradebook's denominator never shrinks.
 */
import { existsSync } from 'node:fs';
import type { GradeOptions } from '../options';
import { PART_IDS, PARTS, PRESETS } from '../parts/ids';
import { graderVersion, SOLUTIONS_DIR } from '../paths';
import { SCHEMA_VERSION, type GradeReport, type PartResult } from '../report/types';

/**
 * A complete, schema-valid GradeReport with every part errored and scored 0.
 * `reason` is shown to the student on every part; keep it free of grader internals.
 */
export function erroredReport(
  options: Pick<GradeOptions, 'submission' | 'preset' | 'points' | 'reference'> & { seed: number },
  reason: string,
  now: Date,
): GradeReport {
  const preset = PRESETS[options.preset] ?? PRESETS.full;
  const parts: PartResult[] = PART_IDS.filter((id) => preset[id] !== undefined).map((id) => ({
    id,
    title: PARTS[id].title,
    score: 0,
    maxScore: options.points?.[id] ?? preset[id] ?? 0,
    status: 'errored',
    messages: [{ level: 'error', text: reason }],
    cases: [],
    diagnoses: [],
    durationMs: 0,
  }));
  const reference =
    options.reference === 'auto' ? (existsSync(SOLUTIONS_DIR) ? 'solutions' : 'fixtures') : options.reference;
  return {
    schemaVersion: SCHEMA_VERSION,
    grader: { name: 'backprop-grader', version: graderVersion() },
    seed: options.seed,
    submission: options.submission,
    preset: options.preset,
    score: 0,
    maxScore: parts.reduce((s, p) => s + p.maxScore, 0),
    parts,
    reference,
    startedAt: now.toISOString(),
    durationMs: 0,
  };
}

/**
 * The report filed when a submission could not be graded at all (the grader failed, or a batch's
 * watchdog gave up on it). "A report always exists": every part of the preset appears with its
 * full max score and status errored, so no part vanishes from a gradebook's denominator.
 * The one builder for `grade` (internal failure) and `batch` (watchdog, invalid report).
 */
import { existsSync } from 'node:fs';
import type { GradeOptions } from '../options';
import { t, type Lang, type MessageId, type MessageParams } from '../messages/index';
import { partTitle } from '../messages/parts';
import { PART_IDS, PRESETS, type PresetName } from '../parts/ids';
import { graderVersion, SOLUTIONS_DIR } from '../paths';
import { SCHEMA_VERSION, type GradeReport, type IsolationMode, type Message, type PartResult, type ReferenceMode } from './types';

/** What the errored report says on every part, as catalogue messages. */
export interface ErroredReason {
  messages: { level: Message['level']; id: MessageId; params?: MessageParams }[];
}

/** The reason used when the grader itself threw: a plain apology, then the internal error. */
export function internalFailureReason(error: unknown): ErroredReason {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    messages: [
      { level: 'error', id: 'report.internal.part' },
      { level: 'info', id: 'report.internal.detail', params: { reason } },
    ],
  };
}

/**
 * A complete, schema-valid GradeReport with every part of the preset errored and scored 0.
 * Keep the reason free of grader internals a student should not see (the detail line aside).
 */
export function erroredReport(
  options: Partial<Pick<GradeOptions, 'preset' | 'points' | 'reference' | 'lang' | 'seed'>> & { submission: string },
  reason: ErroredReason,
  now: Date = new Date(),
  isolation: IsolationMode = 'permission-model',
): GradeReport {
  const presetName: PresetName = options.preset && PRESETS[options.preset] ? options.preset : 'full';
  const preset = PRESETS[presetName];
  const lang: Lang = options.lang ?? 'en';
  const messages: Message[] = reason.messages.map((m) => ({ ...m, text: t(m.id, m.params, lang) }));
  const parts: PartResult[] = PART_IDS.filter((id) => preset[id] !== undefined).map((id) => ({
    id,
    title: partTitle(id, lang),
    score: 0,
    maxScore: options.points?.[id] ?? preset[id] ?? 0,
    status: 'errored',
    messages: messages.map((m) => ({ ...m })),
    cases: [],
    diagnoses: [],
    durationMs: 0,
  }));
  const reference: ReferenceMode =
    !options.reference || options.reference === 'auto' ? (existsSync(SOLUTIONS_DIR) ? 'solutions' : 'sealed') : options.reference === 'solutions' ? 'solutions' : 'sealed';
  return {
    schemaVersion: SCHEMA_VERSION,
    grader: { name: 'backprop-grader', version: graderVersion() },
    seed: options.seed ?? 0,
    submission: options.submission,
    preset: presetName,
    lang,
    score: 0,
    maxScore: parts.reduce((s, p) => s + p.maxScore, 0),
    parts,
    reference,
    isolation,
    startedAt: now.toISOString(),
    durationMs: 0,
  };
}

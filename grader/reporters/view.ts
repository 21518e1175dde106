/**
 * Read-only views of a GradeReport shared by the reporters (GitHub, the batch HTML report): a
 * part's display status and its failed cases grouped by message, so that no reporter repeats the
 * same sentence once per case.
 */
import type { MessageRef } from '../messages/index';
import type { CaseResult, GradeReport, PartResult, PartStatus, WorstElement } from '../report/types';

/** What a reader is shown: the report's status, or `not-implemented` for a part still on the stub. */
export type DisplayStatus = PartStatus | 'not-implemented';

/** The display statuses in the order of a legend. */
export const DISPLAY_STATUSES: readonly DisplayStatus[] = ['passed', 'failed', 'errored', 'not-implemented'];

function isStubCase(c: CaseResult): boolean {
  return c.failure === 'not-implemented' || c.messageId === 'call.not-implemented';
}

/**
 * `not-implemented` when the part failed and every failing case is the untouched stub (by the
 * case's failure kind or message id, or, in reports that predate them, the part's message id).
 */
export function displayStatus(part: PartResult): DisplayStatus {
  if (part.status === 'passed') return 'passed';
  const failing = part.cases.filter((c) => !c.passed);
  const stub = failing.length > 0 ? failing.every(isStubCase) : false;
  if (stub || part.messages.some((m) => m.id === 'call.not-implemented')) return 'not-implemented';
  return part.status;
}

/** Failed cases that share one message (in first-seen order). */
export interface FailedCaseGroup {
  /** The shared message; undefined for cases that failed without one. */
  message?: string;
  cases: CaseResult[];
  /** The message already appears in the part's own messages (quoted or whole): show only the names. */
  repeatsPartMessage: boolean;
}

/** The part's failed cases grouped by message, each group flagged when a part message already says it. */
export function failedCaseGroups(part: PartResult): FailedCaseGroup[] {
  const groups = new Map<string, FailedCaseGroup>();
  const partTexts = part.messages.map((m) => m.text);
  for (const c of part.cases) {
    if (c.passed) continue;
    const key = c.message ?? '';
    let g = groups.get(key);
    if (!g) {
      const repeats = c.message !== undefined && c.message !== '' && partTexts.some((t) => t === c.message || t.includes(c.message!));
      g = { message: c.message, cases: [], repeatsPartMessage: repeats };
      groups.set(key, g);
    }
    g.cases.push(c);
  }
  return [...groups.values()];
}

/**
 * The command that reruns a report's hidden cases in a student's repository (the release's
 * `npm run grade` script), e.g. `npm run grade -- --seed 42`.
 */
export function studentRerunCommand(report: Pick<GradeReport, 'seed' | 'preset'>): string {
  const preset = report.preset === 'full' ? '' : ` --preset ${report.preset.replace(/[^\w-]/g, '')}`;
  return `npm run grade -- --seed ${report.seed}${preset}`;
}

/**
 * Where the worst element is, in Octave terms, as a catalogue message: "at Theta2(2,1), unrolled
 * index 14" or "at index 7" (1-based); undefined for a scalar (there is only one value).
 */
export function worstPositionRef(w: WorstElement): MessageRef | undefined {
  if (w.row !== undefined && w.column !== undefined) return { id: 'github.position.matrix', params: { matrix: w.matrix ?? '', row: w.row, column: w.column, index: w.index ?? '' } };
  return w.index === undefined ? undefined : { id: 'github.position.index', params: { index: w.index } };
}

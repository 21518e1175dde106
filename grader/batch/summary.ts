/**
 * The batch's aggregate figures, computed once by one pure function. The gradebook CSV, the
 * Markdown summary and the HTML report all read a BatchSummary, so they can never disagree, and
 * because the summary holds no clocks, durations or machine paths, a merged set of shards yields
 * the same bytes as a single-machine run.
 */
import { PART_IDS, PARTS, type PartId } from '../parts/ids';
import type { PartStatus, TamperCheck } from '../report/types';
import type { SimilarityResult } from '../similarity/compare';
import { compareIds } from './discover';
import type { BatchEntry } from './types';

/** Points statistics over the submissions (null for an empty batch). */
export interface ScoreStats {
  mean: number;
  median: number;
  min: number;
  max: number;
}

/** One bar of the score histogram; bins are by percentage of the submission's max score. */
export interface HistogramBin {
  /** e.g. "40–49" or "100". */
  label: string;
  /** Inclusive lower bound, percent. */
  from: number;
  /** Exclusive upper bound, percent (the last bin, "100", is exactly 100). */
  to: number;
  count: number;
}

/** Per-part figures across the batch. */
export interface PartSummary {
  id: PartId;
  title: string;
  /** The part's max score (the largest seen, should presets or point overrides differ). */
  maxScore: number;
  /** Submissions whose report has this part. */
  graded: number;
  passed: number;
  failed: number;
  errored: number;
  /** passed / graded, in [0, 1]; 0 when nobody was graded on the part. */
  passRate: number;
  meanScore: number;
}

/** A diagnosed mistake (diagnoses[].id) and how many submissions have it. */
export interface DiagnosisSummary {
  id: string;
  /** Submissions with at least one part carrying this diagnosis. */
  submissions: number;
  /** Parts (over all submissions) carrying it. */
  occurrences: number;
  /** The parts it was found on, in part order. */
  parts: PartId[];
  /** The message and hint of its first occurrence in id order (an example, deterministic). */
  message: string;
  hint: string;
  /** The submissions that made it, in id order: who to send the hint to. */
  students: string[];
}

/** What a flag says about a submission; more kinds slot in here (each gets a badge and a CSV token). */
export type FlagKind = 'similar';

/**
 * Something an instructor should look at for one submission, beyond its score. Language-neutral
 * data: every view renders it in its own words.
 */
export interface SubmissionFlag {
  kind: FlagKind;
  /** `similar`: the other submission of the pair. */
  other?: string;
  /** `similar`: the pair's score in [0, 1]. */
  score?: number;
}

/** Checks a batch ran beyond grading (each adds its flags, and a column to the gradebook). */
export type BatchCheck = 'similarity';

/** One row of the gradebook. */
export interface StudentSummary {
  id: string;
  score: number;
  maxScore: number;
  /** score / maxScore × 100 (0 when maxScore is 0). */
  percent: number;
  /** In `BatchSummary.partIds` order; null where the report lacks that part. */
  parts: ({ score: number; maxScore: number; status: PartStatus } | null)[];
  /** Distinct diagnosis ids found on this submission, in first-seen order. */
  diagnoses: string[];
  /** What an instructor should look at (empty for most). */
  flags: SubmissionFlag[];
  /** Tamper evidence (`batch` with a release manifest): did its grading files differ from the release? */
  tamper?: TamperCheck['status'];
}

/** Everything the batch views show, derived from the reports alone. */
export interface BatchSummary {
  submissions: number;
  /** The batch's max score (the largest report maxScore; equal for all in a normal batch). */
  maxScore: number;
  /** Distinct presets, hidden-case seeds and reference sources seen (sorted). A batch normally has one of each. */
  presets: string[];
  seeds: number[];
  references: string[];
  /** Points statistics; null when there are no submissions. */
  scores: ScoreStats | null;
  counts: {
    /** Full marks. */
    perfect: number;
    /** Scored 0 points. */
    zero: number;
    /** At least one part errored (could not be judged: compile error, timeout, crash, stub...). */
    withErrors: number;
  };
  histogram: HistogramBin[];
  /** The parts present in any report, in catalogue order: the gradebook's columns. */
  partIds: PartId[];
  parts: PartSummary[];
  /** Most common first (by submissions, then occurrences, then id). */
  diagnoses: DiagnosisSummary[];
  /** Sorted by id. */
  students: StudentSummary[];
  /** The checks run beyond grading (the gradebook gets a `flags` column when any ran). */
  checks: BatchCheck[];
  /** The similarity check's pairs, when it ran. */
  similarity?: SimilarityResult;
}

/** Inputs of a batch summary besides the reports. */
export interface SummaryExtras {
  /** The similarity check's result (batch --similarity). */
  similarity?: SimilarityResult;
}

/** The histogram's bins: ten of width 10 for 0–99 %, and full marks on its own. */
export function histogramBins(): HistogramBin[] {
  const bins: HistogramBin[] = [];
  for (let from = 0; from < 100; from += 10) bins.push({ label: `${from}–${from + 9}`, from, to: from + 10, count: 0 });
  bins.push({ label: '100', from: 100, to: 100, count: 0 });
  return bins;
}

/** The bin index of a percentage (clamped to 0..100). */
export function binIndex(percent: number): number {
  if (!(percent < 100)) return 10;
  if (!(percent > 0)) return 0;
  return Math.floor(percent / 10);
}

function median(sorted: number[]): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/**
 * Aggregates a batch's reports. Pure and order-independent: entries are sorted by id first, so
 * shards merged in any order produce the identical summary (floating-point sums included).
 * Throws when two entries share an id (the caller dedupes).
 */
export function summarizeBatch(entries: readonly BatchEntry[], extras: SummaryExtras = {}): BatchSummary {
  const sorted = [...entries].sort((a, b) => compareIds(a.id, b.id));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].id === sorted[i - 1].id) throw new Error(`summarizeBatch: duplicate submission id "${sorted[i].id}"`);
  }
  const present = new Set<PartId>();
  for (const { report } of sorted) for (const p of report.parts) present.add(p.id);
  const partIds = PART_IDS.filter((id) => present.has(id));

  const parts: PartSummary[] = partIds.map((id) => ({
    id,
    title: PARTS[id].title,
    maxScore: 0,
    graded: 0,
    passed: 0,
    failed: 0,
    errored: 0,
    passRate: 0,
    meanScore: 0,
  }));
  const partIndex = new Map(partIds.map((id, i) => [id, i]));
  const partScoreSums = partIds.map(() => 0);
  const diag = new Map<string, DiagnosisSummary & { partSet: Set<PartId> }>();
  const histogram = histogramBins();
  const students: StudentSummary[] = [];
  const counts = { perfect: 0, zero: 0, withErrors: 0 };
  let maxScore = 0;

  for (const { id, report } of sorted) {
    const percent = report.maxScore > 0 ? (report.score / report.maxScore) * 100 : 0;
    maxScore = Math.max(maxScore, report.maxScore);
    histogram[binIndex(percent)].count++;
    if (report.maxScore > 0 && report.score >= report.maxScore) counts.perfect++;
    if (report.score === 0) counts.zero++;
    if (report.parts.some((p) => p.status === 'errored')) counts.withErrors++;

    const row: StudentSummary['parts'] = partIds.map(() => null);
    const seenDiag: string[] = [];
    for (const p of report.parts) {
      const i = partIndex.get(p.id)!;
      row[i] = { score: p.score, maxScore: p.maxScore, status: p.status };
      const ps = parts[i];
      ps.graded++;
      ps[p.status]++;
      ps.maxScore = Math.max(ps.maxScore, p.maxScore);
      partScoreSums[i] += p.score;
      for (const d of p.diagnoses) {
        let s = diag.get(d.id);
        if (!s) {
          s = { id: d.id, submissions: 0, occurrences: 0, parts: [], message: d.message, hint: d.hint, students: [], partSet: new Set() };
          diag.set(d.id, s);
        }
        s.occurrences++;
        s.partSet.add(p.id);
        if (!seenDiag.includes(d.id)) {
          seenDiag.push(d.id);
          s.submissions++;
          s.students.push(id);
        }
      }
    }
    const student: StudentSummary = { id, score: report.score, maxScore: report.maxScore, percent, parts: row, diagnoses: seenDiag, flags: [] };
    if (report.tamper) student.tamper = report.tamper.status;
    students.push(student);
  }

  parts.forEach((ps, i) => {
    ps.passRate = ps.graded > 0 ? ps.passed / ps.graded : 0;
    ps.meanScore = ps.graded > 0 ? partScoreSums[i] / ps.graded : 0;
  });

  const scoreList = students.map((s) => s.score).sort((a, b) => a - b);
  const scores: ScoreStats | null =
    scoreList.length === 0
      ? null
      : {
          // Summed in id order (not sorted-value order) is fine: both are fixed for a given set of reports.
          mean: students.reduce((s, st) => s + st.score, 0) / students.length,
          median: median(scoreList),
          min: scoreList[0],
          max: scoreList[scoreList.length - 1],
        };

  const diagnoses = [...diag.values()]
    .map(({ partSet, ...d }) => ({ ...d, parts: partIds.filter((id) => partSet.has(id)) }))
    .sort((a, b) => b.submissions - a.submissions || b.occurrences - a.occurrences || compareIds(a.id, b.id));

  const checks: BatchCheck[] = [];
  if (extras.similarity) {
    checks.push('similarity');
    const byId = new Map(students.map((st) => [st.id, st]));
    for (const pair of extras.similarity.pairs) {
      byId.get(pair.a)?.flags.push({ kind: 'similar', other: pair.b, score: pair.score });
      byId.get(pair.b)?.flags.push({ kind: 'similar', other: pair.a, score: pair.score });
    }
  }

  const distinct = <T>(xs: T[], cmp: (a: T, b: T) => number) => [...new Set(xs)].sort(cmp);
  return {
    submissions: sorted.length,
    maxScore,
    presets: distinct(sorted.map((e) => e.report.preset), compareIds),
    seeds: distinct(sorted.map((e) => e.report.seed), (a, b) => a - b),
    references: distinct(sorted.map((e) => e.report.reference as string), compareIds),
    scores,
    counts,
    histogram,
    partIds,
    parts,
    diagnoses,
    students,
    checks,
    ...(extras.similarity ? { similarity: extras.similarity } : {}),
  };
}

/**
 * Renders points the one way every batch view does: at most 2 decimals, no trailing zeros
 * ("25", "12.5", "41.67"), so float noise like 33.333333333333336 never reaches a gradebook.
 */
export function formatPoints(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A rate in [0, 1] as a whole-number-ish percentage with one decimal ("87.5%", "100%"). */
export function formatPercent(rate01: number): string {
  return `${Math.round(rate01 * 1000) / 10}%`;
}

/**
 * GradeReport: the one result object that flows through the pipeline
 * (load -> sandbox -> compare -> diagnose -> score -> report). Every output format is a read-only
 * view of it. Its JSON Schema lives beside this file (schema.json) and must be kept in step.
 *
 * Version 2 adds: `isolation`, `lang`, the reference mode `sealed`, report-level `notices`,
 * message ids and params beside every rendered text, the kind of each case's failure, and the
 * most specific location of each part and diagnosis.
 */
import type { Lang, MessageId, MessageParams } from '../messages/index';
import type { PartId } from '../parts/ids';

export const SCHEMA_VERSION = 2 as const;

export type PartStatus = 'passed' | 'failed' | 'errored';

/**
 * A student-facing line of feedback: the catalogue id and params (language-neutral, so tools can
 * render it again in another language) beside the text rendered in the report's `lang`.
 * `level` drives colour and annotations only.
 */
export interface Message {
  level: 'info' | 'error';
  id: MessageId;
  params?: MessageParams;
  text: string;
}

/**
 * How a location was found, most specific first: a traced matrix operation, a diagnosis that names
 * a line, a runtime error's frame, the part's `YOUR CODE HERE` block, the function's signature
 * (only when nothing better is known, e.g. a missing export).
 */
export type LocationSource = 'trace' | 'diagnosis' | 'error' | 'block' | 'signature';

/** Where in the student's code; 1-based line and column. */
export interface SourceLocation {
  /** Relative to the submission root, '/'-separated, e.g. "exercises/nnCostFunction.ts". */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column?: number;
  /** How it was found (absent in reports that predate it). */
  source?: LocationSource;
}

/** The worst element of a numeric comparison, in Octave terms. */
export interface WorstElement {
  /** 1-based index into the unrolled (column-major) vector; absent for a scalar. */
  index?: number;
  /** The matrix the position refers to, e.g. "Theta1" for an element of grad's first block. */
  matrix?: string;
  /** 1-based Octave position when the value is a matrix. */
  row?: number;
  column?: number;
  expected: number;
  got: number;
  absError: number;
  relError: number;
}

/**
 * Why a case did not pass. `value`: numbers outside the tolerance; `shape`/`type`: the wrong shape
 * or kind of value; `nan`: NaN or Infinity where a finite number belongs; `mutation`: an argument
 * was modified in place; `error`: the call threw, timed out, ran out of memory, or did not compile;
 * `too-slow`: the answer took far longer than the method asked for allows (e.g. a gradient by
 * finite differences instead of backpropagation); `not-implemented`: still the stub.
 */
export type FailureKind = 'value' | 'shape' | 'type' | 'nan' | 'mutation' | 'error' | 'too-slow' | 'not-implemented';

export interface CaseResult {
  /**
   * Stable within a run, in the report's language, e.g. "public (Coursera's case, λ=0)" or "hidden
   * case B"; hidden cases' names reveal nothing about the pool.
   */
  name: string;
  /** The name's catalogue id and params (`report.case.*`), so the report can be rendered in another language. */
  nameId?: MessageId;
  nameParams?: MessageParams;
  /** Hidden cases' inputs are not shown to students (Gradescope: after_published). */
  hidden: boolean;
  passed: boolean;
  /** Why it failed (absent when it passed). */
  failure?: FailureKind;
  /** Short student-facing explanation when the case failed, with its catalogue id and params. */
  message?: string;
  messageId?: MessageId;
  params?: MessageParams;
  /**
   * True when this case's expected outputs are sealed (a release grading hidden cases): the report
   * then carries no expected value for it, only pass/fail and the failure's kind.
   */
  sealed?: boolean;
  /** The numeric detail of a failure, when it came to a numeric comparison (never for sealed cases). */
  worst?: WorstElement;
  /** Compact diff of the '%0.5f ' renderings (the submit.m view), when useful (never for sealed cases). */
  diff?: string;
  durationMs: number;
}

export interface Diagnosis {
  /** A catalogue mistake id (see grader/diagnose), or "blame:<kind>" for structural blame. */
  id: string;
  /** Rendered in the report's language. */
  message: string;
  /** The step of the guide to revisit, with its link. */
  hint: string;
  /** Catalogue ids of `message` and `hint`; both are rendered with `params`. */
  messageId: MessageId;
  hintId: MessageId;
  params?: MessageParams;
  /** The line this diagnosis points at, when it knows one (e.g. from the trace). */
  location?: SourceLocation;
}

export interface PartResult {
  id: PartId;
  /** Rendered in the report's language. */
  title: string;
  score: number;
  maxScore: number;
  status: PartStatus;
  messages: Message[];
  cases: CaseResult[];
  diagnoses: Diagnosis[];
  /** The most specific place known for this part (see LocationSource); for annotations. */
  location?: SourceLocation;
  durationMs: number;
}

/**
 * How the submission was isolated: `namespaces` (bubblewrap: its own user, PID, network, IPC and
 * mount namespaces, plus the permission model inside) or `permission-model` (Node's permission
 * model only, hardened by the grader's limits; weaker).
 */
export type IsolationMode = 'namespaces' | 'permission-model';

/**
 * Where the expected outputs came from: live `solutions/`; the stored `fixtures` (public cases and
 * diagnosis data in the clear); or `sealed` hidden cases (a release: only hashes of the expected
 * outputs, so hidden cases report pass/fail without expected values).
 */
export type ReferenceMode = 'solutions' | 'fixtures' | 'sealed';

/**
 * Tamper evidence for one repository (grader/release/manifest.ts): `unchanged`; `changed` (files
 * listed, relative to the repository); or `absent` (not a repository, or no grading files in it:
 * nothing to compare, not flagged).
 */
export interface TamperCheck {
  status: 'unchanged' | 'changed' | 'absent';
  /** Grading files whose content differs from the release. */
  changed?: string[];
  /** Released grading files that are gone. */
  missing?: string[];
  /** Files in the grading folders that the release did not have (e.g. a second workflow). */
  added?: string[];
}

export interface GradeReport {
  schemaVersion: typeof SCHEMA_VERSION;
  grader: { name: 'backprop-grader'; version: string };
  /** The seed of the hidden cases: `--seed <seed>` reproduces this run. */
  seed: number;
  /** The submission's path as given (absolute). */
  submission: string;
  preset: string;
  /** The language of every rendered text in this report. */
  lang: Lang;
  score: number;
  maxScore: number;
  parts: PartResult[];
  reference: ReferenceMode;
  isolation: IsolationMode;
  /** Report-level notices (e.g. weaker isolation, a runtime error that stopped later parts). */
  notices?: Message[];
  /** Captured (truncated) stdout/stderr of the submission, never printed raw. */
  submissionOutput?: string;
  /**
   * Set by `batch` on a student repository: whether its grading files (grader/, bin/, scripts/,
   * package files, workflows) differ from the release manifest. The grade itself always comes
   * from the instructor's grader.
   */
  tamper?: TamperCheck;
  startedAt: string;
  durationMs: number;
}

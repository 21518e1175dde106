/**
 * The package's library entry (`import { grade } from 'backprop-grader'`): grade a submission and
 * read, validate or render its report. The CLI (`backprop-grader`) is built from grader/cli.ts;
 * this entry carries no CLI and no reference solutions.
 */
export { grade } from './api';
export { DEFAULT_OPTIONS, type GradeOptions, type Tolerance } from './options';
export type { IsolationPolicy } from './sandbox/protocol';
export type {
  CaseResult,
  Diagnosis,
  FailureKind,
  GradeReport,
  IsolationMode,
  LocationSource,
  Message,
  PartResult,
  PartStatus,
  ReferenceMode,
  SourceLocation,
  WorstElement,
} from './report/types';
export { SCHEMA_VERSION } from './report/types';
export { ReportValidationError, validateReport } from './report/validate';
export { renderJson } from './reporters/json';
export { renderText, type TextReporterOptions } from './reporters/text';
export { gradescopeResults, type GradescopeResults } from './reporters/gradescope';
export { PART_IDS, PARTS, PRESETS, type PartId, type PresetName } from './parts/ids';
export { LANGS, type Lang, type MessageId, type MessageParams } from './messages/index';

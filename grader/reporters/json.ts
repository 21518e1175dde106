/**
 * `--format json`: the GradeReport itself, validated against grader/report/schema.json before it
 * is written, so every JSON report anyone receives is schema-valid.
 */
import { validateReport } from '../report/validate';
import type { GradeReport } from '../report/types';

export interface JsonReporterOptions {
  /** Indented (default) or one line. */
  pretty?: boolean;
}

/**
 * The report as JSON text (ending with a newline). Throws ReportValidationError when the report
 * does not match the schema (a grader bug: the CLI reports it as an internal failure).
 * NaN and ±Infinity (a student's wrong answer) are written as null, as JSON requires.
 */
export function renderJson(report: GradeReport, options: JsonReporterOptions = {}): string {
  validateReport(report);
  return JSON.stringify(report, null, options.pretty === false ? undefined : 2) + '\n';
}

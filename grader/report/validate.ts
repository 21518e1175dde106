/**
 * Validation of GradeReport objects against the JSON Schema shipped beside types.ts (schema.json).
 * The validator is compiled once per process, and only when first needed (ajv costs tens of
 * milliseconds to load, so the text reporter never pays for it).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import schema from './schema.json';
import type { GradeReport } from './types';

let compiled: ValidateFunction | undefined;

/** Thrown when a report does not match the schema; `errors` are ajv's, `message` lists them. */
export class ReportValidationError extends Error {
  readonly code = 'invalid-report';
  constructor(readonly errors: ErrorObject[]) {
    super(`GradeReport does not match grader/report/schema.json:\n${formatAjvErrors(errors)}`);
    this.name = 'ReportValidationError';
  }
}

/** One line per ajv error: "/parts/0/status: must be equal to one of the allowed values (passed, failed, errored)". */
export function formatAjvErrors(errors: readonly ErrorObject[]): string {
  return errors
    .map((e) => {
      const where = e.instancePath || '(root)';
      const detail =
        e.keyword === 'additionalProperties'
          ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
          : e.keyword === 'enum'
            ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
            : '';
      return `  ${where}: ${e.message ?? e.keyword}${detail}`;
    })
    .join('\n');
}

function validator(): ValidateFunction {
  if (!compiled) {
    // ajv is CommonJS; createRequire keeps this import lazy and synchronous in both tsx and the bundle.
    const Ajv = createRequire(import.meta.url)('ajv') as typeof import('ajv').default;
    compiled = new Ajv({ allErrors: true, strict: true }).compile(schema);
  }
  return compiled;
}

/**
 * Asserts that `report` matches the schema as it will be written: the check runs on its JSON form,
 * where NaN and ±Infinity (e.g. a student's NaN in `worst.got`) have become null.
 * Throws ReportValidationError listing every ajv error.
 */
export function validateReport(report: unknown): asserts report is GradeReport {
  const validate = validator();
  if (!validate(JSON.parse(JSON.stringify(report)))) throw new ReportValidationError(validate.errors ?? []);
}

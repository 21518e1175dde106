/**
 * Validation (ajv) of what comes back from the sandbox's child process, in the grader's process:
 * only a well-formed CallOutcome reaches the comparisons.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { CallOutcome } from './protocol';

const ERROR_CODES = [
  'not-implemented',
  'compile-error',
  'missing-file',
  'missing-export',
  'not-a-function',
  'threw',
  'timeout',
  'out-of-memory',
  'exited',
  'crashed',
  'output-limit',
];

// JSON Schema's "number" rejects NaN and ±Infinity, which are legitimate (wrong) student answers:
// numbers in returned data use the custom keyword `anyNumber` instead.
const num = { anyNumber: true };

/** JSON Schema of CallOutcome (protocol.ts), with `anyNumber` for numbers that may be NaN/Infinity. */
export const CALL_OUTCOME_SCHEMA = {
  $id: 'backprop-grader/sandbox/call-outcome',
  $defs: {
    wire: {
      type: 'object',
      required: ['kind'],
      oneOf: [
        {
          properties: {
            kind: { const: 'matrix' },
            rows: { type: 'integer', minimum: 0 },
            columns: { type: 'integer', minimum: 0 },
            data: { type: 'array', items: { type: 'array', items: num } },
          },
          required: ['kind', 'rows', 'columns', 'data'],
          additionalProperties: false,
        },
        {
          properties: { kind: { enum: ['float64array', 'array'] }, data: { type: 'array', items: num } },
          required: ['kind', 'data'],
          additionalProperties: false,
        },
        { properties: { kind: { const: 'number' }, value: num }, required: ['kind', 'value'], additionalProperties: false },
        {
          properties: { kind: { const: 'cost-and-gradient' }, J: { $ref: '#/$defs/wire' }, grad: { $ref: '#/$defs/wire' } },
          required: ['kind', 'J', 'grad'],
          additionalProperties: false,
        },
        {
          properties: { kind: { const: 'other' }, description: { type: 'string' } },
          required: ['kind', 'description'],
          additionalProperties: false,
        },
      ],
    },
    error: {
      type: 'object',
      properties: {
        code: { enum: ERROR_CODES },
        message: { type: 'string' },
        file: { type: 'string' },
        line: { type: 'integer' },
        column: { type: 'integer' },
        stack: { type: 'array', items: { type: 'string' } },
      },
      required: ['code', 'message'],
      additionalProperties: false,
    },
  },
  oneOf: [
    {
      type: 'object',
      properties: {
        ok: { const: true },
        value: { $ref: '#/$defs/wire' },
        observations: {
          type: 'object',
          properties: {
            thetaModified: { type: 'boolean' },
            jCalls: { type: 'integer', minimum: 0 },
            randomDraws: { type: 'integer', minimum: 0 },
            mathRandomCalls: { type: 'integer', minimum: 0 },
          },
          additionalProperties: false,
        },
        durationMs: { type: 'number' },
      },
      required: ['ok', 'value', 'observations', 'durationMs'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { ok: { const: false }, error: { $ref: '#/$defs/error' }, durationMs: { type: 'number' } },
      required: ['ok', 'error', 'durationMs'],
      additionalProperties: false,
    },
  ],
} as const;

let validator: ValidateFunction | undefined;

/** Checks a value received from the child; returns null when it is a valid CallOutcome, else why not. */
export function checkCallOutcome(value: unknown): string | null {
  // Compiled on first use: the CLI pays for ajv only when a sandbox call comes back.
  if (!validator) {
    const ajv = new Ajv({ allErrors: false, strict: true });
    ajv.addKeyword({ keyword: 'anyNumber', schemaType: 'boolean', validate: (_: boolean, data: unknown) => typeof data === 'number' });
    validator = ajv.compile(CALL_OUTCOME_SCHEMA);
  }
  if (validator(value)) return null;
  const e = validator.errors?.[0];
  return e ? `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}` : 'invalid';
}

/** Type guard form of checkCallOutcome. */
export function isCallOutcome(value: unknown): value is CallOutcome {
  return checkCallOutcome(value) === null;
}

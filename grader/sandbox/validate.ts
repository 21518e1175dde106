/**
 * Validation (ajv) of what comes back from the sandbox's child process, in the grader's process:
 * only a well-formed CallOutcome reaches the comparisons.
 *
 * Why two ways to get the validator: importing ajv and compiling this schema costs ~50 ms, a sixth
 * of a cold `grade` run. The sandbox runtime (runtime.ts) therefore holds ajv's standalone code for
 * this schema, generated once when the runtime is built, and openSandbox loads that (a few KB).
 * Anyone calling checkCallOutcome without a sandbox gets the same schema compiled by ajv on first use.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Ajv as AjvClass, KeywordDefinition, _ as CodeTag } from 'ajv';
import { OBSERVATION_PROPERTIES, WALKTHROUGH_WIRE_KINDS } from './observations-schema';
import type { CallOutcome } from './protocol';

/** The validate function, compiled or standalone: true when valid, else `errors` says why. */
type Validator = ((data: unknown) => boolean) & { errors?: Array<{ instancePath?: string; message?: string }> | null };

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
  'protocol-error',
  'file-too-large',
  'symlink',
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
        ...WALKTHROUGH_WIRE_KINDS,
        {
          properties: {
            kind: { const: 'other' },
            description: { type: 'string' },
            about: { type: 'object', maxProperties: 8, additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
          },
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
        // Language-neutral values for the catalogue message (grader/messages): strings and numbers only.
        params: { type: 'object', maxProperties: 16, additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
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
            ...OBSERVATION_PROPERTIES,
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

/**
 * The `anyNumber` keyword as generated code (not a validate callback), so that ajv's standalone
 * output is self-contained: any JS number, NaN and ±Infinity included.
 */
export function anyNumberKeyword(_: typeof CodeTag): KeywordDefinition {
  return {
    keyword: 'anyNumber',
    schemaType: 'boolean',
    code(cxt) {
      cxt.fail(_`typeof ${cxt.data} !== "number"`);
    },
  };
}

/** An ajv instance set up for CALL_OUTCOME_SCHEMA (`standalone`: keep the source for standalone code). */
export function callOutcomeAjv(ajvModule: { Ajv: typeof AjvClass; _: typeof CodeTag }, standalone = false): AjvClass {
  const ajv = new ajvModule.Ajv({ allErrors: false, strict: true, ...(standalone ? { code: { source: true, esm: true } } : {}) });
  ajv.addKeyword(anyNumberKeyword(ajvModule._));
  return ajv;
}

let validator: Validator | undefined;
const loading = new Map<string, Promise<void>>();

/**
 * Uses the standalone validator at `path` (generated by the runtime build) from now on. Once per
 * path per process; a file that fails to load leaves the compiled fallback in place.
 */
export function loadStandaloneValidator(path: string): Promise<void> {
  let done = loading.get(path);
  if (!done) {
    done = import(pathToFileURL(path).href).then(
      (mod: { default?: unknown }) => {
        if (typeof mod.default === 'function') validator = mod.default as Validator;
      },
      () => undefined,
    );
    loading.set(path, done);
  }
  return done;
}

/** Checks a value received from the child; returns null when it is a valid CallOutcome, else why not. */
export function checkCallOutcome(value: unknown): string | null {
  // Compiled on first use when no standalone validator was loaded (ajv is required only then).
  if (!validator) {
    const ajvModule = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass; _: typeof CodeTag };
    validator = callOutcomeAjv(ajvModule).compile(CALL_OUTCOME_SCHEMA) as Validator;
  }
  if (validator(value)) return null;
  const e = validator.errors?.[0];
  return e ? `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}` : 'invalid';
}

/** Type guard form of checkCallOutcome. */
export function isCallOutcome(value: unknown): value is CallOutcome {
  return checkCallOutcome(value) === null;
}

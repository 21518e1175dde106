/**
 * JSON Schema fragments (for validate.ts) of what this work added to a call's outcome: mutation
 * observations, the trace, and the walkthrough's result kinds. Kept apart so the trace's wire
 * format and its validation change together. Every number may be NaN or ±Infinity (`anyNumber`).
 */
const num = { anyNumber: true };
const position = {
  file: { type: 'string', maxLength: 1024 },
  line: { type: 'integer', minimum: 0 },
  column: { type: 'integer', minimum: 0 },
} as const;

/** Properties of CallObservations beyond the original ones. */
export const OBSERVATION_PROPERTIES = {
  mutated: { type: 'array', maxItems: 16, items: { type: 'string', maxLength: 64 } },
  mutatedBy: {
    type: 'array',
    maxItems: 16,
    items: {
      type: 'object',
      properties: { argument: { type: 'string', maxLength: 64 }, method: { type: 'string', maxLength: 64 }, ...position },
      required: ['argument', 'method', 'file', 'line', 'column'],
      additionalProperties: false,
    },
  },
  trace: {
    type: 'array',
    maxItems: 600,
    items: {
      type: 'object',
      properties: {
        op: { type: 'string', maxLength: 64 },
        rows: { type: 'integer', minimum: 0 },
        columns: { type: 'integer', minimum: 0 },
        ...position,
        inner: { type: 'object', properties: position, required: ['file', 'line', 'column'], additionalProperties: false },
        values: { type: 'array', maxItems: 1024, items: num },
        kind: { enum: ['matrix', 'number', 'vector'] },
        id: { type: 'integer', minimum: 0 },
        args: { type: 'array', maxItems: 64, items: { type: 'integer', minimum: 0 } },
        inPlace: { type: 'boolean' },
        count: { type: 'integer', minimum: 1 },
        truncated: { type: 'boolean' },
      },
      required: ['op', 'rows', 'columns', 'file', 'line', 'column'],
      additionalProperties: false,
    },
  },
  traceInputs: { type: 'object', maxProperties: 16, additionalProperties: { type: 'integer', minimum: 0 } },
  traceTruncated: { type: 'boolean' },
} as const;

/** WireValue kinds of the walkthrough's requests (`$ref` to the wire definition for nested values). */
export const WALKTHROUGH_WIRE_KINDS = [
  {
    properties: {
      kind: { const: 'training' },
      theta: { type: 'array', items: num },
      costs: { type: 'array', items: num },
      iterations: { type: 'integer', minimum: 0 },
    },
    required: ['kind', 'theta', 'costs', 'iterations'],
    additionalProperties: false,
  },
  {
    properties: { kind: { const: 'gradient-check' }, numgrad: { $ref: '#/$defs/wire' }, grad: { $ref: '#/$defs/wire' } },
    required: ['kind', 'numgrad', 'grad'],
    additionalProperties: false,
  },
] as const;

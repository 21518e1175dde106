/**
 * The optional `backprop-grader.config.json`: an instructor's grading options (points, tolerances,
 * limits, preset, partial credit, hidden cases, the students' language), validated with ajv against
 * config.schema.json.
 * Precedence: command-line flags > this file > DEFAULT_OPTIONS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { CatalogueError } from './messages/errors';
import type { Lang, MessageRef } from './messages/index';
import type { GradeOptions } from './options';
import type { PartId, PresetName } from './parts/ids';
import type { SandboxLimits } from './sandbox/protocol';
import schema from './config.schema.json';
import { schemaValidator } from './report/validate';

/** The file name looked for in the working directory. */
export const CONFIG_FILE_NAME = 'backprop-grader.config.json';

/** The file's shape (config.schema.json). Every key is optional. */
export interface GraderConfig {
  $schema?: string;
  preset?: PresetName;
  points?: Partial<Record<PartId, number>>;
  tolerance?: { atol?: number; rtol?: number };
  timeoutMs?: number;
  heapMb?: number;
  outputCapBytes?: number;
  partialCredit?: boolean;
  hiddenCases?: number;
  reference?: GradeOptions['reference'];
  lang?: Lang;
}

/** A config file that cannot be read, is not JSON, or does not match the schema. */
export class ConfigError extends CatalogueError {
  readonly code = 'invalid-config';
  constructor(message: MessageRef | readonly MessageRef[], override readonly cause?: unknown) {
    super(message);
    this.name = 'ConfigError';
  }
}

function validator() {
  // Loaded lazily: a run without a config file never pays for it (generated code in dist/, ajv in source mode).
  return schemaValidator<GraderConfig>('config', () => schema);
}

/** The allowed keys of the object at a JSON pointer of the schema (for "unknown key" messages). */
function allowedKeys(instancePath: string): string[] {
  let node: { properties?: Record<string, unknown> } = schema;
  for (const seg of instancePath.split('/').filter(Boolean)) {
    node = (node.properties?.[seg] ?? {}) as typeof node;
  }
  return Object.keys(node.properties ?? {});
}

/** `/tolerance/atol` -> `tolerance.atol`. */
function keyPath(instancePath: string): string {
  return instancePath.split('/').filter(Boolean).join('.');
}

function describe(e: ErrorObject, file: string): MessageRef {
  const where = keyPath(e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      return { id: 'cli.config.unknown-key', params: { file, key: where ? `${where}.${key}` : key, allowed: allowedKeys(e.instancePath).join(', ') } };
    }
    case 'enum':
      return { id: 'cli.config.enum', params: { file, key: where, allowed: (e.params as { allowedValues: unknown[] }).allowedValues.join(', ') } };
    case 'type':
      return where ? { id: 'cli.config.type', params: { file, key: where, type: (e.params as { type: string }).type } } : { id: 'cli.config.object', params: { file } };
    default:
      // ajv's own words for the rarer keywords (minimum, maximum…).
      return { id: 'cli.config.other', params: { file, key: where || '(root)', detail: e.message ?? e.keyword } };
  }
}

/**
 * Parses and validates the text of a config file. `label` names the file in messages, e.g.
 * `backprop-grader.config.json: unknown key "tolerence" (allowed: $schema, preset, ...)`.
 * Throws ConfigError listing every problem, one per line.
 */
export function parseConfig(text: string, label = CONFIG_FILE_NAME): GraderConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError({ id: 'cli.config.json', params: { file: label, detail: (err as Error).message } }, err);
  }
  const validate = validator();
  if (!validate(data)) {
    const refs = (validate.errors ?? []).map((e) => describe(e, label));
    const unique = [...new Map(refs.map((r) => [JSON.stringify(r), r])).values()];
    throw new ConfigError(unique);
  }
  return data;
}

/** The grading options a config sets (nothing for keys it leaves out). */
export function configToOptions(config: GraderConfig): Partial<GradeOptions> {
  const out: Partial<GradeOptions> = {};
  if (config.preset !== undefined) out.preset = config.preset;
  if (config.points !== undefined) out.points = { ...config.points };
  // Partial tolerance/limits objects: resolveOptions merges them field by field with the defaults.
  if (config.tolerance !== undefined) out.tolerance = { ...config.tolerance } as GradeOptions['tolerance'];
  const limits: Partial<SandboxLimits> = {};
  if (config.timeoutMs !== undefined) limits.timeoutMs = config.timeoutMs;
  if (config.heapMb !== undefined) limits.heapMb = config.heapMb;
  if (config.outputCapBytes !== undefined) limits.outputCapBytes = config.outputCapBytes;
  if (Object.keys(limits).length) out.limits = limits as SandboxLimits;
  if (config.partialCredit !== undefined) out.partialCredit = config.partialCredit;
  if (config.hiddenCases !== undefined) out.hiddenCases = config.hiddenCases;
  if (config.reference !== undefined) out.reference = config.reference;
  if (config.lang !== undefined) out.lang = config.lang;
  return out;
}

/** Reads, validates and converts a config file. Throws ConfigError. */
export function loadConfig(path: string): Partial<GradeOptions> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError({ id: 'cli.config.unreadable', params: { file: path, detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message } }, err);
  }
  return configToOptions(parseConfig(text, basename(path) === CONFIG_FILE_NAME ? CONFIG_FILE_NAME : path));
}

/**
 * The config file used when `--config` is not given: `backprop-grader.config.json` in the working
 * directory (the grader operator's folder), or undefined when there is none.
 *
 * The submission's own folder is deliberately never searched: a config there is in the student's
 * hands, and would let a submission choose its own tolerances or points when an instructor grades it.
 */
export function findConfig(cwd: string): string | undefined {
  const file = join(resolve(cwd), CONFIG_FILE_NAME);
  return existsSync(file) ? file : undefined;
}

/**
 * Combines layers of grading options, later layers winning; nested `tolerance`, `limits` and
 * `points` are merged field by field (a config's rtol survives a flag that sets only the timeout).
 */
export function mergeOptions<T extends Partial<GradeOptions>>(...layers: Partial<GradeOptions>[]): T {
  const out: Partial<GradeOptions> = {};
  for (const l of layers) {
    const { tolerance, limits, points, ...rest } = l;
    Object.assign(out, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    if (tolerance) out.tolerance = { ...out.tolerance, ...tolerance } as GradeOptions['tolerance'];
    if (limits) out.limits = { ...out.limits, ...limits } as SandboxLimits;
    if (points) out.points = { ...out.points, ...points };
  }
  return out as T;
}

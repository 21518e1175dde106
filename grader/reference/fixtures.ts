/**
 * The stored reference outputs (grader/fixtures/reference.json): the public cases and a pool of
 * hidden cases per family, with the reference's outputs as numbers (never solution code). A student
 * release has no solutions/, and grades from this file; `backprop-grader fixtures` regenerates it
 * where solutions/ exists, and a test fails when it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateHidden, publicCases } from '../cases/index';
import { CASE_FAMILIES, type CaseFamily, type GradingCase } from '../cases/types';
import { GRADER_DIR } from '../paths';
import { loadReference } from './load';
import { formatVariantFixtures, type VariantFixtures } from '../diagnose/fixtures';
import { schemaValidator } from '../report/validate';

export const FIXTURES_VERSION = 1 as const;
/** The pool's seed is fixed: the pool must be the same on every machine (a stale check compares it). */
export const POOL_SEED = 20_240_401;
/** Hidden cases stored per family; a run picks `hiddenCases` of them by its seed. */
export const POOL_SIZE = 12;

export const FIXTURES_PATH = join(GRADER_DIR, 'fixtures', 'reference.json');
export const FIXTURES_SCHEMA_PATH = join(GRADER_DIR, 'fixtures', 'fixtures.schema.json');

export interface FixturesFile {
  version: typeof FIXTURES_VERSION;
  poolSeed: number;
  poolSize: number;
  /** Public cases with expected outputs (the numerical-check families have none). */
  public: Partial<Record<CaseFamily, GradingCase[]>>;
  pool: Record<CaseFamily, GradingCase[]>;
  /** Mistake-variant outputs for the stored cases, so diagnosis works without solutions/ (grader/diagnose/fixtures.ts). */
  variants?: VariantFixtures;
}

let cached: FixturesFile | undefined;

/**
 * The stored fixtures, read once per process. Only the version is checked here (startup stays fast);
 * the schema is enforced when the file is written and by the test suite.
 */
export function loadFixtures(path = FIXTURES_PATH): FixturesFile {
  if (path === FIXTURES_PATH && cached) return cached;
  let data: FixturesFile;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as FixturesFile;
  } catch (cause) {
    throw new Error(`backprop-grader: cannot read the stored reference outputs ${path}; reinstall the grader or run \`backprop-grader fixtures\` where solutions/ exists`, { cause });
  }
  if (data.version !== FIXTURES_VERSION) {
    throw new Error(`backprop-grader: ${path} has version ${String(data.version)}, this grader reads version ${FIXTURES_VERSION}; run \`backprop-grader fixtures\``);
  }
  if (path === FIXTURES_PATH) cached = data;
  return data;
}

/** Builds the fixtures in memory from the reference solutions (throws where solutions/ is absent). */
export async function buildFixtures(): Promise<FixturesFile> {
  const ref = await loadReference();
  if (!ref) throw new Error('backprop-grader fixtures: solutions/ is absent, so the reference outputs cannot be regenerated here');
  const { fillExpected } = await import('./live');
  const fill = (cases: GradingCase[]) => {
    for (const c of cases) fillExpected(ref, c);
    return cases;
  };
  const pub: FixturesFile['public'] = {};
  const pool = {} as FixturesFile['pool'];
  for (const family of CASE_FAMILIES) {
    const p = publicCases(family);
    if (p.length > 0) pub[family] = fill(p);
    pool[family] = fill(generateHidden(family, POOL_SEED, POOL_SIZE));
  }
  const { variantFixtures } = await import('../diagnose/fixtures');
  const variants = await variantFixtures(ref, [...Object.values(pub).flat(), ...Object.values(pool).flat()]);
  return { version: FIXTURES_VERSION, poolSeed: POOL_SEED, poolSize: POOL_SIZE, public: pub, pool, variants };
}

/** Validates fixtures against grader/fixtures/fixtures.schema.json; throws with ajv's errors. */
export async function validateFixtures(data: unknown): Promise<FixturesFile> {
  const validate = schemaValidator<FixturesFile>('fixtures', () => JSON.parse(readFileSync(FIXTURES_SCHEMA_PATH, 'utf8')) as object);
  if (!validate(data)) {
    const errors = (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    throw new Error(`reference fixtures do not match ${FIXTURES_SCHEMA_PATH}:\n  ${errors.join('\n  ')}`);
  }
  return data;
}

/** One case per line: readable diffs in review, still compact. */
export function formatFixtures(data: FixturesFile): string {
  const families = (rec: Partial<Record<CaseFamily, GradingCase[]>>) =>
    Object.entries(rec)
      .map(([family, cases]) => `    ${JSON.stringify(family)}: [\n${(cases ?? []).map((c) => `      ${JSON.stringify(c)}`).join(',\n')}\n    ]`)
      .join(',\n');
  return (
    `{\n  "version": ${data.version},\n  "poolSeed": ${data.poolSeed},\n  "poolSize": ${data.poolSize},\n` +
    `  "public": {\n${families(data.public)}\n  },\n  "pool": {\n${families(data.pool)}\n  }` +
    (data.variants ? `,\n  "variants": ${formatVariantFixtures(data.variants)}` : '') +
    `\n}\n`
  );
}

/**
 * `backprop-grader fixtures`: regenerates grader/fixtures/reference.json from solutions/,
 * schema-validated before it is written.
 * @returns the file written and its size in bytes
 */
export async function writeFixtures(path = FIXTURES_PATH): Promise<{ path: string; bytes: number }> {
  const data = await validateFixtures(await buildFixtures());
  const text = formatFixtures(data);
  writeFileSync(path, text);
  if (path === FIXTURES_PATH) cached = undefined;
  return { path, bytes: Buffer.byteLength(text) };
}

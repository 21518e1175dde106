/**
 * The stored reference a student release grades from, in two files:
 *   grader/fixtures/public.json   the public cases with the reference's outputs in the clear (and
 *                                 their mistake variants), read here;
 *   grader/fixtures/sealed.json   the hidden-case pool, sealed (read only by ./sealed.ts).
 * `backprop-grader fixtures` rebuilds both where solutions/ exists; checkFixtures() tells whether
 * the stored files are stale (a test and `fixtures --check` fail on it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_FAMILIES, publicCases, type GradingCase, type PublicFixtures, type StoredReference } from '../cases/index';
import { formatVariantFixtures } from '../diagnose/fixtures';
import { OptionError } from '../messages/errors';
import { GRADER_DIR } from '../paths';
import { schemaValidator } from '../report/validate';
import { centre, gridCells } from './cells';
import type { Reference } from './contract';
import { loadReference } from './load';
import { readStoredFile } from './stored-file';
import { decodeCentred, digestSync, forgetSealed, loadSealed, SEALED_PATH, SEALED_SCHEMA_PATH, type SealedFile } from './sealed';

export const PUBLIC_FORMAT = 'backprop-grader/public' as const;
export const PUBLIC_VERSION = 2 as const;
export const PUBLIC_PATH = join(GRADER_DIR, 'fixtures', 'public.json');
export const PUBLIC_SCHEMA_PATH = join(GRADER_DIR, 'fixtures', 'public.schema.json');

let cached: PublicFixtures | undefined;

/** The public fixtures, read once per process (format and version checked; the schema is enforced on write and by tests). */
export function loadPublicFixtures(path = PUBLIC_PATH): PublicFixtures {
  if (path === PUBLIC_PATH && cached) return cached;
  const data = readStoredFile<PublicFixtures>(path, { format: PUBLIC_FORMAT, version: PUBLIC_VERSION, what: 'the public reference outputs' });
  if (path === PUBLIC_PATH) cached = data;
  return data;
}

/** What a release grades from: the public fixtures and the sealed pool. */
export function loadStoredReference(): StoredReference {
  return { public: loadPublicFixtures(), sealed: loadSealed() };
}

async function requireReference(): Promise<Reference> {
  const ref = await loadReference();
  if (!ref) throw new OptionError({ id: 'cli.fixtures.no-solutions' });
  return ref;
}

/** Builds the public fixtures in memory from the reference solutions. */
export async function buildPublicFixtures(ref?: Reference): Promise<PublicFixtures> {
  const reference = ref ?? (await requireReference());
  const { fillExpected } = await import('./live');
  const cases: PublicFixtures['cases'] = {};
  for (const family of CASE_FAMILIES) {
    if (family === 'rand-init') continue; // judged by properties: nothing to store
    const pub = publicCases(family);
    if (pub.length === 0) continue;
    for (const c of pub) fillExpected(reference, c);
    cases[family] = pub as never;
  }
  const { variantFixtures } = await import('../diagnose/fixtures');
  const variants = await variantFixtures(reference, Object.values(cases).flat() as GradingCase[]);
  return { format: PUBLIC_FORMAT, version: PUBLIC_VERSION, cases, variants };
}

function validator(name: 'public' | 'sealed', path: string) {
  return schemaValidator<unknown>(name, () => JSON.parse(readFileSync(path, 'utf8')) as object);
}

function check<T>(data: unknown, name: 'public' | 'sealed', schemaPath: string): T {
  const validate = validator(name, schemaPath);
  if (!validate(data)) {
    const errors = (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    throw new Error(`${name} fixtures do not match ${schemaPath}:\n  ${errors.join('\n  ')}`);
  }
  return data as T;
}

/** Validates public fixtures against grader/fixtures/public.schema.json; throws with ajv's errors. */
export function validatePublicFixtures(data: unknown): PublicFixtures {
  return check<PublicFixtures>(data, 'public', PUBLIC_SCHEMA_PATH);
}

/** Validates a sealed pool against grader/fixtures/sealed.schema.json; throws with ajv's errors. */
export function validateSealedFile(data: unknown): SealedFile {
  return check<SealedFile>(data, 'sealed', SEALED_SCHEMA_PATH);
}

/** One case per line: readable diffs in review, still compact. */
export function formatPublicFixtures(data: PublicFixtures): string {
  const families = Object.entries(data.cases)
    .map(([family, cases]) => `    ${JSON.stringify(family)}: [\n${(cases ?? []).map((c) => `      ${JSON.stringify(c)}`).join(',\n')}\n    ]`)
    .join(',\n');
  return `{\n  "format": ${JSON.stringify(data.format)},\n  "version": ${data.version},\n  "cases": {\n${families}\n  },\n  "variants": ${formatVariantFixtures(data.variants)}\n}\n`;
}

export interface WriteFixturesOptions {
  publicPath?: string;
  sealedPath?: string;
  /** Pool sizes and hash parameters (tests and development use small ones; the defaults are the shipped ones). */
  build?: import('./seal-build').SealBuildOptions;
}

/**
 * `backprop-grader fixtures`: rebuilds grader/fixtures/public.json and sealed.json from solutions/,
 * schema-validated before they are written.
 * @returns each file written and its size in bytes
 */
export async function writeFixtures(options: WriteFixturesOptions = {}): Promise<{ path: string; bytes: number }[]> {
  const ref = await requireReference();
  const { buildSealed, formatSealed } = await import('./seal-build');
  const pub = formatPublicFixtures(validatePublicFixtures(await buildPublicFixtures(ref)));
  const sealed = formatSealed(validateSealedFile(await buildSealed(ref, options.build)));
  const publicPath = options.publicPath ?? PUBLIC_PATH;
  const sealedPath = options.sealedPath ?? SEALED_PATH;
  writeFileSync(publicPath, pub);
  writeFileSync(sealedPath, sealed);
  cached = undefined;
  forgetSealed();
  return [
    { path: publicPath, bytes: Buffer.byteLength(pub) },
    { path: sealedPath, bytes: Buffer.byteLength(sealed) },
  ];
}

export interface CheckFixturesOptions {
  publicPath?: string;
  sealedPath?: string;
  /**
   * Entries whose digests are verified per pool family and per probe family (a random sample: of a
   * sampled entry, its expected quantities and one of its variants); 'all' verifies every digest
   * (about 14,000 hashes: minutes). Default 3.
   */
  hashes?: number | 'all';
  /** Picks the sample (tests pass a seeded one). Default Math.random. */
  random?: () => number;
}

/**
 * Whether the stored files are stale: the public file must equal a fresh build byte for byte; the
 * sealed file must have the pool's sizes and seed, every case's quantities and variants with the
 * cell layout a fresh build gives (exponents and offsets follow from the expected values, so any
 * change of the reference's numbers shows), and digests that match for the sampled entries.
 * @returns the problems found (empty: up to date)
 */
export async function checkFixtures(options: CheckFixturesOptions = {}): Promise<string[]> {
  const ref = await requireReference();
  const problems: string[] = [];
  const publicPath = options.publicPath ?? PUBLIC_PATH;
  let storedPublic = '';
  try {
    storedPublic = readFileSync(publicPath, 'utf8');
  } catch {
    problems.push(`${publicPath} is missing`);
  }
  if (storedPublic && storedPublic !== formatPublicFixtures(await buildPublicFixtures(ref))) problems.push(`${publicPath} differs from a fresh build`);

  let file: SealedFile;
  try {
    file = validateSealedFile(JSON.parse(readFileSync(options.sealedPath ?? SEALED_PATH, 'utf8')));
  } catch (error) {
    return [...problems, (error as Error).message];
  }
  problems.push(...(await checkSealed(ref, file, options)));
  return problems;
}

async function checkSealed(ref: Reference, file: SealedFile, options: CheckFixturesOptions): Promise<string[]> {
  const { POOL_SEED, POOL_SIZE, PROBE_POOL_SIZE, SEALED_FAMILIES, sealPlan } = await import('./seal-build');
  const { DEFAULT_KDF } = await import('./sealed');
  const { generateHidden } = await import('../cases/index');
  const { liveSource } = await import('../diagnose/source');
  const { probeCase, PROBE_BUDGET_MS } = await import('../cases/probe');
  const { Matrix } = await import('ml-matrix');
  const problems: string[] = [];
  if (file.poolSeed !== POOL_SEED || file.poolSize !== POOL_SIZE || file.probePoolSize !== PROBE_POOL_SIZE) {
    problems.push(`sealed pool sizes or seed differ from this grader's (seed ${POOL_SEED}, ${POOL_SIZE} cases, ${PROBE_POOL_SIZE} probes per family)`);
  }
  if (JSON.stringify(file.kdf) !== JSON.stringify(DEFAULT_KDF)) problems.push('sealed pool hash parameters differ from this grader\'s');
  const pepper = Buffer.from(file.pepper, 'base64');
  const source = await liveSource(ref);
  const random = options.random ?? Math.random;
  const sample = (n: number) => {
    const k = options.hashes === 'all' ? n : Math.min(n, options.hashes ?? 3);
    const all = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    return new Set(all.slice(0, k));
  };
  for (const family of SEALED_FAMILIES) {
    const entries = file.pool[family] ?? [];
    const verify = sample(entries.length);
    generateHidden(family, file.poolSeed, file.poolSize).forEach((c, index) => {
      const entry = entries[index] ?? {};
      const plan = sealPlan(ref, source, c);
      const planned = plan.map((p) => p.key).sort();
      if (JSON.stringify(planned) !== JSON.stringify(Object.keys(entry).sort())) {
        problems.push(`sealed ${family} case ${index}: stored keys differ from a fresh build`);
        return;
      }
      const variantKeys = plan.filter((p) => p.key.includes(':')).map((p) => p.key);
      const oneVariant = variantKeys[Math.floor(random() * variantKeys.length)];
      for (const { key, values, tol } of plan) {
        const seal = decodeCentred(`${family}/${index}/${key}`, entry[key]);
        const fresh = centre(values, tol);
        const hashIt = options.hashes === 'all' || (verify.has(index) && (!key.includes(':') || key === oneVariant));
        if (!sameBytes(seal.layout.exps, fresh.layout.exps) || !sameBytes(seal.layout.offs, fresh.layout.offs)) {
          problems.push(`sealed ${family} case ${index} ${key}: cell layout differs from a fresh build`);
        } else if (hashIt && !digestSync(file.kdf, pepper, seal.id, 'centred', fresh.cells).equals(seal.digest)) {
          problems.push(`sealed ${family} case ${index} ${key}: digest does not match the reference's cells`);
        }
      }
    });
  }
  for (const family of ['probe-unreg', 'probe-reg'] as const) {
    const all = Buffer.from(file.probes[family] ?? '', 'base64');
    if (all.length !== file.probePoolSize * file.kdf.keyLength) {
      problems.push(`sealed ${family}: ${all.length / file.kdf.keyLength} digests, expected ${file.probePoolSize}`);
      continue;
    }
    for (const index of sample(file.probePoolSize)) {
      const i = probeCase(family, file.poolSeed, index, PROBE_BUDGET_MS).inputs;
      const grad = Array.from(ref.nnCostFunction(i.nnParams, i.inputLayerSize, i.hiddenLayerSize, i.numLabels, new Matrix(i.X), i.y, i.lambda).grad);
      const want = all.subarray(index * file.kdf.keyLength, (index + 1) * file.kdf.keyLength);
      if (!digestSync(file.kdf, pepper, `${family}/${index}/grad`, 'grid', gridCells(grad)).equals(want)) {
        problems.push(`sealed ${family} probe ${index}: digest does not match the reference's gradient`);
      }
    }
  }
  return problems;
}

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

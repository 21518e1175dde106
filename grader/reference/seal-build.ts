/**
 * Builds the sealed pool (grader/fixtures/sealed.json) from the live reference: for every pool case
 * the expected outputs and the single mistake variants' outputs as centred seals, and for every
 * speed probe its gradient as a grid seal (grader/reference/cells.ts, ./sealed.ts). Instructors
 * only: it needs solutions/. About 14,000 scrypt hashes at the default size, run on the thread pool
 * while the main thread computes the reference's outputs (a few minutes on 2 cores).
 */
import { randomBytes } from 'node:crypto';
import { Matrix } from 'ml-matrix';
import { generateHidden, SEALED_QUANTITIES } from '../cases/index';
import { probeCase, PROBE_BUDGET_MS } from '../cases/probe';
import { PROBE_FAMILIES, type CaseFamily, type GradingCase } from '../cases/types';
import { VARIANT_PLAN } from '../diagnose/fixtures';
import { liveSource } from '../diagnose/source';
import { centre, gridCells } from './cells';
import type { Reference } from './contract';
import { fillExpected } from './live';
import { DEFAULT_KDF, digest, encodeCentred, SEAL_TOLERANCES, SEALED_FORMAT, SEALED_VERSION, type KdfParams, type SealedFile, type SealedQuantity } from './sealed';

/** The pool's seed: fixed, so the pool is the same on every machine. */
export const POOL_SEED = 20_240_401;
/** Hidden cases per family in the pool: a run picks `hiddenCases` of them, so seeds rarely repeat a set. */
export const POOL_SIZE = 200;
/** Speed probes per probe family (see docs/sealed-fixtures.md for what this size costs a cheater). */
export const PROBE_POOL_SIZE = 1024;

/** The families whose hidden cases carry expected outputs (rand-init is judged by properties). */
export const SEALED_FAMILIES = ['nn-unreg', 'nn-reg', 'numcheck-unreg', 'numcheck-reg', 'sigmoid', 'numgrad'] as const satisfies readonly CaseFamily[];

/** The tolerance a family's quantity is sealed with. */
export function sealTolerance(family: CaseFamily, quantity: string): (typeof SEAL_TOLERANCES)[SealedQuantity] {
  if (family === 'numcheck-unreg' || family === 'numcheck-reg') return SEAL_TOLERANCES.numcheck;
  return SEAL_TOLERANCES[quantity as SealedQuantity];
}

/** The clear values of a case's quantity (after fillExpected), column-major. */
export function expectedValues(c: GradingCase, quantity: string): number[] | undefined {
  switch (c.family) {
    case 'nn-unreg':
    case 'nn-reg':
      return c.expected ? (quantity === 'J' ? [c.expected.J] : c.expected.grad) : undefined;
    case 'numcheck-unreg':
    case 'numcheck-reg':
    case 'numgrad':
      return c.expected?.numgrad;
    case 'sigmoid': {
      const g = c.expected?.g;
      if (!g) return undefined;
      const out: number[] = [];
      for (let j = 0; j < g[0].length; j++) for (let i = 0; i < g.length; i++) out.push(g[i][j]);
      return out;
    }
    default:
      return undefined;
  }
}

/** What one pool case seals: key ("J", "grad:gradSignFlipped", …) -> clear values and tolerance. */
export function sealPlan(ref: Reference, source: Awaited<ReturnType<typeof liveSource>>, c: GradingCase): { key: string; values: number[]; tol: (typeof SEAL_TOLERANCES)[SealedQuantity] }[] {
  fillExpected(ref, c);
  const out: { key: string; values: number[]; tol: (typeof SEAL_TOLERANCES)[SealedQuantity] }[] = [];
  for (const q of SEALED_QUANTITIES[c.family] ?? []) {
    const values = expectedValues(c, q);
    if (!values || !values.every(Number.isFinite)) throw new Error(`seal-build: ${c.id} has no finite expected ${q}`);
    out.push({ key: q, values, tol: sealTolerance(c.family, q) });
  }
  for (const [q, variants] of VARIANT_PLAN[c.family] ?? []) {
    for (const v of variants) {
      const values = source.output(c, q, v);
      // A variant that cannot run here, or whose output is not finite, explains nothing (JSON has no NaN).
      if (!values || !values.every(Number.isFinite)) continue;
      out.push({ key: `${q}:${v.key}`, values, tol: sealTolerance(c.family, q) });
    }
  }
  return out;
}

export interface SealBuildOptions {
  poolSize?: number;
  probePoolSize?: number;
  kdf?: KdfParams;
  /** Default: 32 fresh random bytes. */
  pepper?: Buffer;
  /** Told after each hash (done of total). */
  onProgress?: (done: number, total: number) => void;
}

/** Runs `tasks` with at most `limit` in flight (the thread pool does the hashing). */
async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

/** Builds the sealed pool in memory from the live reference. */
export async function buildSealed(ref: Reference, options: SealBuildOptions = {}): Promise<SealedFile> {
  const poolSize = options.poolSize ?? POOL_SIZE;
  const probePoolSize = options.probePoolSize ?? PROBE_POOL_SIZE;
  const kdf = options.kdf ?? DEFAULT_KDF;
  const pepper = options.pepper ?? randomBytes(32);
  const source = await liveSource(ref);

  const hashes: (() => Promise<void>)[] = [];
  let done = 0;
  const pool: SealedFile['pool'] = {};
  for (const family of SEALED_FAMILIES) {
    const entries: Record<string, string>[] = (pool[family] = []);
    generateHidden(family, POOL_SEED, poolSize).forEach((c, index) => {
      const entry: Record<string, string> = (entries[index] = {});
      for (const { key, values, tol } of sealPlan(ref, source, c)) {
        const { layout, cells } = centre(values, tol);
        hashes.push(async () => {
          entry[key] = encodeCentred(layout, await digest(kdf, pepper, `${family}/${index}/${key}`, 'centred', cells));
        });
      }
    });
  }
  const probeDigests: Record<string, Buffer[]> = {};
  for (const family of PROBE_FAMILIES) {
    const digests: Buffer[] = (probeDigests[family] = new Array(probePoolSize));
    for (let index = 0; index < probePoolSize; index++) {
      hashes.push(async () => {
        // Computed just before hashing, so the reference's work overlaps the thread pool's hashing.
        const i = probeCase(family, POOL_SEED, index, PROBE_BUDGET_MS).inputs;
        const grad = Array.from(ref.nnCostFunction(i.nnParams, i.inputLayerSize, i.hiddenLayerSize, i.numLabels, new Matrix(i.X), i.y, i.lambda).grad);
        digests[index] = await digest(kdf, pepper, `${family}/${index}/grad`, 'grid', gridCells(grad));
      });
    }
  }
  await inParallel(
    hashes.map((h) => async () => {
      await h();
      options.onProgress?.(++done, hashes.length);
    }),
    4,
  );

  // Keys in a fixed order, so the file's text depends only on its content.
  const sortedPool: SealedFile['pool'] = {};
  for (const [family, entries] of Object.entries(pool)) {
    sortedPool[family] = entries.map((e) => Object.fromEntries(Object.keys(e).sort(keyOrder).map((k) => [k, e[k]])));
  }
  return {
    format: SEALED_FORMAT,
    version: SEALED_VERSION,
    poolSeed: POOL_SEED,
    poolSize,
    probePoolSize,
    kdf,
    pepper: pepper.toString('base64'),
    tolerances: SEAL_TOLERANCES,
    pool: sortedPool,
    probes: Object.fromEntries(PROBE_FAMILIES.map((f) => [f, Buffer.concat(probeDigests[f]).toString('base64')])),
  };
}

/** Expected quantities first (J, grad, g, numgrad), then variants alphabetically. */
function keyOrder(a: string, b: string): number {
  const va = a.includes(':');
  const vb = b.includes(':');
  if (va !== vb) return va ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One line per pool entry: readable diffs in review. */
export function formatSealed(data: SealedFile): string {
  const pool = Object.entries(data.pool)
    .map(([family, entries]) => `    ${JSON.stringify(family)}: [\n${entries.map((e) => `      ${JSON.stringify(e)}`).join(',\n')}\n    ]`)
    .join(',\n');
  const probes = Object.entries(data.probes)
    .map(([family, all]) => `    ${JSON.stringify(family)}: ${JSON.stringify(all)}`)
    .join(',\n');
  const head = { format: data.format, version: data.version, poolSeed: data.poolSeed, poolSize: data.poolSize, probePoolSize: data.probePoolSize };
  return (
    `${JSON.stringify(head, null, 2).slice(0, -2)},\n` +
    `  "kdf": ${JSON.stringify(data.kdf)},\n  "pepper": ${JSON.stringify(data.pepper)},\n  "tolerances": ${JSON.stringify(data.tolerances)},\n` +
    `  "pool": {\n${pool}\n  },\n  "probes": {\n${probes}\n  }\n}\n`
  );
}

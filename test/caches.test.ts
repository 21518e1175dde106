/**
 * The two caches that keep a cold grade short: the sandbox runtime prebuilt at install
 * (dist/runtime/, found by a stamp of its sources) and the cache of submission bundles
 * (grader/sandbox/bundle-cache.ts): reuse, invalidation, corruption, trust and cleanup.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../grader/paths';
import { openSandbox, type CallOutcome, type SandboxRequest } from '../grader/sandbox/index';
import { bundleSubmission } from '../grader/sandbox/bundle';
import { bundleKey, readCachedBundle, useBundleCacheForTests } from '../grader/sandbox/bundle-cache';
import { getRuntime, prebuiltRuntime } from '../grader/sandbox/runtime';
import { prebuildRuntime } from '../grader/sandbox/runtime-build';
import { MANIFEST, runtimeKey, runtimeStamp, type Manifest } from '../grader/sandbox/runtime-key';
import { stageSubmission } from '../grader/sandbox/staging';

const STUBS = join(PACKAGE_ROOT, 'exercises');
const STUB_FILES = ['nnCostFunction.ts', 'sigmoidGradient.ts', 'randInitializeWeights.ts', 'computeNumericalGradient.ts'];
const SIGMOID: SandboxRequest = { fn: 'sigmoidGradient', z: [[0, 1]] };
const THROWING_SIGMOID = [
  "import type { Matrix } from 'ml-matrix';",
  "import { twice } from './util/twice';",
  '',
  'export function sigmoidGradient(z: Matrix): Matrix {',
  '  return twice(z);',
  '}',
  '',
].join('\n');
const TWICE = "import type { Matrix } from 'ml-matrix';\n\nexport function twice(z: Matrix): Matrix {\n  throw new RangeError('not yet');\n}\n";

const temps: string[] = [];
function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

/** A submission folder: the stubs plus `files` (paths relative to exercises/). */
function submission(files: Record<string, string>): string {
  const root = temp('bpg-cache-sub-');
  const ex = join(root, 'exercises');
  mkdirSync(ex, { recursive: true });
  for (const f of STUB_FILES) cpSync(join(STUBS, f), join(ex, f));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(ex, name, '..'), { recursive: true });
    writeFileSync(join(ex, name), text);
  }
  return root;
}

/** Stages and bundles `dir` the way a sandbox does, in a fresh folder. */
async function bundle(dir: string) {
  const work = temp('bpg-cache-bundle-');
  mkdirSync(join(work, 'src'));
  const sub = stageSubmission(dir, join(work, 'src'));
  const result = await bundleSubmission(sub, join(work, 'bundle'));
  const files = Object.fromEntries(readdirSync(join(work, 'bundle'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => [join(e.parentPath, e.name).slice(work.length), readFileSync(join(e.parentPath, e.name), 'utf8')]));
  return { result, files, sub, outdir: join(work, 'bundle') };
}

async function callOnce(dir: string, request: SandboxRequest): Promise<CallOutcome> {
  const sb = await openSandbox(dir, { timeoutMs: 5000 }, { isolation: 'auto', trace: false });
  try {
    return await sb.call(request);
  } finally {
    await sb.close();
  }
}

afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('runtime prebuilt at install', () => {
  let dir: string;
  let manifest: Manifest;
  beforeAll(async () => {
    dir = join(temp('bpg-prebuilt-'), 'runtime');
    manifest = await prebuildRuntime(dir);
  });

  it('records the content key and a stamp of its sources; both match the sources as they are', () => {
    expect(manifest.key).toBe(runtimeKey());
    expect(manifest.packages).toContain('ml-matrix');
    expect(manifest.stamp).toBe(runtimeStamp(manifest.packages ?? []));
    expect(prebuiltRuntime(dir, false)).toMatchObject({ key: manifest.key, prebuilt: true, built: false });
  });

  it('a stale stamp (new file times, e.g. an unpacked tarball) falls back to the content key', () => {
    writeFileSync(join(dir, MANIFEST), JSON.stringify({ ...manifest, stamp: 'stale' }));
    expect(prebuiltRuntime(dir, false)).toBeUndefined();
    expect(prebuiltRuntime(dir, true)).toMatchObject({ key: manifest.key, prebuilt: true });
  });

  it('is not used when its sources changed (another key), or when it is incomplete', () => {
    writeFileSync(join(dir, MANIFEST), JSON.stringify({ ...manifest, stamp: 'stale', key: 'another' }));
    expect(prebuiltRuntime(dir, true)).toBeUndefined();
    rmSync(join(dir, MANIFEST));
    expect(prebuiltRuntime(dir, true)).toBeUndefined();
    writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
    expect(prebuiltRuntime(dir, true)).toBeDefined();
  });
});

describe('bundle cache', () => {
  let root: string;
  beforeAll(() => {
    root = temp('bpg-bundle-cache-');
    useBundleCacheForTests(join(root, 'cache'), 3);
  });
  afterAll(() => useBundleCacheForTests(undefined));
  const entries = (): string[] => readdirSync(join(root, 'cache')).filter((n) => !n.startsWith('.'));

  it('unchanged files are bundled once; the second bundle is the cached one, byte for byte', async () => {
    const dir = submission({ 'sigmoidGradient.ts': THROWING_SIGMOID, 'util/twice.ts': TWICE });
    const first = await bundle(dir);
    const second = await bundle(dir);
    expect(first.result.cached).toBeUndefined();
    expect(second.result.cached).toBe(true);
    expect(second.files).toEqual(first.files);
    expect(Object.keys(second.result.chunks).sort()).toEqual(Object.keys(first.result.chunks).sort());
    expect(second.result.problems).toEqual(first.result.problems);
  });

  it('any change to a student file, even a helper of theirs, is a new bundle', async () => {
    const dir = submission({ 'sigmoidGradient.ts': THROWING_SIGMOID, 'util/twice.ts': TWICE });
    const a = await bundle(dir);
    writeFileSync(join(dir, 'exercises', 'util', 'twice.ts'), TWICE.replace('not yet', 'changed'));
    const b = await bundle(dir);
    expect(b.result.cached).toBeUndefined();
    expect(bundleKey(b.sub, b.outdir, await getRuntime())).not.toBe(bundleKey(a.sub, a.outdir, await getRuntime()));
    expect(Object.values(b.files).join('')).toContain('changed');
  });

  it('compile errors are cached with their file and line', async () => {
    const dir = submission({ 'sigmoidGradient.ts': 'export function sigmoidGradient(z) {\n  return z +;\n}\n' });
    const first = await bundle(dir);
    const second = await bundle(dir);
    expect(second.result.cached).toBe(true);
    expect(second.result.problems.sigmoidGradient).toEqual(first.result.problems.sigmoidGradient);
    expect(first.result.problems.sigmoidGradient).toMatchObject({ code: 'compile-error', file: 'exercises/sigmoidGradient.ts', line: 2 });
  });

  it('a student\'s stack frames map to their own file:line from a cached bundle too', async () => {
    const dir = submission({ 'sigmoidGradient.ts': THROWING_SIGMOID, 'util/twice.ts': TWICE });
    const first = await callOnce(dir, SIGMOID);
    const second = await callOnce(dir, SIGMOID);
    const frames = ['twice (exercises/util/twice.ts:4:9)', 'sigmoidGradient (exercises/sigmoidGradient.ts:5:10)'];
    for (const outcome of [first, second]) {
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error).toMatchObject({ code: 'threw', stack: frames, file: 'exercises/util/twice.ts', line: 4 });
    }
  });

  it('a corrupted entry is rebuilt, never used', async () => {
    const dir = submission({ 'sigmoidGradient.ts': THROWING_SIGMOID, 'util/twice.ts': TWICE.replace('not yet', 'corrupt me') });
    const first = await bundle(dir);
    const key = bundleKey(first.sub, first.outdir, await getRuntime());
    const entry = join(root, 'cache', key);
    const chunk = readdirSync(entry).find((f) => f.startsWith('student-sigmoidGradient'));
    expect(chunk).toBeDefined();
    writeFileSync(join(entry, chunk as string), 'export function sigmoidGradient() { return "pwned"; }\n');
    expect(readCachedBundle(key)).toBeUndefined();
    const again = await bundle(dir);
    expect(again.result.cached).toBeUndefined();
    expect(again.files).toEqual(first.files);
    expect(readCachedBundle(key)).toBeDefined();
  });

  it('is not used when its folder is writable by others', async () => {
    const dir = submission({ 'sigmoidGradient.ts': THROWING_SIGMOID, 'util/twice.ts': TWICE.replace('not yet', 'shared') });
    await bundle(dir);
    chmodSync(join(root, 'cache'), 0o777);
    try {
      expect((await bundle(dir)).result.cached).toBeUndefined();
    } finally {
      chmodSync(join(root, 'cache'), 0o700);
    }
    expect((await bundle(dir)).result.cached).toBe(true);
  });

  it('keeps only the most recently used entries', async () => {
    // Entries of the tests above: older than any of this test's.
    for (const name of entries()) utimesSync(join(root, 'cache', name), new Date(), new Date(Date.now() - 3_600_000));
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) {
      const dir = submission({ 'sigmoidGradient.ts': THROWING_SIGMOID, 'util/twice.ts': TWICE.replace('not yet', `variant ${i}`) });
      const b = await bundle(dir);
      keys.push(bundleKey(b.sub, b.outdir, await getRuntime()));
      // Distinct times in the past, so "most recent" is well defined on coarse file systems.
      utimesSync(join(root, 'cache', keys[i]), new Date(), new Date(Date.now() - (10 - i) * 1000));
    }
    expect(entries().sort()).toEqual(keys.slice(-3).sort());
    expect(readdirSync(join(root, 'cache')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });
});

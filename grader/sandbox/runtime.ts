/**
 * The sandbox runtime: the submission-independent code every sandbox child loads (the boot
 * script with the channel's child end, the harness, ml-matrix and the kit's helpers in
 * exercises/lib), prebuilt once and shared by every submission.
 *
 * Why: bundling ml-matrix and the harness again for each submission was most of esbuild's work per
 * grade. Now a submission's bundle holds only the student's own files, and their imports of
 * `ml-matrix` and `./lib/*` point at the runtime's modules (bundle.ts), so every file of a
 * submission and the harness share one Matrix class, and a submission still cannot replace them.
 *
 * Where it comes from, fastest first:
 * - prebuilt at install: `npm ci` / `npm run build` (scripts/build.mjs) builds it into
 *   dist/runtime/, part of the installation like dist/cli.js. It is used while its sources are
 *   unchanged: its manifest records a stamp of their sizes and modification times (stat only, well
 *   under a millisecond), and when the stamp differs (an edited source, or an unpacked tarball's
 *   new times) the content hash decides (runtimeKey, a few ms).
 * - the disk cache in os.tmpdir(), under a folder named by a hash of everything that goes into it
 *   (grader version, Node and esbuild versions, the source files' contents, the packages'
 *   versions), so a fresh CLI process reuses it. The folder is written under a temporary name and
 *   renamed into place (atomic), every file's hash is recorded in its manifest and checked before
 *   reuse (a corrupted or half-deleted cache is rebuilt), and a folder not owned by us or writable
 *   by others is never trusted. Nothing is ever written into the project or a submission.
 * - built (runtime-build.ts, esbuild: imported only then).
 * And per grader process (a promise).
 *
 * No source maps: the runtime's stack frames are never shown to students (harness.ts keeps only
 * frames inside the submission), and Node's --enable-source-maps parses every map it meets when a
 * module loads.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import { MANIFEST, runtimeKey, runtimeStamp, sha256, type Manifest } from './runtime-key';

/** The prebuilt runtime on disk. All paths absolute and real. */
export interface Runtime {
  /** The folder the sandbox child may read (read-only; shared by every submission). */
  dir: string;
  /** The boot script the child starts with. */
  boot: string;
  /** The harness module (exports createHarness). */
  harness: string;
  /** The runtime's ml-matrix module (every export of the grader's ml-matrix, default included). */
  mlMatrix: string;
  /** ajv's standalone validator of CallOutcome, for the grader's process (validate.ts). */
  validator: string;
  /** Per kit helper in the runtime (name without extension, e.g. 'matrix'): its module. */
  lib: Record<string, string>;
  /** The content hash naming the cache folder. */
  key: string;
  /** True when this call built it; false when it came from the disk cache or dist/runtime. */
  built: boolean;
  /** True for the one prebuilt at install (dist/runtime/). */
  prebuilt?: boolean;
}

const PREFIX = 'backprop-grader-runtime-';
/** Where scripts/build.mjs puts the prebuilt runtime (inside the installation, beside dist/cli.js). */
export const PREBUILT_DIR = join(PACKAGE_ROOT, 'dist', 'runtime');

/** Owned by us, a real folder (not a link), not writable by others: only then is its content trusted. */
function trustworthy(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory()) return false;
    if (process.platform === 'win32') return true;
    return st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** The manifest of a complete, intact runtime in `dir`, or null (missing, corrupted, wrong key). */
export function verifyRuntime(dir: string, key: string): Manifest | null {
  if (!trustworthy(dir)) return null;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
    if (manifest.key !== key || !Array.isArray(manifest.lib) || typeof manifest.files !== 'object') return null;
    for (const [file, hash] of Object.entries(manifest.files)) {
      if (sha256(readFileSync(join(dir, file))) !== hash) return null;
    }
    return manifest;
  } catch {
    return null;
  }
}

function describe(dir: string, manifest: Manifest, key: string, built: boolean, prebuilt = false): Runtime {
  const real = realpathSync(dir);
  return {
    dir: real,
    boot: join(real, 'boot.mjs'),
    harness: join(real, 'harness.mjs'),
    mlMatrix: join(real, 'ml-matrix.mjs'),
    validator: join(real, 'validate-call-outcome.mjs'),
    lib: Object.fromEntries(manifest.lib.map((name) => [name, join(real, 'lib', `${name}.mjs`)])),
    key,
    built,
    ...(prebuilt ? { prebuilt } : {}),
  };
}

let cacheRoot: string | undefined;

/** Where the disk cache lives: os.tmpdir(), unless a test chose another folder. */
export function runtimeCacheRoot(): string {
  return cacheRoot ?? tmpdir();
}

/** Tests: keep the runtime cache in `root` (undefined: back to os.tmpdir()); forgets the per-process runtime. */
export function useRuntimeCacheRootForTests(root: string | undefined): void {
  cacheRoot = root;
  resetRuntimeForTests();
}

/**
 * Finds the runtime in the disk cache or builds it there. Safe against concurrent graders: each
 * builds under its own temporary name and renames; the loser of a race uses the winner's folder.
 */
export async function loadRuntime(root = runtimeCacheRoot(), key = runtimeKey()): Promise<Runtime> {
  const final = join(root, `${PREFIX}${key}`);
  const cached = verifyRuntime(final, key);
  if (cached) return describe(final, cached, key, false);

  const temp = join(root, `${PREFIX}${key}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  mkdirSync(temp, { mode: 0o700 });
  let manifest: Manifest;
  try {
    manifest = await (await import('./runtime-build')).buildRuntimeInto(temp, key);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  // A bad folder under the final name (corrupted, half-deleted, someone else's) goes out of the way first.
  if (lstatExists(final) && !verifyRuntime(final, key)) {
    const trash = `${final}.bad-${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      renameSync(final, trash);
      rmSync(trash, { recursive: true, force: true });
    } catch {
      // another process moved it first
    }
  }
  try {
    renameSync(temp, final);
  } catch {
    // Lost a race: the winner's runtime is identical (same key) if it verifies; else keep ours privately.
    const theirs = verifyRuntime(final, key);
    if (theirs) {
      rmSync(temp, { recursive: true, force: true });
      return describe(final, theirs, key, false);
    }
    return describe(temp, manifest, key, true);
  }
  return describe(final, manifest, key, true);
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

let perProcess: Promise<Runtime> | undefined;
let perProcessRoot: string | undefined;

/**
 * The runtime prebuilt at install (dist/runtime/), when it was built from the sources as they are
 * now; else undefined. Synchronous and cheap when the stamp matches (the CLI asks for it before
 * anything else, to start the sandbox child at once). The folder is part of the installation, as
 * trusted as the dist/cli.js that is running, so its files are not hashed again.
 * @param dir the prebuilt runtime's folder (tests use another)
 * @param contentCheck on a stamp mismatch, compare content keys (a few ms) instead of giving up
 */
export function prebuiltRuntime(dir = PREBUILT_DIR, contentCheck = true): Runtime | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (typeof manifest.key !== 'string' || !Array.isArray(manifest.lib) || !Array.isArray(manifest.packages)) return undefined;
  const fresh = manifest.stamp === runtimeStamp(manifest.packages) || (contentCheck && manifest.key === runtimeKey());
  return fresh ? describe(dir, manifest, manifest.key, false, true) : undefined;
}

/**
 * The runtime for this grader process: the prebuilt one when current, else loaded from (or built
 * into) the disk cache; once, then reused by every openSandbox. A failed build is not cached, so
 * the next sandbox tries again; a runtime whose folder has gone meanwhile (a temp cleaner) is
 * loaded again.
 */
export async function getRuntime(root = runtimeCacheRoot()): Promise<Runtime> {
  if (perProcess && perProcessRoot === root) {
    const known = await perProcess.catch(() => undefined);
    if (known && existsSync(join(known.dir, MANIFEST))) return known;
  }
  perProcessRoot = root;
  // Not while a test has its own cache folder: those tests are about the disk cache.
  const prebuilt = cacheRoot === undefined ? prebuiltRuntime() : undefined;
  const loading = prebuilt ? Promise.resolve(prebuilt) : loadRuntime(root);
  perProcess = loading;
  loading.catch(() => {
    if (perProcess === loading) perProcess = undefined;
  });
  return loading;
}

/**
 * The prebuilt runtime, found synchronously and remembered as this process's (getRuntime then
 * returns it), or undefined when it is not current (then getRuntime finds or builds one).
 */
export function prebuiltRuntimeForProcess(): Runtime | undefined {
  if (cacheRoot !== undefined) return undefined;
  const runtime = prebuiltRuntime();
  if (runtime && !perProcess) {
    perProcess = Promise.resolve(runtime);
    perProcessRoot = runtimeCacheRoot();
  }
  return runtime;
}

/** Forgets the per-process runtime (tests: force the next openSandbox to look at the disk cache again). */
export function resetRuntimeForTests(): void {
  perProcess = undefined;
  perProcessRoot = undefined;
}

/**
 * A disk cache of submission bundles, so that grading unchanged files again (a student's
 * edit-grade loop, `grade --watch`, a re-run in CI) skips esbuild: its import (~16 ms), its
 * service process and the build.
 *
 * Keyed by a content hash of everything the bundle is made from: every staged file (path and
 * content), the staged files' problems, the runtime (its key and folder: the bundle imports its
 * modules by path), the folders' layout (source-map and comment paths are relative), and this
 * cache's format. Kept like the runtime's cache: in os.tmpdir(), in a folder of this user's that
 * no one else may write (otherwise nothing is cached), each entry written under a temporary name
 * and renamed into place, every file's hash recorded in the entry's manifest and checked before
 * the entry is used (a corrupted entry is rebuilt). At most MAX_ENTRIES entries: the least
 * recently used go first.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import type { StudentFunction } from '../parts/ids';
import type { CallError } from './protocol';
import type { Runtime } from './runtime';
import { sha256 } from './runtime-key';
import type { LocatedSubmission } from './staging';

/** Bump when the bundle's format or options change. */
const FORMAT = 'backprop-grader bundle 1';
const MANIFEST = 'manifest.json';
/** Entries kept; older ones are removed when a new one is stored. */
export const MAX_ENTRIES = 64;

/** A bundle as stored: its files (relative to the bundle folder) and what bundleSubmission returns. */
export interface CachedBundle {
  /** Per file of the bundle ('/'-separated, relative): its content. */
  files: Map<string, Uint8Array>;
  /** Per loadable function: its entry chunk, relative to the bundle folder. */
  chunks: Partial<Record<StudentFunction, string>>;
  problems: Partial<Record<StudentFunction, CallError>>;
}

interface EntryManifest {
  key: string;
  files: Record<string, string>;
  chunks: CachedBundle['chunks'];
  problems: CachedBundle['problems'];
}

let rootOverride: string | undefined;
let maxEntries = MAX_ENTRIES;

/** The cache's folder: one per user in os.tmpdir() (tests choose their own). */
export function bundleCacheRoot(): string {
  return rootOverride ?? join(tmpdir(), `backprop-grader-bundles-${process.getuid?.() ?? 'user'}`);
}

/** Tests: keep the cache in `root` with at most `max` entries (undefined: back to the defaults). */
export function useBundleCacheForTests(root: string | undefined, max = MAX_ENTRIES): void {
  rootOverride = root;
  maxEntries = max;
}

/** Every file under `dir` (relative, '/'-separated, sorted). Staged folders are small and bounded (staging.ts). */
function filesUnder(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, base));
    else if (entry.isFile()) out.push(relative(base, path).split(sep).join('/'));
  }
  return out;
}

/**
 * The cache key of bundling `sub` (staged under `sub.displayRoot`) into `outdir` against `runtime`.
 * Reads the staged files (small, capped by staging).
 */
export function bundleKey(sub: LocatedSubmission, outdir: string, runtime: Runtime): string {
  const root = sub.displayRoot;
  const rel = (path: string): string => relative(root, path).split(sep).join('/');
  const h = createHash('sha256');
  h.update(`${FORMAT}\nruntime ${runtime.key} ${runtime.dir}\n`);
  h.update(`layout ${rel(sub.exercisesDir)} ${rel(sub.boundary)} ${rel(outdir)} ${rel(PACKAGE_ROOT)}\n`);
  for (const file of filesUnder(root)) h.update(`file ${file} ${sha256(readFileSync(join(root, file)))}\n`);
  const files = Object.entries(sub.files).map(([fn, f]) => [fn, rel(f.path), f.file, f.problem ?? null]);
  const refused = [...sub.refused].map(([path, error]) => [rel(path), error]);
  h.update(JSON.stringify({ files, refused }));
  return h.digest('hex').slice(0, 40);
}

/** Ours, a real folder (not a link), writable by no one else. */
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

/** The cache's folder, created if needed; undefined when it cannot be trusted (then nothing is cached). */
function cacheRoot(): string | undefined {
  const root = bundleCacheRoot();
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch {
    return undefined;
  }
  return trustworthy(root) ? root : undefined;
}

/** The bundle stored under `key`, verified file by file; undefined when absent or not intact. */
export function readCachedBundle(key: string): CachedBundle | undefined {
  const root = cacheRoot();
  if (!root) return undefined;
  const dir = join(root, key);
  if (!trustworthy(dir)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as EntryManifest;
    if (manifest.key !== key || typeof manifest.files !== 'object') return undefined;
    const files = new Map<string, Uint8Array>();
    for (const [file, hash] of Object.entries(manifest.files)) {
      const content = readFileSync(join(dir, file));
      if (sha256(content) !== hash) return undefined;
      files.set(file, content);
    }
    // Most recently used: the last to be evicted.
    const now = new Date();
    utimesSync(dir, now, now);
    return { files, chunks: manifest.chunks, problems: manifest.problems };
  } catch {
    return undefined;
  }
}

/** Stores a bundle under `key` (atomic: written aside, then renamed), then trims the cache. Never throws. */
export function storeCachedBundle(key: string, bundle: CachedBundle): void {
  const root = cacheRoot();
  if (!root) return;
  const temp = join(root, `.tmp-${key}-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(temp, { mode: 0o700 });
    const files: Record<string, string> = {};
    for (const [file, content] of bundle.files) {
      const path = join(temp, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      files[file] = sha256(Buffer.from(content));
    }
    const manifest: EntryManifest = { key, files, chunks: bundle.chunks, problems: bundle.problems };
    writeFileSync(join(temp, MANIFEST), JSON.stringify(manifest));
    const final = join(root, key);
    // A bad entry under the name (corrupted, half-deleted) goes first; a good one (another grader's) stays.
    if (readCachedBundle(key) === undefined) rmSync(final, { recursive: true, force: true });
    renameSync(temp, final);
  } catch {
    // Lost a race to an identical entry, or the disk is full: the bundle is used uncached.
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  trimCache(root);
}

/** Removes the least recently used entries beyond the maximum, and temporary folders older than an hour. */
function trimCache(root: string): void {
  let entries: Array<{ name: string; mtime: number }>;
  try {
    entries = readdirSync(root).map((name) => ({ name, mtime: statSync(join(root, name)).mtimeMs }));
  } catch {
    return;
  }
  const hourAgo = Date.now() - 3_600_000;
  for (const e of entries) if (e.name.startsWith('.tmp-') && e.mtime < hourAgo) rmSync(join(root, e.name), { recursive: true, force: true });
  const kept = entries.filter((e) => !e.name.startsWith('.tmp-')).sort((a, b) => b.mtime - a.mtime);
  for (const e of kept.slice(maxEntries)) rmSync(join(root, e.name), { recursive: true, force: true });
}

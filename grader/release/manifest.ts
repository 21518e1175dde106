/**
 * Tamper evidence. `release` writes a manifest of the files that decide a student's grade in the
 * Classroom setup (the grader, its bin and scripts, the package files, the workflows) with their
 * SHA-256; `batch` compares each student repository against the instructor's copy of it and flags
 * any difference, while still grading with the instructor's own grader.
 *
 * Text files are hashed with CRLF normalised to LF, so a checkout with `core.autocrlf` does not look
 * tampered. Build output and installs (node_modules/, dist/, .cache/) are not compared.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { graderVersion } from '../paths';
import type { TamperCheck } from '../report/types';

export const MANIFEST_FORMAT = 'backprop-grader/release-manifest' as const;
/** Where `release` writes the manifest, relative to the release folder. */
export const MANIFEST_FILE = 'release-manifest.json';

/** The release's record of its grading files. */
export interface ReleaseManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  /** The grader version that wrote the release. */
  grader: string;
  /** Relative path ("/"-separated) -> "sha256:<hex>" of the file's bytes (text: LF line ends). */
  files: Record<string, string>;
}

/** Folders and files whose content decides the grade a repository's own workflow computes. */
const PROTECTED_DIRS = ['grader', 'bin', 'scripts', '.github/workflows'];
const PROTECTED_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];
/** Never compared: installs, build output and caches (the repository does not commit them). */
const IGNORED = /(^|\/)(node_modules|dist|\.cache)(\/|$)|(^|\/)\.DS_Store$/;

/** A file larger than this is not read: it cannot be a released grading file, so it counts as changed. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * The files under `root` (relative, "/"-separated, sorted), without following symbolic links: a
 * student repository is hostile input (a link may point anywhere, or loop). Links are returned too,
 * flagged, so a link in place of a grading file shows as changed.
 */
function walk(root: string): { rel: string; link: boolean }[] {
  const out: { rel: string; link: boolean }[] = [];
  const visit = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const rel = prefix ? `${prefix}/${name}` : name;
      if (rel === '.git' || IGNORED.test(rel)) continue;
      const st = lstatSync(join(dir, name));
      if (st.isSymbolicLink()) out.push({ rel, link: true });
      else if (st.isDirectory()) visit(join(dir, name), rel);
      else if (st.isFile()) out.push({ rel, link: false });
    }
  };
  visit(root, '');
  return out;
}

/** The content hash of a submission's file, or undefined when it is a link, too large, or unreadable. */
function safeHash(root: string, rel: string): string | undefined {
  try {
    const st = lstatSync(join(root, rel));
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    return contentHash(readFileSync(join(root, rel)));
  } catch {
    return undefined;
  }
}

/** True for a released path the manifest protects. */
export function isProtectedPath(rel: string): boolean {
  if (IGNORED.test(rel)) return false;
  return PROTECTED_FILES.includes(rel) || PROTECTED_DIRS.some((d) => rel.startsWith(`${d}/`));
}

/** "sha256:<hex>" of a file's content; text (no NUL byte) with CRLF normalised to LF. */
export function contentHash(bytes: Buffer): string {
  const text = !bytes.includes(0);
  const data = text ? Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1') : bytes;
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The manifest of a release folder's protected files. */
export function buildManifest(releaseDir: string): ReleaseManifest {
  const files: Record<string, string> = {};
  for (const { rel } of walk(releaseDir)) {
    if (isProtectedPath(rel)) files[rel] = contentHash(readFileSync(join(releaseDir, rel)));
  }
  return { format: MANIFEST_FORMAT, version: 1, grader: graderVersion(), files };
}

/** The manifest as written (sorted keys, so equal releases give equal bytes). */
export function formatManifest(m: ReleaseManifest): string {
  const files = Object.fromEntries(Object.keys(m.files).sort().map((k) => [k, m.files[k]]));
  return `${JSON.stringify({ ...m, files }, null, 2)}\n`;
}

/** Reads a manifest: a release-manifest.json, or a release folder holding one. Throws a plain Error when it is not one. */
export function readManifest(path: string): ReleaseManifest {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, MANIFEST_FILE) : path;
  let data: ReleaseManifest;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as ReleaseManifest;
  } catch (error) {
    throw new Error(`cannot read the release manifest ${file}: ${(error as Error).message}`);
  }
  if (data?.format !== MANIFEST_FORMAT || data.version !== 1 || typeof data.files !== 'object') throw new Error(`${file} is not a backprop-grader release manifest`);
  return data;
}

/**
 * The repository root of a batch submission: the folder itself when it holds exercises/ (a
 * repository), else undefined (a bare exercises folder, e.g. a Gradescope-style upload).
 */
function repositoryRoot(dir: string): string | undefined {
  return existsSync(join(dir, 'exercises')) ? dir : undefined;
}

/**
 * Compares a submission's grading files with the release manifest.
 * `absent`: not a repository, or one without any grading file (nothing to compare: not flagged);
 * `changed`: a protected file differs, is missing, or was added; `unchanged` otherwise.
 */
export function checkTamper(submissionDir: string, manifest: ReleaseManifest): TamperCheck {
  const root = repositoryRoot(submissionDir);
  if (!root) return { status: 'absent' };
  let present: string[];
  try {
    present = walk(root).map((f) => f.rel).filter(isProtectedPath);
  } catch {
    present = []; // unreadable: compared file by file below
  }
  if (present.length === 0 && !Object.keys(manifest.files).some((rel) => existsSync(join(root, rel)))) return { status: 'absent' };
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [rel, hash] of Object.entries(manifest.files)) {
    let exists = false;
    try {
      lstatSync(join(root, rel));
      exists = true;
    } catch {
      // missing
    }
    if (!exists) missing.push(rel);
    else if (safeHash(root, rel) !== hash) changed.push(rel);
  }
  const added = present.filter((rel) => !(rel in manifest.files));
  const sort = (xs: string[]) => xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (changed.length + missing.length + added.length === 0) return { status: 'unchanged' };
  return { status: 'changed', changed: sort(changed), missing: sort(missing), added: sort(added) };
}

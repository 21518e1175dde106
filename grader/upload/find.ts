/**
 * Finding the student's four files in an upload (Gradescope, an LMS export, a zip unpacked one or
 * more folders deep): `ex4-alice/exercises/nnCostFunction.ts`, `exercises/…`, or the four files
 * flat. One folder must hold them; anything else is refused with a message the student can act
 * on, never guessed (grading the wrong copy would be worse than asking for a clean upload).
 *
 * The walk never follows symbolic links, skips dependency and VCS folders and macOS zip litter,
 * and stops at MAX_DEPTH / MAX_ENTRIES, so a hostile upload cannot make it run long.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { MessageId, MessageParams } from '../messages/index';
import { STUDENT_FILES } from '../parts/ids';

/** Folders never searched: dependencies, version control, caches, macOS zip metadata. */
const SKIPPED = new Set(['node_modules', '.git', '.cache', '__MACOSX', 'dist']);
/** Deeper than any sane upload (`a/b/c/repo/exercises` is 5). */
export const MAX_DEPTH = 8;
/** Folder entries looked at before giving up (a repository with its dependencies removed has a few hundred). */
export const MAX_ENTRIES = 20_000;

const NAMES: readonly string[] = Object.values(STUDENT_FILES);

export type FoundUpload =
  | { ok: true; /** Absolute folder holding the files (pass it to grade as the submission). */ dir: string }
  | { ok: false; messageId: MessageId; params: MessageParams };

/** Folder (relative to the upload, '/'-separated, '.' for the upload itself) -> the student file names in it. */
function scan(root: string): { byDir: Map<string, string[]>; links: string[]; truncated: boolean } {
  const byDir = new Map<string, string[]>();
  /** Links the walk did not follow that could have held the student's work (a folder, or one of the four names). */
  const links: string[] = [];
  let entries = 0;
  let truncated = false;
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return; // unreadable: nothing of the student's we can grade there
    }
    for (const name of names) {
      if (++entries > MAX_ENTRIES) {
        truncated = true;
        return;
      }
      const abs = join(dir, name);
      let st;
      try {
        st = lstatSync(abs);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) {
        if (links.length < 5) links.push(relative(root, abs).split(sep).join('/'));
      } else if (st.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIPPED.has(name) && !name.startsWith('.')) walk(abs, depth + 1);
      } else if (st.isFile() && NAMES.includes(name)) {
        const rel = relative(root, dir).split(sep).join('/') || '.';
        byDir.set(rel, [...(byDir.get(rel) ?? []), name]);
      }
    }
  };
  walk(root, 0);
  return { byDir, links, truncated };
}

/** "a/, b/" for a message (the upload's own folder shows as "./"). */
function folders(dirs: string[]): string {
  return dirs.map((d) => `${d}/`).join(', ');
}

/**
 * Finds the one folder of `upload` holding the student's files.
 * - The folder with the most of the four files wins when it is the only one with that many and
 *   no file it lacks is elsewhere (a missing file is then reported by the grader, per part).
 * - Two folders with equally many: `upload.ambiguous` (two copies, or old and new versions).
 * - Files split over folders: `upload.scattered`.
 * - None at all: `upload.links` when the upload has symbolic links (never followed), else
 *   `upload.none`; too many entries to search: `upload.too-many-files`.
 */
export function findUploadedSubmission(upload: string): FoundUpload {
  const root = resolve(upload);
  const { byDir, links, truncated } = scan(root);
  if (truncated && byDir.size === 0) return { ok: false, messageId: 'upload.too-many-files', params: { count: MAX_ENTRIES } };
  // A link is never followed (it could point at anything on the grader's machine, e.g. its solutions).
  if (byDir.size === 0 && links.length > 0) return { ok: false, messageId: 'upload.links', params: { links: links.join(', ') } };
  if (byDir.size === 0) return { ok: false, messageId: 'upload.none', params: {} };
  const best = Math.max(...[...byDir.values()].map((n) => n.length));
  const top = [...byDir.keys()].filter((d) => byDir.get(d)!.length === best).sort();
  if (top.length > 1) return { ok: false, messageId: 'upload.ambiguous', params: { folders: folders(top) } };
  const dir = top[0];
  const lacking = NAMES.filter((n) => !byDir.get(dir)!.includes(n));
  const elsewhere = [...byDir.keys()].filter((d) => d !== dir && byDir.get(d)!.some((n) => lacking.includes(n))).sort();
  if (elsewhere.length > 0) return { ok: false, messageId: 'upload.scattered', params: { folders: folders([dir, ...elsewhere]) } };
  return { ok: true, dir: dir === '.' ? root : join(root, ...dir.split('/')) };
}

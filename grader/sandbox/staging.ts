/**
 * Staging: a fresh copy of only the student's own files, made before anything is bundled, so
 * neither esbuild nor the child ever sees the folder the submission came from (a repository may
 * hold a private grader checkout, `.grader/`, next to exercises/; an upload may hold anything).
 *
 * Copied: the files under the exercises folder that an import can load (.ts, .js, .json and
 * kin), except lib/ (the kit's helpers always come from the grader) and node_modules/. Never
 * followed: symbolic links, including an exercises folder that is itself one (a Gradescope upload
 * `exercises -> ../grader/solutions`). Capped: each file at MAX_SOURCE_BYTES, and the walk's size,
 * so a hostile folder costs the grader a bounded amount of work. A refused file (a link, or too
 * large) is staged as an empty placeholder that the bundler refuses to load with the reason.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { STUDENT_FILES, type StudentFunction } from '../parts/ids';
import { MAX_SOURCE_BYTES } from './limits';
import type { CallError } from './protocol';

/** Where a submission's (staged) files are. All paths absolute and real. */
export interface LocatedSubmission {
  /** The folder holding the four student files (the staged copy). */
  exercisesDir: string;
  /** Imports may not resolve outside this folder (the staged exercises folder). */
  boundary: string;
  /** Student-facing file names are relative to this folder (so they read `exercises/nnCostFunction.ts`). */
  displayRoot: string;
  /** Per function: its file (absolute) and its display name, or why it cannot be used. */
  files: Record<StudentFunction, { path: string; file: string; problem?: CallError }>;
  /** Staged placeholders of files that were refused (absolute path -> why); the bundler refuses to load them. */
  refused: Map<string, CallError>;
}

/** File names an import can load. */
const IMPORTABLE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx|json)$/;
/** Bounds of the walk: entries looked at, files copied, bytes copied, depth. */
const WALK_CAPS = { entries: 2000, files: 200, bytes: 8 * 1024 * 1024, depth: 8 };

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** `path` relative to `root`, '/'-separated: how the student sees a file's name. */
export function displayPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** The exercises folder of a submission (a repository holding exercises/, or the folder itself). */
function sourceFolder(submissionPath: string): { source: string; name: string; link: boolean; exists: boolean } {
  const given = resolve(submissionPath);
  const inner = join(given, 'exercises');
  const st = lstatOrNull(inner);
  if (st?.isSymbolicLink()) return { source: inner, name: 'exercises', link: true, exists: true };
  if (st?.isDirectory()) return { source: inner, name: 'exercises', link: false, exists: true };
  // The folder the grader was pointed at is the operator's choice: a link there is followed.
  let real = given;
  try {
    real = realpathSync(given);
  } catch {
    return { source: given, name: basename(given), link: false, exists: false };
  }
  return { source: real, name: basename(given), link: false, exists: statSync(real).isDirectory() };
}

function refusal(code: 'symlink' | 'file-too-large', file: string, bytes?: number): CallError {
  if (code === 'symlink') {
    return { code, file, message: `${file} is a symbolic link; the grader reads only real files inside the exercises folder, so submit the file itself`, params: { file } };
  }
  const kb = Math.ceil((bytes ?? 0) / 1024);
  const limitKb = MAX_SOURCE_BYTES / 1024;
  return { code, file, message: `${file} is ${kb} KB, more than the ${limitKb} KB the grader accepts for a source file`, params: { file, kb, limitKb } };
}

/**
 * Copies the student's files of `submissionPath` into `stageDir` (which must exist and be empty)
 * and locates the four files in the copy. Never throws for a bad submission: a missing, linked or
 * oversized file becomes that function's problem.
 */
export function stageSubmission(submissionPath: string, stageDir: string): LocatedSubmission {
  const from = sourceFolder(submissionPath);
  const exercisesDir = join(stageDir, from.name);
  mkdirSync(exercisesDir, { recursive: true });
  const refused = new Map<string, CallError>();
  const copied = new Set<string>();
  const folderProblem = from.link ? refusal('symlink', from.name) : undefined;
  if (from.exists && !from.link) copyTree(from.source, exercisesDir, stageDir, { refused, copied });

  const files = {} as LocatedSubmission['files'];
  for (const [fn, name] of Object.entries(STUDENT_FILES) as [StudentFunction, string][]) {
    const path = join(exercisesDir, name);
    const file = displayPath(stageDir, path);
    let problem = folderProblem ? { ...folderProblem, params: { ...folderProblem.params, fn } } : refused.get(path);
    if (!problem && !copied.has(path)) {
      problem = { code: 'missing-file', file, message: `${file} is missing: the submission has no ${name}, so ${fn} cannot be graded`, params: { fn, file, name } };
    }
    if (problem && problem.params) problem = { ...problem, params: { ...problem.params, fn } };
    files[fn] = problem ? { path, file, problem } : { path, file };
  }
  return { exercisesDir, boundary: exercisesDir, displayRoot: stageDir, files, refused };
}

interface CopyState {
  refused: Map<string, CallError>;
  copied: Set<string>;
  entries?: number;
  bytes?: number;
}

/** Copies the importable files under `source` to `target`, never following a link; bounded by WALK_CAPS. */
function copyTree(source: string, target: string, stageDir: string, state: CopyState, depth = 0): void {
  let names: string[];
  try {
    names = readdirSync(source).sort();
  } catch {
    return;
  }
  for (const name of names) {
    state.entries = (state.entries ?? 0) + 1;
    if (state.entries > WALK_CAPS.entries || state.copied.size >= WALK_CAPS.files) return;
    if (name.startsWith('.') || name === 'node_modules' || (depth === 0 && name === 'lib')) continue;
    const from = join(source, name);
    const to = join(target, name);
    const st = lstatOrNull(from);
    if (!st) continue;
    if (st.isDirectory()) {
      if (depth + 1 < WALK_CAPS.depth) {
        mkdirSync(to, { recursive: true });
        copyTree(from, to, stageDir, state, depth + 1);
      }
      continue;
    }
    if (!IMPORTABLE.test(name) || !(st.isFile() || st.isSymbolicLink())) continue;
    const file = displayPath(stageDir, to);
    if (st.isSymbolicLink()) refuse(state, to, refusal('symlink', file));
    else if (st.size > MAX_SOURCE_BYTES) refuse(state, to, refusal('file-too-large', file, st.size));
    else if ((state.bytes ?? 0) + st.size <= WALK_CAPS.bytes) {
      // Read then checked again: a file that grew since lstat is still capped.
      const content = readFileSync(from);
      if (content.length > MAX_SOURCE_BYTES) refuse(state, to, refusal('file-too-large', file, content.length));
      else {
        writeFileSync(to, content);
        state.bytes = (state.bytes ?? 0) + content.length;
        state.copied.add(to);
      }
    }
  }
}

function refuse(state: CopyState, path: string, error: CallError): void {
  // An empty placeholder, so imports of it resolve to a file the bundler refuses with the reason.
  writeFileSync(path, '');
  state.refused.set(path, error);
}

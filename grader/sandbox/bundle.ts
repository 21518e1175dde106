/**
 * Locating a submission and bundling it (with the harness) for the sandbox's child process.
 *
 * One esbuild build with code splitting: the harness and the four student files are entries, so
 * ml-matrix and the kit's helpers are shared chunks and `instanceof Matrix` holds across files.
 * When that build fails, each student entry is checked on its own so that one file's syntax error
 * does not hide the other functions, and the rest are rebuilt.
 */
import { build, type BuildOptions, type Message, type Metafile, type OutputFile, type Plugin } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GRADER_DIR, KIT_LIB_DIR, PACKAGE_ROOT } from '../paths';
import { STUDENT_FILES, type StudentFunction } from '../parts/ids';
import type { CallError, FunctionLocation } from './protocol';

/** Where a submission's files are. All paths absolute and real (symlinks resolved). */
export interface LocatedSubmission {
  /** The folder holding the four student files. */
  exercisesDir: string;
  /** Imports may not resolve outside this folder (the repository, or the exercises folder itself). */
  boundary: string;
  /** Student-facing file names are relative to this folder (so they read `exercises/nnCostFunction.ts`). */
  displayRoot: string;
  /** Per function: its file (absolute) and its display name, or why it cannot be used. */
  files: Record<StudentFunction, { path: string; file: string; problem?: CallError }>;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** True when `path` is `dir` or inside it. */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function display(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/**
 * Finds the four student files. `submissionPath` is an exercises folder, or a repository that
 * contains `exercises/`. Never throws: a missing file becomes a 'missing-file' problem.
 */
export function locateSubmission(submissionPath: string): LocatedSubmission {
  const given = realOrSelf(resolve(submissionPath));
  const repo = isDirectory(join(given, 'exercises'));
  const exercisesDir = repo ? join(given, 'exercises') : given;
  const boundary = given;
  const displayRoot = repo ? given : dirname(given);
  const files = {} as LocatedSubmission['files'];
  for (const [fn, name] of Object.entries(STUDENT_FILES) as [StudentFunction, string][]) {
    const path = join(exercisesDir, name);
    const file = display(displayRoot, path);
    let problem: CallError | undefined;
    if (!existsSync(path)) {
      problem = { code: 'missing-file', file, message: `${file} is missing: the submission has no ${name}, so ${fn} cannot be graded` };
    } else if (!isInside(realOrSelf(path), boundary)) {
      // A link to a file outside the submission (e.g. the grader's own fixtures) is not the student's work.
      problem = { code: 'missing-file', file, message: `${file} is a link to a file outside the submission; submit the file itself` };
    } else if (!statSync(path).isFile()) {
      problem = { code: 'missing-file', file, message: `${file} is not a file` };
    }
    files[fn] = problem ? { path, file, problem } : { path: realOrSelf(path), file };
  }
  return { exercisesDir, boundary, displayRoot, files };
}

const BUILTINS = new Set(builtinModules);
const INNER = Symbol.for('backprop-grader.sandbox.inner-resolve');

/**
 * Resolution rules for student code (files inside the submission, outside the kit's lib):
 * `ml-matrix` and anything under the submission's `lib/` resolve to the grader's own installation;
 * node builtins stay external (the permission model restricts them at run time); relative imports
 * must stay inside the submission; other packages are refused.
 */
function sandboxPlugin(sub: LocatedSubmission): Plugin {
  const studentLib = join(sub.exercisesDir, 'lib');
  const isStudentFile = (importer: string): boolean =>
    importer !== '' && isInside(importer, sub.boundary) && !isInside(importer, KIT_LIB_DIR) && !isInside(importer, join(PACKAGE_ROOT, 'node_modules'));
  return {
    name: 'backprop-grader-sandbox',
    setup(pb) {
      pb.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || (args.pluginData as { [INNER]?: boolean } | undefined)?.[INNER]) return undefined;
        if (!isStudentFile(args.importer)) return undefined;
        const spec = args.path;
        if (spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0])) {
          return { path: spec, external: true };
        }
        const inner = { [INNER]: true };
        if (spec === 'ml-matrix' || spec.startsWith('ml-matrix/')) {
          const r = await pb.resolve(spec, { resolveDir: PACKAGE_ROOT, kind: args.kind, pluginData: inner });
          return r.errors.length ? { errors: r.errors } : { path: r.path, sideEffects: r.sideEffects };
        }
        if (!spec.startsWith('.') && !spec.startsWith('/')) {
          return {
            errors: [
              {
                text: `cannot import "${spec}": a submission may import only ml-matrix, the kit's helpers in ./lib/, node builtins and its own files`,
              },
            ],
          };
        }
        const target = resolve(args.resolveDir, spec);
        if (isInside(target, studentLib)) {
          // The kit's helpers always come from the grader's installation, whatever the submission's lib/ holds.
          const inKit = `./${relative(studentLib, target).split(sep).join('/')}`;
          const r = await pb.resolve(inKit, { resolveDir: KIT_LIB_DIR, kind: args.kind, pluginData: inner });
          if (r.errors.length) return { errors: [{ text: `cannot import "${spec}": the kit provides no lib/${inKit.slice(2)}` }] };
          return { path: r.path, sideEffects: r.sideEffects };
        }
        const r = await pb.resolve(spec, { resolveDir: args.resolveDir, kind: args.kind, pluginData: inner });
        if (r.errors.length) return { errors: r.errors };
        // Checked after resolution, on the real path, so a symlink cannot smuggle in an outside file.
        if (!r.external && !isInside(realOrSelf(r.path), sub.boundary)) {
          return { errors: [{ text: `cannot import "${spec}": it is outside the submission; import only files inside it` }] };
        }
        return { path: r.path, sideEffects: r.sideEffects };
      });
    },
  };
}

/** The harness entry, from the grader's own sources. */
export const HARNESS_ENTRY = join(GRADER_DIR, 'sandbox', 'harness.ts');

function options(sub: LocatedSubmission): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // A submission's tsconfig.json (paths, baseUrl, jsx...) must not change how it is bundled.
    tsconfigRaw: {},
    absWorkingDir: sub.displayRoot,
    logLevel: 'silent',
    plugins: [sandboxPlugin(sub)],
  };
}

function compileError(sub: LocatedSubmission, fn: StudentFunction, errors: Message[]): CallError {
  const first = errors[0];
  const loc = first?.location;
  const file = loc ? display(sub.displayRoot, resolve(sub.displayRoot, loc.file)) : sub.files[fn].file;
  const where = loc ? `${file}:${loc.line}:${loc.column + 1}` : file;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return {
    code: 'compile-error',
    message: `${where}: ${first?.text ?? 'the file could not be compiled'}${more}`,
    file,
    ...(loc ? { line: loc.line, column: loc.column + 1 } : {}),
  };
}

function buildErrors(error: unknown): Message[] {
  const errors = (error as { errors?: Message[] }).errors;
  if (Array.isArray(errors) && errors.length) return errors;
  return [{ id: '', pluginName: '', text: error instanceof Error ? error.message : String(error), location: null, notes: [], detail: undefined }];
}

/**
 * Writes the bundle, keeping the inline source map only in chunks that contain the student's own
 * code: Node parses every map it sees when a module loads, and the maps of ml-matrix, the kit and
 * the harness (by far the largest) are never needed, since those frames are dropped anyway.
 */
function writeOutputs(sub: LocatedSubmission, outdir: string, files: OutputFile[], metafile: Metafile): void {
  const dirs = new Set<string>();
  for (const file of files) {
    const key = relative(sub.displayRoot, file.path).split(sep).join('/');
    const inputs = Object.keys(metafile.outputs[key]?.inputs ?? {});
    const student = inputs.some((input) => {
      const abs = resolve(sub.displayRoot, input);
      return isInside(abs, sub.boundary) && !isInside(abs, KIT_LIB_DIR) && !isInside(abs, join(PACKAGE_ROOT, 'node_modules'));
    });
    let text = file.text;
    if (!student) {
      const at = text.lastIndexOf('\n//# sourceMappingURL=data:');
      if (at >= 0) text = `${text.slice(0, at)}\n`;
    }
    const dir = dirname(file.path);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    writeFileSync(file.path, text);
  }
  void outdir;
}

export interface BundleResult {
  /** Chunk of the harness entry, absolute. */
  harness: string;
  /** Per loadable function: its entry chunk relative to the harness ('./student-<fn>.js'). */
  chunks: Partial<Record<StudentFunction, string>>;
  /** Per function that cannot be called: why (missing file or compile error). */
  problems: Partial<Record<StudentFunction, CallError>>;
}

/**
 * Bundles the harness and every usable student file into `outdir` (a fresh temp folder), with
 * inline source maps so stack frames map back to the student's files.
 */
export async function bundleSubmission(sub: LocatedSubmission, outdir: string): Promise<BundleResult> {
  const problems: BundleResult['problems'] = {};
  const candidates: StudentFunction[] = [];
  for (const fn of Object.keys(STUDENT_FILES) as StudentFunction[]) {
    const problem = sub.files[fn].problem;
    if (problem) problems[fn] = problem;
    else candidates.push(fn);
  }
  const entryName = (fn: StudentFunction): string => `student-${fn}`;
  const full = async (fns: StudentFunction[]): Promise<void> => {
    const result = await build({
      ...options(sub),
      entryPoints: [{ in: HARNESS_ENTRY, out: 'harness' }, ...fns.map((fn) => ({ in: sub.files[fn].path, out: entryName(fn) }))],
      outdir,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      sourcemap: 'inline',
      sourcesContent: false,
      metafile: true,
      write: false,
    });
    writeOutputs(sub, outdir, result.outputFiles, result.metafile);
  };
  let ok = candidates;
  try {
    await full(ok);
  } catch {
    // Find which entries fail on their own, then build the others.
    const checks = await Promise.all(
      candidates.map(async (fn) => {
        try {
          await build({ ...options(sub), entryPoints: [sub.files[fn].path], write: false, outdir });
          return { fn, errors: [] as Message[] };
        } catch (error) {
          return { fn, errors: buildErrors(error) };
        }
      }),
    );
    ok = [];
    for (const { fn, errors } of checks) {
      if (errors.length) problems[fn] = compileError(sub, fn, errors);
      else ok.push(fn);
    }
    try {
      await full(ok);
    } catch (error) {
      // The rest fail only together (or the harness itself fails): report it on every one of them.
      for (const fn of ok) problems[fn] = compileError(sub, fn, buildErrors(error));
      ok = [];
      await full([]);
    }
  }
  const chunks: BundleResult['chunks'] = {};
  for (const fn of ok) chunks[fn] = `./${entryName(fn)}.js`;
  return { harness: join(outdir, 'harness.js'), chunks, problems };
}

/** Where each student function is defined (`export function name` or `export const name`), when found. */
export function findLocations(sub: LocatedSubmission): Partial<Record<StudentFunction, FunctionLocation>> {
  const out: Partial<Record<StudentFunction, FunctionLocation>> = {};
  for (const fn of Object.keys(STUDENT_FILES) as StudentFunction[]) {
    const { path, file, problem } = sub.files[fn];
    if (problem?.code === 'missing-file') continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const re = new RegExp(`export\\s+(?:async\\s+)?(?:function\\s*\\*?\\s*|const\\s+|let\\s+|var\\s+)(${fn})\\b`);
    const m = re.exec(text);
    if (!m) continue;
    const index = m.index + m[0].length - fn.length;
    const before = text.slice(0, index).split('\n');
    out[fn] = { fn, file, line: before.length, column: before[before.length - 1].length + 1 };
  }
  return out;
}

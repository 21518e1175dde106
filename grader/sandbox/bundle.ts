/**
 * Bundling a staged submission (staging.ts) for the sandbox's child process.
 *
 * Only the student's own files are bundled per submission (esbuild, code splitting, the four files
 * as entries). The harness, ml-matrix and the kit's helpers are the prebuilt runtime (runtime.ts):
 * the student's imports of `ml-matrix` and `./lib/*` become imports of the runtime's modules, so
 * `instanceof Matrix` holds across the student's files and the harness, and a submission's own
 * lib/ or node_modules never replaces them.
 * When the build fails, each student entry is checked on its own so that one file's syntax error
 * does not hide the other functions, and the rest are rebuilt.
 * Unchanged files are not bundled again: the result is cached by content (bundle-cache.ts), and
 * esbuild is imported only when something must be built.
 */
import type { BuildOptions, Message, Plugin } from 'esbuild';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMessageRef, type MessageRef } from '../messages/index';
import { GRADER_DIR, KIT_LIB_DIR, PACKAGE_ROOT } from '../paths';
import { STUDENT_FILES, type StudentFunction } from '../parts/ids';
import { bundleKey, readCachedBundle, storeCachedBundle, type CachedBundle } from './bundle-cache';
import type { CallError, FunctionLocation } from './protocol';
import { getRuntime, type Runtime } from './runtime';
import { displayPath, type LocatedSubmission } from './staging';

export type { LocatedSubmission } from './staging';

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

const BUILTINS = new Set(builtinModules);
const INNER = Symbol.for('backprop-grader.sandbox.inner-resolve');

/** The runtime module for a path inside the kit's lib (with or without an extension), if it is in the runtime. */
function runtimeLibModule(runtime: Runtime, libDir: string, target: string): string | undefined {
  const name = relative(libDir, target).split(sep).join('/').replace(/\.(?:ts|mts|js|mjs)$/, '');
  return Object.prototype.hasOwnProperty.call(runtime.lib, name) ? runtime.lib[name] : undefined;
}

/**
 * Resolution rules for student code (files inside the submission, outside the kit's lib):
 * `ml-matrix` and anything under the submission's `lib/` resolve to the grader's own installation
 * (the prebuilt runtime's modules, external to the bundle; the few kit helpers not in the runtime
 * are bundled from the grader's copy); node builtins stay external (the permission model restricts
 * them at run time); relative imports must stay inside the submission; other packages are refused.
 */
function sandboxPlugin(sub: LocatedSubmission, runtime: Runtime): Plugin {
  const studentLib = join(sub.exercisesDir, 'lib');
  const external = (path: string) => ({ path: pathToFileURL(path).href, external: true });
  const isStudentFile = (importer: string): boolean =>
    importer !== '' && isInside(importer, sub.boundary) && !isInside(importer, KIT_LIB_DIR) && !isInside(importer, join(PACKAGE_ROOT, 'node_modules'));
  return {
    name: 'backprop-grader-sandbox',
    setup(pb) {
      pb.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || (args.pluginData as { [INNER]?: boolean } | undefined)?.[INNER]) return undefined;
        const spec = args.path;
        if (args.importer !== '' && isInside(args.importer, KIT_LIB_DIR)) {
          // A kit helper bundled with the submission (not in the runtime) shares the runtime's modules too.
          if (spec === 'ml-matrix') return external(runtime.mlMatrix);
          if (spec.startsWith('.')) {
            const target = resolve(args.resolveDir, spec);
            const module = isInside(target, KIT_LIB_DIR) ? runtimeLibModule(runtime, KIT_LIB_DIR, target) : undefined;
            if (module) return external(module);
          }
          return undefined;
        }
        if (!isStudentFile(args.importer)) return undefined;
        if (spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0])) {
          return { path: spec, external: true };
        }
        const inner = { [INNER]: true };
        if (spec === 'ml-matrix') return external(runtime.mlMatrix);
        if (spec.startsWith('ml-matrix/')) {
          const r = await pb.resolve(spec, { resolveDir: PACKAGE_ROOT, kind: args.kind, pluginData: inner });
          return r.errors.length ? { errors: r.errors } : { path: r.path, sideEffects: r.sideEffects };
        }
        if (!spec.startsWith('.') && !spec.startsWith('/')) {
          return {
            errors: [
              {
                text: `cannot import "${spec}": a submission may import only ml-matrix, the kit's helpers in ./lib/, node builtins and its own files`,
                detail: importRefusal('foreign', spec),
              },
            ],
          };
        }
        const target = resolve(args.resolveDir, spec);
        if (isInside(target, studentLib)) {
          // The kit's helpers always come from the grader's installation, whatever the submission's lib/ holds.
          const module = runtimeLibModule(runtime, studentLib, target);
          if (module) return external(module);
          const inKit = `./${relative(studentLib, target).split(sep).join('/')}`;
          const r = await pb.resolve(inKit, { resolveDir: KIT_LIB_DIR, kind: args.kind, pluginData: inner });
          if (r.errors.length) return { errors: [{ text: `cannot import "${spec}": the kit provides no lib/${inKit.slice(2)}`, detail: importRefusal('no-kit-file', spec, `lib/${inKit.slice(2)}`) }] };
          return { path: r.path, sideEffects: r.sideEffects };
        }
        const outside = { errors: [{ text: `cannot import "${spec}": it is outside the submission; import only files inside it`, detail: importRefusal('outside', spec) }] };
        // The staged copy holds only the exercises folder: a path out of it is refused before resolving.
        if (!isInside(target, sub.boundary)) return outside;
        const r = await pb.resolve(spec, { resolveDir: args.resolveDir, kind: args.kind, pluginData: inner });
        if (r.errors.length) return { errors: r.errors };
        // Checked after resolution too, on the real path, so nothing can smuggle in an outside file.
        if (!r.external && !isInside(realOrSelf(r.path), sub.boundary)) return outside;
        const refused = sub.refused.get(r.path);
        if (refused) return { errors: [{ text: refused.message }] };
        return { path: r.path, sideEffects: r.sideEffects };
      });
    },
  };
}

/** The harness entry, from the grader's own sources (built into the runtime). */
export const HARNESS_ENTRY = join(GRADER_DIR, 'sandbox', 'harness.ts');

function options(sub: LocatedSubmission, runtime: Runtime): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // A submission's tsconfig.json (paths, baseUrl, jsx...) must not change how it is bundled.
    tsconfigRaw: {},
    absWorkingDir: sub.displayRoot,
    logLevel: 'silent',
    plugins: [sandboxPlugin(sub, runtime)],
  };
}

/**
 * A refused import as a catalogue message (`call.compile.import-*`), carried in the esbuild
 * message's `detail` (kept as is for plugins) so the student reads it in their language.
 */
function importRefusal(kind: 'foreign' | 'no-kit-file' | 'outside', spec: string, file?: string): MessageRef {
  return { id: `call.compile.import-${kind}`, params: file === undefined ? { spec } : { spec, file } };
}

function compileError(sub: LocatedSubmission, fn: StudentFunction, errors: Message[]): CallError {
  const first = errors[0];
  const loc = first?.location;
  const file = loc ? displayPath(sub.displayRoot, resolve(sub.displayRoot, loc.file)) : sub.files[fn].file;
  const where = loc ? `${file}:${loc.line}:${loc.column + 1}` : file;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return {
    code: 'compile-error',
    message: `${where}: ${first?.text ?? 'the file could not be compiled'}${more}`,
    // The same, language-neutral: the compiler's own words, where, and how many errors follow.
    params: { where, error: isMessageRef(first?.detail) ? first.detail : (first?.text ?? ''), more: Math.max(0, errors.length - 1) },
    file,
    ...(loc ? { line: loc.line, column: loc.column + 1 } : {}),
  };
}

function buildErrors(error: unknown): Message[] {
  const errors = (error as { errors?: Message[] }).errors;
  if (Array.isArray(errors) && errors.length) return errors;
  return [{ id: '', pluginName: '', text: error instanceof Error ? error.message : String(error), location: null, notes: [], detail: undefined }];
}

/** Writes a bundle's files (relative paths) into `outdir`. */
function writeBundle(outdir: string, files: ReadonlyMap<string, Uint8Array>): void {
  const dirs = new Set<string>();
  for (const [file, content] of files) {
    const path = join(outdir, file);
    const dir = dirname(path);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    writeFileSync(path, content);
  }
}

export interface BundleResult {
  /** The runtime's harness module (absolute path), shared by every submission. */
  harness: string;
  /** The runtime's folder: the child may read it (and the bundle's folder), nothing else. */
  runtimeDir: string;
  /** Per loadable function: its entry chunk, as an absolute file URL. */
  chunks: Partial<Record<StudentFunction, string>>;
  /** Per function that cannot be called: why (missing file or compile error). */
  problems: Partial<Record<StudentFunction, CallError>>;
  /** True when the bundle came from the cache (nothing was built). */
  cached?: boolean;
}

/**
 * Bundles every usable student file into `outdir` (a fresh temp folder), with inline source maps
 * (student code only, so they are small) so stack frames map back to the student's files.
 * @param runtime the prebuilt runtime (default: this process's, built or loaded from the disk cache)
 * @param options.cache reuse (and store) the bundle of identical files (default true)
 */
export async function bundleSubmission(sub: LocatedSubmission, outdir: string, runtime?: Runtime, options: { cache?: boolean } = {}): Promise<BundleResult> {
  const rt = runtime ?? (await getRuntime());
  const key = options.cache === false ? undefined : bundleKey(sub, outdir, rt);
  const cached = key === undefined ? undefined : readCachedBundle(key);
  const bundle = cached ?? (await buildBundle(sub, outdir, rt));
  writeBundle(outdir, bundle.files);
  if (key !== undefined && !cached) storeCachedBundle(key, bundle);
  const chunks: BundleResult['chunks'] = {};
  for (const [fn, file] of Object.entries(bundle.chunks) as [StudentFunction, string][]) chunks[fn] = pathToFileURL(join(outdir, file)).href;
  return { harness: rt.harness, runtimeDir: rt.dir, chunks, problems: bundle.problems, ...(cached ? { cached: true } : {}) };
}

/** Runs esbuild on the student's files: the bundle's files (relative to `outdir`), entry chunks and problems. */
async function buildBundle(sub: LocatedSubmission, outdir: string, rt: Runtime): Promise<CachedBundle> {
  const { build } = await import('esbuild');
  const problems: CachedBundle['problems'] = {};
  const candidates: StudentFunction[] = [];
  for (const fn of Object.keys(STUDENT_FILES) as StudentFunction[]) {
    const problem = sub.files[fn].problem;
    if (problem) problems[fn] = problem;
    else candidates.push(fn);
  }
  const entryName = (fn: StudentFunction): string => `student-${fn}`;
  const files = new Map<string, Uint8Array>();
  const full = async (fns: StudentFunction[]): Promise<void> => {
    if (fns.length === 0) return;
    const result = await build({
      ...options(sub, rt),
      entryPoints: fns.map((fn) => ({ in: sub.files[fn].path, out: entryName(fn) })),
      outdir,
      splitting: true,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      sourcemap: 'inline',
      sourcesContent: false,
      write: false,
    });
    for (const file of result.outputFiles) files.set(relative(outdir, file.path).split(sep).join('/'), file.contents);
  };
  let ok = candidates;
  try {
    await full(ok);
  } catch {
    // Find which entries fail on their own, then build the others.
    const checks = await Promise.all(
      candidates.map(async (fn) => {
        try {
          await build({ ...options(sub, rt), entryPoints: [sub.files[fn].path], write: false, outdir });
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
      // The rest fail only together: report it on every one of them.
      for (const fn of ok) problems[fn] = compileError(sub, fn, buildErrors(error));
      ok = [];
    }
  }
  const chunks: CachedBundle['chunks'] = {};
  for (const fn of ok) chunks[fn] = `${entryName(fn)}.mjs`;
  return { files, chunks, problems };
}

/** Where each student function is defined (`export function name` or `export const name`), when found. */
export function findLocations(sub: LocatedSubmission): Partial<Record<StudentFunction, FunctionLocation>> {
  const out: Partial<Record<StudentFunction, FunctionLocation>> = {};
  for (const fn of Object.keys(STUDENT_FILES) as StudentFunction[]) {
    const { path, file, problem } = sub.files[fn];
    if (problem && problem.code !== 'compile-error') continue;
    let text: string;
    try {
      // Staged files are capped (staging.ts), so this read is bounded too.
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const at = findExport(text, fn);
    if (at !== undefined) out[fn] = { fn, file, ...lineAndColumn(text, at) };
  }
  return out;
}

function isIdentifierCode(c: number): boolean {
  // A-Z a-z 0-9 _ $, and anything non-ASCII (identifiers may contain it)
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c > 127;
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

function skipSpaces(text: string, i: number): number {
  while (i < text.length && isSpaceCode(text.charCodeAt(i))) i++;
  return i;
}

/** `word` at `i`, as a whole word: the index after it, or -1. */
function keyword(text: string, i: number, word: string): number {
  return text.startsWith(word, i) && !isIdentifierCode(text.charCodeAt(i + word.length)) ? i + word.length : -1;
}

/**
 * The index of `name` in the first `export [async] function [*] name` or `export const|let|var
 * name` of `text`, or undefined. One pass, linear in the text's length (a regex with two `\s*`
 * around an optional `*` was quadratic on a comment of spaces: 15 minutes for 1.2 MB).
 */
export function findExport(text: string, name: string): number | undefined {
  for (let at = text.indexOf('export'); at >= 0; at = text.indexOf('export', at + 6)) {
    if (at > 0 && isIdentifierCode(text.charCodeAt(at - 1))) continue;
    let i = keyword(text, at, 'export');
    if (i < 0 || !isSpaceCode(text.charCodeAt(i))) continue;
    i = skipSpaces(text, i);
    const afterAsync = keyword(text, i, 'async');
    if (afterAsync >= 0) i = skipSpaces(text, afterAsync);
    const afterFunction = keyword(text, i, 'function');
    if (afterFunction >= 0) {
      i = skipSpaces(text, afterFunction);
      if (text.charCodeAt(i) === 42 /* * */) i = skipSpaces(text, i + 1);
    } else if (afterAsync >= 0) {
      continue;
    } else {
      const afterDeclaration = Math.max(keyword(text, i, 'const'), keyword(text, i, 'let'), keyword(text, i, 'var'));
      if (afterDeclaration < 0 || !isSpaceCode(text.charCodeAt(afterDeclaration))) continue;
      i = skipSpaces(text, afterDeclaration);
    }
    if (keyword(text, i, name) >= 0) return i;
  }
  return undefined;
}

/** 1-based line and column of index `at`. */
function lineAndColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: at - lineStart + 1 };
}

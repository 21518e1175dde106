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
 * The runtime is cached twice: per grader process (a promise), and on disk in os.tmpdir() under a
 * folder named by a hash of everything that goes into it (grader version, Node and esbuild
 * versions, the source files' contents, the packages' versions), so a fresh CLI process reuses it.
 * The folder is written under a temporary name and renamed into place (atomic), every file's hash
 * is recorded in its manifest and checked before reuse (a corrupted or half-deleted cache is
 * rebuilt), and a folder not owned by us or writable by others is never trusted. Nothing is ever
 * written into the project or a submission.
 *
 * No source maps: the runtime's stack frames are never shown to students (harness.ts keeps only
 * frames inside the submission), and Node's --enable-source-maps parses every map it meets when a
 * module loads.
 */
import { build, version as esbuildVersion, type Plugin } from 'esbuild';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { GRADER_DIR, KIT_LIB_DIR, PACKAGE_ROOT, graderVersion } from '../paths';
import { CALL_OUTCOME_SCHEMA, callOutcomeAjv } from './validate';

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
  /** True when this call built it; false when it came from the disk cache. */
  built: boolean;
}

const MANIFEST = 'manifest.json';
const PREFIX = 'backprop-grader-runtime-';
const HARNESS_ENTRY = join(GRADER_DIR, 'sandbox', 'harness.ts');
const BOOT_ENTRY = join(GRADER_DIR, 'sandbox', 'boot.ts');
/**
 * Kit helpers served to student code through a wrapper instead of their own file: the matrix
 * helpers go through trace.ts's hooks (grader/sandbox/traced-matrix.ts, same exports).
 */
const LIB_ENTRIES: Readonly<Record<string, string>> = { matrix: join(GRADER_DIR, 'sandbox', 'traced-matrix.ts') };

interface Manifest {
  key: string;
  lib: string[];
  /** Per file (relative, '/'-separated): sha256 of its content. */
  files: Record<string, string>;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => join(dir, f));
}

/** Every .ts file under `dir`, sorted by path. */
function tsFilesDeep(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFilesDeep(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * The kit helpers that go into the runtime: those whose relative imports stay inside lib/.
 * checkNNGradients imports the exercise files themselves (../nnCostFunction), which are not
 * submission-independent, so it stays out and is bundled with the submission as before.
 */
export function runtimeLibNames(): string[] {
  const names: string[] = [];
  for (const file of tsFiles(KIT_LIB_DIR)) {
    const text = readFileSync(file, 'utf8');
    if (/from\s+['"]\.\.\//.test(text) || /import\(\s*['"]\.\.\//.test(text)) continue;
    names.push(file.slice(KIT_LIB_DIR.length + 1, -'.ts'.length));
  }
  return names;
}

/** Hash of everything the runtime is built from; names its cache folder. */
export function runtimeKey(): string {
  const h = createHash('sha256');
  h.update(`backprop-grader ${graderVersion()}\nnode ${process.versions.node}\nesbuild ${esbuildVersion}\n`);
  // Recursive: the kit's kernels (exercises/lib/kernels/, the embedded WebAssembly included) go into the runtime too.
  const sources = [...tsFilesDeep(join(GRADER_DIR, 'sandbox')), join(GRADER_DIR, 'parts', 'ids.ts'), ...tsFilesDeep(KIT_LIB_DIR)];
  const packages = new Set<string>();
  for (const file of sources) {
    const text = readFileSync(file);
    h.update(`${relative(PACKAGE_ROOT, file)} ${sha256(text)}\n`);
    for (const m of text.toString('utf8').matchAll(/from\s+['"]([^.'"/][^'"]*)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('node:')) continue;
      packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  for (const pkg of [...packages].sort()) {
    let manifest = 'missing';
    try {
      manifest = sha256(readFileSync(join(PACKAGE_ROOT, 'node_modules', pkg, 'package.json')));
    } catch {
      // not installed here (e.g. a builtin-looking name): the key still changes when it appears
    }
    h.update(`package ${pkg} ${manifest}\n`);
  }
  return h.digest('hex').slice(0, 32);
}

/** The runtime's entry for ml-matrix: a module re-exporting the grader's own installation. */
function runtimeEntriesPlugin(): Plugin {
  return {
    name: 'backprop-grader-runtime',
    setup(pb) {
      pb.onResolve({ filter: /^bpg-runtime:ml-matrix$/ }, () => ({ path: 'ml-matrix', namespace: 'bpg-runtime' }));
      pb.onLoad({ filter: /.*/, namespace: 'bpg-runtime' }, () => ({
        contents: "export * from 'ml-matrix';\nexport { default } from 'ml-matrix';\n",
        resolveDir: PACKAGE_ROOT,
        loader: 'js',
      }));
    },
  };
}

/** Builds the runtime into `dir` (which must exist and be empty); returns the manifest. */
async function buildInto(dir: string, key: string): Promise<Manifest> {
  const lib = runtimeLibNames();
  const result = await build({
    entryPoints: [
      { in: HARNESS_ENTRY, out: 'harness' },
      // The child's entry point: the channel's end, before the harness and any student code.
      { in: BOOT_ENTRY, out: 'boot' },
      { in: 'bpg-runtime:ml-matrix', out: 'ml-matrix' },
      ...lib.map((name) => ({ in: LIB_ENTRIES[name] ?? join(KIT_LIB_DIR, `${name}.ts`), out: `lib/${name}` })),
    ],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: true,
    // .mjs: Node knows the format without looking for a package.json above the (temp) folder.
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    outdir: dir,
    absWorkingDir: PACKAGE_ROOT,
    tsconfigRaw: {},
    logLevel: 'silent',
    write: false,
    plugins: [runtimeEntriesPlugin()],
  });
  const files: Record<string, string> = {};
  const write = (path: string, text: string | Uint8Array): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    files[relative(dir, path).split(sep).join('/')] = sha256(Buffer.from(text));
  };
  for (const file of result.outputFiles) write(file.path, file.contents);
  write(join(dir, 'validate-call-outcome.mjs'), await standaloneValidator());
  const manifest: Manifest = { key, lib, files };
  // Written last: a folder without a manifest is never taken for a complete runtime.
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
  return manifest;
}

/** ajv's standalone code for CALL_OUTCOME_SCHEMA, bundled (its few ajv runtime helpers included). */
async function standaloneValidator(): Promise<string> {
  const ajvModule = (await import('ajv')) as unknown as Parameters<typeof callOutcomeAjv>[0];
  const standalone = (await import('ajv/dist/standalone/index.js')) as unknown as { default: ((ajv: unknown, v: unknown) => string) | { default: (ajv: unknown, v: unknown) => string } };
  const generate = typeof standalone.default === 'function' ? standalone.default : standalone.default.default;
  const ajv = callOutcomeAjv(ajvModule, true);
  const code = generate(ajv, ajv.compile(CALL_OUTCOME_SCHEMA));
  const result = await build({
    stdin: { contents: code, resolveDir: PACKAGE_ROOT, loader: 'js', sourcefile: 'validate-call-outcome.js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    write: false,
  });
  return result.outputFiles[0].text;
}

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

function describe(dir: string, manifest: Manifest, key: string, built: boolean): Runtime {
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
export async function loadRuntime(root = runtimeCacheRoot()): Promise<Runtime> {
  const key = runtimeKey();
  const final = join(root, `${PREFIX}${key}`);
  const cached = verifyRuntime(final, key);
  if (cached) return describe(final, cached, key, false);

  const temp = join(root, `${PREFIX}${key}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  mkdirSync(temp, { mode: 0o700 });
  let manifest: Manifest;
  try {
    manifest = await buildInto(temp, key);
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
 * The runtime for this grader process: loaded (or built) once, then reused by every openSandbox.
 * A failed build is not cached, so the next sandbox tries again; a runtime whose folder has gone
 * meanwhile (a temp cleaner) is loaded again.
 */
export async function getRuntime(root = runtimeCacheRoot()): Promise<Runtime> {
  if (perProcess && perProcessRoot === root) {
    const known = await perProcess.catch(() => undefined);
    if (known && existsSync(join(known.dir, MANIFEST))) return known;
  }
  perProcessRoot = root;
  const loading = loadRuntime(root);
  perProcess = loading;
  loading.catch(() => {
    if (perProcess === loading) perProcess = undefined;
  });
  return loading;
}

/** Forgets the per-process runtime (tests: force the next openSandbox to look at the disk cache again). */
export function resetRuntimeForTests(): void {
  perProcess = undefined;
  perProcessRoot = undefined;
}

/**
 * Building the sandbox runtime (runtime.ts says what it is and where it is kept): esbuild bundles
 * the boot script, the harness, ml-matrix and the kit's helpers, and ajv writes the standalone
 * validator of CallOutcome. Imported only when a runtime must be built (at install by
 * scripts/build.mjs, or when no current one is found), so a grade never loads esbuild or ajv for it.
 */
import { build, type Plugin } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { GRADER_DIR, KIT_LIB_DIR, PACKAGE_ROOT } from '../paths';
import { MANIFEST, runtimeKeyAndPackages, runtimeLibNames, runtimeStamp, sha256, type Manifest } from './runtime-key';
import { CALL_OUTCOME_SCHEMA, callOutcomeAjv } from './validate';

const HARNESS_ENTRY = join(GRADER_DIR, 'sandbox', 'harness.ts');
const BOOT_ENTRY = join(GRADER_DIR, 'sandbox', 'boot.ts');
/**
 * Kit helpers served to student code through a wrapper instead of their own file: the matrix
 * helpers go through trace.ts's hooks (grader/sandbox/traced-matrix.ts, same exports).
 */
const LIB_ENTRIES: Readonly<Record<string, string>> = { matrix: join(GRADER_DIR, 'sandbox', 'traced-matrix.ts') };

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

/**
 * Builds the runtime into `dir` (which must exist and be empty); returns the manifest, written
 * last (a folder without a manifest is never taken for a complete runtime).
 * @param extra fields the manifest records besides the files (the prebuilt runtime's stamp)
 */
export async function buildRuntimeInto(dir: string, key: string, extra: Partial<Manifest> = {}): Promise<Manifest> {
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
  const manifest: Manifest = { key, lib, files, ...extra };
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
  return manifest;
}

/**
 * The runtime prebuilt at install (scripts/build.mjs): built into `dir` (created), with the stamp
 * of its sources so that a grader finds it current without hashing them (runtime.ts prebuiltRuntime).
 */
export async function prebuildRuntime(dir: string): Promise<Manifest> {
  const { key, packages } = runtimeKeyAndPackages();
  mkdirSync(dir, { recursive: true });
  return buildRuntimeInto(dir, key, { stamp: runtimeStamp(packages), packages });
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

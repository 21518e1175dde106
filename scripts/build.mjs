// Builds the CLI (dist/cli.js) and the library entry (dist/index.js) into dist/ so they start fast
// (no TypeScript compiler at run time).
// dist/cli.js never contains solution code: the reference is its own entry, dist/reference.js,
// built only when solutions/ exists (a student release has none, and grades from stored fixtures).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { schemaValidatorSources } from './schema-validators.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// Built beside dist/ and swapped in at the end, so a grader running while another process
// rebuilds (a test suite, a watch loop) never finds dist/ half-written or missing.
const out = join(root, `.dist-building-${process.pid}`);
rmSync(out, { recursive: true, force: true });

// Packages stay external (resolved from node_modules at run time) except ml-matrix: it is one
// 150 KB CommonJS file behind an ESM wrapper, and importing it that way makes Node scan it with
// cjs-module-lexer, ~25 ms of every grade with the live reference; bundled it loads in ~7 ms.
// It is bundled once, in a chunk shared by the engine and the reference (one Matrix class).
const BUNDLED_PACKAGES = new Set(['ml-matrix']);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
  .filter((name) => !BUNDLED_PACKAGES.has(name))
  .flatMap((name) => [name, `${name}/*`]);

const entryPoints = {};
if (existsSync(join(root, 'grader', 'cli.ts'))) entryPoints.cli = join(root, 'grader', 'cli.ts');
// The library entry (package.json `exports`): grade() and the report's helpers, no CLI.
if (existsSync(join(root, 'grader', 'index.ts'))) entryPoints.index = join(root, 'grader', 'index.ts');
if (existsSync(join(root, 'solutions', 'index.ts'))) entryPoints.reference = join(root, 'solutions', 'index.ts');
// Builds the sandbox runtime; run below into dist/runtime/, so a grade starts its sandbox child at once.
const RUNTIME_BUILD = join(root, 'grader', 'sandbox', 'runtime-build.ts');
if (existsSync(RUNTIME_BUILD)) entryPoints['runtime-build'] = RUNTIME_BUILD;
// bin/backprop-grader.js starts a grade's sandbox child with it before loading the CLI.
const PRESTART = join(root, 'grader', 'sandbox', 'prestart.ts');
if (existsSync(PRESTART)) entryPoints.prestart = PRESTART;
// The walkthrough (`npm run ex4`, bin/ex4.js), so it starts without tsx; dist/inputs.json records
// what dist/ was built from, and bin/ex4.js falls back to tsx when any of it has changed.
const EX4 = join(root, 'exercises', 'ex4.ts');
if (existsSync(EX4)) entryPoints.ex4 = EX4;

const builds = [];
// splitting: modules the CLI imports lazily (the engine, @actions/core, batch helpers...) become
// separate chunks (beside cli.js, so import.meta.url-relative paths are unchanged) loaded on demand;
// without it esbuild hoists every package import to the top of one file and `--help` would load
// them all. The reference entry is reached only through loadReference's URL import, so solution
// modules never land in a chunk the CLI loads statically.
if (Object.keys(entryPoints).length > 0) {
  builds.push(
    build({
      entryPoints,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external,
      sourcemap: 'linked',
      logLevel: 'warning',
      define: { __BUNDLED__: 'true' },
      outdir: out,
      absWorkingDir: root,
      splitting: true,
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      metafile: true,
    }).then((result) => {
      // Every file the bundles were built from (relative to the root), with its size and modification time (bin/ex4.js).
      const inputs = Object.keys(result.metafile.inputs)
        .filter((file) => !file.includes(':'))
        .sort()
        .map((file) => {
          const st = statSync(join(root, file));
          return [file, st.size, st.mtimeMs];
        });
      writeFileSync(join(out, 'inputs.json'), `${JSON.stringify({ inputs })}\n`);
    }),
  );
}
// ajv standalone validators of the grader's schemas (dist/schema-<name>.cjs), loaded by
// grader/report/validate.ts instead of compiling a schema in every CLI process.
builds.push(
  schemaValidatorSources().then((sources) => {
    mkdirSync(out, { recursive: true });
    for (const [file, source] of Object.entries(sources)) writeFileSync(join(out, file), source);
  }),
);
try {
  await Promise.all(builds);
  // The sandbox runtime (harness, ml-matrix, the kit's helpers), prebuilt at install: the grader
  // uses dist/runtime/ while its sources are unchanged (grader/sandbox/runtime.ts).
  if (entryPoints['runtime-build']) {
    const { prebuildRuntime } = await import(pathToFileURL(join(out, 'runtime-build.js')).href);
    await prebuildRuntime(join(out, 'runtime'));
  }
} catch (error) {
  rmSync(out, { recursive: true, force: true });
  throw error;
}

const old = join(root, `.dist-old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(out, dist);
rmSync(old, { recursive: true, force: true });

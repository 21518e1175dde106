// Builds the CLI into dist/ so `backprop-grader` starts fast (no TypeScript compiler at run time).
// dist/cli.js never contains solution code: the reference is a separate bundle, dist/reference.js,
// built only when solutions/ exists (a student release has none, and grades from stored fixtures).
import { build } from 'esbuild';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaValidatorSources } from './schema-validators.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
rmSync(out, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __BUNDLED__: 'true' },
};

const entries = [];
// splitting: modules the CLI imports lazily (the engine, ajv, @actions/core, batch helpers...) become
// separate chunks (beside cli.js, so import.meta.url-relative paths are unchanged) loaded on demand; without it esbuild hoists every package import to the top of
// one file and `--help` would load them all.
if (existsSync(join(root, 'grader', 'cli.ts'))) entries.push(build({ ...common, entryPoints: [join(root, 'grader', 'cli.ts')], outdir: out, splitting: true, entryNames: '[name]', chunkNames: '[name]-[hash]' }));
if (existsSync(join(root, 'solutions', 'index.ts'))) entries.push(build({ ...common, entryPoints: [join(root, 'solutions', 'index.ts')], outfile: join(out, 'reference.js') }));
// ajv standalone validators of the grader's schemas (dist/schema-<name>.cjs), loaded by
// grader/report/validate.ts instead of compiling a schema in every CLI process.
entries.push(
  schemaValidatorSources().then((sources) => {
    mkdirSync(out, { recursive: true });
    for (const [file, source] of Object.entries(sources)) writeFileSync(join(out, file), source);
  }),
);
await Promise.all(entries);

#!/usr/bin/env node
// The package's command. The CLI is built into dist/ by `npm ci` / `npm run build` (scripts/build.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('backprop-grader: the CLI is not built yet. Run `npm ci` (or `npm run build`) in the grader folder first.\n');
  process.exitCode = 1;
} else {
  const { main } = await import(cli.href);
  process.exitCode = await main(process.argv.slice(2));
}

#!/usr/bin/env node
// The package's command. The CLI is built into dist/ by `npm ci` / `npm run build` (scripts/build.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
const argv = process.argv.slice(2);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('backprop-grader: the CLI is not built yet. Run `npm ci` (or `npm run build`) in the grader folder first.\n');
  process.exitCode = 1;
} else {
  if (argv[0] === 'grade') {
    // One grade's reference products are small: a second kernel thread (exercises/lib/kernels)
    // would cost more to start (~30 ms of CPU, beside the sandbox child) than it saves.
    process.env.BACKPROP_KERNEL_THREADS ??= '1';
    // The grade's sandbox child starts now, while the CLI and the engine load (grader/sandbox/prestart.ts).
    try {
      (await import(new URL('../dist/prestart.js', import.meta.url).href)).prestartGrade(argv.slice(1));
    } catch {
      // an older dist/: the grade starts its child itself
    }
  }
  const { main } = await import(cli.href);
  const code = await main(argv);
  // Done: once stdout and stderr are flushed, exit at once rather than let Node wait for V8's
  // background work and handles nobody needs any more (measured: ~15 ms of every cold grade).
  // Every sandbox is closed by now; the exit handlers remove anything left (sandbox/cleanup.ts).
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((flushed) => stream.write('', flushed))));
  process.exit(code);
}

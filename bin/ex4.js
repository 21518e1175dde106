#!/usr/bin/env node
// `npm run ex4`: the walkthrough (exercises/ex4.ts). It runs from dist/ex4.js, built by `npm ci` /
// `npm run build`, while every file dist/ was built from is unchanged (dist/inputs.json: sizes and
// modification times); otherwise, as while developing the grader, from the sources with tsx, which
// costs 0.3–0.7 s of start-up. The student's own files are never part of that bundle: the
// walkthrough runs them in the grader's sandbox, bundled afresh.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** True when dist/ was built from the files as they are now. */
function distIsCurrent() {
  try {
    const { inputs } = JSON.parse(readFileSync(join(root, 'dist', 'inputs.json'), 'utf8'));
    for (const [file, size, mtimeMs] of inputs) {
      const st = statSync(join(root, file));
      if (st.size !== size || st.mtimeMs !== mtimeMs) return false;
    }
    return inputs.length > 0;
  } catch {
    return false;
  }
}

const argv = process.argv.slice(2);
let walkthrough;
if (distIsCurrent()) {
  // The sandbox child starts now, while the walkthrough loads (grader/sandbox/prestart.ts).
  try {
    (await import(pathToFileURL(join(root, 'dist', 'prestart.js')).href)).prestartSandbox('auto');
  } catch {
    // the walkthrough starts its child itself
  }
  walkthrough = await import(pathToFileURL(join(root, 'dist', 'ex4.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  walkthrough = await import(pathToFileURL(join(root, 'exercises', 'ex4.ts')).href);
}
const options = walkthrough.parseWalkthroughArgs(argv);
// The student's folder is exercises/ beside this script (ex4.ts finds it from its own location,
// which the bundle does not share).
const result = await walkthrough.runWalkthrough({ submission: join(root, 'exercises'), ...options });
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((flushed) => stream.write('', flushed))));
process.exit(result.exitCode);

/**
 * The whole walkthrough on the reference, end to end as a student runs it: `npm run -s ex4 -- --impl
 * solutions` (npm's start-up, the sandbox child, the data, training, the PNGs), against, in the same
 * rounds, `node bin/ex4.js` (the same walkthrough without npm) and the walkthrough from its sources
 * with tsx (how it ran before dist/ex4.js: the baseline). Median of 3 rounds. Prints
 *   ex4 walkthrough median_s=<..> ratio_to_tsx_sources=<..> target_s=2 train_accuracy=<..>% <met|missed>
 * (met: at most 2 s and at least 94% training accuracy), then a detail line.
 *   npm run bench -- ex4
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = 3;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Seconds for one walkthrough process and the training accuracy it printed (%). */
function walkthrough(command: string, args: string[]): { seconds: number; accuracy: number } {
  const started = performance.now();
  const child = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${child.status}:\n${child.stdout}\n${child.stderr}`);
  const accuracy = Number(/^Training set accuracy: ([\d.]+)/m.exec(child.stdout)?.[1]);
  if (!Number.isFinite(accuracy)) throw new Error(`no training accuracy in the walkthrough's output:\n${child.stdout}`);
  return { seconds, accuracy };
}

export async function run(): Promise<void> {
  // A stale dist/ would make bin/ex4.js fall back to tsx: build it as `npm ci` does.
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('build failed');
  const out = mkdtempSync(join(tmpdir(), 'ex4-bench-'));
  const runs = { npm: [] as number[], bin: [] as number[], tsx: [] as number[] };
  let accuracy = 0;
  try {
    const args = ['--impl', 'solutions', '--out', out];
    for (let i = 0; i < ROUNDS; i++) {
      const npm = walkthrough(NPM, ['run', '-s', 'ex4', '--', ...args]);
      runs.npm.push(npm.seconds);
      accuracy = Math.min(accuracy || Infinity, npm.accuracy);
      runs.bin.push(walkthrough(process.execPath, [join(root, 'bin', 'ex4.js'), ...args]).seconds);
      runs.tsx.push(walkthrough(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'exercises', 'ex4.ts'), ...args]).seconds);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const m = median(runs.npm);
  const met = m <= 2 && accuracy >= 94;
  console.log(
    `ex4 walkthrough median_s=${m.toFixed(2)} ratio_to_tsx_sources=${(m / median(runs.tsx)).toFixed(2)} target_s=2 train_accuracy=${accuracy}% ${met ? 'met' : 'missed'}`,
  );
  console.log(
    `  (npm run -s ex4: min_s=${Math.min(...runs.npm).toFixed(2)}; node bin/ex4.js median_s=${median(runs.bin).toFixed(2)}; ` +
      `tsx exercises/ex4.ts median_s=${median(runs.tsx).toFixed(2)}; runs=${ROUNDS} load1=${loadavg()[0].toFixed(2)})`,
  );
}

/**
 * A cold CLI process grading a correct submission, as a student runs it: `backprop-grader grade DIR`
 * (text report). Median of 7 runs per preset. Targets: full ≤ 0.5 s, coursera ≤ 0.3 s.
 *   npm run bench -- grade
 * Prints exactly `grade full median_s=<..>` and `grade coursera median_s=<..>` (live reference from
 * solutions/, the default here), each followed by a detail line (min, target, machine load: other
 * work on the 2 cores inflates every number), then `grade sealed median_s=<..>`: the full preset
 * as a student release grades it (public fixtures and sealed hidden cases: ~22 scrypt hashes per
 * grade; target ≤ 2 s on 2 cores, issue 9), with its ratio to the live full grade of this run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 7;
const SUBMISSION = join(root, 'test', 'fixtures', 'submissions', 'correct-vectorized');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function once(preset: string, seed: number, extra: string[] = []): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'backprop-grader.js'), 'grade', SUBMISSION, '--preset', preset, '--seed', String(seed), ...extra], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
  });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0 || !/Score 100\/100/.test(r.stdout)) throw new Error(`grade ${preset} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return s;
}

export async function run(): Promise<void> {
  // Always rebuild: a stale dist/ would time yesterday's CLI.
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0 || !existsSync(join(root, 'dist', 'cli.js'))) throw new Error('build failed');
  const medians: Record<string, number> = {};
  for (const preset of ['full', 'coursera']) {
    once(preset, 1); // warm the OS file cache; every measured run is still a new process
    const times = Array.from({ length: RUNS }, (_, i) => once(preset, i + 1));
    const target = preset === 'full' ? 0.5 : 0.3;
    medians[preset] = median(times);
    console.log(`grade ${preset} median_s=${median(times).toFixed(3)}`);
    console.log(`  (${preset}: min_s=${Math.min(...times).toFixed(3)} target_s=${target} runs=${RUNS} load1=${loadavg()[0].toFixed(2)})`);
  }
  const sealed = ['--reference', 'sealed'];
  once('full', 1, sealed);
  const times = Array.from({ length: RUNS }, (_, i) => once('full', i + 1, sealed));
  console.log(`grade sealed median_s=${median(times).toFixed(3)}`);
  console.log(
    `  (sealed, full preset: min_s=${Math.min(...times).toFixed(3)} target_s=2 runs=${RUNS} ratio_to_live_full=${(median(times) / medians.full).toFixed(2)} load1=${loadavg()[0].toFixed(2)})`,
  );
}

/**
 * The whole walkthrough on the reference, as a student runs it (`npm run ex4 -- --impl solutions`),
 * in a child process so start-up (tsx, data load) counts. Prints `ex4 walkthrough median_s=<..>`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 3;

export async function run(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'ex4-bench-'));
  const times: number[] = [];
  let accuracy = '';
  try {
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const child = spawnSync(
        process.execPath,
        [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'exercises', 'ex4.ts'), '--impl', 'solutions', '--out', out],
        { cwd: root, encoding: 'utf8' },
      );
      times.push((performance.now() - started) / 1000);
      if (child.status !== 0) throw new Error(`ex4 walkthrough exited with ${child.status}:\n${child.stdout}\n${child.stderr}`);
      accuracy = /^Training set accuracy: (\S+)$/m.exec(child.stdout)?.[1] ?? '?';
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`ex4 walkthrough median_s=${median.toFixed(2)} runs=${RUNS} train_accuracy=${accuracy}`);
}

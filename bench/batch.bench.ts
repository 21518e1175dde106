/**
 * Batch throughput: 200 copies of a correct submission (the reference solutions dropped into
 * exercises/ folders) graded by `runBatch` with the real engine on a pool sized to the cores.
 * Prints `batch 200 submissions_per_s=<..>` (target >= 20 on 2 cores), plus where one grade's time
 * goes (sequential grade, esbuild bundle, bare child-process spawn) measured in the same run, so
 * the figure can be read against its parts.
 *   npm run bench -- batch
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grade } from '../grader/api';
import { runBatch } from '../grader/batch/run';
import { bundleSubmission } from '../grader/sandbox/bundle';
import { stageSubmission } from '../grader/sandbox/staging';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COPIES = 200;
const SEED = 20240601;

/** The reference solutions as a student's exercises folder (reference.ts too: the four files import it). */
function writeSolvedSubmission(dir: string): void {
  const ex = join(dir, 'exercises');
  mkdirSync(ex, { recursive: true });
  const solutions = join(root, 'solutions');
  for (const f of readdirSync(solutions)) {
    if (!f.endsWith('.ts') || f === 'index.ts') continue;
    writeFileSync(join(ex, f), readFileSync(join(solutions, f), 'utf8').replaceAll("'../exercises/lib/", "'./lib/"));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Milliseconds for a bare `node -e 0` child: the floor of any per-grade sandbox process. */
async function spawnMs(): Promise<number> {
  const t = performance.now();
  await new Promise<void>((res, rej) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('exit', () => res()).on('error', rej));
  return performance.now() - t;
}

/** Milliseconds to stage and bundle the submission the way the sandbox does (copy, esbuild of the four files). */
async function bundleMs(dir: string): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'bg-bundle-'));
  try {
    const t = performance.now();
    mkdirSync(join(out, 'src'));
    await bundleSubmission(stageSubmission(dir, join(out, 'src')), join(out, 'bundle'));
    return performance.now() - t;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'bg-batch-bench-'));
  try {
    const folder = join(base, 'class');
    for (let i = 0; i < COPIES; i++) writeSolvedSubmission(join(folder, `student-${String(i).padStart(3, '0')}`));
    const one = join(folder, 'student-000');

    // Where one grade's time goes (warm process: the first grade pays module loading).
    await grade({ submission: one, seed: SEED });
    const seq: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await grade({ submission: one, seed: SEED });
      seq.push(performance.now() - t);
    }
    const spawns: number[] = [];
    for (let i = 0; i < 5; i++) spawns.push(await spawnMs());
    const bundles: number[] = [];
    for (let i = 0; i < 3; i++) bundles.push(await bundleMs(one));

    const jobs = availableParallelism();
    const t = performance.now();
    const result = await runBatch({ folder, out: join(base, 'out'), grade, seed: SEED, jobs });
    const seconds = (performance.now() - t) / 1000;
    const perfect = result.summary?.counts.perfect ?? 0;
    if (!result.complete || perfect !== COPIES) throw new Error(`batch bench: ${perfect}/${COPIES} submissions scored full marks; the bench needs a correct submission`);

    const rate = COPIES / seconds;
    console.log(`batch ${COPIES} submissions_per_s=${rate.toFixed(1)}`);
    console.log(
      `batch breakdown jobs=${jobs} wall_s=${seconds.toFixed(2)} grade_sequential_ms=${median(seq).toFixed(0)} ` +
        `bundle_ms=${median(bundles).toFixed(0)} node_spawn_ms=${median(spawns).toFixed(0)}`,
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

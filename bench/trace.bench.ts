/**
 * What the trace costs a grade (target: ≤ 20% more than without), and how soon `grade --watch`
 * shows a result after a save (target: within 1 s).
 *
 * Trace: four submissions (a correct one; then kit helpers, ml-matrix methods, loops, each with a
 * mistake so that the trace is also matched against the reference's intermediates) graded with the
 * trace on and off in alternation (same seed), median of 9 each.
 * Watch: a copy of one submission under `grade --watch` (the real engine); a file is saved and the
 * time until the new report is written is measured, median of 5 saves.
 *   npx tsx bench/run.ts trace
 * Prints:
 *   trace on_median_ms=<..> off_median_ms=<..> ratio=<on/off> submissions=<..>
 *   watch save_to_result_median_ms=<..> max_ms=<..>
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grade } from '../grader/api';
import type { CliContext } from '../grader/commands/context';
import { runGrade } from '../grader/commands/grade';
import { parseGradeArgs } from '../grader/commands/parse';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'submissions');
const SUBMISSIONS = ['correct-vectorized', 'located-bias-as-sigmoid-of-one-vec', 'located-grad-sign-flipped-mlm', 'mistake-missing-bias-unit'];
const RUNS = 9;
const SAVES = 5;
const SEED = 4242;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function gradeAll(trace: boolean): Promise<number> {
  const t0 = performance.now();
  for (const name of SUBMISSIONS) await grade({ submission: join(FIXTURES, name), seed: SEED, trace });
  return performance.now() - t0;
}

async function traceCost(): Promise<void> {
  await gradeAll(true); // warm-up: module loading, the runtime, esbuild
  await gradeAll(false);
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate so that machine noise falls on both sides alike.
    on.push(await gradeAll(true));
    off.push(await gradeAll(false));
  }
  const mOn = median(on) / SUBMISSIONS.length;
  const mOff = median(off) / SUBMISSIONS.length;
  console.log(`trace on_median_ms=${mOn.toFixed(1)} off_median_ms=${mOff.toFixed(1)} ratio=${(mOn / mOff).toFixed(3)} submissions=${SUBMISSIONS.length}`);
}

async function watchLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bpg-watch-bench-'));
  mkdirSync(join(dir, 'exercises'));
  cpSync(join(FIXTURES, 'located-grad-sign-flipped-mlm', 'exercises'), join(dir, 'exercises'), { recursive: true });
  const file = join(dir, 'exercises', 'nnCostFunction.ts');
  const original = readFileSync(file, 'utf8');
  let reports = 0;
  let savedAt = 0;
  const latencies: number[] = [];
  const stop = new AbortController();
  const ctx: CliContext = {
    io: {
      stdout: (text) => {
        if (!text.includes('Score ')) return;
        reports++;
        if (savedAt > 0) latencies.push(performance.now() - savedAt);
      },
      stderr: () => undefined,
      env: {},
      cwd: dir,
      stdoutIsTTY: false,
    },
    exitCode: 0,
    signal: stop.signal,
  };
  const until = async (n: number) => {
    while (reports < n) await new Promise((r) => setTimeout(r, 5));
  };
  try {
    const running = runGrade(parseGradeArgs(['--watch', '--seed', String(SEED)], {}, dir), ctx);
    await until(1);
    for (let i = 0; i < SAVES; i++) {
      await new Promise((r) => setTimeout(r, 200));
      savedAt = performance.now();
      writeFileSync(file, i % 2 === 0 ? original.replace('Matrix.sub(Y, a3)', 'Matrix.sub(a3, Y)') : original);
      await until(i + 2);
    }
    stop.abort();
    await running;
    console.log(`watch save_to_result_median_ms=${median(latencies).toFixed(0)} max_ms=${Math.max(...latencies).toFixed(0)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await traceCost();
  await watchLatency();
}

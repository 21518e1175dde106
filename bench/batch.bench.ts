/**
 * Batch throughput and memory: copies of a correct submission (the reference solutions dropped into
 * exercises/ folders) graded by the CLI, `backprop-grader batch FOLDER --out OUT`, as an instructor
 * runs it (pool sized to the cores; start-up and the gradebook, HTML and Markdown outputs count),
 * once with 200 submissions and once with 1,000. Prints
 *   batch 200 submissions_per_s=<..> ratio_to_sequential=<..> target=40 <met|missed> peak_rss_mb=<..>
 *   batch 1000 submissions_per_s=<..> ratio_to_sequential=<..> peak_rss_mb=<..> rss_ratio_to_200=<..>
 * where ratio_to_sequential compares with one grade at a time in a warm process (measured in this
 * run) and peak_rss_mb is the batch process's own peak (each sandbox child is a separate process
 * that lives for one submission), so rss_ratio_to_200 near 1 means memory flat in N. Then where
 * one grade's time goes (sequential grade, esbuild bundle, bare child-process spawn), and the
 * ceiling any batch with a fresh process per submission has on this machine:
 *   batch ceiling bare_node_per_s=<..> jobs=<..> batch_ratio_to_ceiling=<..>
 * (bare `node -e 0` processes, `jobs` at a time: the sandbox's isolation gives each submission its
 * own Node process, so the batch cannot grade faster than this).
 *   npm run bench -- batch
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grade } from '../grader/api';
import { bundleSubmission } from '../grader/sandbox/bundle';
import { stageSubmission } from '../grader/sandbox/staging';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = [200, 1000];
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

/** Bare `node -e 0` processes per second, `jobs` running at a time (the ceiling of one process per submission). */
async function bareNodeRate(count: number, jobs: number): Promise<number> {
  const t = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await spawnMs();
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return count / ((performance.now() - t) / 1000);
}

/**
 * One cold `backprop-grader batch` process over `folder`: its wall time (s) and its own peak RSS
 * (MB), which an --import hook reads from process.resourceUsage() as the process exits.
 */
function batchCli(folder: string, out: string, count: number): { seconds: number; peakRssMb: number } {
  const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('peak_rss_kb='+process.resourceUsage().maxRSS+'\\n'))`;
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', hook, join(root, 'bin', 'backprop-grader.js'), 'batch', folder, '--out', out, '--seed', String(SEED), '--progress', 'none'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
  });
  const seconds = (performance.now() - t) / 1000;
  const rss = /peak_rss_kb=(\d+)/.exec(r.stderr ?? '');
  const perfect = readdirSync(join(out, 'reports')).filter((f) => JSON.parse(readFileSync(join(out, 'reports', f), 'utf8')).score === 100).length;
  if (r.status !== 0 || !rss || perfect !== count) throw new Error(`batch bench: exit ${r.status}, ${perfect}/${count} submissions scored full marks:\n${r.stderr}`);
  return { seconds, peakRssMb: Number(rss[1]) / 1024 };
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
    const largest = Math.max(...SIZES);
    const all = join(base, 'all');
    for (let i = 0; i < largest; i++) writeSolvedSubmission(join(all, `student-${String(i).padStart(4, '0')}`));
    const one = join(all, 'student-0000');

    // The baseline: one grade at a time in a warm process (the first grade pays module loading).
    await grade({ submission: one, seed: SEED });
    const seq: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await grade({ submission: one, seed: SEED });
      seq.push(performance.now() - t);
    }
    const sequentialRate = 1000 / median(seq);
    const spawns: number[] = [];
    for (let i = 0; i < 5; i++) spawns.push(await spawnMs());
    const bundles: number[] = [];
    for (let i = 0; i < 3; i++) bundles.push(await bundleMs(one));

    const jobs = availableParallelism();
    let rss200 = 0;
    let rate200 = 0;
    for (const count of SIZES) {
      const folder = join(base, `class-${count}`);
      mkdirSync(folder);
      for (const id of readdirSync(all).sort().slice(0, count)) cpSync(join(all, id), join(folder, id), { recursive: true });
      const { seconds, peakRssMb } = batchCli(folder, join(base, `out-${count}`), count);
      const rate = count / seconds;
      const target = count === 200 ? ` target=40 ${rate >= 40 ? 'met' : 'missed'}` : '';
      if (count === 200) [rss200, rate200] = [peakRssMb, rate];
      const flat = count !== 200 && rss200 > 0 ? ` rss_ratio_to_200=${(peakRssMb / rss200).toFixed(2)}` : '';
      console.log(`batch ${count} submissions_per_s=${rate.toFixed(1)} ratio_to_sequential=${(rate / sequentialRate).toFixed(2)}${target} peak_rss_mb=${peakRssMb.toFixed(0)}${flat}`);
    }
    const ceiling = await bareNodeRate(60, jobs);
    console.log(`batch ceiling bare_node_per_s=${ceiling.toFixed(1)} jobs=${jobs} batch_ratio_to_ceiling=${(rate200 / ceiling).toFixed(2)}   # one fresh Node process per submission (the sandbox's isolation) cannot go faster`);
    console.log(
      `  (batch breakdown: jobs=${jobs} grade_sequential_ms=${median(seq).toFixed(0)} ` +
        `bundle_ms=${median(bundles).toFixed(0)} node_spawn_ms=${median(spawns).toFixed(0)} load1=${loadavg()[0].toFixed(2)})`,
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

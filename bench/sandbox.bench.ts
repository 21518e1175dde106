/**
 * Sandbox throughput: open + calls + close on copies of a correct submission, sequentially (median
 * latency, first-call latency, CPU per submission in this process and its children) and 40 at a
 * time 2 concurrent (submissions per second).
 *   npm run bench -- sandbox
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSandbox, type SandboxRequest } from '../grader/sandbox/index';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COPIES = 40;
const CONCURRENCY = 2;

/** Ten calls touching all four functions, like one grade's public + a few hidden cases. */
const REQUESTS: SandboxRequest[] = (() => {
  const cost: SandboxRequest = {
    fn: 'nnCostFunction',
    nnParams: Array.from({ length: 20 }, (_, i) => Math.sin(i + 1) / 10),
    inputLayerSize: 3,
    hiddenLayerSize: 2,
    numLabels: 4,
    X: [
      [0.1, 0.2, 0.3],
      [0.3, -0.4, 0.5],
      [-0.5, 0.6, 0.7],
    ],
    y: [4, 2, 3],
    lambda: 0,
  };
  return [
    cost,
    { ...cost, lambda: 1.5 },
    { fn: 'sigmoidGradient', z: [[0, 1], [-2, 3]] },
    { fn: 'sigmoidGradient', z: [[-1, 0.5, 0, 0.5, 1]] },
    { fn: 'randInitializeWeights', lIn: 3, lOut: 5, seed: 1 },
    { fn: 'randInitializeWeights', lIn: 4, lOut: 2, seed: 2 },
    { fn: 'computeNumericalGradient', J: 'sin-sum', params: {}, theta: [0.1, 0.2, 0.3] },
    { fn: 'computeNumericalGradient', J: 'quadratic', params: { A: [[2, 1], [1, 3]], b: [1, -1] }, theta: [0.3, -0.2] },
    { fn: 'computeNumericalGradient', J: 'tiny-network', params: { X: [[0.5]], Y: [[1]], hidden: 1 }, theta: [0.1, 0.2, 0.3, 0.4] },
    { ...cost, lambda: 3 },
  ];
})();

function writeSubmission(dir: string): void {
  const fixture = join(root, 'test', 'fixtures', 'submissions', 'correct-vectorized');
  if (existsSync(fixture)) {
    cpSync(fixture, dir, { recursive: true });
    return;
  }
  const ex = join(dir, 'exercises');
  mkdirSync(ex, { recursive: true });
  for (const f of readdirSync(join(root, 'solutions'))) {
    if (!f.endsWith('.ts') || f === 'index.ts') continue;
    writeFileSync(join(ex, f), readFileSync(join(root, 'solutions', f), 'utf8').replaceAll("'../exercises/lib/", "'./lib/"));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Fields after the command name in /proc/<pid>/stat (f[1] is ppid, f[11..14] utime stime cutime cstime). */
function statFields(pid: string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU milliseconds used so far by this process, its reaped children (the sandboxes) and its live
 * children (esbuild's service process): clock ticks, 100 per second on Linux; elsewhere only this process.
 */
function cpuMs(): number {
  try {
    const f = statFields('self');
    let ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const c = statFields(pid);
        if (Number(c[1]) === process.pid) ticks += Number(c[11]) + Number(c[12]);
      } catch {
        // gone meanwhile
      }
    }
    return ticks * 10;
  } catch {
    const self = process.resourceUsage();
    return (self.userCPUTime + self.systemCPUTime) / 1000;
  }
}

async function spawnMs(): Promise<number> {
  const t = performance.now();
  await new Promise<void>((res, rej) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('exit', () => res()).on('error', rej));
  return performance.now() - t;
}

async function once(dir: string): Promise<{ open: number; first: number; rest: number; close: number }> {
  const t0 = performance.now();
  const sb = await openSandbox(dir);
  const t1 = performance.now();
  const first = await sb.call(REQUESTS[0]);
  const t2 = performance.now();
  if (!first.ok) throw new Error(`bench submission failed: ${first.error.message}`);
  for (const r of REQUESTS.slice(1)) {
    const o = await sb.call(r);
    if (!o.ok) throw new Error(`bench submission failed: ${o.error.message}`);
  }
  const t3 = performance.now();
  await sb.close();
  const t4 = performance.now();
  return { open: t1 - t0, first: t2 - t1, rest: t3 - t2, close: t4 - t3 };
}

export async function run(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'bg-sandbox-bench-'));
  try {
    const dirs: string[] = [];
    for (let i = 0; i < COPIES; i++) {
      const d = join(base, `s${String(i).padStart(2, '0')}`);
      writeSubmission(d);
      dirs.push(d);
    }
    const spawns: number[] = [];
    for (let i = 0; i < 5; i++) spawns.push(await spawnMs());

    // Sequential: the first open in this process pays module loading (and any runtime build).
    const firstEver = await once(dirs[0]);
    const runs: Array<Awaited<ReturnType<typeof once>>> = [];
    const cpu0 = cpuMs();
    for (let i = 1; i <= 7; i++) runs.push(await once(dirs[i]));
    const cpuPer = (cpuMs() - cpu0) / 7;
    const totals = runs.map((r) => r.open + r.first + r.rest + r.close);

    const t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < dirs.length) await once(dirs[next++]);
      }),
    );
    const seconds = (performance.now() - t) / 1000;

    console.log(`sandbox load_avg=${loadavg()[0].toFixed(2)} cores=${cpus().length} bare_spawn_median_ms=${median(spawns).toFixed(0)}`);
    console.log(
      `sandbox first_open_in_process_ms=${(firstEver.open + firstEver.first + firstEver.rest + firstEver.close).toFixed(0)} ` +
        `open_median_ms=${median(runs.map((r) => r.open)).toFixed(0)} first_call_median_ms=${median(runs.map((r) => r.first)).toFixed(0)} ` +
        `other_9_calls_median_ms=${median(runs.map((r) => r.rest)).toFixed(0)} close_median_ms=${median(runs.map((r) => r.close)).toFixed(0)} ` +
        `cpu_per_submission_ms=${cpuPer.toFixed(0)}`,
    );
    console.log(`sandbox open+calls+close median_ms=${median(totals).toFixed(0)}`);
    console.log(`sandbox submissions_per_s=${(COPIES / seconds).toFixed(1)}`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();

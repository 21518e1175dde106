/**
 * The speed probe's margins (grader/cases/probe.ts): one nnCostFunction call on the probe network
 * (400-25-10, 100 examples, 10,285 parameters) through the sandbox, for correct backpropagation
 * (per-example loop, vectorized, plain arrays: median of 5 warm calls, and the first, cold call) and
 * for a gradient from Richardson-extrapolated finite differences of the cost (test/fixtures/
 * submissions/fd-gradient, one call, up to 10 minutes). Prints
 *   probe backprop_max_ms=<..>   the slowest backprop median (budget: 2000 ms)
 *   probe fd_s=<..>              the finite-difference call
 *   npm run bench -- probe
 */
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROBE_BUDGET_MS, probeCase } from '../grader/cases/probe';
import { requestsFor } from '../grader/cases/requests';
import { openSandbox } from '../grader/sandbox/index';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SUBS = join(root, 'test', 'fixtures', 'submissions');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeCalls(sub: string, calls: number, timeoutMs: number): Promise<{ cold: number; times: number[]; ok: boolean }> {
  const sb = await openSandbox(join(SUBS, sub), { timeoutMs, heapMb: 512 }, { isolation: 'auto', trace: true });
  try {
    const [request] = requestsFor(probeCase('probe-reg', 1, 0, PROBE_BUDGET_MS));
    const times: number[] = [];
    let ok = true;
    let cold = 0;
    for (let i = 0; i <= calls; i++) {
      const t0 = performance.now();
      const o = await sb.call(request);
      const ms = performance.now() - t0;
      ok &&= o.ok;
      if (i === 0) cold = ms;
      else times.push(ms);
    }
    return { cold, times, ok };
  } finally {
    await sb.close();
  }
}

export async function run(): Promise<void> {
  let slowest = 0;
  for (const sub of ['correct-loop', 'correct-vectorized', 'correct-plain-arrays']) {
    const r = await timeCalls(sub, 5, 60_000);
    if (!r.ok) throw new Error(`${sub} failed on the probe`);
    slowest = Math.max(slowest, median(r.times));
    console.log(`  (probe ${sub}: cold_ms=${r.cold.toFixed(0)} median_ms=${median(r.times).toFixed(0)} max_ms=${Math.max(...r.times).toFixed(0)})`);
  }
  console.log(`probe backprop_max_ms=${slowest.toFixed(0)}`);
  const fd = await timeCalls('fd-gradient', 0, 600_000);
  console.log(`probe fd_s=${(fd.cold / 1000).toFixed(1)}`);
  console.log(`  (budget_ms=${PROBE_BUDGET_MS} fd_over_budget=${(fd.cold / PROBE_BUDGET_MS).toFixed(0)}x budget_over_backprop=${(PROBE_BUDGET_MS / slowest).toFixed(0)}x load1=${loadavg()[0].toFixed(2)})`);
}

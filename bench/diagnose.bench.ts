/**
 * What diagnosis adds to a full grade (target: ≤ 50 ms). The submission fails five parts with the
 * slowest kinds of diagnosis: a gradient off by a constant factor (every single and pair variant is
 * tried before structural blame, on both gradient parts), sigmoidGradient's formula (also seen
 * through backprop), a numerical gradient with an unusual step (the step is estimated from the
 * numbers) and a wrong random-init range. It is assembled in a temporary folder from the test
 * fixtures, graded with diagnosis on and off in alternation (same seed), median of 7 each.
 *   npx tsx bench/run.ts diagnose
 * Prints:
 *   diagnose overhead_ms=<median(on) − median(off)> on_median_ms=<..> off_median_ms=<..> parts_diagnosed=<..>
 *   diagnose stage_median_ms=<..>   # the diagnose() call alone on the same evaluations
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grade, type PartEvaluation } from '../grader/api';
import { diagnose } from '../grader/diagnose/index';
import { resolveOptions } from '../grader/options';
import { loadReference } from '../grader/reference/load';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'submissions');
const RUNS = 7;
const SEED = 4242;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A submission with several mistakes, one file from each of the fixtures that hold them. */
function severalMistakes(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpg-diagnose-bench-'));
  const ex = join(dir, 'exercises');
  cpSync(join(FIXTURES, 'unmatched-learning-rate-factor', 'exercises'), ex, { recursive: true });
  cpSync(join(FIXTURES, 'mistake-sigmoid-gradient-formula', 'exercises', 'sigmoidGradient.ts'), join(ex, 'sigmoidGradient.ts'));
  cpSync(join(FIXTURES, 'mistake-rand-init-range', 'exercises', 'randInitializeWeights.ts'), join(ex, 'randInitializeWeights.ts'));
  const numgrad = readFileSync(join(FIXTURES, 'mistake-numgrad-wrong-step', 'exercises', 'computeNumericalGradient.ts'), 'utf8');
  writeFileSync(join(ex, 'computeNumericalGradient.ts'), numgrad.replace('const e = 0.001;', 'const e = 0.003;'));
  return dir;
}

export async function run(): Promise<void> {
  const dir = severalMistakes();
  try {
    const on: number[] = [];
    const off: number[] = [];
    let evaluations: PartEvaluation[] = [];
    let diagnosed = 0;
    const once = async (diag: boolean): Promise<number> => {
      const t0 = performance.now();
      const r = await grade(
        { submission: dir, seed: SEED, diagnose: diag },
        diag ? { onEvaluations: (e) => (evaluations = e) } : {},
      );
      if (diag) diagnosed = r.parts.filter((p) => p.diagnoses.length > 0).length;
      return performance.now() - t0;
    };
    await once(true); // warm-up: module loading, esbuild
    await once(false);
    for (let i = 0; i < RUNS; i++) {
      // Alternate so that machine noise falls on both sides alike.
      on.push(await once(true));
      off.push(await once(false));
    }
    const mOn = median(on);
    const mOff = median(off);
    console.log(
      `diagnose overhead_ms=${(mOn - mOff).toFixed(1)} on_median_ms=${mOn.toFixed(1)} off_median_ms=${mOff.toFixed(1)} parts_diagnosed=${diagnosed}`,
    );

    // The stage alone on the same evaluations: the same work without the sandbox's noise.
    const reference = await loadReference();
    const options = resolveOptions({ submission: dir, seed: SEED });
    const stage: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await diagnose(evaluations, { reference, options, seed: SEED });
      stage.push(performance.now() - t0);
    }
    console.log(`diagnose stage_median_ms=${median(stage).toFixed(1)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The ex4 walkthrough (`npm run ex4`): the steps of the exercise's ex4.m, each value printed beside
 * the value it should be. Runs your code in exercises/ by default; `--impl solutions` runs the
 * reference. Stops with a friendly message at the first function that is still a stub.
 *
 *   npm run ex4
 *   npm run ex4 -- --iterations 100 --lambda 1 --hidden 25 --seed 2 --out out/
 *   npm run ex4 -- --data ex4data1.mat --weights ex4weights.mat
 */
import { realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Matrix } from 'ml-matrix';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { checkNNGradients } from './lib/checkNNGradients';
import { debugInitializeWeights } from './lib/debugInitializeWeights';
import { loadDigits } from './lib/digits';
import { displayData } from './lib/displayData';
import { isNotImplementedError } from './lib/errors';
import { fmincg, formatExp } from './lib/fmincg';
import { readMatFileDetailed } from './lib/matfile';
import { dropFirstColumn, reshape, unroll } from './lib/matrix';
import { predict } from './lib/predict';
import { seededRandom } from './lib/random';

/** The walkthrough's options (`npm run ex4 -- --help`). */
export interface WalkthroughOptions {
  /** fmincg iterations for training. Default 50. */
  iterations: number;
  /** λ for training. Default 1. */
  lambda: number;
  /** Hidden units of the trained network (and of the debug weights). Default 25. */
  hidden: number;
  /** Seed of the random initialization and of the digits shown. Default 2. */
  seed: number;
  /** Folder for the PNGs (created if needed), relative to the working directory. Default `out`. */
  out: string;
  /** A MAT-file with X (m×n) and y (m×1, labels 1..K), optionally Xtest and ytest; default: the embedded digits. */
  data?: string;
  /** A MAT-file with Theta1 and Theta2 for the cost steps; default: debugInitializeWeights. */
  weights?: string;
  /** Whose four functions to run: the student's `exercises` (default) or the reference `solutions`. */
  impl: 'exercises' | 'solutions';
}

/** Defaults of WalkthroughOptions. Seed 2: see exercises/README.md (accuracy varies ~1% with the seed). */
export const DEFAULT_OPTIONS: Readonly<WalkthroughOptions> = {
  iterations: 50,
  lambda: 1,
  hidden: 25,
  seed: 2,
  out: 'out',
  impl: 'exercises',
};

/** Where the walkthrough writes its lines. */
export interface WalkthroughIO {
  log: (line: string) => void;
}

/** What a run produced (for tests and tools; the same facts are printed). */
export interface WalkthroughResult {
  /** 0 when every step ran and every check matched; 1 otherwise. */
  exitCode: 0 | 1;
  /** The step that stopped the run (a stub or an error), if any. */
  stoppedAt?: string;
  /** Checks whose value differs from the expected one. */
  mismatches: string[];
  /** Accuracies in percent, when training ran. */
  trainAccuracy?: number;
  testAccuracy?: number;
  /** The PNG files written. */
  files: string[];
}

/** The four functions a student writes. */
interface Impl {
  nnCostFunction: (
    nnParams: ArrayLike<number>,
    inputLayerSize: number,
    hiddenLayerSize: number,
    numLabels: number,
    X: Matrix,
    y: ArrayLike<number>,
    lambda: number,
  ) => { J: number; grad: ArrayLike<number> };
  sigmoidGradient: (z: Matrix) => Matrix;
  randInitializeWeights: (lIn: number, lOut: number, random?: () => number) => Matrix;
  computeNumericalGradient: (J: (theta: Float64Array) => number, theta: ArrayLike<number>) => Float64Array;
}

/** Thrown inside a step to stop the walkthrough; the message is already printed. */
class Stop extends Error {}

/**
 * Reference values for the default set-up (embedded digits, debugInitializeWeights, 25 hidden
 * units), used when solutions/ is not part of this copy (a student repository).
 * Computed with solutions/ (the test suite checks they still agree).
 */
export const DEFAULT_EXPECTED = { cost0: 7.003094832181, cost1: 7.008220133201, cost3: 7.01847073524 };

const HINTS: Record<string, string> = {
  nnCostFunction:
    'write Part 1 (feedforward and cost) of exercises/nnCostFunction.ts in place of the "throw new NotImplementedError" line',
  sigmoidGradient: 'write exercises/sigmoidGradient.ts: g(z) .* (1 - g(z)) element-wise, with g = sigmoid',
  randInitializeWeights:
    'write exercises/randInitializeWeights.ts: uniform weights in [-0.12, 0.12], drawn only from its `random` argument',
  computeNumericalGradient:
    'write exercises/computeNumericalGradient.ts: central differences (J(theta + e) - J(theta - e)) / (2e), e = 1e-4',
};

const fix6 = (v: number): string => (Number.isFinite(v) ? v.toFixed(6) : String(v));

/** Relative agreement for values printed with 6 decimals. */
function agrees(got: number, expected: number): boolean {
  return Math.abs(got - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
}

function shape(M: Matrix): string {
  return `${M.rows}x${M.columns}`;
}

/**
 * Runs the walkthrough. Never calls process.exit; returns the exit code instead.
 * @param options any subset of WalkthroughOptions (unknown keys are rejected)
 * @param io      where the lines go (default console.log)
 */
export async function runWalkthrough(
  options: Partial<WalkthroughOptions> = {},
  io: WalkthroughIO = { log: (line) => console.log(line) },
): Promise<WalkthroughResult> {
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULT_OPTIONS) && key !== 'data' && key !== 'weights') throw new TypeError(`runWalkthrough: unknown option "${key}"`);
  }
  const opts: WalkthroughOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(options) };
  const log = io.log;
  const result: WalkthroughResult = { exitCode: 0, mismatches: [], files: [] };
  const outDir = resolve(opts.out);
  const shown = (file: string) => {
    const rel = relative(process.cwd(), file);
    return rel && !rel.startsWith('..') ? rel : file;
  };
  let stepTitle = '';

  const check = (label: string, ok: boolean) => {
    if (!ok) result.mismatches.push(`${stepTitle}: ${label}`);
    return ok ? '✓' : '✗';
  };
  /** Runs one step; a stub or an error stops the walkthrough with a message. */
  const step = async <T>(n: number, title: string, body: () => T | Promise<T>): Promise<T> => {
    stepTitle = `Step ${n} (${title})`;
    if (n > 0) {
      log('');
      log(`== Step ${n}: ${title} ==`);
    }
    try {
      return await body();
    } catch (error) {
      if (error instanceof Stop) throw error;
      result.stoppedAt = stepTitle;
      log('');
      if (isNotImplementedError(error)) {
        log(`Stopped at step ${n}: ${error.functionName} is still a stub.`);
        log(`  Next: ${HINTS[error.functionName] ?? `edit ${error.file}`},`);
        log(`  then run \`npm run ex4\` again.`);
      } else {
        log(`Stopped at step ${n} (${title}) with an error: ${(error as Error)?.message ?? String(error)}`);
        const where = stackFile(error);
        if (where) log(`  (thrown in ${where})`);
      }
      throw new Stop();
    }
  };

  log(`ex4 walkthrough: neural network learning (${opts.impl === 'solutions' ? 'reference solutions/' : 'your exercises/'}, seed ${opts.seed})`);
  try {
    const impl = await step(0, 'loading the implementation', () => loadImpl(opts.impl));
    const reference = opts.impl === 'solutions' ? impl : await loadReference();

    // ---- Step 1: data --------------------------------------------------------------------
    const data = await step(1, 'loading and visualizing the data', () => {
      const d = loadData(opts.data);
      log(`  ${d.description}`);
      const random = seededRandom(opts.seed ^ 0x5eed);
      const m = d.X.rows;
      const count = Math.min(100, m);
      const perm = Array.from({ length: m }, (_, i) => i);
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(random() * (m - i));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const file = join(outDir, 'digits.png');
      displayData(d.X.selection(perm.slice(0, count), range(d.X.columns)), file);
      result.files.push(file);
      log(`  Wrote ${count} random training examples to ${shown(file)}`);
      return d;
    });
    const { X, y, K } = data;
    const n = X.columns;

    // ---- Step 2: parameters ----------------------------------------------------------------
    const { Theta1, Theta2, fromFile } = await step(2, 'loading the parameters', () => {
      if (opts.weights) {
        const w = loadWeights(opts.weights, n, K);
        log(`  ${w.Theta1.rows} hidden units, loaded from ${opts.weights}:`);
        for (const [name, M] of [['Theta1', w.Theta1], ['Theta2', w.Theta2]] as const) {
          log(`  ${name} ${shape(M)} sum ${fix6(M.sum())}`);
        }
        return { ...w, fromFile: true };
      }
      const T1 = debugInitializeWeights(opts.hidden, n);
      const T2 = debugInitializeWeights(K, opts.hidden);
      log(`  No --weights file: deterministic debug weights for ${opts.hidden} hidden units`);
      log(`  Theta1 = debugInitializeWeights(${opts.hidden}, ${n})  ${shape(T1)} sum ${fix6(T1.sum())}`);
      log(`  Theta2 = debugInitializeWeights(${K}, ${opts.hidden})  ${shape(T2)} sum ${fix6(T2.sum())}`);
      return { Theta1: T1, Theta2: T2, fromFile: false };
    });
    const hiddenW = Theta1.rows;
    const params = unroll(Theta1, Theta2);
    const usesDefaults = !fromFile && !opts.data && hiddenW === 25;
    const expectedCost = (lambda: number, key: keyof typeof DEFAULT_EXPECTED): number | null => {
      if (reference) return reference.nnCostFunction(params, n, hiddenW, K, X, y, lambda).J;
      return usesDefaults ? DEFAULT_EXPECTED[key] : null;
    };
    const costLine = (lambda: number, key: keyof typeof DEFAULT_EXPECTED, label: string) => {
      const { J } = impl.nnCostFunction(params, n, hiddenW, K, X, y, lambda);
      const expected = expectedCost(lambda, key);
      if (expected === null) log(`  ${label}: ${fix6(J)}   (no reference value for this set-up: solutions/ is not available)`);
      else log(`  ${label}: ${fix6(J)}   expected ${fix6(expected)}  ${check(label, agrees(J, expected))}`);
    };

    // ---- Step 3: feedforward cost ------------------------------------------------------------
    await step(3, 'feedforward cost (nnCostFunction.ts, Part 1)', () => costLine(0, 'cost0', 'Cost at the parameters (lambda = 0)'));

    // ---- Step 4: regularized cost ------------------------------------------------------------
    await step(4, 'regularized cost (nnCostFunction.ts, Part 2)', () => costLine(1, 'cost1', 'Cost at the parameters (lambda = 1)'));

    // ---- Step 5: sigmoid gradient --------------------------------------------------------------
    await step(5, 'sigmoid gradient (sigmoidGradient.ts)', async () => {
      const { Matrix } = await import('ml-matrix');
      const z = [-1, -0.5, 0, 0.5, 1];
      const g = impl.sigmoidGradient(new Matrix([z])).to1DArray();
      const expected = z.map((v) => {
        const s = 1 / (1 + Math.exp(-v));
        return s * (1 - s);
      });
      log(`  sigmoidGradient([-1 -0.5 0 0.5 1]) = ${g.map(fix6).join(' ')}`);
      const ok = g.length === 5 && g.every((v, i) => agrees(v, expected[i]));
      log(`                              expected ${expected.map(fix6).join(' ')}  ${check('sigmoidGradient', ok)}`);
    });

    // ---- Step 6: random initialization --------------------------------------------------------
    const initial = await step(6, 'random initialization (randInitializeWeights.ts)', () => {
      const random = seededRandom(opts.seed);
      const T1 = impl.randInitializeWeights(n, opts.hidden, random);
      const T2 = impl.randInitializeWeights(opts.hidden, K, random);
      const again = seededRandom(opts.seed);
      const same = equalMatrices(T1, impl.randInitializeWeights(n, opts.hidden, again));
      for (const [name, M, rows, cols] of [['Theta1', T1, opts.hidden, n + 1], ['Theta2', T2, K, opts.hidden + 1]] as const) {
        const shapeOk = M.rows === rows && M.columns === cols;
        const lo = M.min();
        const hi = M.max();
        const rangeOk = lo >= -0.12 && hi <= 0.12 && hi - lo > 0.1; // spread out: symmetry broken
        log(`  initial ${name} ${shape(M)} (expected ${rows}x${cols}) ${check(`initial ${name} size`, shapeOk)}`);
        log(`    values in [${fix6(lo)}, ${fix6(hi)}]   expected spread over [-0.12, 0.12]  ${check(`initial ${name} range`, rangeOk)}`);
        if (!shapeOk) {
          const args = name === 'Theta1' ? `${n}, ${opts.hidden}` : `${opts.hidden}, ${K}`;
          throw new Error(`randInitializeWeights(${args}) returned a ${shape(M)} matrix, expected ${rows}x${cols}`);
        }
      }
      log(`  the same seed gives the same weights (draws only from \`random\`)  ${check('seeded initialization', same)}`);
      return unroll(T1, T2);
    });

    // ---- Steps 7 and 8: gradient checking ------------------------------------------------------
    const gradientCheck = (lambda: number) => {
      const indent = (line: string) => log(`  ${line}`);
      const diff = checkNNGradients(lambda, impl, indent);
      log(`  => relative difference ${formatExp(diff)}   expected < 1e-9  ${check(`checkNNGradients(${lambda})`, diff < 1e-9)}`);
    };
    await step(7, 'backpropagation, checked numerically (nnCostFunction.ts Part 3, computeNumericalGradient.ts), lambda = 0', () =>
      gradientCheck(0),
    );
    await step(8, 'regularized gradient, checked numerically (nnCostFunction.ts Part 4), lambda = 3', () => {
      gradientCheck(3);
      costLine(3, 'cost3', 'Cost at the parameters (lambda = 3)');
    });

    // ---- Step 9: training ------------------------------------------------------------------
    const trained = await step(9, `training the network (fmincg, ${opts.iterations} iterations, lambda = ${opts.lambda}, ${opts.hidden} hidden units)`, () => {
      const started = performance.now();
      const r = fmincg((p) => impl.nnCostFunction(p, n, opts.hidden, K, X, y, opts.lambda), initial, {
        maxIter: opts.iterations,
        log: (line) => log(`  ${line}`),
      });
      const first = r.costs[0];
      const last = r.costs.at(-1);
      log(`  ${r.iterations} iterations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      if (first !== undefined && last !== undefined) {
        log(`  cost went from ${fix6(first)} to ${fix6(last)}   expected to decrease  ${check('training cost decreases', last <= first)}`);
      }
      return {
        T1: reshape(r.theta, opts.hidden, n + 1),
        T2: reshape(r.theta, K, opts.hidden + 1, opts.hidden * (n + 1)),
      };
    });

    // ---- Step 10: hidden units ---------------------------------------------------------------
    await step(10, 'visualizing the hidden units', () => {
      const file = join(outDir, 'hidden.png');
      const weights = dropFirstColumn(trained.T1);
      if (!Number.isInteger(Math.sqrt(weights.columns))) {
        log(`  (skipped: ${weights.columns} inputs do not make square pictures)`);
        return;
      }
      displayData(weights, file);
      result.files.push(file);
      log(`  Wrote the ${opts.hidden} hidden units' input weights (what each one "looks for") to ${shown(file)}`);
    });

    // ---- Step 11: accuracy --------------------------------------------------------------------
    await step(11, 'prediction accuracy (lib/predict.ts)', () => {
      const accuracy = (Xs: Matrix, ys: ArrayLike<number>) => {
        const p = predict(trained.T1, trained.T2, Xs);
        let hits = 0;
        for (let i = 0; i < p.length; i++) if (p[i] === ys[i]) hits++;
        return (100 * hits) / p.length;
      };
      result.trainAccuracy = accuracy(X, y);
      log(`Training set accuracy: ${result.trainAccuracy.toFixed(2)}%`);
      const defaults = !opts.data && opts.iterations === 50 && opts.lambda === 1 && opts.hidden === 25;
      if (defaults) {
        log(`  expected about 95% (94% to 96% depending on the seed)  ${check('training accuracy', result.trainAccuracy >= 94)}`);
      }
      if (data.Xtest && data.ytest) {
        result.testAccuracy = accuracy(data.Xtest, data.ytest);
        log(`Test set accuracy: ${result.testAccuracy.toFixed(2)}%`);
        log(`  (examples the network never saw; expect a few points below the training accuracy)`);
      } else {
        log(`  (no test set: ${opts.data} has no Xtest/ytest variables)`);
      }
    });
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    result.exitCode = 1;
    return result;
  }

  log('');
  if (result.mismatches.length === 0) {
    log('All steps ran and every value matched what it should be.');
  } else {
    result.exitCode = 1;
    log(`${result.mismatches.length} value(s) differ from what they should be:`);
    for (const m of result.mismatches) log(`  ✗ ${m}`);
  }
  return result;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function equalMatrices(A: Matrix, B: Matrix): boolean {
  if (A.rows !== B.rows || A.columns !== B.columns) return false;
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.columns; j++) if (A.get(i, j) !== B.get(i, j)) return false;
  return true;
}

/** The first exercises/ or solutions/ file in an error's stack, to point at the student's line. */
function stackFile(error: unknown): string | null {
  const stack = (error as Error | undefined)?.stack ?? '';
  const match = /((?:exercises|solutions)\/[\w/]+\.ts:\d+)/.exec(stack.replace(/\\/g, '/'));
  return match && !match[1].includes('/lib/') && !/ex4\.ts:\d+$/.test(match[1]) ? match[1] : null;
}

async function loadImpl(which: 'exercises' | 'solutions'): Promise<Impl> {
  if (which === 'solutions') {
    const ref = await loadReference();
    if (!ref) throw new Error('solutions/ is not part of this copy of the project; run without --impl solutions');
    return ref;
  }
  // Separate imports so that a compile error names its file.
  const [cost, sg, rand, num] = await Promise.all([
    import('./nnCostFunction'),
    import('./sigmoidGradient'),
    import('./randInitializeWeights'),
    import('./computeNumericalGradient'),
  ]);
  return {
    nnCostFunction: cost.nnCostFunction,
    sigmoidGradient: sg.sigmoidGradient,
    randInitializeWeights: rand.randInitializeWeights,
    computeNumericalGradient: num.computeNumericalGradient,
  };
}

/** The reference solutions, or null when solutions/ is absent (a student repository). */
async function loadReference(): Promise<Impl | null> {
  // A computed specifier keeps this file compiling where solutions/ does not exist.
  const url = new URL('../solutions/index.ts', import.meta.url);
  try {
    return (await import(url.href)) as Impl;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url|does not exist/i.test(String(error))) {
      return null;
    }
    throw error;
  }
}

interface LoadedData {
  X: Matrix;
  y: number[];
  K: number;
  Xtest?: Matrix;
  ytest?: number[];
  description: string;
}

function labelsOf(M: Matrix, name: string, file: string, m: number): number[] {
  if (Math.min(M.rows, M.columns) !== 1 || M.rows * M.columns !== m) {
    throw new Error(`${file}: ${name} is ${shape(M)}, expected a vector of ${m} labels`);
  }
  const v = M.to1DArray();
  const bad = v.findIndex((l) => !Number.isInteger(l) || l < 1);
  if (bad >= 0) throw new Error(`${file}: ${name}(${bad + 1}) is ${v[bad]}; labels must be whole numbers 1..K`);
  return v;
}

function loadData(file: string | undefined): LoadedData {
  if (!file) {
    const d = loadDigits();
    return {
      ...d,
      K: 10,
      description:
        `Embedded digits: training ${shape(d.X)} (${d.X.rows} 20x20 images), test ${shape(d.Xtest)}, labels 1..10 (10 means the digit 0)`,
    };
  }
  const { variables } = readMatFileDetailed(file, { unsupported: 'skip' });
  const need = (name: string): Matrix => {
    const M = variables[name];
    if (!M) throw new Error(`${file} has no numeric variable "${name}" (found: ${Object.keys(variables).join(', ') || 'none'})`);
    return M;
  };
  const X = need('X');
  const y = labelsOf(need('y'), 'y', file, X.rows);
  let K = Math.max(...y);
  let Xtest: Matrix | undefined;
  let ytest: number[] | undefined;
  if (variables.Xtest && variables.ytest) {
    Xtest = variables.Xtest;
    if (Xtest.columns !== X.columns) throw new Error(`${file}: Xtest is ${shape(Xtest)} but X has ${X.columns} columns`);
    ytest = labelsOf(variables.ytest, 'ytest', file, Xtest.rows);
    K = Math.max(K, ...ytest);
  }
  return { X, y, K, Xtest, ytest, description: `Loaded X ${shape(X)} and y (labels 1..${K}) from ${file}${Xtest ? `, and a test set Xtest ${shape(Xtest)}` : ''}` };
}

function loadWeights(file: string, n: number, K: number): { Theta1: Matrix; Theta2: Matrix } {
  const { variables } = readMatFileDetailed(file, { unsupported: 'skip' });
  const { Theta1, Theta2 } = variables;
  if (!Theta1 || !Theta2) {
    throw new Error(`${file} must hold Theta1 and Theta2 (found: ${Object.keys(variables).join(', ') || 'none'})`);
  }
  if (Theta1.columns !== n + 1) throw new Error(`${file}: Theta1 is ${shape(Theta1)} but the data has ${n} features (expected ${n + 1} columns)`);
  if (Theta2.rows !== K || Theta2.columns !== Theta1.rows + 1) {
    throw new Error(`${file}: Theta2 is ${shape(Theta2)}, expected ${K}x${Theta1.rows + 1} (labels × hidden units + 1)`);
  }
  return { Theta1, Theta2 };
}

/** argv -> WalkthroughOptions (yargs; unknown options are rejected). */
export function parseWalkthroughArgs(argv: string[]): WalkthroughOptions {
  const parsed = yargs(argv)
    .scriptName('npm run ex4 --')
    .usage('$0 [options]\n\nThe ex4 walkthrough: each value of the exercise beside the value it should be.')
    .option('iterations', { type: 'number', default: DEFAULT_OPTIONS.iterations, describe: 'fmincg iterations for training' })
    .option('lambda', { type: 'number', default: DEFAULT_OPTIONS.lambda, describe: 'regularization λ for training' })
    .option('hidden', { type: 'number', default: DEFAULT_OPTIONS.hidden, describe: 'hidden units' })
    .option('seed', { type: 'number', default: DEFAULT_OPTIONS.seed, describe: 'seed of the random initialization and of the digits shown' })
    .option('out', { type: 'string', default: DEFAULT_OPTIONS.out, describe: 'folder for the PNGs' })
    .option('data', { type: 'string', describe: 'MAT-file with X and y (e.g. ex4data1.mat); default: the embedded digits' })
    .option('weights', { type: 'string', describe: 'MAT-file with Theta1 and Theta2 (e.g. ex4weights.mat); default: debug weights' })
    .option('impl', { choices: ['exercises', 'solutions'] as const, default: DEFAULT_OPTIONS.impl, describe: 'whose functions to run' })
    .check((a) => {
      for (const k of ['iterations', 'hidden'] as const) {
        if (!Number.isInteger(a[k]) || a[k] < (k === 'hidden' ? 1 : 0)) throw new Error(`--${k} must be a whole number${k === 'hidden' ? ' >= 1' : ' >= 0'}`);
      }
      if (!Number.isFinite(a.lambda) || a.lambda < 0) throw new Error('--lambda must be a number >= 0');
      if (!Number.isInteger(a.seed)) throw new Error('--seed must be a whole number');
      return true;
    })
    .strict()
    .help()
    .version(false)
    .parseSync();
  return {
    iterations: parsed.iterations,
    lambda: parsed.lambda,
    hidden: parsed.hidden,
    seed: parsed.seed,
    out: parsed.out,
    data: parsed.data,
    weights: parsed.weights,
    impl: parsed.impl,
  };
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return pathToFileURL(script).href === import.meta.url;
  }
}

if (invokedDirectly()) {
  const result = await runWalkthrough(parseWalkthroughArgs(hideBin(process.argv)));
  process.exitCode = result.exitCode;
}

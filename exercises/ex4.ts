/**
 * The ex4 walkthrough (`npm run ex4`): the steps of the exercise, in the guide's order, each value
 * printed beside the value it should be. Your four functions run in the grader's sandbox, with the
 * grader's protections: a time limit per step that names the file, compile errors as
 * file:line:col, your own line when something throws (and which part of nnCostFunction it is in),
 * an `async` function named as such, random initialization checked like the grader does. When a
 * step fails it says which `npm run grade` command tells you more.
 *
 *   npm run ex4
 *   npm run ex4 -- --iterations 100 --lambda 1 --hidden 25 --seed 2 --out out/
 *   npm run ex4 -- --data ex4data1.mat --weights ex4weights.mat
 *   npm run ex4 -- --impl solutions
 */
import { realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Matrix } from 'ml-matrix';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { publicNnCase } from '../grader/cases/public';
import { argvLang } from '../grader/commands/context';
import { requestsFor } from '../grader/cases/requests';
import type { NnCase, RandInitCase } from '../grader/cases/types';
import { comparisonRef, wireRef } from '../grader/compare/index';
import type { GuideSection } from '../grader/messages/guide';
import { LANGS, parseLang, resolveLang, t, type Lang, type MessageId, type MessageParams, type MessageRef } from '../grader/messages/index';
import { DEFAULT_OPTIONS as GRADE_DEFAULTS } from '../grader/options';
import { PART_DEFINITIONS } from '../grader/parts/index';
import type { PartId } from '../grader/parts/ids';
import { loadPublicFixtures } from '../grader/reference/fixtures';
import { loadReference, type Reference } from '../grader/reference/load';
import { openSandbox } from '../grader/sandbox/index';
import type { WireValue } from '../grader/sandbox/protocol';
import { DataError, loadData, loadWeights, rowMajor, shapeOf, type LoadedData } from '../grader/walkthrough/data';
import { stageSolutions, WalkthroughSession, WalkthroughStop } from '../grader/walkthrough/session';
import { debugInitializeWeights } from './lib/debugInitializeWeights';
import { displayData } from './lib/displayData';
import { formatExp } from './lib/fmincg';
import { compareGradients, smallNetwork, type GradientCheckWords } from './lib/gradientCheck';
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
  /** The exercises folder (or a repository containing exercises/) to run with `impl: 'exercises'`. Default `exercises/` of this project. */
  submission?: string;
  /** Time limit of each call into your code, in ms (training gets more). Default 10 000. */
  timeoutMs: number;
  /** The language of the lines. Default: LC_ALL / LC_MESSAGES / LANG, else English. */
  lang?: Lang;
}

/** Defaults of WalkthroughOptions. Seed 2: see exercises/README.md (accuracy varies ~1% with the seed). */
export const DEFAULT_OPTIONS: Readonly<WalkthroughOptions> = {
  iterations: 50,
  lambda: 1,
  hidden: 25,
  seed: 2,
  out: 'out',
  impl: 'exercises',
  timeoutMs: GRADE_DEFAULTS.limits.timeoutMs,
};

/** Where the walkthrough writes its lines. */
export interface WalkthroughIO {
  log: (line: string) => void;
}

/** What a run produced (for tests and tools; the same facts are printed). */
export interface WalkthroughResult {
  /** 0 when every step ran and every check matched; 1 otherwise. */
  exitCode: 0 | 1;
  /** The step that stopped the run (a stub or an error), if any: its number and name. */
  stoppedAt?: { step: number; name: StepName };
  /** Checks whose value differs from the expected one (rendered labels). */
  mismatches: string[];
  /** Accuracies in percent, when training ran. */
  trainAccuracy?: number;
  testAccuracy?: number;
  /** The PNG files written. */
  files: string[];
}

/**
 * Reference values for the default set-up (embedded digits, debugInitializeWeights, 25 hidden
 * units), used when solutions/ is not part of this copy (a student repository).
 * Computed with solutions/ (the test suite checks they still agree).
 */
export const DEFAULT_EXPECTED = { cost0: 7.003094832181, cost1: 7.008220133201, cost3: 7.01847073524 };

/** The steps, in the guide's order, with the graded parts each one checks. */
const STEPS = {
  data: [],
  parameters: [],
  'feedforward-cost': ['feedforward-cost'],
  'regularized-cost': ['regularized-cost'],
  'sigmoid-gradient': ['sigmoid-gradient'],
  'random-init': ['random-init'],
  backprop: ['backprop-gradient'],
  'regularized-gradient': ['regularized-gradient'],
  'gradient-checking': ['numerical-gradient'],
  training: ['backprop-gradient', 'regularized-gradient'],
  'hidden-units': [],
  accuracy: [],
} as const satisfies Record<string, readonly PartId[]>;

export type StepName = keyof typeof STEPS;

/** The section of the guide each step belongs to (its header links there). */
const STEP_SECTIONS: Readonly<Record<StepName, GuideSection>> = {
  data: 'notation',
  parameters: 'notation',
  'feedforward-cost': 'feedforward-cost',
  'regularized-cost': 'regularized-cost',
  'sigmoid-gradient': 'sigmoid-gradient',
  'random-init': 'random-init',
  backprop: 'backprop',
  'regularized-gradient': 'regularized-gradient',
  'gradient-checking': 'gradient-checking',
  training: 'training',
  'hidden-units': 'training',
  accuracy: 'training',
};

/** Data stored in the sandbox once, named by this key in later requests. */
const TRAIN_KEY = 'train';

const fix6 = (v: number): string => (Number.isFinite(v) ? v.toFixed(6) : String(v));

/** Relative agreement for values printed with 6 decimals. */
function agrees(got: number, expected: number): boolean {
  return Math.abs(got - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
}

/** The numbers of a returned vector or matrix (row-major), or null for anything else. */
function numbersOf(v: WireValue): number[] | null {
  if (v.kind === 'array' || v.kind === 'float64array') return v.data;
  if (v.kind === 'matrix') return v.data.flat();
  if (v.kind === 'number') return [v.value];
  return null;
}

function matrixOf(v: WireValue): Matrix | null {
  return v.kind === 'matrix' ? new Matrix(v.data) : null;
}

/** A step could not go on for a reason outside the student's code (a data file, say): the reason as a catalogue message. */
class StepError extends Error {
  constructor(readonly ref: MessageRef) {
    super(ref.id);
  }
}

/** One run of the walkthrough: its options, where it writes, and what it found. */
class Walkthrough {
  readonly result: WalkthroughResult = { exitCode: 0, mismatches: [], files: [] };
  private session?: WalkthroughSession;
  private cleanup?: () => void;
  private current: { n: number; name: StepName; params: MessageParams } = { n: 0, name: 'data', params: {} };
  private failedSteps = new Set<StepName>();
  private reference: Reference | null = null;
  private stored = false;

  constructor(
    private readonly opts: WalkthroughOptions,
    private readonly io: WalkthroughIO,
    private readonly lang: Lang,
  ) {}

  /** The reader's language's words around checkNNGradients' two columns. */
  private gradientCheckWords(): GradientCheckWords {
    return {
      header: this.text('walkthrough.gradcheck.header'),
      similar: this.text('walkthrough.gradcheck.similar'),
      legend: this.text('walkthrough.gradcheck.legend'),
      explanation: this.text('walkthrough.gradcheck.explanation'),
      relativeDifference: (diff) => this.text('walkthrough.gradcheck.relative', { diff }),
    };
  }

  private text(id: string, params: MessageParams = {}): string {
    return t(id as MessageId, params, this.lang);
  }

  private say(id: string, params: MessageParams = {}): void {
    for (const line of this.text(id, params).split('\n')) this.io.log(line);
  }

  /** Records a check of the current step and returns its mark. */
  private check(label: string, ok: boolean): string {
    if (!ok) {
      this.result.mismatches.push(this.text('walkthrough.mismatch', { n: this.current.n, name: this.current.name, ...this.current.params, label }));
      this.failedSteps.add(this.current.name);
    }
    return ok ? '✓' : '✗';
  }

  private shown(file: string): string {
    const rel = relative(process.cwd(), file);
    return rel && !rel.startsWith('..') ? rel : file;
  }

  /** Runs one step; a stop (a stub, an error, a timeout) ends the walkthrough with what to do next. */
  private async step<T>(n: number, name: StepName, params: MessageParams, body: () => T | Promise<T>): Promise<T> {
    this.current = { n, name, params };
    this.io.log('');
    this.say('walkthrough.step', { n, name, ...params, section: STEP_SECTIONS[name] });
    try {
      return await body();
    } catch (error) {
      this.result.stoppedAt = { step: n, name };
      this.failedSteps.add(name);
      this.io.log('');
      if (error instanceof WalkthroughStop) {
        this.say('walkthrough.stopped', { n, name, ...params });
        for (const line of error.lines) this.say(line.id, line.params);
      } else if (error instanceof StepError) {
        this.say('walkthrough.error', { n, name, ...params, detail: error.ref });
      } else {
        // Not the student's code, not their data: the walkthrough itself (its English message as is).
        this.say('walkthrough.error', { n, name, ...params, detail: (error as Error)?.message ?? String(error) });
      }
      throw new StopSignal();
    }
  }

  async run(): Promise<void> {
    const { opts } = this;
    const submission = this.submission();
    this.say('walkthrough.title', { impl: opts.impl, dir: this.shown(submission), seed: opts.seed });
    this.reference = await loadReference();
    const sandbox = await openSandbox(submission, { timeoutMs: opts.timeoutMs }, { isolation: 'auto', trace: false });
    this.session = new WalkthroughSession(sandbox, submission, (fn, argument, line) => {
      this.io.log(`  ${this.text('walkthrough.mutated', { fn, argument, line, hasLine: line > 0 ? 'yes' : 'no' })}  ${this.check(`${fn}: ${argument}`, false)}`);
    });
    const data = await this.step(1, 'data', {}, () => this.data());
    const params = await this.step(2, 'parameters', {}, () => this.parameters(data));
    await this.step(3, 'feedforward-cost', {}, () => this.cost(data, params, 0, 'cost0'));
    await this.step(4, 'regularized-cost', {}, () => this.cost(data, params, 1, 'cost1'));
    await this.step(5, 'sigmoid-gradient', {}, () => this.sigmoidGradient());
    const initial = await this.step(6, 'random-init', {}, () => this.randomInit(data));
    await this.step(7, 'backprop', {}, () => this.publicGradient(false));
    await this.step(8, 'regularized-gradient', {}, async () => {
      await this.publicGradient(true);
      await this.cost(data, params, 3, 'cost3');
    });
    await this.step(9, 'gradient-checking', {}, async () => {
      await this.gradientCheck(0);
      await this.gradientCheck(3);
    });
    const trained = await this.step(10, 'training', { iterations: opts.iterations, lambda: opts.lambda, hidden: opts.hidden }, () => this.training(data, initial));
    await this.step(11, 'hidden-units', {}, () => this.hiddenUnits(trained.T1));
    await this.step(12, 'accuracy', {}, () => this.accuracy(data, trained));
  }

  /** The folder whose code runs: the student's exercises, or the staged reference solutions. */
  private submission(): string {
    if (this.opts.impl === 'solutions') {
      const staged = stageSolutions();
      this.cleanup = staged.cleanup;
      return staged.dir;
    }
    return resolve(this.opts.submission ?? fileURLToPath(new URL('.', import.meta.url)));
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.cleanup?.();
  }

  /** The end: everything matched, or the list of what differs and the grade command that says more. */
  summary(): void {
    const { result } = this;
    this.io.log('');
    if (!result.stoppedAt && result.mismatches.length === 0) {
      this.say('walkthrough.all-good');
      return;
    }
    result.exitCode = 1;
    if (result.mismatches.length > 0) {
      this.say('walkthrough.differ', { count: result.mismatches.length });
      for (const m of result.mismatches) this.io.log(`  ✗ ${m}`);
    }
    const parts = [...new Set([...this.failedSteps].flatMap((s) => STEPS[s]))];
    this.say(parts.length > 0 ? 'walkthrough.grade-hint' : 'walkthrough.grade-hint-all', { parts: parts.join(' ') });
  }

  // ---- the steps ------------------------------------------------------------------------------

  private data(): LoadedData {
    let d: LoadedData;
    try {
      d = loadData(this.opts.data);
    } catch (error) {
      throw error instanceof DataError ? new StepError(error.ref) : error;
    }
    if (d.file) this.say('walkthrough.data.loaded', { shape: shapeOf(d.X), K: d.K, file: d.file, hasTest: d.Xtest ? 'yes' : 'no', testShape: d.Xtest ? shapeOf(d.Xtest) : '' });
    else this.say('walkthrough.data.embedded', { train: shapeOf(d.X), m: d.X.rows, test: d.Xtest ? shapeOf(d.Xtest) : '' });
    const random = seededRandom(this.opts.seed ^ 0x5eed);
    const m = d.X.rows;
    const count = Math.min(100, m);
    const perm = Array.from({ length: m }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (m - i));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const file = join(resolve(this.opts.out), 'digits.png');
    displayData(d.X.selection(perm.slice(0, count), Array.from({ length: d.X.columns }, (_, j) => j)), file);
    this.result.files.push(file);
    this.say('walkthrough.data.shown', { count, file: this.shown(file) });
    return d;
  }

  private parameters(d: LoadedData): { Theta1: Matrix; Theta2: Matrix; fromFile: boolean } {
    const n = d.X.columns;
    if (this.opts.weights) {
      let w: { Theta1: Matrix; Theta2: Matrix };
      try {
        w = loadWeights(this.opts.weights, n, d.K);
      } catch (error) {
        throw error instanceof DataError ? new StepError(error.ref) : error;
      }
      this.say('walkthrough.params.file', { hidden: w.Theta1.rows, file: this.opts.weights });
      for (const [name, M] of [['Theta1', w.Theta1], ['Theta2', w.Theta2]] as const) this.say('walkthrough.params.matrix', { name, shape: shapeOf(M), sum: fix6(M.sum()) });
      return { ...w, fromFile: true };
    }
    const h = this.opts.hidden;
    const T1 = debugInitializeWeights(h, n);
    const T2 = debugInitializeWeights(d.K, h);
    this.say('walkthrough.params.debug', { hidden: h });
    this.say('walkthrough.params.debug-matrix', { name: 'Theta1', args: `${h}, ${n}`, shape: shapeOf(T1), sum: fix6(T1.sum()) });
    this.say('walkthrough.params.debug-matrix', { name: 'Theta2', args: `${d.K}, ${h}`, shape: shapeOf(T2), sum: fix6(T2.sum()) });
    return { Theta1: T1, Theta2: T2, fromFile: false };
  }

  /** Sends the training data to the sandbox once; later requests name it. */
  private async store(d: LoadedData): Promise<void> {
    if (this.stored) return;
    const request = { fn: 'nnCostFunction' as const, op: 'store-data' as const, key: TRAIN_KEY, rows: d.X.rows, columns: d.X.columns, values: rowMajor(d.X), y: d.y };
    await this.session?.value(request, ['number'], { timeoutMs: Math.max(60_000, this.opts.timeoutMs) });
    this.stored = true;
  }

  private async cost(d: LoadedData, p: { Theta1: Matrix; Theta2: Matrix; fromFile: boolean }, lambda: number, key: keyof typeof DEFAULT_EXPECTED): Promise<void> {
    await this.store(d);
    const n = d.X.columns;
    const h = p.Theta1.rows;
    const nnParams = unroll(p.Theta1, p.Theta2);
    const request = { fn: 'nnCostFunction' as const, op: 'cost' as const, key: TRAIN_KEY, nnParams, inputLayerSize: n, hiddenLayerSize: h, numLabels: d.K, lambda };
    const pending = this.session?.value(request, ['cost-and-gradient']);
    pending?.catch(() => undefined); // awaited below
    // The reference's value is computed while the sandbox computes the student's (each ~0.1 s on the
    // full data), once the request has gone out.
    await new Promise((resolve) => setImmediate(resolve));
    const usesDefaults = !p.fromFile && !this.opts.data && h === 25;
    const expected = this.reference ? this.reference.nnCostFunction(nnParams, n, h, d.K, d.X, d.y, lambda).J : usesDefaults ? DEFAULT_EXPECTED[key] : null;
    const value = (await pending) as Extract<WireValue, { kind: 'cost-and-gradient' }>;
    const J = numbersOf(value.J)?.[0];
    if (J === undefined || value.J.kind !== 'number') throw new WalkthroughStop([{ id: 'walkthrough.wrong-type-j', params: { got: wireRef(value.J) } }]);
    if (expected === null) this.say('walkthrough.cost.no-reference', { lambda, got: fix6(J) });
    else this.say('walkthrough.cost', { lambda, got: fix6(J), expected: fix6(expected), mark: this.check(this.text('walkthrough.label.cost', { lambda }), agrees(J, expected)) });
  }

  private async sigmoidGradient(): Promise<void> {
    const z = [-1, -0.5, 0, 0.5, 1];
    const value = await this.session?.value({ fn: 'sigmoidGradient', z: [z] }, ['matrix']);
    const g = value ? (numbersOf(value) ?? []) : [];
    const expected = z.map((v) => {
      const s = 1 / (1 + Math.exp(-v));
      return s * (1 - s);
    });
    this.say('walkthrough.sigmoid.got', { got: g.map(fix6).join(' ') });
    const ok = g.length === 5 && g.every((v, i) => agrees(v, expected[i]));
    this.say('walkthrough.sigmoid.expected', { expected: expected.map(fix6).join(' '), mark: this.check('sigmoidGradient', ok) });
  }

  /** Both layers' initial weights, judged like the grader (shape, range, sign and spread, the `random` source). */
  private async randomInit(d: LoadedData): Promise<Float64Array> {
    const n = d.X.columns;
    const h = this.opts.hidden;
    const layers = [
      { name: 'Theta1', lIn: n, lOut: h },
      { name: 'Theta2', lIn: h, lOut: d.K },
    ];
    const weights: Matrix[] = [];
    for (const [k, layer] of layers.entries()) {
      const c: RandInitCase = {
        id: `rand-init/ex4-${layer.name}`,
        family: 'rand-init',
        name: layer.name,
        hidden: false,
        inputs: { lIn: layer.lIn, lOut: layer.lOut, seed: this.opts.seed + 2 * k, otherSeed: this.opts.seed + 2 * k + 1 },
      };
      const results = [];
      for (const request of requestsFor(c)) {
        const { value, observations } = await (this.session as WalkthroughSession).call(request);
        results.push({ value, observations });
      }
      const verdict = PART_DEFINITIONS['random-init'].judge(c, results, { tolerance: GRADE_DEFAULTS.tolerance });
      const W = matrixOf(results[0].value);
      const shape = W ? shapeOf(W) : '?';
      this.say('walkthrough.randinit', { name: layer.name, shape, expectedShape: `${layer.lOut}×${layer.lIn + 1}`, mark: this.check(this.text('walkthrough.label.randinit', { name: layer.name }), verdict.passed) });
      const why = comparisonRef(verdict);
      if (!verdict.passed && why) this.io.log(`    ${this.text(why.id, why.params)}`);
      if (!W || W.rows !== layer.lOut || W.columns !== layer.lIn + 1) throw new WalkthroughStop([{ id: 'walkthrough.randinit-shape', params: { name: layer.name, shape, expected: `${layer.lOut}×${layer.lIn + 1}` } }]);
      weights.push(W);
    }
    return unroll(weights[0], weights[1]);
  }

  /** nnCostFunction's grad on Coursera's public case, judged like the grader's part. */
  private async publicGradient(regularized: boolean): Promise<void> {
    const c: NnCase = publicNnCase(regularized);
    if (this.reference) {
      const { fillExpected } = await import('../grader/reference/live');
      fillExpected(this.reference, c);
    } else {
      const stored = loadPublicFixtures().cases[c.family]?.[0] as NnCase | undefined;
      c.expected = stored?.expected;
    }
    const [request] = requestsFor(c);
    const { value, observations } = await (this.session as WalkthroughSession).call(request);
    const part = regularized ? 'regularized-gradient' : 'backprop-gradient';
    const verdict = PART_DEFINITIONS[part].judge(c, [{ value, observations }], { tolerance: GRADE_DEFAULTS.tolerance });
    const count = c.expected?.grad.length ?? 0;
    if (verdict.passed) this.say('walkthrough.grad.ok', { lambda: c.inputs.lambda, count, mark: this.check('grad', true) });
    else this.say('walkthrough.grad.bad', { lambda: c.inputs.lambda, detail: comparisonRef(verdict) ?? '', mark: this.check(this.text('walkthrough.label.grad', { lambda: c.inputs.lambda }), false) });
  }

  /** checkNNGradients: your numerical gradient of your cost beside your backpropagation, on the small network. */
  private async gradientCheck(lambda: number): Promise<void> {
    const network = smallNetwork(lambda);
    const value = await this.session?.value({ fn: 'computeNumericalGradient', op: 'check-gradients', network }, ['gradient-check']);
    const check = value as Extract<WireValue, { kind: 'gradient-check' }>;
    const numgrad = numbersOf(check.numgrad);
    const grad = numbersOf(check.grad);
    if (!numgrad || !grad) throw new WalkthroughStop([{ id: 'walkthrough.wrong-type', params: { fn: numgrad ? 'nnCostFunction' : 'computeNumericalGradient', got: wireRef(numgrad ? check.grad : check.numgrad) } }]);
    if (numgrad.length !== grad.length) throw new WalkthroughStop([{ id: 'walkthrough.gradcheck.length', params: { got: grad.length, expected: numgrad.length } }]);
    const diff = compareGradients(numgrad, grad, (line) => this.io.log(`  ${line}`), this.gradientCheckWords());
    this.say('walkthrough.gradcheck', { lambda, diff: formatExp(diff), mark: this.check(`checkNNGradients(${lambda})`, diff < 1e-9) });
  }

  /** fmincg inside the sandbox on your nnCostFunction; only the result comes back. */
  private async training(d: LoadedData, initial: Float64Array): Promise<{ T1: Matrix; T2: Matrix }> {
    await this.store(d);
    const { opts } = this;
    const n = d.X.columns;
    const started = performance.now();
    const request = { fn: 'nnCostFunction' as const, op: 'train' as const, key: TRAIN_KEY, nnParams: initial, inputLayerSize: n, hiddenLayerSize: opts.hidden, numLabels: d.K, lambda: opts.lambda, iterations: opts.iterations };
    const value = (await this.session?.value(request, ['training'], { timeoutMs: Math.max(60_000, opts.iterations * 3000) })) as Extract<WireValue, { kind: 'training' }>;
    // fmincg's own line (lib/fmincg.ts iterationLine), in the reader's language.
    value.costs.forEach((cost, i) => this.io.log(`  ${this.text('walkthrough.training.iteration', { i: String(i + 1).padStart(4), cost: formatExp(cost) })}`));
    this.say('walkthrough.training.iterations', { iterations: value.iterations, seconds: ((performance.now() - started) / 1000).toFixed(1) });
    const first = value.costs[0];
    const last = value.costs.at(-1);
    if (first !== undefined && last !== undefined) this.say('walkthrough.training.cost', { first: fix6(first), last: fix6(last), mark: this.check(this.text('walkthrough.label.training'), last <= first) });
    const theta = Float64Array.from(value.theta);
    return { T1: reshape(theta, opts.hidden, n + 1), T2: reshape(theta, d.K, opts.hidden + 1, opts.hidden * (n + 1)) };
  }

  private hiddenUnits(T1: Matrix): void {
    const file = join(resolve(this.opts.out), 'hidden.png');
    const weights = dropFirstColumn(T1);
    if (!Number.isInteger(Math.sqrt(weights.columns))) {
      this.say('walkthrough.hidden.skipped', { inputs: weights.columns });
      return;
    }
    displayData(weights, file);
    this.result.files.push(file);
    this.say('walkthrough.hidden.wrote', { hidden: this.opts.hidden, file: this.shown(file) });
  }

  private accuracy(d: LoadedData, trained: { T1: Matrix; T2: Matrix }): void {
    const accuracy = (Xs: Matrix, ys: ArrayLike<number>): number => {
      const p = predict(trained.T1, trained.T2, Xs);
      let hits = 0;
      for (let i = 0; i < p.length; i++) if (p[i] === ys[i]) hits++;
      return (100 * hits) / p.length;
    };
    this.result.trainAccuracy = accuracy(d.X, d.y);
    this.say('walkthrough.accuracy.train', { value: this.result.trainAccuracy.toFixed(2) });
    const { opts } = this;
    if (!opts.data && opts.iterations === 50 && opts.lambda === 1 && opts.hidden === 25) {
      this.say('walkthrough.accuracy.expected', { mark: this.check(this.text('walkthrough.label.accuracy'), this.result.trainAccuracy >= 94) });
    }
    if (d.Xtest && d.ytest) {
      this.result.testAccuracy = accuracy(d.Xtest, d.ytest);
      this.say('walkthrough.accuracy.test', { value: this.result.testAccuracy.toFixed(2) });
      this.say('walkthrough.accuracy.test-note');
    } else {
      this.say('walkthrough.accuracy.no-test', { file: opts.data ?? '' });
    }
  }
}

/** Thrown by a step after it printed why the walkthrough stops. */
class StopSignal extends Error {}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
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
  const known = new Set([...Object.keys(DEFAULT_OPTIONS), 'data', 'weights', 'submission', 'lang']);
  for (const key of Object.keys(options)) if (!known.has(key)) throw new TypeError(`runWalkthrough: unknown option "${key}"`);
  const opts: WalkthroughOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(options) };
  const w = new Walkthrough(opts, io, opts.lang ?? resolveLang({ env: process.env }));
  try {
    await w.run();
  } catch (error) {
    if (!(error instanceof StopSignal)) throw error;
  } finally {
    await w.close();
  }
  w.summary();
  return w.result;
}

/**
 * argv -> WalkthroughOptions (yargs; unknown options are rejected). The descriptions and errors
 * are in the reader's language (`--lang`, else LC_ALL / LC_MESSAGES / LANG), yargs' own words too
 * (its zh_CN locale).
 */
export function parseWalkthroughArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): WalkthroughOptions {
  const lang = argvLang(argv, env);
  const say = (id: string, params: MessageParams = {}) => t(`walkthrough.cli.${id}` as MessageId, params, lang);
  const parsed = yargs(argv)
    .locale(lang === 'zh-CN' ? 'zh_CN' : 'en')
    .scriptName('npm run ex4 --')
    .usage(`$0 [options]\n\n${say('usage')}`)
    .option('iterations', { type: 'number', default: DEFAULT_OPTIONS.iterations, describe: say('iterations') })
    .option('lambda', { type: 'number', default: DEFAULT_OPTIONS.lambda, describe: say('lambda') })
    .option('hidden', { type: 'number', default: DEFAULT_OPTIONS.hidden, describe: say('hidden') })
    .option('seed', { type: 'number', default: DEFAULT_OPTIONS.seed, describe: say('seed') })
    .option('out', { type: 'string', default: DEFAULT_OPTIONS.out, describe: say('out') })
    .option('data', { type: 'string', describe: say('data') })
    .option('weights', { type: 'string', describe: say('weights') })
    .option('impl', { choices: ['exercises', 'solutions'] as const, default: DEFAULT_OPTIONS.impl, describe: say('impl') })
    .option('timeout', { type: 'number', default: DEFAULT_OPTIONS.timeoutMs, describe: say('timeout') })
    .option('lang', { choices: [...LANGS], describe: say('lang') })
    .check((a) => {
      for (const k of ['iterations', 'hidden'] as const) {
        if (!Number.isInteger(a[k]) || a[k] < (k === 'hidden' ? 1 : 0)) throw new Error(say('whole-number', { flag: k, min: k === 'hidden' ? 1 : 0 }));
      }
      if (!Number.isFinite(a.lambda) || a.lambda < 0) throw new Error(say('lambda-range'));
      if (!Number.isInteger(a.seed)) throw new Error(say('seed-integer'));
      if (!Number.isInteger(a.timeout) || a.timeout < 1) throw new Error(say('timeout-range'));
      return true;
    })
    .strict()
    .help()
    .version(false)
    .parseSync();
  const out: WalkthroughOptions = {
    iterations: parsed.iterations,
    lambda: parsed.lambda,
    hidden: parsed.hidden,
    seed: parsed.seed,
    out: parsed.out,
    data: parsed.data,
    weights: parsed.weights,
    impl: parsed.impl,
    timeoutMs: parsed.timeout,
  };
  const chosen = parseLang(parsed.lang);
  if (chosen) out.lang = chosen;
  return out;
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

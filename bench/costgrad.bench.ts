/**
 * One cost+gradient evaluation of the reference nnCostFunction on the full-size problem
 * (5000×400 images, 25 hidden units, 10 labels, λ = 1), against a plain ml-matrix implementation
 * of the same vectorized formulas measured in the same run.
 *   npx tsx bench/run.ts costgrad
 * Prints:
 *   costgrad 5000x400-25-10 median_ms=<..>   # data: <real digits | synthetic>
 *   costgrad plain-ml-matrix median_ms=<..> ratio=<plain/ours>
 */
import { Matrix } from 'ml-matrix';
import { seededRandom } from '../exercises/lib/random';
import { unroll } from '../exercises/lib/matrix';
import { referenceCostFunction, referenceRandInitializeWeights } from '../solutions/reference';

const INPUT = 400;
const HIDDEN = 25;
const LABELS = 10;
const M = 5000;
const LAMBDA = 1;

interface Data {
  X: Matrix;
  y: number[];
  source: string;
}

/** The real digits when the kit's loader works, else deterministic sparse images (~70% zeros). */
async function loadData(): Promise<Data> {
  try {
    const { loadDigits } = (await import('../exercises/lib/digits')) as {
      loadDigits: () => { X: Matrix; y: number[] };
    };
    const d = loadDigits();
    if (d.X.rows === M && d.X.columns === INPUT) return { X: d.X, y: d.y, source: 'real digits (loadDigits)' };
  } catch {
    // fall through to synthetic data
  }
  const random = seededRandom(4);
  const X = new Matrix(M, INPUT);
  const y: number[] = [];
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < INPUT; j++) if (random() >= 0.7) X.set(i, j, random());
    y.push(1 + (i % LABELS));
  }
  return { X, y, source: 'synthetic sparse [0,1] images, 70% zeros' };
}

/** The same formulas written the obvious way with ml-matrix instance methods (the baseline). */
function plainCostFunction(params: Float64Array, X: Matrix, y: number[], lambda: number): { J: number; grad: Float64Array } {
  const m = X.rows;
  const colMajor = (off: number, r: number, c: number): Matrix => {
    const T = new Matrix(r, c);
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) T.set(i, j, params[off + j * r + i]);
    return T;
  };
  const sigmoid = (Z: Matrix): Matrix => Z.clone().mul(-1).exp().add(1).pow(-1);
  const Theta1 = colMajor(0, HIDDEN, INPUT + 1);
  const Theta2 = colMajor(HIDDEN * (INPUT + 1), LABELS, HIDDEN + 1);
  const ones = new Array<number>(m).fill(1);

  const a1 = X.clone().addColumn(0, ones);
  const z2 = a1.mmul(Theta1.transpose());
  const a2 = sigmoid(z2).addColumn(0, ones);
  const a3 = sigmoid(a2.mmul(Theta2.transpose()));
  const Y = Matrix.zeros(m, LABELS);
  y.forEach((label, i) => Y.set(i, label - 1, 1));

  const pos = Y.clone().mul(a3.clone().log());
  const neg = Y.clone().mul(-1).add(1).mul(a3.clone().mul(-1).add(1).log());
  let J = -pos.add(neg).sum() / m;
  const t1 = Theta1.subMatrix(0, HIDDEN - 1, 1, INPUT);
  const t2 = Theta2.subMatrix(0, LABELS - 1, 1, HIDDEN);
  J += (lambda / (2 * m)) * (t1.clone().pow(2).sum() + t2.clone().pow(2).sum());

  const d3 = a3.clone().sub(Y);
  const gz2 = sigmoid(z2);
  const d2 = d3.mmul(t2).mul(gz2).mul(gz2.clone().mul(-1).add(1));
  const G1 = d2.transpose().mmul(a1).div(m);
  const G2 = d3.transpose().mmul(a2).div(m);
  const r1 = Theta1.clone().mul(lambda / m);
  const r2 = Theta2.clone().mul(lambda / m);
  for (let i = 0; i < HIDDEN; i++) r1.set(i, 0, 0);
  for (let i = 0; i < LABELS; i++) r2.set(i, 0, 0);
  G1.add(r1);
  G2.add(r2);
  return { J, grad: unroll(G1, G2) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function time(fn: () => unknown, runs: number, warmup: number): number {
  for (let r = 0; r < warmup; r++) fn();
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function run(): Promise<void> {
  const { X, y, source } = await loadData();
  const random = seededRandom(1);
  const params = unroll(
    referenceRandInitializeWeights(INPUT, HIDDEN, random),
    referenceRandInitializeWeights(HIDDEN, LABELS, random),
  );

  // Both must compute the same thing, or the ratio means nothing.
  const ours = referenceCostFunction(params, INPUT, HIDDEN, LABELS, X, y, LAMBDA);
  const plain = plainCostFunction(params, X, y, LAMBDA);
  let worst = Math.abs(ours.J - plain.J);
  for (let p = 0; p < params.length; p++) worst = Math.max(worst, Math.abs(ours.grad[p] - plain.grad[p]));
  if (!(worst < 1e-9)) throw new Error(`costgrad bench: reference and plain implementation disagree by ${worst}`);

  const oursMs = time(() => referenceCostFunction(params, INPUT, HIDDEN, LABELS, X, y, LAMBDA), 21, 5);
  const plainMs = time(() => plainCostFunction(params, X, y, LAMBDA), 11, 2);
  console.log(`costgrad 5000x400-25-10 median_ms=${oursMs.toFixed(1)}   # data: ${source}`);
  console.log(`costgrad plain-ml-matrix median_ms=${plainMs.toFixed(1)} ratio=${(plainMs / oursMs).toFixed(1)}`);
}

/**
 * The kernels behind exercises/lib/matrix.ts (exercises/lib/kernels/): every path — the JS
 * kernels, the WebAssembly kernels on one thread and on two — must give bit for bit the numbers
 * of the naive loops (so also within 1e-12 relative), NaN and Infinity included; the shipped
 * binary must be the one its source gives; the worker thread must never block a process, work
 * when the caller is itself a worker, and be skipped silently where workers are not allowed.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Matrix, MatrixTransposeView } from 'ml-matrix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mx from '../exercises/lib/matrix';
import { FlatMatrix, closeKernelThread, setKernels, storageOf, wasmKernelsInstance } from '../exercises/lib/kernels';
import { Arena } from '../exercises/lib/kernels/arena';
import { WorkerPacer } from '../exercises/lib/kernels/threads';
import { KERNEL_FILES, compileKernels, moduleSource } from '../scripts/wasm/build-kernels';
import { seededRandom } from '../exercises/lib/random';
import { naiveProduct, randomMatrix } from './helpers/matrices';
import { referenceCostFunction } from '../solutions/reference';
import { loadDigits } from '../exercises/lib/digits';

const ROOT = resolve(__dirname, '..');

// ---- helpers ------------------------------------------------------------------------------

/** Element by element with Object.is (so NaN equals NaN, and -0 differs from 0), and within 1e-12 relative. */
function expectSame(got: Matrix, want: number[][]): void {
  expect([got.rows, got.columns]).toEqual([want.length, want.length ? want[0].length : got.columns]);
  const bad: string[] = [];
  for (let i = 0; i < got.rows; i++) {
    for (let j = 0; j < got.columns; j++) {
      const g = got.get(i, j);
      const w = want[i][j];
      const close = Object.is(g, w) || Math.abs(g - w) <= 1e-12 * Math.abs(w);
      if (!Object.is(g, w) || !close) bad.push(`(${i},${j}): got ${g}, naive ${w}`);
    }
  }
  expect(bad.slice(0, 5)).toEqual([]);
}

const SPECIALS = [0, -0, 1, -1, 0.5, -0.5, 2, Math.E, 1e-300, -1e-300, 5e-324, 2.2250738585072014e-308, 1e300, -1e300, 709.78, 709.79, -745.1, -746, 2 ** -28, 2 ** -29, 0.34657359027997264, 1.0397207708399179, 1 + 2 ** -52, 1 - 2 ** -53, Infinity, -Infinity, NaN];

/** SPECIALS, then random values of several ranges: `n` values in all. */
function testValues(n: number, seed: number): number[] {
  const rnd = seededRandom(seed);
  const out = [...SPECIALS];
  while (out.length < n) {
    const u = rnd();
    const kind = out.length % 5;
    out.push(kind === 0 ? (u - 0.5) * 40 : kind === 1 ? (u - 0.5) * 1500 : kind === 2 ? u * 1e-6 : kind === 3 ? u * 2.5e-308 : 1 + (u - 0.5) * 1e-5);
  }
  return out;
}

const asRow = (values: number[]): Matrix => new Matrix([values]);

// The three paths. The WebAssembly ones with every size threshold at 0, so that the small shapes
// below run on WebAssembly (and on two threads) too; the worker is never paused for lateness on
// this loaded machine, so the two-thread path really runs on two threads.
const EVERYTHING = { minProductWork: 0, minElementwise: 0, threadMinWork: 0, pauseBusyWorker: false };
const PATHS: [string, () => Promise<void>][] = [
  ['JS kernels', async () => void setKernels('js')],
  ['WebAssembly, one thread', async () => void setKernels('wasm', { ...EVERYTHING, threads: false })],
  [
    'WebAssembly, two threads',
    async () => {
      setKernels('wasm', { ...EVERYTHING, threads: true });
      expect(await wasmKernelsInstance()!.startThread()).toBe(true);
    },
  ],
];

afterAll(async () => {
  await closeKernelThread();
});

// A mid-size cost+gradient evaluation, computed once on the JS kernels: every path must give the
// same bits.
const COST_CASE = (() => {
  const rnd = seededRandom(7);
  const m = 300;
  const X = new Matrix(m, 400);
  for (let i = 0; i < m; i++) for (let j = 0; j < 400; j++) if (rnd() >= 0.73) X.set(i, j, rnd());
  const y = Array.from({ length: m }, (_, i) => 1 + (i % 10));
  const params = Float64Array.from({ length: 25 * 401 + 10 * 26 }, () => (rnd() - 0.5) * 0.24);
  return { X, y, params };
})();

// ---- every path ---------------------------------------------------------------------------

describe.each(PATHS)('%s', (_name, use) => {
  beforeAll(use);

  it.each([
    ['dense square', 7, 9, 5, 0, 0],
    ['1×1', 1, 1, 1, 0, 0],
    ['empty result rows', 0, 3, 4, 0, 0],
    ['empty inner dimension', 3, 0, 4, 0, 0],
    ['empty result columns', 3, 4, 0, 0, 0],
    ['odd sizes for the f64x2 tail', 13, 7, 27, 0.3, 0.3],
    ['12 and 26 columns (register blocks)', 11, 33, 26, 0.5, 0],
    ['skinny result, sparse A (a1 * Theta1\')', 300, 41, 25, 0.7, 0],
    ['sparse B (d2\' * a1)', 25, 300, 41, 0, 0.7],
    ['sparse B, odd m', 13, 120, 27, 0, 0.8],
    ['wide, dense', 3, 4, 130, 0.1, 0.1],
    ['all zeros', 9, 8, 7, 1, 1],
  ])('mtimes, %s, equals the naive triple loop bit for bit', (_case, m, k, n, zA, zB) => {
    const A = randomMatrix(m, k, zA, 1 + m + k);
    const B = randomMatrix(k, n, zB, 2 + n);
    expectSame(mx.mtimes(A, B), naiveProduct(A, B));
    // The same operands as FlatMatrix (the kit's own results), used twice (kept copies).
    const Af = mx.times(A, 1);
    const Bf = mx.times(B, 1);
    expectSame(mx.mtimes(Af, Bf), naiveProduct(A, B));
    expectSame(mx.mtimes(Af, Bf), naiveProduct(A, B));
  });

  it('mtimes on 60 random shapes and sparsities equals the naive loop', () => {
    const rnd = seededRandom(99);
    for (let t = 0; t < 60; t++) {
      const [m, k, n] = [1 + Math.floor(rnd() * 40), Math.floor(rnd() * 40), 1 + Math.floor(rnd() * 40)];
      const A = randomMatrix(m, k, rnd(), 100 + t);
      const B = randomMatrix(k, n, rnd(), 200 + t);
      expectSame(mx.mtimes(A, B), naiveProduct(A, B));
    }
  });

  it('propagates NaN and Infinity like the naive loop (0 * Infinity is NaN, even where zeros are skipped)', () => {
    // A mostly zero: its zeros meet B's Infinity and NaN.
    const A = randomMatrix(30, 20, 0.8, 5);
    const B = randomMatrix(20, 9, 0, 6);
    B.set(3, 2, Infinity);
    B.set(7, 5, NaN);
    B.set(11, 0, -Infinity);
    expectSame(mx.mtimes(A, B), naiveProduct(A, B));
    // B mostly zero: its zeros meet A's Infinity.
    const A2 = randomMatrix(9, 40, 0, 7);
    A2.set(4, 13, Infinity);
    const B2 = randomMatrix(40, 33, 0.85, 8);
    expectSame(mx.mtimes(A2, B2), naiveProduct(A2, B2));
    // Infinity in the sparse operand itself.
    const A3 = randomMatrix(20, 20, 0.8, 9);
    A3.set(2, 2, Infinity);
    A3.set(5, 6, NaN);
    const B3 = randomMatrix(20, 20, 0, 10);
    expectSame(mx.mtimes(A3, B3), naiveProduct(A3, B3));
  });

  it('element-wise operations match the scalar formulas bit for bit, odd lengths and special values included', () => {
    const a = testValues(2001, 11);
    const b = testValues(2001, 12).reverse();
    const A = asRow(a);
    const B = asRow(b);
    const each = (M: Matrix, f: (i: number) => number) => expectSame(M, [a.map((_, i) => f(i))]);
    each(mx.times(A, B), (i) => a[i] * b[i]);
    each(mx.plus(A, B), (i) => a[i] + b[i]);
    each(mx.minus(A, B), (i) => a[i] - b[i]);
    each(mx.rdivide(A, B), (i) => a[i] / b[i]);
    each(mx.power(A, B), (i) => a[i] ** b[i]);
    for (const s of [0, -0, 2, -1.5, Infinity, NaN]) {
      each(mx.times(A, s), (i) => a[i] * s);
      each(mx.times(s, A), (i) => s * a[i]);
      each(mx.plus(A, s), (i) => a[i] + s);
      each(mx.plus(s, A), (i) => s + a[i]);
      each(mx.minus(A, s), (i) => a[i] - s);
      each(mx.minus(s, A), (i) => s - a[i]);
      each(mx.rdivide(A, s), (i) => a[i] / s);
      each(mx.rdivide(s, A), (i) => s / a[i]);
      each(mx.power(A, s), (i) => (s === 2 ? a[i] * a[i] : a[i] ** s));
      each(mx.power(s, A), (i) => s ** a[i]);
    }
    each(mx.power(A, 2), (i) => a[i] * a[i]);
    // A 1×1 matrix broadcasts like a number.
    each(mx.minus(A, new Matrix([[0.25]])), (i) => a[i] - 0.25);
  });

  it('exp, log and sigmoid are Math.exp, Math.log and 1 / (1 + Math.exp(-z)) bit for bit', () => {
    const values = testValues(60001, 13);
    const withNegatives = [...values, ...values.map((v) => -v)];
    const Z = asRow(withNegatives);
    expectSame(mx.exp(Z), [withNegatives.map(Math.exp)]);
    expectSame(mx.log(Z), [withNegatives.map(Math.log)]);
    expectSame(mx.sigmoid(Z), [withNegatives.map((z) => 1 / (1 + Math.exp(-z)))]);
    // Odd lengths (the last value alone) and a tall shape.
    for (const len of [1, 3, 257]) {
      const part = withNegatives.slice(0, len);
      expectSame(mx.exp(asRow(part)), [part.map(Math.exp)]);
      expectSame(mx.log(asRow(part)), [part.map(Math.log)]);
    }
    const tall = new Matrix(values.slice(0, 999).map((v) => [v]));
    expectSame(mx.sigmoid(tall), values.slice(0, 999).map((z) => [1 / (1 + Math.exp(-z))]));
  });

  it('sums add in increasing row order, like the naive loop', () => {
    const A = randomMatrix(301, 13, 0.2, 14);
    A.set(5, 3, Infinity);
    const want = Array.from({ length: 13 }, (_, j) => {
      let s = 0;
      for (let i = 0; i < 301; i++) s += A.get(i, j);
      return s;
    });
    expectSame(mx.sum(A), [want]);
    let total = 0;
    for (const v of want) total += v;
    expect(Object.is(mx.sumAll(A), total)).toBe(true);
    expectSame(mx.sum(mx.times(A, 1), 1), [want]);
  });

  it('transposes exactly, empty and odd shapes included', () => {
    for (const [r, c] of [[37, 53], [1, 300], [300, 1], [0, 4], [4, 0], [33, 17]]) {
      const A = randomMatrix(r, c, 0.3, 30 + r + c);
      expectSame(mx.transpose(A), Array.from({ length: c }, (_, j) => Array.from({ length: r }, (_, i) => A.get(i, j))));
      expectSame(mx.transpose(mx.transpose(mx.times(A, 1))), A.to2DArray());
    }
  });

  it('sees a matrix changed in place between two operations (no stale copy is reused)', () => {
    const B = randomMatrix(40, 30, 0, 15);
    const P = mx.times(randomMatrix(50, 40, 0.6, 16), 1); // a kit result: its copy is kept
    expectSame(mx.mtimes(P, B), naiveProduct(P, B));
    P.set(3, 4, 2.5); // ml-matrix's set
    expectSame(mx.mtimes(P, B), naiveProduct(P, B));
    P.mul(-3); // an in-place ml-matrix method
    expectSame(mx.mtimes(P, B), naiveProduct(P, B));
    expectSame(mx.sigmoid(P), P.to2DArray().map((r) => r.map((z) => 1 / (1 + Math.exp(-z)))));
    (P as unknown as { data: Float64Array[] }).data[0][0] = 7; // through the rows
    expectSame(mx.mtimes(P, B), naiveProduct(P, B));
    P.removeRow(0);
    P.addColumn(0, new Array(P.rows).fill(1));
    const B2 = randomMatrix(41, 30, 0, 17);
    expectSame(mx.mtimes(P, B2), naiveProduct(P, B2));
    expectSame(mx.times(P, P), P.to2DArray().map((r) => r.map((v) => v * v)));
  });

  it('accepts every kind of AbstractMatrix (views) as an operand', () => {
    const A = randomMatrix(20, 30, 0.5, 18);
    const B = randomMatrix(20, 30, 0.5, 19);
    const Bt = new MatrixTransposeView(B);
    expectSame(mx.mtimes(A, Bt), naiveProduct(A, new Matrix(Bt)));
    expectSame(mx.times(A, mx.transpose(mx.transpose(B))), A.to2DArray().map((r, i) => r.map((v, j) => v * B.get(i, j))));
  });

  it('computes the reference cost and gradient with exactly the JS kernels\' bits', () => {
    const { X, y, params } = COST_CASE;
    const wasm = wasmKernelsInstance()!;
    const threaded = wasm.stats.threadedJobs;
    const got = referenceCostFunction(params, 400, 25, 10, X, y, 1);
    // On the two-thread path the jobs were shared with the worker; on the others never.
    const sharing = _name === 'WebAssembly, two threads';
    expect(wasm.stats.threadedJobs > threaded).toBe(sharing);
    setKernels('js');
    const want = referenceCostFunction(params, 400, 25, 10, X, y, 1);
    return use().then(() => {
      expect(Object.is(got.J, want.J)).toBe(true);
      expect(Array.from(got.grad)).toEqual(Array.from(want.grad));
      expect(Array.from(got.grad).every((g, i) => Object.is(g, want.grad[i]))).toBe(true);
    });
  });
});

describe('kept copies (WebAssembly)', () => {
  it('copies a result in never, and lists the non-zeros of an unchanged operand once for two products', () => {
    setKernels('wasm', { ...EVERYTHING, threads: false });
    const wasm = wasmKernelsInstance()!;
    const X = randomMatrix(200, 40, 0.7, 40);
    const a1 = mx.addBiasColumn(X); // computed in JS: copied in once
    const W = mx.times(randomMatrix(41, 25, 0, 41), 1);
    const before = { ...wasm.stats };
    const z = mx.mtimes(a1, W); // sparse A: lists a1's non-zeros
    const d = mx.transpose(mx.sigmoid(z)); // results: never copied in
    const G = mx.mtimes(d, a1); // sparse B: a1's non-zeros again, kept
    expect(wasm.stats.csrBuilds - before.csrBuilds).toBe(1);
    expect(wasm.stats.copiesIn - before.copiesIn).toBe(1);
    expectSame(G, naiveProduct(new Matrix(d.to2DArray()), new Matrix(a1.to2DArray())));
    a1.set(0, 1, 0.5); // changed: listed again
    expectSame(mx.mtimes(a1, W), naiveProduct(new Matrix(a1.to2DArray()), W));
    expect(wasm.stats.csrBuilds - before.csrBuilds).toBe(2);
  });
});

// ---- snapshots: lazy results, results kept in the WebAssembly memory, in-place changes -------

/** The values of M as rows of plain numbers (read through ml-matrix's own get). */
const valuesOfMatrix = (M: Matrix): number[][] => M.to2DArray();

describe.each(PATHS)('results and in-place changes (%s)', (_name, use) => {
  beforeAll(use);

  it('[ones X] and A\' are their values, and never change when X or A changes afterwards', () => {
    const X = mx.times(randomMatrix(40, 30, 0.7, 50), 1); // a kit result: shared, not copied
    const Xv = valuesOfMatrix(X);
    const a1 = mx.addBiasColumn(X);
    const Xt = mx.transpose(X);
    X.set(0, 0, 99); // ml-matrix's set
    X.mul(-2); // an in-place ml-matrix method
    (X as unknown as { data: Float64Array[] }).data[1][1] = 7; // through the rows
    expectSame(a1, Xv.map((r) => [1, ...r]));
    expectSame(Xt, Xv[0].map((_, j) => Xv.map((r) => r[j])));
    // What reads X now sees the new values.
    const now = valuesOfMatrix(X);
    expectSame(mx.addBiasColumn(X), now.map((r) => [1, ...r]));
    expectSame(mx.mtimes(mx.addBiasColumn(X), randomMatrix(31, 5, 0, 51)), naiveProduct(new Matrix(now.map((r) => [1, ...r])), randomMatrix(31, 5, 0, 51)));
  });

  it('a result changed in place by the student changes nothing else', () => {
    const A = randomMatrix(60, 70, 0.5, 52);
    const Av = valuesOfMatrix(A);
    const S = mx.sigmoid(A);
    const S2 = mx.sigmoid(A); // the same values again (computed once): a second, independent matrix
    const P = mx.mtimes(mx.addBiasColumn(S), randomMatrix(71, 9, 0, 53));
    const want = valuesOfMatrix(S);
    S.add(1); // in place
    S.set(0, 0, -5);
    expectSame(S2, want);
    expectSame(mx.sigmoid(A), want);
    expect(valuesOfMatrix(A)).toEqual(Av);
    expectSame(P, naiveProduct(new Matrix(want.map((r) => [1, ...r])), randomMatrix(71, 9, 0, 53)));
    // A changed result is read as it is now.
    const changed = valuesOfMatrix(S);
    expectSame(mx.times(S, 2), changed.map((r) => r.map((v) => v * 2)));
    // Results of the bias and the transpose are theirs to change too.
    const a1 = mx.addBiasColumn(A);
    const At = mx.transpose(A);
    a1.set(3, 0, 42);
    At.mul(0);
    expect(valuesOfMatrix(A)).toEqual(Av);
    expect(a1.get(3, 0)).toBe(42);
    expect(a1.get(4, 0)).toBe(1);
    expectSame(mx.transpose(A), Av[0].map((_, j) => Av.map((r) => r[j])));
  });

  it('multiplies [ones X] from either side like the naive loop: sparse and dense X, edge shapes, Infinity and NaN', () => {
    const cases: [number, number, number, number][] = [
      [50, 40, 0.75, 7], // sparse X: its non-zeros
      [33, 20, 0, 5], // dense X
      [1, 30, 0.5, 3],
      [12, 0, 0, 4], // X with no columns: a1 is a column of ones
      [0, 6, 0, 2], // no rows
      [300, 41, 0.8, 25], // the digits' shape, small
    ];
    for (const [m, n, zeros, h] of cases) {
      const X = mx.times(randomMatrix(m, n, zeros, 60 + m + n), 1);
      const a1 = mx.addBiasColumn(X);
      const a1v = m === 0 ? new Matrix(0, n + 1) : new Matrix(valuesOfMatrix(a1)); // [] has no column count
      const W = randomMatrix(n + 1, h, 0, 61 + h);
      expectSame(mx.mtimes(a1, W), naiveProduct(a1v, W));
      const D = randomMatrix(h, m, 0, 62 + h);
      expectSame(mx.mtimes(D, a1), naiveProduct(D, a1v));
      expectSame(mx.mtimes(mx.transpose(mx.times(randomMatrix(m, h, 0, 63), 1)), a1), naiveProduct(new Matrix(randomMatrix(m, h, 0, 63).transpose()), a1v));
    }
    // Infinity and NaN in the other operand: the zeros of X are not skipped.
    const X = mx.times(randomMatrix(40, 30, 0.8, 64), 1);
    const a1v = new Matrix(valuesOfMatrix(mx.addBiasColumn(X)));
    const W = randomMatrix(31, 6, 0, 65);
    W.set(0, 1, Infinity);
    W.set(7, 3, NaN);
    expectSame(mx.mtimes(mx.addBiasColumn(X), W), naiveProduct(a1v, W));
    const D = randomMatrix(4, 40, 0, 66);
    D.set(2, 9, -Infinity);
    expectSame(mx.mtimes(D, mx.addBiasColumn(X)), naiveProduct(D, a1v));
  });

  it('takes large operands in blocks (sums continued across blocks) with the naive loop\'s bits', () => {
    // A' of d2'·a1 larger than the cache (1,500 × 30), and a dense B larger than the cache.
    const X = mx.times(randomMatrix(1500, 50, 0.7, 70), 1);
    const a1v = new Matrix(valuesOfMatrix(mx.addBiasColumn(X)));
    const d2 = mx.times(randomMatrix(1500, 30, 0, 71), 1);
    expectSame(mx.mtimes(mx.transpose(d2), mx.addBiasColumn(X)), naiveProduct(new Matrix(valuesOfMatrix(mx.transpose(d2))), a1v));
    const B = mx.times(randomMatrix(1500, 26, 0, 72), 1);
    const A = randomMatrix(10, 1500, 0, 73);
    expectSame(mx.mtimes(A, B), naiveProduct(A, B));
  });

  it('follows a chain of 100 results like the JS loops (deep recipes get their values)', () => {
    let M: Matrix = randomMatrix(80, 60, 0.3, 74);
    let want = valuesOfMatrix(M);
    for (let t = 0; t < 100; t++) {
      M = t % 3 === 0 ? mx.plus(M, 0.5) : t % 3 === 1 ? mx.times(M, M) : mx.transpose(mx.transpose(mx.rdivide(M, 3)));
      want = want.map((r) => r.map((v) => (t % 3 === 0 ? v + 0.5 : t % 3 === 1 ? v * v : v / 3)));
    }
    expectSame(M, want);
  });
});

describe('results kept in the WebAssembly memory', () => {
  it('are computed again from their recipe, with the same bits, once the memory has been reused', () => {
    setKernels('wasm', { ...EVERYTHING, threads: false });
    const wasm = wasmKernelsInstance()!;
    const X = mx.times(randomMatrix(500, 400, 0.7, 80), 1);
    const W = mx.times(randomMatrix(401, 25, 0, 81), 1);
    const Z = mx.sigmoid(mx.mtimes(mx.addBiasColumn(X), W));
    const want = naiveProduct(new Matrix(valuesOfMatrix(mx.addBiasColumn(X))), W).map((r) => r.map((z) => 1 / (1 + Math.exp(-z))));
    const before = wasm.stats.recomputed;
    // 120 MB of other results: the memory Z's values were in is reused.
    for (let t = 0; t < 60; t++) mx.plus(mx.times(randomMatrix(500, 500, 0, 82), 1), t);
    expectSame(Z, want);
    expect(wasm.stats.recomputed).toBeGreaterThan(before);
    expectSame(mx.times(Z, 1), want);
  });

  it('list the non-zeros of the digits once for many cost evaluations (loadDigits gives FlatMatrix)', () => {
    setKernels('wasm', { threads: false });
    const wasm = wasmKernelsInstance()!;
    const { X, y } = loadDigits();
    expect(X).toBeInstanceOf(FlatMatrix);
    expect(X).toBeInstanceOf(Matrix);
    const Xs = X.subMatrix(0, 499, 0, 399); // plain ml-matrix copy of the first 500 images
    const rnd = seededRandom(83);
    const params = Float64Array.from({ length: 25 * 401 + 10 * 26 }, () => (rnd() - 0.5) * 0.24);
    const before = { ...wasm.stats };
    const first = referenceCostFunction(params, 400, 25, 10, X, y, 1);
    for (let t = 0; t < 3; t++) {
      const again = referenceCostFunction(params, 400, 25, 10, X, y, 1);
      expect(Object.is(again.J, first.J)).toBe(true);
      expect(Array.from(again.grad)).toEqual(Array.from(first.grad));
    }
    expect(wasm.stats.csrBuilds - before.csrBuilds).toBe(1);
    expect(wasm.stats.cscBuilds - before.cscBuilds).toBe(1);
    // The same numbers as the JS loops, and as a plain Matrix of the same images.
    setKernels('js');
    const js = referenceCostFunction(params, 400, 25, 10, X, y, 1);
    expect(Object.is(js.J, first.J)).toBe(true);
    expect(Array.from(js.grad).every((g, i) => Object.is(g, first.grad[i]))).toBe(true);
    setKernels('wasm', { threads: false });
    const part = referenceCostFunction(params, 400, 25, 10, Xs, y.slice(0, 500), 1);
    setKernels('js');
    const partJs = referenceCostFunction(params, 400, 25, 10, Xs, y.slice(0, 500), 1);
    expect(Object.is(part.J, partJs.J)).toBe(true);
    // X changed by the student: the next evaluation sees it (and the kit lists its non-zeros again).
    setKernels('wasm', { threads: false });
    X.set(0, 200, 0.5);
    const changed = referenceCostFunction(params, 400, 25, 10, X, y, 1);
    setKernels('js');
    const changedJs = referenceCostFunction(params, 400, 25, 10, X, y, 1);
    expect(Object.is(changed.J, changedJs.J)).toBe(true);
    expect(Object.is(changed.J, first.J)).toBe(false);
  });
});

describe('the pacer that pauses a worker starved of CPU', () => {
  it('pauses for 500 ms when three jobs within 200 ms waited more than 1 ms for the worker', () => {
    const pacer = new WorkerPacer();
    pacer.note(4, 2, 1.5, 1000);
    pacer.note(4, 2, 0.5, 1050); // not late
    pacer.note(4, 2, 2, 1100);
    expect(pacer.paused(1100)).toBe(false);
    pacer.note(4, 2, 3, 1150);
    expect(pacer.paused(1150)).toBe(true);
    expect(pacer.paused(1649)).toBe(true);
    expect(pacer.paused(1650)).toBe(false);
  });

  it('does not pause for late jobs spread over more than 200 ms', () => {
    const pacer = new WorkerPacer();
    for (let t = 0; t < 10; t++) {
      pacer.note(4, 2, 5, 1000 + 150 * t);
      expect(pacer.paused(1000 + 150 * t)).toBe(false);
    }
  });

  it('pauses when the worker\'s share of the chunks of large jobs falls below 35%, and not at 40%', () => {
    const fair = new WorkerPacer();
    for (let t = 0; t < 100; t++) fair.note(16, 10, 0, t); // the worker took 6 of 16 (37.5%)
    expect(fair.paused(100)).toBe(false);
    const starved = new WorkerPacer();
    let pausedAt = -1;
    for (let t = 0; t < 100 && pausedAt < 0; t++) {
      starved.note(16, 14, 0, t); // the worker took 2 of 16
      if (starved.paused(t)) pausedAt = t;
    }
    // 0.5 decays towards 0.125 by a tenth per job: below 0.35 after the 5th job.
    expect(pausedAt).toBe(4);
    // Small jobs (fewer than 8 chunks) do not count towards the share.
    const small = new WorkerPacer();
    for (let t = 0; t < 100; t++) small.note(4, 4, 0, t);
    expect(small.paused(100)).toBe(false);
  });

  it('never pauses when turned off', () => {
    const pacer = new WorkerPacer();
    pacer.enabled = false;
    for (let t = 0; t < 20; t++) pacer.note(16, 16, 5, t);
    expect(pacer.paused(20)).toBe(false);
    pacer.enabled = true;
    expect(pacer.paused(20)).toBe(true);
  });
});

describe('the arena of the WebAssembly memory', () => {
  it('reuses the oldest blocks first, never a pinned one, and grows only when told', () => {
    const arena = new Arena(1000, 1000 + 64 * 30); // room for three blocks of 640 bytes
    const a = arena.alloc(500)!; // 640 bytes with padding
    const b = arena.alloc(500)!;
    const c = arena.alloc(500)!;
    expect([a.offset, b.offset, c.offset]).toEqual([1000, 1640, 2280]);
    a.pins = b.pins = c.pins = 0;
    const d = arena.alloc(500)!; // wraps: a was the oldest
    expect(d.offset).toBe(1000);
    expect([a.live, b.live, c.live]).toEqual([false, true, true]);
    d.pins = 0;
    b.pins = 1; // in use: steps over it
    const e = arena.alloc(500)!;
    expect(e.offset).toBe(2280);
    expect([b.live, c.live]).toEqual([true, false]);
    expect(arena.alloc(5000)).toBeUndefined(); // larger than the ring
    e.pins = 1;
    expect(arena.alloc(1200)).toBeUndefined(); // only pinned blocks left where it would fit
    arena.extendTo(1000 + 64 * 80);
    expect(arena.alloc(1200)!.offset).toBe(2920);
  });
});

// ---- the storage class ------------------------------------------------------------------

describe('FlatMatrix (the results\' storage)', () => {
  it('is a real ml-matrix Matrix that works with its methods', () => {
    const M = new FlatMatrix(2, 3, Float64Array.from([1, 2, 3, 4, 5, 6]));
    expect(M).toBeInstanceOf(Matrix);
    expect(Matrix.isMatrix(M)).toBe(true);
    expect(M.to2DArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(M.mmul(Matrix.eye(3)).to2DArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(M.transpose().to2DArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(M.clone().to2DArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(M.getColumn(2)).toEqual([3, 6]);
    expect(M.sum()).toBe(21);
    M.add(1).mul(2);
    expect(M.to2DArray()).toEqual([[4, 6, 8], [10, 12, 14]]);
    M.removeColumn(0);
    M.addRow(0, [0, 0]);
    expect(M.to2DArray()).toEqual([[0, 0], [6, 8], [12, 14]]);
    expect(Array.from(storageOf(M))).toEqual([0, 0, 6, 8, 12, 14]);
    expect(JSON.stringify(new FlatMatrix(1, 2))).toBe('[[0,0]]');
  });

  it('hands out its rows as views of its storage only on demand', () => {
    const M = new FlatMatrix(2, 2, Float64Array.from([1, 2, 3, 4]));
    M.set(0, 1, 9);
    M.mul(2);
    const rows = M.data;
    expect(rows.map((r) => Array.from(r))).toEqual([[2, 18], [6, 8]]);
    rows[1][0] = -1;
    expect(M.get(1, 0)).toBe(-1);
    expect(storageOf(M)).toBe(storageOf(M)); // still its own storage while the rows are intact
  });

  it('rejects bad dimensions and storage of the wrong length', () => {
    expect(() => new FlatMatrix(-1, 2)).toThrow('FlatMatrix: dimensions must be non-negative integers, got -1×2');
    expect(() => new FlatMatrix(2, 2, new Float64Array(3))).toThrow('FlatMatrix: 2×2 needs 4 values, got 3');
  });
});

// ---- the shipped binary -----------------------------------------------------------------

describe('the shipped WebAssembly binary', () => {
  it('is exactly what kernels.wat compiles to (npm run build:wasm), and wasmBinary.ts embeds it', async () => {
    const bytes = await compileKernels();
    expect(Buffer.from(readFileSync(KERNEL_FILES.binary)).equals(Buffer.from(bytes))).toBe(true);
    expect(readFileSync(KERNEL_FILES.module, 'utf8')).toBe(moduleSource(bytes));
  });
});

// ---- threads and the places the kit runs ----------------------------------------------------

/** Bundles `source` (TypeScript, importing the kit from the repository root) into a .mjs file. */
async function bundleScript(dir: string, source: string, name = 'script.mjs'): Promise<string> {
  const out = join(dir, name);
  await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts', sourcefile: 'script.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'silent',
  });
  return out;
}

/** A script that multiplies a full-size sparse product on the kernels chosen by default and checks it against the JS kernels. */
const PRODUCT_SCRIPT = `
import { Matrix } from 'ml-matrix';
import { addBiasColumn, mtimes, sigmoid, transpose } from './exercises/lib/matrix';
import { kernels, setKernels, wasmKernelsInstance } from './exercises/lib/kernels';
const m = Number(process.argv[2] ?? 500);
const X = new Matrix(m, 400);
for (let i = 0; i < m; i++) for (let j = 0; j < 400; j++) if ((i * 7 + j * 13) % 10 > 6) X.set(i, j, Math.sin(i + j));
const W = new Matrix(25, 401);
for (let i = 0; i < 25; i++) for (let j = 0; j < 401; j++) W.set(i, j, Math.cos(i * 401 + j) / 10);
const name = kernels().name;
const wasm = wasmKernelsInstance();
if (wasm) Object.assign(wasm.options, { threads: true, threadMinWork: 0 });
const started = wasm ? await wasm.startThread(1500) : false;
const run = () => { const a1 = addBiasColumn(X); const z = mtimes(a1, transpose(W)); return [z, mtimes(transpose(sigmoid(z)), a1)]; };
const got = run();
setKernels('js');
const want = run();
const same = got.every((G, t) => { const w = want[t].to1DArray(); return G.to1DArray().every((v, i) => Object.is(v, w[i])); });
console.log(JSON.stringify({ name, started, same }));
`;

describe('threads and the places the kit runs', () => {
  let dir: string;
  let script: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kernels-test-'));
    script = await bundleScript(dir, PRODUCT_SCRIPT);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const runNode = (args: string[], shell?: string) => {
    const r = shell
      ? spawnSync('bash', ['-c', `${shell}; exec "${process.execPath}" ${args.map((a) => `'${a}'`).join(' ')}`], { encoding: 'utf8', timeout: 30_000 })
      : spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, out: r.stdout.trim(), err: r.stderr, error: r.error };
  };

  it('uses the worker where allowed, and the process exits on its own (the worker is unref\'d)', () => {
    const started = Date.now();
    const r = runNode([script]);
    expect(r.error).toBeUndefined();
    expect(r.status, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ name: 'wasm', started: true, same: true });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('runs on one thread, silently, under the permission model without --allow-worker (the sandbox)', () => {
    const flag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
    const r = runNode([flag, `--allow-fs-read=${dir}`, '--no-warnings', script]);
    expect(r.status, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toEqual({ name: 'wasm', started: false, same: true });
  });

  it('falls back to the JS kernels where WebAssembly is unavailable (node --jitless)', () => {
    const r = runNode(['--jitless', script]);
    expect(r.status, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ name: 'js', started: false, same: true });
  });

  it('fits a full-size product in a 1 GB data limit (RLIMIT_DATA, as the sandbox may set)', () => {
    const r = runNode([script, '5000'], 'ulimit -d 1048576');
    expect(r.status, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ name: 'wasm', started: true, same: true });
  });

  it('compiles the WebAssembly module only when an operation is large enough for it', async () => {
    const probe = await bundleScript(
      dir,
      `import { mtimes, ones, sigmoid } from './exercises/lib/matrix';
       import { wasmModuleLoaded } from './exercises/lib/kernels';
       sigmoid(mtimes(ones(16, 2), ones(2, 4)));
       const small = wasmModuleLoaded();
       sigmoid(mtimes(ones(300, 30), ones(30, 20)));
       console.log(JSON.stringify({ small, large: wasmModuleLoaded() }));`,
      'probe.mjs',
    );
    const r = runNode([probe]);
    expect(r.status, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ small: false, large: true });
  });

  it('works when the caller is itself a worker thread (no deadlock)', async () => {
    const worker = new Worker(
      `import(${JSON.stringify(script)}).catch((e) => { console.error(e); process.exit(1); });`,
      { eval: true, argv: ['800'], stdout: true },
    );
    let out = '';
    worker.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number>((res) => worker.on('exit', res));
    expect(code).toBe(0);
    expect(JSON.parse(out.trim())).toEqual({ name: 'wasm', started: true, same: true });
  });

  it('ends the worker on request and starts a new one when needed', async () => {
    setKernels('wasm', { ...EVERYTHING, threads: true });
    const wasm = wasmKernelsInstance()!;
    expect(await wasm.startThread()).toBe(true);
    await closeKernelThread();
    expect(wasm.threadReady).toBe(false);
    const A = randomMatrix(60, 50, 0.5, 20);
    const B = randomMatrix(50, 40, 0, 21);
    expectSame(mx.mtimes(A, B), naiveProduct(A, B)); // on one thread; starts a new worker
    expect(await wasm.startThread()).toBe(true);
    expectSame(mx.mtimes(A, B), naiveProduct(A, B));
    await closeKernelThread();
  });
});

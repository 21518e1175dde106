import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { checkNNGradients } from '../exercises/lib/checkNNGradients';
import { debugInitializeWeights } from '../exercises/lib/debugInitializeWeights';
import { unroll } from '../exercises/lib/matrix';
import { predict } from '../exercises/lib/predict';
import { seededRandom } from '../exercises/lib/random';
import * as solutions from '../solutions/index';

const silent = () => {};

describe('seededRandom', () => {
  it('is deterministic per seed, uniform in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 10 }, () => c())).not.toEqual(xs.slice(0, 10));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });
});

describe('debugInitializeWeights', () => {
  it('is reshape(sin(1:6), 2, 3) / 10 for (2, 2), column-major', () => {
    // sin(1..6) = 0.8414709848 0.9092974268 0.1411200081 -0.7568024953 -0.9589242747 -0.2794154982
    const W = debugInitializeWeights(2, 2);
    const expected = [
      [0.08414709848, 0.01411200081, -0.09589242747],
      [0.09092974268, -0.07568024953, -0.02794154982],
    ];
    expect(W.rows).toBe(2);
    expect(W.columns).toBe(3);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expect(W.get(i, j)).toBeCloseTo(expected[i][j], 10);
    expect(debugInitializeWeights(5, 3).get(4, 3)).toBe(Math.sin(20) / 10);
  });
});

describe('sigmoidGradient (solution)', () => {
  it('matches ex4.m at [-1 -0.5 0 0.5 1]', () => {
    const g = solutions.sigmoidGradient(new Matrix([[-1, -0.5, 0, 0.5, 1]]));
    const expected = [0.196612, 0.235004, 0.25, 0.235004, 0.196612];
    expected.forEach((v, j) => expect(g.get(0, j)).toBeCloseTo(v, 6));
    expect(g.get(0, 2)).toBe(0.25);
  });
  it('matches the Coursera grader input reshape(3*sin(1:30), 3, 10) element by element', () => {
    const z = new Matrix(3, 10);
    for (let p = 0; p < 30; p++) z.set(p % 3, Math.floor(p / 3), 3 * Math.sin(p + 1));
    const g = solutions.sigmoidGradient(z);
    for (let p = 0; p < 30; p++) {
      const s = 1 / (1 + Math.exp(-3 * Math.sin(p + 1)));
      expect(g.get(p % 3, Math.floor(p / 3))).toBeCloseTo(s * (1 - s), 15);
    }
  });
});

describe('randInitializeWeights (solution)', () => {
  it('has the shape lOut×(1+lIn), values in [-0.12, 0.12], centred, reproducible from the source', () => {
    const W = solutions.randInitializeWeights(400, 25, seededRandom(7));
    expect([W.rows, W.columns]).toEqual([25, 401]);
    const v = W.to1DArray();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-0.12);
    expect(Math.max(...v)).toBeLessThanOrEqual(0.12);
    expect(Math.min(...v)).toBeLessThan(-0.11);
    expect(Math.max(...v)).toBeGreaterThan(0.11);
    expect(Math.abs(v.reduce((s, x) => s + x, 0) / v.length)).toBeLessThan(0.01);
    expect(solutions.randInitializeWeights(400, 25, seededRandom(7)).to2DArray()).toEqual(W.to2DArray());
    expect(solutions.randInitializeWeights(400, 25, seededRandom(8)).to2DArray()).not.toEqual(W.to2DArray());
  });
  it('draws only from the given source, (lOut·(1+lIn)) times', () => {
    let calls = 0;
    const W = solutions.randInitializeWeights(2, 3, () => (calls++, 0.5));
    expect(calls).toBe(9);
    expect(W.to2DArray().flat().every((x) => Math.abs(x) < 1e-15)).toBe(true);
  });
});

describe('computeNumericalGradient (solution)', () => {
  it('gives central differences and leaves theta alone', () => {
    const theta = Float64Array.from([1, -2, 0.5]);
    const J = (t: Float64Array) => t[0] ** 3 + t[0] * t[1] + Math.sin(t[2]);
    const g = solutions.computeNumericalGradient(J, theta);
    expect(Array.from(theta)).toEqual([1, -2, 0.5]);
    // the central difference of x^3 has error exactly e^2 = 1e-8
    expect(g[0]).toBeCloseTo(3 * 1 - 2 + 1e-8, 9);
    expect(g[1]).toBeCloseTo(1, 9);
    expect(g[2]).toBeCloseTo(Math.cos(0.5), 8);
  });
});

describe('checkNNGradients with the solutions', () => {
  it.each([0, 3])('relative difference < 1e-9 at λ = %d', (lambda) => {
    const lines: string[] = [];
    const d = checkNNGradients(lambda, solutions, (l) => lines.push(l));
    expect(d).toBeLessThan(1e-9);
    expect(d).toBeGreaterThan(0);
    expect(lines).toHaveLength(38 + 5); // header, 38 rows, 4 closing lines
    expect(lines.at(-1)).toBe(`Relative Difference: ${d.toExponential(6)}`);
  });

  it('catches a wrong gradient', () => {
    const broken = {
      ...solutions,
      nnCostFunction: (...args: Parameters<typeof solutions.nnCostFunction>) => {
        const r = solutions.nnCostFunction(...args);
        return { J: r.J, grad: Array.from(r.grad, (g) => g * 1.01) };
      },
    };
    expect(checkNNGradients(0, broken, silent)).toBeGreaterThan(1e-3);
  });

  it.each([
    [1, 1, 2, 3, 0.5, 1],
    [4, 2, 3, 7, 0, 2],
    [6, 7, 4, 12, 2, 3],
    [2, 5, 2, 1, 1, 4],
  ])('random shapes: n=%d h=%d K=%d m=%d λ=%d (seed %d)', (n, h, K, m, lambda, seed) => {
    const rnd = seededRandom(seed);
    const params = unroll(solutions.randInitializeWeights(n, h, rnd).mul(10), solutions.randInitializeWeights(h, K, rnd).mul(10));
    const X = Matrix.rand(m, n, { random: rnd }).sub(0.5);
    const y = Array.from({ length: m }, (_, i) => 1 + ((i * 7 + seed) % K));
    const J = (p: Float64Array) => solutions.nnCostFunction(p, n, h, K, X, y, lambda).J;
    const { grad } = solutions.nnCostFunction(params, n, h, K, X, y, lambda);
    const num = solutions.computeNumericalGradient(J, params);
    let d2 = 0;
    let s2 = 0;
    for (let p = 0; p < num.length; p++) {
      d2 += (num[p] - grad[p]) ** 2;
      s2 += (num[p] + grad[p]) ** 2;
    }
    expect(grad.length).toBe(h * (n + 1) + K * (h + 1));
    expect(Math.sqrt(d2 / s2)).toBeLessThan(1e-9);
  });
});

describe('predict', () => {
  it('returns the 1-based argmax, ties to the first', () => {
    // Hidden layer: one unit that copies the input's sign; outputs built to prefer label 2 for x > 0.
    const Theta1 = new Matrix([[0, 20]]);
    const Theta2 = new Matrix([
      [0, 0],
      [-10, 20],
      [0, 0],
    ]);
    const X = new Matrix([[1], [-1]]);
    // x = 1: a2 ≈ [1 1] -> outputs g(0), g(10), g(0) -> 2.  x = -1: a2 ≈ [1 0] -> g(0), g(-10), g(0) -> tie of 1 and 3 -> 1
    expect(predict(Theta1, Theta2, X)).toEqual([2, 1]);
  });
});

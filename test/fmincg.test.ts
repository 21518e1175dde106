import { describe, expect, it } from 'vitest';
import { fmincg, formatExp, iterationLine } from '../exercises/lib/fmincg';
import { callErrorMessage } from '../grader/messages/call-errors';

function rosenbrock(t: Float64Array) {
  const [x, y] = t;
  return {
    J: 100 * (y - x * x) ** 2 + (1 - x) ** 2,
    grad: [-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)],
  };
}

function nonIncreasing(costs: number[]): boolean {
  return costs.every((c, i) => i === 0 || c <= costs[i - 1]);
}

describe('fmincg', () => {
  it('minimizes the Rosenbrock function from (-1.2, 1) to (1, 1)', () => {
    const lines: string[] = [];
    const start = [-1.2, 1];
    const r = fmincg(rosenbrock, start, { maxIter: 200, log: (l) => lines.push(l) });
    expect(r.theta[0]).toBeCloseTo(1, 5);
    expect(r.theta[1]).toBeCloseTo(1, 5);
    expect(r.costs.at(-1)!).toBeLessThan(1e-10);
    expect(nonIncreasing(r.costs)).toBe(true);
    expect(start).toEqual([-1.2, 1]); // input untouched
    expect(lines).toHaveLength(r.costs.length);
    expect(lines[0]).toMatch(/^Iteration {4}1 \| Cost: \d\.\d{6}e[+-]\d{2}$/);
    expect(r.iterations).toBeLessThanOrEqual(200);
  });

  it('finds the minimum of a convex quadratic 1/2 x\'Ax - b\'x (x* = A⁻¹b) in about n iterations', () => {
    // A = tridiag(-1, 4, -1) of size 10, b = 1..10.
    const n = 10;
    const A = (x: Float64Array, k: number) => 4 * x[k] - (k > 0 ? x[k - 1] : 0) - (k < n - 1 ? x[k + 1] : 0);
    const b = Float64Array.from({ length: n }, (_, k) => k + 1);
    const f = (x: Float64Array) => {
      const grad = new Float64Array(n);
      let J = 0;
      for (let k = 0; k < n; k++) {
        const ax = A(x, k);
        grad[k] = ax - b[k];
        J += 0.5 * x[k] * ax - b[k] * x[k];
      }
      return { J, grad };
    };
    const r = fmincg(f, new Float64Array(n), { maxIter: 50, log: () => {} });
    for (let k = 0; k < n; k++) expect(A(r.theta, k)).toBeCloseTo(b[k], 6);
    expect(nonIncreasing(r.costs)).toBe(true);
    const jStar = -0.5 * r.theta.reduce((s, v, k) => s + v * b[k], 0); // J(x*) = -1/2 b'x*
    expect(r.costs.at(-1)!).toBeCloseTo(jStar, 8);
  });

  it('stops after maxIter iterations and keeps the cost history', () => {
    const r = fmincg(rosenbrock, [-1.2, 1], { maxIter: 5, log: () => {} });
    expect(r.iterations).toBe(5);
    expect(r.costs.length).toBeLessThanOrEqual(5);
    expect(r.costs[0]).toBeLessThan(rosenbrock(Float64Array.from([-1.2, 1])).J);
  });

  it('stops cleanly at a minimum (line searches fail twice)', () => {
    const r = fmincg((x) => ({ J: x[0] * x[0], grad: [2 * x[0]] }), [0], { maxIter: 100, log: () => {} });
    expect(r.theta[0]).toBe(0);
    expect(r.iterations).toBeLessThan(5);
  });

  it('rejects a gradient of the wrong length', () => {
    expect(() => fmincg(() => ({ J: 0, grad: [1] }), [0, 0], { maxIter: 3 })).toThrow(
      'fmincg: the cost function returned a gradient of length 1, expected 2',
    );
    // With its catalogue description, so the walkthrough says it in the student's language.
    let thrown: unknown;
    try {
      fmincg(() => ({ J: 0, grad: [1] }), [0, 0], { maxIter: 3 });
    } catch (e) {
      thrown = e;
    }
    expect((thrown as { kit?: unknown }).kit).toEqual({ kind: 'fmincg-grad-length', params: { length: 1, expected: 2 } });
    const asSent = { code: 'threw' as const, message: String(thrown), params: { error: String(thrown), kit: 'fmincg-grad-length', 'k.length': 1, 'k.expected': 2 } };
    expect(callErrorMessage('nnCostFunction', asSent, 'zh-CN')).toBe('`nnCostFunction` 抛出了异常：Error：fmincg：代价函数返回的梯度长度是 1，应为 2');
  });

  it('prints like Octave\'s %4i and %4.6e', () => {
    expect(iterationLine(7, 0.28762916516131876)).toBe('Iteration    7 | Cost: 2.876292e-01');
    expect(iterationLine(12345, 3.2953)).toBe('Iteration 12345 | Cost: 3.295300e+00');
    expect(formatExp(1.5e-123)).toBe('1.500000e-123');
    expect(formatExp(0)).toBe('0.000000e+00');
  });
});

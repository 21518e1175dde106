/** The part judges on synthetic results (no sandbox): exact student-facing messages. */
import { describe, expect, it } from 'vitest';
import { courseraNnInputs } from '../grader/cases/public';
import type { GradingCase, RandInitCase } from '../grader/cases/types';
import { PART_DEFINITIONS } from '../grader/parts/index';
import type { CallResult } from '../grader/parts/types';
import type { CallObservations, WireValue } from '../grader/sandbox/protocol';

const ctx = { tolerance: { atol: 1e-9, rtol: 1e-6 } };
const ok = (value: WireValue, observations: CallObservations = {}): CallResult => ({ value, observations });
const costGrad = (J: number, grad: number[]): WireValue => ({ kind: 'cost-and-gradient', J: { kind: 'number', value: J }, grad: { kind: 'array', data: grad } });

const nnCase = (lambda: number, expected: { J: number; grad: number[] }): GradingCase => ({
  id: 'x',
  family: lambda ? 'nn-reg' : 'nn-unreg',
  name: 'x',
  hidden: false,
  inputs: courseraNnInputs(lambda),
  expected,
});
const expected = { J: 3.087449158158643, grad: Array.from({ length: 32 }, (_, i) => Math.sin(i + 1) / 10) };

describe('the nnCostFunction parts judge their own quantity', () => {
  it('a right J with a wrong grad passes the cost part and fails the gradient part', () => {
    const r = [ok(costGrad(expected.J, expected.grad.map((g) => g * 2)))];
    expect(PART_DEFINITIONS['feedforward-cost'].judge(nnCase(0, expected), r, ctx).passed).toBe(true);
    expect(PART_DEFINITIONS['backprop-gradient'].judge(nnCase(0, expected), r, ctx).passed).toBe(false);
  });

  it('J = 0 and an all-zero grad ask whether the part is written yet', () => {
    const r = [ok(costGrad(0, new Array(32).fill(0)))];
    expect(PART_DEFINITIONS['feedforward-cost'].judge(nnCase(0, expected), r, ctx).message).toBe(
      '`nnCostFunction` returned J = 0, expected 3.087449 (absolute error 3.1e+0, relative error 1.0e+0). J is exactly 0: have you written Part 1 (feedforward and cost) yet?',
    );
    expect(PART_DEFINITIONS['backprop-gradient'].judge(nnCase(0, expected), r, ctx).message).toBe(
      '`nnCostFunction` returned grad with all 32 elements 0: have you written Part 3 (backpropagation) yet?',
    );
    expect(PART_DEFINITIONS['regularized-gradient'].judge(nnCase(1.5, expected), r, ctx).message).toBe(
      '`nnCostFunction` returned grad with all 32 elements 0: have you written Parts 3 and 4 (backpropagation and its regularization) yet?',
    );
  });

  it('something other than { J, grad } is a type failure for every part', () => {
    const r = [ok({ kind: 'number', value: 1 })];
    expect(PART_DEFINITIONS['regularized-cost'].judge(nnCase(1.5, expected), r, ctx).message).toBe(
      '`nnCostFunction` returned the number 1, expected an object { J, grad } (the cost and its gradient unrolled as [Theta1_grad(:); Theta2_grad(:)]).',
    );
  });
});

describe('numerical-gradient', () => {
  const c: GradingCase = {
    id: 'n',
    family: 'numgrad',
    name: 'n',
    hidden: false,
    inputs: { J: 'sin-sum', params: {}, theta: [1, 2] },
    expected: { numgrad: [0.5, -0.25] },
  };
  it('theta must be left unmodified', () => {
    const r = [ok({ kind: 'float64array', data: [0.5, -0.25] }, { thetaModified: true, jCalls: 4 })];
    expect(PART_DEFINITIONS['numerical-gradient'].judge(c, r, ctx).message).toBe(
      "`computeNumericalGradient` changed theta: after the call it no longer held the values it was given. Perturb a copy (or put each entry back exactly as it was) so that the caller's theta is left unmodified.",
    );
  });
  it('a tolerance tight enough for a one-sided difference (error ~1e-4)', () => {
    const r = [ok({ kind: 'float64array', data: [0.5 + 5e-5, -0.25] }, { jCalls: 3 })];
    expect(PART_DEFINITIONS['numerical-gradient'].judge(c, r, ctx).message).toMatch(
      /J was called 3 times; central differences call it twice per element of theta \(2×2 = 4\)/,
    );
  });
});

describe('random-init properties', () => {
  const c: RandInitCase = { id: 'r', family: 'rand-init', name: 'r', hidden: false, inputs: { lIn: 3, lOut: 5, seed: 1, otherSeed: 2 } };
  const judge = (mats: number[][][], obs: CallObservations = { randomDraws: 20, mathRandomCalls: 0 }) =>
    PART_DEFINITIONS['random-init'].judge(c, mats.map((m) => ok({ kind: 'matrix', rows: m.length, columns: m[0].length, data: m }, obs)), ctx);
  /** A 5×4 matrix of uniform-looking values in [lo, hi], varied by k. */
  const W = (k: number, lo = -0.12, hi = 0.12) => Array.from({ length: 5 }, (_, i) => Array.from({ length: 4 }, (_, j) => lo + ((hi - lo) * (((i * 4 + j) * 7 + k * 3) % 20)) / 19));

  it('a correct draw passes', () => {
    expect(judge([W(1), W(1), W(2)]).passed).toBe(true);
  });
  it('names each failed property', () => {
    expect(judge([W(1).slice(0, 4), W(1), W(2)]).message).toBe(
      '`randInitializeWeights` returned W as a 4×4 matrix, expected 5×4 (lOut = 5 rows, 1 + lIn = 4 columns: the bias column is included).',
    );
    expect(judge([W(1), W(1), W(2)], { randomDraws: 20, mathRandomCalls: 20 }).message).toMatch(/called Math\.random \(20 times in one call\)/);
    expect(judge([W(1), W(1), W(2)], { randomDraws: 0, mathRandomCalls: 0 }).message).toMatch(/never called its `random` argument/);
    expect(judge([W(1, -0.5, 0.5), W(1, -0.5, 0.5), W(2, -0.5, 0.5)]).message).toBe(
      '`randInitializeWeights` returned W(1, 1) = -0.3421053, outside [−0.12, 0.12]. Use W = rand·2ε − ε with ε = 0.12.',
    );
    expect(judge([W(1), W(3), W(2)]).message).toMatch(/^`randInitializeWeights` returned different weights for two calls with the same seeded `random` source/);
    expect(judge([W(1), W(1), W(1)]).message).toBe(
      '`randInitializeWeights` returned the same weights for two different `random` sources: the weights must come from random().',
    );
    const zeros = [[...Array(5)].map(() => [0, 0, 0, 0])];
    expect(judge([zeros[0], zeros[0], zeros[0].map((r) => r.slice())]).message).toMatch(/the same weights for two different/);
    expect(judge([W(1, 0, 0.12), W(1, 0, 0.12), W(2, 0, 0.12)]).message).toBe(
      '`randInitializeWeights`: every weight is ≥ 0. The weights should be spread over [−0.12, 0.12], centred on 0: W = rand·2ε − ε.',
    );
    expect(judge([W(1, -0.01, 0.01), W(1, -0.01, 0.01), W(2, -0.01, 0.01)]).message).toMatch(/the weights only reach ±0\.01; uniform in \[−ε, ε\] with ε = 0\.12/);
  });
});

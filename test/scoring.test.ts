import { describe, expect, it } from 'vitest';
import { selectParts } from '../grader/parts/index';
import { partStatus, scorePart, totalScore } from '../grader/scoring';

describe('presets', () => {
  it('full: 25/10/5/5/35/10/10 = 100, in the guide\'s step order', () => {
    const parts = selectParts({ preset: 'full', points: {} });
    expect(parts.map((p) => [p.definition.id, p.maxScore])).toEqual([
      ['feedforward-cost', 25],
      ['regularized-cost', 10],
      ['sigmoid-gradient', 5],
      ['random-init', 5],
      ['backprop-gradient', 35],
      ['regularized-gradient', 10],
      ['numerical-gradient', 10],
    ]);
    expect(totalScore(parts.map((p) => ({ score: p.maxScore, maxScore: p.maxScore })))).toEqual({ score: 100, maxScore: 100 });
  });

  it("coursera: only Coursera's five parts, 30/15/5/40/10 = 100", () => {
    const parts = selectParts({ preset: 'coursera', points: {} });
    expect(parts.map((p) => [p.definition.id, p.maxScore])).toEqual([
      ['feedforward-cost', 30],
      ['regularized-cost', 15],
      ['sigmoid-gradient', 5],
      ['backprop-gradient', 40],
      ['regularized-gradient', 10],
    ]);
    expect(totalScore(parts.map((p) => ({ score: p.maxScore, maxScore: p.maxScore }))).maxScore).toBe(100);
  });

  it('points overrides apply to parts of the preset only', () => {
    expect(selectParts({ preset: 'full', points: { 'random-init': 15 } }).find((p) => p.definition.id === 'random-init')?.maxScore).toBe(15);
    expect(() => selectParts({ preset: 'coursera', points: { 'random-init': 5 } })).toThrow(
      'points for "random-init": that part is not graded under the "coursera" preset',
    );
    expect(() => selectParts({ preset: 'full', points: { 'random-init': -1 } })).toThrow('must be a number ≥ 0');
  });
});

describe('a part scores all or nothing by default', () => {
  it('all passed: full points; one case failed: 0', () => {
    expect(scorePart(35, ['passed', 'passed', 'passed'], false)).toBe(35);
    expect(scorePart(35, ['passed', 'failed', 'passed'], false)).toBe(0);
    expect(scorePart(35, [], false)).toBe(0);
  });
  it('partial credit: in proportion to the cases passed, 2 decimals', () => {
    expect(scorePart(35, ['passed', 'failed', 'passed', 'errored'], true)).toBe(17.5);
    expect(scorePart(10, ['passed', 'failed', 'failed'], true)).toBe(3.33);
    expect(scorePart(10, ['passed', 'passed', 'passed'], true)).toBe(10);
    expect(scorePart(10, ['failed'], true)).toBe(0);
  });
  it('totals are the sums, rounded to 2 decimals', () => {
    expect(totalScore([{ score: 3.33, maxScore: 10 }, { score: 3.33, maxScore: 10 }, { score: 0.1, maxScore: 0.2 }])).toEqual({ score: 6.76, maxScore: 20.2 });
  });
});

describe('status', () => {
  it('passed only when every case passed; errored when some case got no answer; else failed', () => {
    expect(partStatus(['passed', 'passed'])).toBe('passed');
    expect(partStatus(['passed', 'failed'])).toBe('failed');
    expect(partStatus(['failed', 'errored'])).toBe('errored');
    expect(partStatus([])).toBe('failed');
  });
});

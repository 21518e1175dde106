/**
 * Sealed hidden cases (issue 9, docs/sealed-fixtures.md): the cell arithmetic, the reference
 * solutions and three correct implementations (one with deliberately different rounding) on 1,000
 * seeds without the slow hash (0 false failures allowed), and the full path (shipped sealed file,
 * real scrypt) on a few seeds.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../grader/api';
import { buildCaseSet, CASE_FAMILIES, generateHidden, type GradingCase, type StoredReference } from '../grader/cases/index';
import { requestsFor } from '../grader/cases/requests';
import { DEFAULT_OPTIONS } from '../grader/options';
import { selectParts } from '../grader/parts/index';
import type { CallResult } from '../grader/parts/types';
import { PACKAGE_ROOT } from '../grader/paths';
import {
  cellExponent,
  centre,
  centredCells,
  centredDistance,
  GRID_EDGE,
  GRID_HALF_WIDTH,
  gridCandidates,
  gridCells,
  OFFSET_STEPS,
} from '../grader/reference/cells';
import { loadPublicFixtures } from '../grader/reference/fixtures';
import { buildSealed, expectedValues, POOL_SEED, POOL_SIZE, SEALED_FAMILIES, sealTolerance } from '../grader/reference/seal-build';
import { verifierFor, type KdfParams } from '../grader/reference/sealed';
import { fillExpected } from '../grader/reference/live';
import { openSandbox } from '../grader/sandbox/index';
import type { CallOutcome, Sandbox } from '../grader/sandbox/protocol';
import { scorePart } from '../grader/scoring';
import * as reference from '../solutions/index';

const SUBMISSIONS = join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions');
const limits = { timeoutMs: 10_000, heapMb: 256, outputCapBytes: 64 * 1024 };

/** A deterministic generator for the property tests. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('cells', () => {
  const tol = { atol: 1e-9, rtol: 1e-6 };

  it('a cell is a power of two just under the tolerance: h·(1 + 1/256) <= tol < 2h·(1 + 1/256)', () => {
    const rnd = lcg(1);
    for (let i = 0; i < 10_000; i++) {
      const e = (rnd() - 0.5) * 10 ** (rnd() * 10 - 6);
      const h = 2 ** cellExponent(e, tol);
      const t = tol.atol + tol.rtol * Math.abs(e);
      expect(h * (1 + 1 / OFFSET_STEPS)).toBeLessThanOrEqual(t);
      expect(2 * h * (1 + 1 / OFFSET_STEPS)).toBeGreaterThan(t);
    }
    expect(2 ** cellExponent(0, { atol: 2 ** -30, rtol: 0 })).toBe(2 ** -31); // exact powers of two stay below
  });

  it('centred: the expected value is in its own cells; within 0.99 h passes, beyond tol never does', () => {
    const rnd = lcg(2);
    for (let i = 0; i < 2000; i++) {
      const e = Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => (rnd() - 0.5) * 10 ** (rnd() * 8 - 5));
      const { layout, cells } = centre(e, tol);
      expect(centredCells(e, layout)).toEqual(cells);
      const p = Math.floor(rnd() * e.length);
      const h = 2 ** layout.exps[p];
      const t = tol.atol + tol.rtol * Math.abs(e[p]);
      const near = e.slice();
      near[p] += (rnd() < 0.5 ? -1 : 1) * 0.99 * h * (1 - 2 / OFFSET_STEPS);
      expect(centredCells(near, layout)).toEqual(cells);
      const far = e.slice();
      far[p] += (rnd() < 0.5 ? -1 : 1) * t * (1 + 1e-9);
      expect(centredCells(far, layout)).not.toEqual(cells);
      expect(centredDistance(e, e, layout)).toBeLessThanOrEqual(1 / OFFSET_STEPS + 1e-12);
    }
  });

  it('centred: NaN, Infinity and a wrong length never have cells', () => {
    const { layout } = centre([0.5, -2], tol);
    expect(centredCells([Number.NaN, -2], layout)).toBeNull();
    expect(centredCells([0.5, Infinity], layout)).toBeNull();
    expect(centredCells([0.5], layout)).toBeNull();
    expect(() => centre([Infinity], tol)).toThrow(/cannot be sealed/);
  });

  it('grid: an element near an edge tries both cells; too many ambiguous elements fail', () => {
    const w = 2 * GRID_HALF_WIDTH;
    const v = [0.3, -0.7, 5 * w + 0.5 * GRID_EDGE * w, 9 * w - 0.5 * GRID_EDGE * w];
    const base = gridCells(v);
    const cands = gridCandidates(v) ?? [];
    expect(cands).toHaveLength(4);
    expect(cands[0]).toEqual(base);
    expect(cands).toContainEqual([base[0], base[1], 4, 9]);
    expect(gridCandidates([Number.NaN])).toBeNull();
    expect(gridCandidates(Array.from({ length: 5 }, (_, i) => i * w))).toBeNull();
  });
});

/** The solutions as a student's exercises folder. */
function solvedFolder(base: string): string {
  const dir = join(base, 'solved');
  mkdirSync(join(dir, 'exercises'), { recursive: true });
  for (const f of readdirSync(join(PACKAGE_ROOT, 'solutions'))) cpSync(join(PACKAGE_ROOT, 'solutions', f), join(dir, 'exercises', f));
  return dir;
}

/** scrypt at its smallest: exercises the cell logic and the verification path without the slow hash. */
const FAST_KDF: KdfParams = { name: 'scrypt', N: 2, r: 1, p: 1, keyLength: 16 };
const SEEDS = 1000;
const PROBES = 16;

describe('the reference solutions and three correct implementations on 1,000 seeds, sealed (fast hash)', () => {
  const base = mkdtempSync(join(tmpdir(), 'bpg-sealed-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const subs: Record<string, string> = {};
  let stored: StoredReference;
  /** Per submission: case key -> the sandbox's outcomes. */
  const answers = new Map<string, Map<string, CallOutcome[]>>();
  const keyOf = (c: GradingCase) => (c.hidden && c.poolIndex !== undefined ? `${c.family}#${c.poolIndex}` : c.id);

  beforeAll(async () => {
    subs.solutions = solvedFolder(base);
    subs['correct-loop'] = join(SUBMISSIONS, 'correct-loop');
    subs['correct-vectorized'] = join(SUBMISSIONS, 'correct-vectorized');
    // The same functions with other rounding (reverse order, tanh, log1p…): the noise the cells must absorb.
    subs['correct-other-order'] = join(SUBMISSIONS, 'correct-other-order');
    stored = { public: loadPublicFixtures(), sealed: await buildSealed(reference, { kdf: FAST_KDF, probePoolSize: PROBES }) };
    // Every case any seed can draw: the public ones, the whole pool, every probe.
    const all: GradingCase[] = [];
    for (const f of CASE_FAMILIES) {
      if (f === 'rand-init') continue;
      all.push(...(stored.public.cases[f] ?? []));
      const pool = f === 'probe-unreg' || f === 'probe-reg' ? generateHidden(f, POOL_SEED, PROBES) : generateHidden(f, POOL_SEED, POOL_SIZE);
      all.push(...pool.map((c, i) => ({ ...c, poolIndex: i })));
    }
    for (const [name, dir] of Object.entries(subs)) {
      const sb: Sandbox = await openSandbox(dir, limits, { isolation: 'permission-model', trace: false });
      const byKey = new Map<string, CallOutcome[]>();
      try {
        for (const c of all) {
          const outcomes: CallOutcome[] = [];
          for (const req of requestsFor(c)) outcomes.push(await sb.call(req));
          byKey.set(keyOf(c), outcomes);
        }
      } finally {
        await sb.close();
      }
      answers.set(name, byKey);
    }
  }, 600_000);

  it('no pool case or probe of any submission falls outside its cells (measured margin)', () => {
    /** The largest distance from the centre, in half-widths of a cell, per family and quantity. */
    const worst: Record<string, number> = {};
    /** The largest distance from the reference's own value (the implementations' noise), in half-widths. */
    const noise: Record<string, number> = {};
    for (const [name, byKey] of answers) {
      for (const f of SEALED_FAMILIES) {
        generateHidden(f, POOL_SEED, POOL_SIZE).forEach((c, i) => {
          fillExpected(reference, c);
          const o = byKey.get(`${f}#${i}`)?.[0];
          expect(o?.ok, `${name} ${f} ${i}`).toBe(true);
          if (!o?.ok) return;
          const v = o.value;
          for (const q of f === 'nn-unreg' || f === 'nn-reg' ? ['J', 'grad'] : [f === 'sigmoid' ? 'g' : 'numgrad']) {
            const expected = expectedValues(c, q) as number[];
            let got: number[];
            if (v.kind === 'cost-and-gradient') {
              const x = q === 'J' ? v.J : v.grad;
              got = x.kind === 'number' ? [x.value] : x.kind === 'array' || x.kind === 'float64array' ? x.data : [];
            } else if (v.kind === 'matrix') {
              got = [];
              for (let j = 0; j < v.columns; j++) for (let r = 0; r < v.rows; r++) got.push(v.data[r][j]);
            } else got = v.kind === 'array' || v.kind === 'float64array' ? v.data : [];
            const { layout, cells } = centre(expected, sealTolerance(f, q));
            expect(centredCells(got, layout), `${name} ${f} ${i} ${q}`).toEqual(cells);
            worst[`${f} ${q}`] = Math.max(worst[`${f} ${q}`] ?? 0, centredDistance(got, expected, layout));
            for (let k = 0; k < got.length; k++) noise[`${f} ${q}`] = Math.max(noise[`${f} ${q}`] ?? 0, Math.abs(got[k] - expected[k]) / 2 ** layout.exps[k]);
          }
        });
      }
      // The probes: the answer's distance from the reference's gradient, against the grid's ambiguity margin.
      for (const f of ['probe-unreg', 'probe-reg'] as const) {
        generateHidden(f, POOL_SEED, PROBES).forEach((c, i) => {
          fillExpected(reference, c);
          const o = byKey.get(`${f}#${i}`)?.[0];
          const g = o?.ok && o.value.kind === 'cost-and-gradient' && (o.value.grad.kind === 'array' || o.value.grad.kind === 'float64array') ? o.value.grad.data : [];
          const e = c.family === f ? (c.expected?.grad ?? []) : [];
          expect(g.length, `${name} ${f} ${i}`).toBe(e.length);
          expect(gridCandidates(g), `${name} ${f} ${i}`).toContainEqual(gridCells(e));
          worst[`${f} grad (absolute)`] = Math.max(worst[`${f} grad (absolute)`] ?? 0, ...g.map((x, k) => Math.abs(x - e[k])));
        });
      }
    }
    // Half-widths of a cell (a false failure needs 1). The reference sits within 1/256 = 0.0039 of the
    // centre and correct answers add rounding noise; the numerical checks' expected value is a
    // central difference, so exact gradients differ from it by its truncation error (~1e-9).
    const limit = (key: string) => (key.includes('(absolute)') ? 1e-13 : key.startsWith('numcheck') ? 0.05 : 1 / OFFSET_STEPS + 1e-4);
    for (const [key, d] of Object.entries(worst)) expect(d, key).toBeLessThan(limit(key));
    expect(Object.keys(worst)).toHaveLength(10);
    console.log(`sealed margins (half-widths from the centre): ${JSON.stringify(worst)}\nnoise (half-widths from the reference's value): ${JSON.stringify(noise)}`);
  });

  it(`score 100/100 on ${SEEDS} seeds (0 false failures), judged by the real part definitions`, async () => {
    const parts = selectParts(DEFAULT_OPTIONS);
    // Random initialization has nothing sealed (it is judged by properties): its cases come from
    // each seed, so they are called per seed, for the reference solutions.
    const randInit = parts.find((p) => p.definition.id === 'random-init')!;
    const sb = await openSandbox(subs.solutions, limits, { isolation: 'permission-model', trace: false });
    let randInitFull = 0;
    try {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const verdicts: boolean[] = [];
        for (const c of buildCaseSet(['rand-init'], seed, DEFAULT_OPTIONS.hiddenCases)['rand-init'] ?? []) {
          const outcomes: CallOutcome[] = [];
          for (const req of requestsFor(c)) outcomes.push(await sb.call(req));
          const results = outcomes.map((o) => (o.ok ? { value: o.value, observations: o.observations } : undefined)) as CallResult[];
          verdicts.push(outcomes.every((o) => o.ok) && randInit.definition.judge(c, results, { tolerance: DEFAULT_OPTIONS.tolerance }).passed);
        }
        if (verdicts.length === 1 + DEFAULT_OPTIONS.hiddenCases && verdicts.every(Boolean)) randInitFull++;
      }
    } finally {
      await sb.close();
    }
    expect(randInitFull).toBe(SEEDS);

    const verifier = verifierFor(stored.sealed);
    const failures: string[] = [];
    const families = new Set(parts.flatMap((p) => p.definition.families).filter((f) => f !== 'rand-init'));
    const full = new Map([...answers.keys()].map((name) => [name, 0]));
    for (let seed = 1; seed <= SEEDS; seed++) {
      const set = buildCaseSet(families, seed, DEFAULT_OPTIONS.hiddenCases, { stored });
      for (const [name, byKey] of answers) {
        let score = 0;
        let max = 0;
        for (const { definition, maxScore } of parts) {
          if (definition.id === 'random-init') continue;
          max += maxScore;
          const verdicts = definition.families.flatMap((f) =>
            (set[f] ?? []).map((c) => {
              const outcomes = byKey.get(keyOf(c)) ?? [];
              if (outcomes.length === 0 || outcomes.some((o) => !o.ok)) return 'errored' as const;
              const results = outcomes.map((o) => (o.ok ? { value: o.value, observations: o.observations } : undefined)) as CallResult[];
              const cmp = definition.judge(c, results, { tolerance: DEFAULT_OPTIONS.tolerance, seals: verifier });
              if (!cmp.passed) failures.push(`${name} seed ${seed} ${definition.id} ${c.name}: ${cmp.message}`);
              return cmp.passed ? ('passed' as const) : ('failed' as const);
            }),
          );
          score += scorePart(maxScore, verdicts, false);
        }
        // The reference solutions' random initialization passed on every seed (above): their total is 100.
        if (name === 'solutions') {
          score += randInit.maxScore;
          max += randInit.maxScore;
          expect(max).toBe(100);
        }
        if (score === max) full.set(name, (full.get(name) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(full)).toEqual({ solutions: SEEDS, 'correct-loop': SEEDS, 'correct-vectorized': SEEDS, 'correct-other-order': SEEDS });
    expect(failures).toEqual([]);
  }, 300_000);
});

describe('the full path: the shipped sealed file, real scrypt, through grade()', () => {
  const base = mkdtempSync(join(tmpdir(), 'bpg-sealed-full-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('the reference solutions score 100/100 on a few seeds; hidden cases are sealed and carry no expected value', async () => {
    const solved = solvedFolder(base);
    for (const seed of [1, 2, 3]) {
      const r = await grade({ submission: solved, seed, reference: 'sealed', limits });
      expect([r.score, r.reference], `seed ${seed}`).toEqual([100, 'sealed']);
      const hidden = r.parts.filter((p) => p.id !== 'random-init').flatMap((p) => p.cases.filter((c) => c.hidden));
      expect(hidden.length).toBe(22); // 3 per part, 1 numerical check and 1 speed check per gradient part
      expect(hidden.every((c) => c.sealed === true && c.worst === undefined && c.diff === undefined)).toBe(true);
    }
    for (const name of ['correct-loop', 'correct-vectorized']) {
      const r = await grade({ submission: join(SUBMISSIONS, name), seed: 4, reference: 'sealed', limits });
      expect(r.score, name).toBe(100);
    }
  }, 120_000);

  it('a wrong hidden answer reports its kind and nothing of the expected value', async () => {
    const r = await grade({ submission: join(SUBMISSIONS, 'wrong-regularized-cost'), seed: 9, reference: 'sealed', limits });
    const part = r.parts.find((p) => p.id === 'regularized-cost');
    const hidden = part?.cases.filter((c) => c.hidden) ?? [];
    expect(hidden.map((c) => [c.name, c.passed, c.failure, c.sealed, c.messageId])).toEqual([
      ['hidden case A', false, 'value', true, 'sealed.case.value-scalar'],
      ['hidden case B', false, 'value', true, 'sealed.case.value-scalar'],
      ['hidden case C', false, 'value', true, 'sealed.case.value-scalar'],
    ]);
    for (const c of hidden) {
      expect(c.worst).toBeUndefined();
      expect(c.diff).toBeUndefined();
      expect(c.message).toMatch(/^`nnCostFunction` returned J = [-\d.e]+, outside the tolerance of this hidden case's expected value\. Hidden cases are sealed/);
    }
    // The public case keeps its full detail (Coursera's values are published anyway).
    expect(part?.cases[0]).toMatchObject({ hidden: false, passed: false, failure: 'value', worst: expect.any(Object) });
    expect(part?.cases[0].sealed).toBeUndefined();
  }, 60_000);
});

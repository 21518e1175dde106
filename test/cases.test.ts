import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCaseSet, caseNameRef, generateHidden, numCheckCount } from '../grader/cases/index';
import { courseraNnInputs, courseraSigmoidInput } from '../grader/cases/public';
import { CASE_FAMILIES, type GradingCase, type NnCase, type NnInputs } from '../grader/cases/types';
import { compareValues } from '../grader/compare/index';
import { render } from '../grader/messages/index';
import { NUMGRAD_TOLERANCE } from '../grader/parts/numerical-gradient';
import { checkFixtures, loadStoredReference, PUBLIC_PATH, validatePublicFixtures, validateSealedFile } from '../grader/reference/fixtures';
import { POOL_SIZE, PROBE_POOL_SIZE, SEALED_FAMILIES } from '../grader/reference/seal-build';
import { SEALED_PATH } from '../grader/reference/sealed';
import { fillExpected, fillExpectedMemo } from '../grader/reference/live';
import { evaluateKnownFunction } from '../grader/sandbox/functions';
import * as reference from '../solutions/index';

/** Independent per-example cost, written here from the notes (no kit helpers, no reference code). */
function loopCost(i: NnInputs): number {
  const { nnParams: t, inputLayerSize: n, hiddenLayerSize: h, numLabels: K, X, y, lambda } = i;
  const T1 = (r: number, c: number) => t[r + c * h];
  const T2 = (r: number, c: number) => t[h * (n + 1) + r + c * K];
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const m = X.length;
  let J = 0;
  for (let e = 0; e < m; e++) {
    const a2 = [1];
    for (let r = 0; r < h; r++) {
      let z = T1(r, 0);
      for (let c = 0; c < n; c++) z += T1(r, c + 1) * X[e][c];
      a2.push(sig(z));
    }
    for (let k = 0; k < K; k++) {
      let z = 0;
      for (let c = 0; c <= h; c++) z += T2(k, c) * a2[c];
      const a3 = sig(z);
      const yk = y[e] === k + 1 ? 1 : 0;
      J += -yk * Math.log(a3) - (1 - yk) * Math.log(1 - a3);
    }
  }
  let reg = 0;
  for (let r = 0; r < h; r++) for (let c = 1; c <= n; c++) reg += T1(r, c) ** 2;
  for (let r = 0; r < K; r++) for (let c = 1; c <= h; c++) reg += T2(r, c) ** 2;
  return J / m + (lambda / (2 * m)) * reg;
}

describe("the public case is built exactly as Coursera's submit.m builds it", () => {
  it('inputs: column-major reshapes of sin/cos sequences', () => {
    const i = courseraNnInputs(0);
    expect(i.X.length).toBe(16);
    // Xm = reshape(sin(1:32), 16, 2) / 5: Xm(r, c) = sin(r + 16(c − 1)) / 5 (1-based)
    for (let r = 0; r < 16; r++) for (let c = 0; c < 2; c++) expect(i.X[r][c]).toBe(Math.sin(r + 1 + 16 * c) / 5);
    expect(i.y).toEqual([2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1]);
    // t = [t1(:); t2(:)] = [sin(1:2:23), cos(1:2:39)]
    expect(i.nnParams).toEqual([...Array.from({ length: 12 }, (_, k) => Math.sin(2 * k + 1)), ...Array.from({ length: 20 }, (_, k) => Math.cos(2 * k + 1))]);
    expect([i.inputLayerSize, i.hiddenLayerSize, i.numLabels, i.lambda]).toEqual([2, 4, 4, 0]);
    expect(courseraNnInputs(1.5).lambda).toBe(1.5);
    const z = courseraSigmoidInput().z;
    expect([z.length, z[0].length]).toEqual([3, 10]);
    expect(z[1][3]).toBe(3 * Math.sin(11)); // X(2, 4) = 3·sin(2 + 3·3)
  });

  it('expected J and grad agree with an independent per-example loop', () => {
    for (const lambda of [0, 1.5]) {
      const i = courseraNnInputs(lambda);
      const c = { id: 'x', family: lambda ? 'nn-reg' : 'nn-unreg', name: 'x', hidden: false, inputs: i } as const;
      const cc = structuredClone(c) as typeof c & { expected?: { J: number; grad: number[] } };
      fillExpected(reference, cc);
      expect(cc.expected?.J).toBeCloseTo(loopCost(i), 12);
      // grad against central differences of the loop's cost (error ~1e-9 with e = 1e-4)
      const e = 1e-4;
      const numgrad = i.nnParams.map((_, p) => {
        const at = (d: number) => loopCost({ ...i, nnParams: i.nnParams.map((v, q) => (q === p ? v + d : v)) });
        return (at(e) - at(-e)) / (2 * e);
      });
      expect(cc.expected?.grad).toHaveLength(32);
      cc.expected?.grad.forEach((g, p) => expect(Math.abs(g - numgrad[p])).toBeLessThan(1e-8));
    }
  });

  it('hidden nnCostFunction cases: the loop agrees with the reference too', () => {
    for (const c of [...generateHidden('nn-unreg', 5, 6), ...generateHidden('nn-reg', 5, 6)]) {
      if (c.family !== 'nn-unreg' && c.family !== 'nn-reg') continue;
      fillExpected(reference, c);
      expect(c.expected?.J).toBeCloseTo(loopCost(c.inputs), 11);
    }
  });
});

describe('hidden cases come from the seed', () => {
  it('the same seed gives the same cases; another seed other cases', () => {
    const fams = CASE_FAMILIES;
    expect(buildCaseSet(fams, 123, 3)).toEqual(buildCaseSet(fams, 123, 3));
    expect(buildCaseSet(['nn-unreg'], 124, 3)['nn-unreg']?.[1]).not.toEqual(buildCaseSet(['nn-unreg'], 123, 3)['nn-unreg']?.[1]);
  });

  it('asking for more cases extends the list without changing the first ones', () => {
    for (const f of CASE_FAMILIES) expect(generateHidden(f, 99, 12).slice(0, 3)).toEqual(generateHidden(f, 99, 3));
  });

  it('counts: public + hiddenCases per family, 1 numerical check per 4 hidden cases', () => {
    const set = buildCaseSet(CASE_FAMILIES, 1, 5);
    expect(set['nn-unreg']).toHaveLength(6);
    expect(set['sigmoid']).toHaveLength(6);
    expect(set['rand-init']).toHaveLength(6);
    expect(set['numcheck-reg']).toHaveLength(numCheckCount(5));
    expect([0, 1, 3, 4, 5, 8, 12].map(numCheckCount)).toEqual([0, 1, 1, 1, 2, 2, 3]);
    expect(buildCaseSet(['nn-reg', 'numcheck-reg'], 1, 0)).toEqual({ 'nn-reg': [expect.objectContaining({ id: 'nn-reg/public' })], 'numcheck-reg': [] });
  });

  it('networks are small and varied: sizes, m, absent labels, λ and scales in range', () => {
    const cases = [...generateHidden('nn-unreg', 2024, 30), ...generateHidden('nn-reg', 2024, 30)] as { family: string; inputs: NnInputs }[];
    let absent = 0;
    let labelKAbsent = 0;
    for (const { family, inputs: i } of cases) {
      expect(i.inputLayerSize).toBeGreaterThanOrEqual(2);
      expect(i.inputLayerSize).toBeLessThanOrEqual(6);
      expect(i.hiddenLayerSize).toBeLessThanOrEqual(6);
      expect(i.numLabels).toBeGreaterThanOrEqual(2);
      expect(i.numLabels).toBeLessThanOrEqual(5);
      expect(i.X.length).toBeGreaterThanOrEqual(3);
      expect(i.X.length).toBeLessThanOrEqual(12);
      expect(i.y.every((v) => Number.isInteger(v) && v >= 1 && v <= i.numLabels)).toBe(true);
      expect(i.nnParams).toHaveLength(i.hiddenLayerSize * (i.inputLayerSize + 1) + i.numLabels * (i.hiddenLayerSize + 1));
      if (family === 'nn-unreg') expect(i.lambda).toBe(0);
      else {
        expect(i.lambda).toBeGreaterThanOrEqual(0.3);
        expect(i.lambda).toBeLessThanOrEqual(3);
      }
      const present = new Set(i.y);
      if (present.size < i.numLabels) absent++;
      if (!present.has(i.numLabels)) labelKAbsent++;
    }
    expect(absent).toBeGreaterThan(20);
    expect(labelKAbsent).toBeGreaterThan(10);
    const scales = cases.map(({ inputs }) => Math.max(...inputs.X.flat().map(Math.abs)));
    expect(Math.min(...scales)).toBeLessThan(0.3);
    expect(Math.max(...scales)).toBeGreaterThan(2);
  });
});

describe('numerical-gradient tolerance', () => {
  /** Central differences the way a student might write them: in place, restoring each entry. */
  function central(J: (t: Float64Array) => number, theta: number[], e = 1e-4): number[] {
    const t = Float64Array.from(theta);
    return theta.map((v, p) => {
      t[p] = v + e;
      const up = J(t);
      t[p] = v - e;
      const down = J(t);
      t[p] = v;
      return (up - down) / (2 * e);
    });
  }
  function forward(J: (t: Float64Array) => number, theta: number[], e = 1e-4): number[] {
    const J0 = J(Float64Array.from(theta));
    return theta.map((v, p) => {
      const t = Float64Array.from(theta);
      t[p] = v + e;
      return (J(t) - J0) / e;
    });
  }
  const spec = { fn: 'computeNumericalGradient', what: 'numgrad', layout: { kind: 'vector' as const, length: 0 } };

  it('passes a correct central difference and catches one-sided differences and wrong steps on every case', () => {
    const cases = [...generateHidden('numgrad', 7, 12), ...generateHidden('numgrad', 8, 12)];
    for (const c of cases) {
      if (c.family !== 'numgrad') continue;
      fillExpected(reference, c);
      const expected = c.expected?.numgrad as number[];
      const J = (t: Float64Array) => evaluateKnownFunction(c.inputs.J, c.inputs.params, t);
      const s = { ...spec, layout: { kind: 'vector' as const, length: expected.length } };
      expect(compareValues(central(J, c.inputs.theta), expected, s, NUMGRAD_TOLERANCE).passed, `${c.name} central`).toBe(true);
      expect(compareValues(forward(J, c.inputs.theta), expected, s, NUMGRAD_TOLERANCE).passed, `${c.name} forward`).toBe(false);
      if (c.inputs.J !== 'quadratic') {
        // A quadratic's central difference is exact for any step: only the curved functions tell steps apart.
        expect(compareValues(central(J, c.inputs.theta, 1e-3), expected, s, NUMGRAD_TOLERANCE).passed, `${c.name} e=1e-3`).toBe(false);
        expect(compareValues(central(J, c.inputs.theta, 1e-5), expected, s, NUMGRAD_TOLERANCE).passed, `${c.name} e=1e-5`).toBe(false);
      }
    }
  });
});

describe('stored fixtures (grader/fixtures/public.json and sealed.json)', () => {
  it('validate against their schemas', () => {
    expect(() => validatePublicFixtures(JSON.parse(readFileSync(PUBLIC_PATH, 'utf8')))).not.toThrow();
    expect(() => validateSealedFile(JSON.parse(readFileSync(SEALED_PATH, 'utf8')))).not.toThrow();
  });

  it('are not stale: a fresh build from solutions/ gives the stored public file and the stored cells, and sampled digests match', async () => {
    let k = 0;
    const random = () => ((k = (k * 1103515245 + 12345) % 2147483648) / 2147483648);
    expect(await checkFixtures({ hashes: 3, random })).toEqual([]);
  }, 120_000);

  it('the stale check fails on a moved cell, a wrong digest and a changed public file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpg-stale-'));
    try {
      const file = JSON.parse(readFileSync(SEALED_PATH, 'utf8'));
      const entry = file.pool['nn-reg'][7];
      const [cells, digest] = (entry.J as string).split('.');
      const bytes = Buffer.from(cells, 'base64');
      bytes[1] ^= 1; // J's offset byte
      entry.J = `${bytes.toString('base64')}.${digest}`;
      const grad = file.pool.sigmoid[3].g as string;
      file.pool.sigmoid[3].g = `${grad.split('.')[0]}.${Buffer.alloc(16).toString('base64')}`;
      writeFileSync(join(dir, 'sealed.json'), JSON.stringify(file));
      writeFileSync(join(dir, 'public.json'), readFileSync(PUBLIC_PATH, 'utf8').replace('"version": 2', '"version": 2 '));
      const problems = await checkFixtures({ sealedPath: join(dir, 'sealed.json'), publicPath: join(dir, 'public.json'), hashes: 3, random: () => 0 }); // samples entries 1, 2 and 3 of each family
      expect(problems).toEqual([
        `${join(dir, 'public.json')} differs from a fresh build`,
        'sealed nn-reg case 7 J: cell layout differs from a fresh build',
        expect.stringMatching(/^sealed sigmoid case 3 g: digest does not match/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('hold numbers only, compactly: the public cases in the clear, the hidden ones sealed', () => {
    const text = readFileSync(PUBLIC_PATH, 'utf8');
    expect(statSync(PUBLIC_PATH).size).toBeLessThan(64 * 1024);
    expect(statSync(SEALED_PATH).size).toBeLessThan(2 * 1024 * 1024);
    expect(text).not.toMatch(/function|=>|import|export|return|Matrix/);
    const { public: pub, sealed } = loadStoredReference();
    expect(Object.values(pub.cases).flat().every((c) => c.hidden === false)).toBe(true);
    for (const f of SEALED_FAMILIES) expect(sealed.pool[f]).toHaveLength(POOL_SIZE);
    expect(sealed.probePoolSize).toBe(PROBE_POOL_SIZE);
    // The pool and the probes hold seals only: every leaf a "<cells>.<digest>" string (or the probes' digests), no number.
    const sealText = readFileSync(SEALED_PATH, 'utf8');
    expect(sealText.includes('"expected"')).toBe(false);
    const leaves = Object.values(sealed.pool).flatMap((entries) => entries.flatMap((e) => Object.values(e)));
    expect(leaves.length).toBeGreaterThan(10_000);
    expect(leaves.every((v) => typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}\.[A-Za-z0-9+/]{22}==$/.test(v))).toBe(true);
    expect(Object.values(sealed.probes).every((v) => typeof v === 'string' && v.length === Math.ceil((PROBE_POOL_SIZE * 16) / 3) * 4)).toBe(true);
  });

  it('sealed mode picks hidden cases from the pool by the seed, names them by position, and carries seals instead of values', () => {
    const stored = loadStoredReference();
    const a = buildCaseSet(['nn-reg'], 5, 3, { stored })['nn-reg'] ?? [];
    expect(a).toEqual(buildCaseSet(['nn-reg'], 5, 3, { stored })['nn-reg']);
    expect(a.map((c) => c.name)).toEqual(["public (Coursera's case, λ=1.5)", 'hidden case A', 'hidden case B', 'hidden case C']);
    expect(a[0]).toMatchObject({ id: 'nn-reg/public', hidden: false, expected: expect.any(Object) });
    for (const c of a.slice(1)) {
      expect(c).not.toHaveProperty('expected');
      expect(Object.keys(c.sealed ?? {})).toEqual(['J', 'grad']);
      expect(c.poolIndex).toBeGreaterThanOrEqual(0);
      expect(c.poolIndex).toBeLessThan(POOL_SIZE);
    }
    const picks = new Set(Array.from({ length: 20 }, (_, s) => (buildCaseSet(['nn-reg'], s, 3, { stored })['nn-reg'] ?? []).map((c) => c.poolIndex).join()));
    expect(picks.size).toBeGreaterThan(15);
    // Names for readers are catalogue messages, rendered in the report's language.
    const named = buildCaseSet(['sigmoid', 'numcheck-reg', 'probe-reg'], 5, 3, { stored });
    const zh = (cases: GradingCase[] | undefined) => (cases ?? []).map((c) => render(caseNameRef(c), 'zh-CN'));
    expect(zh(named.sigmoid)).toEqual(['公开用例（Coursera 的用例，z = 3·sin(1:30)，3×10）', '隐藏用例 A', '隐藏用例 B', '隐藏用例 C']);
    expect(zh(named['numcheck-reg'])).toEqual(['数值检查 A']);
    expect(named['probe-reg']?.map((c) => [c.name, render(caseNameRef(c), 'zh-CN'), c.sealed?.grad?.kind])).toEqual([['speed check', '速度检查', 'grid']]);
    const pub = buildCaseSet(['nn-unreg', 'rand-init', 'numgrad'], 5, 0, { stored });
    expect([zh(pub['nn-unreg']), zh(pub['rand-init']), zh(pub.numgrad)]).toEqual([
      ['公开用例（Coursera 的用例，λ=0）'],
      ['公开用例（lIn = 3，lOut = 5）'],
      ['公开用例（J = sin-sum，θ 的长度为 5）'],
    ]);
    expect(pub['rand-init']?.map((c) => c.name)).toEqual(['public (lIn = 3, lOut = 5)']);
  });
});

describe('live reference memo (fillExpectedMemo)', () => {
  it('computes a case once per seed: the same seed reuses, another seed computes its own, public cases are shared', () => {
    let calls = 0;
    const counting = { ...reference, nnCostFunction: (...a: Parameters<typeof reference.nnCostFunction>) => (calls++, reference.nnCostFunction(...a)) };
    const fill = (seed: number) => {
      const set = buildCaseSet(['nn-unreg', 'nn-reg'], seed, 2);
      const cases: NnCase[] = [...(set['nn-unreg'] ?? []), ...(set['nn-reg'] ?? [])];
      for (const c of cases) fillExpectedMemo(counting, c, seed);
      return cases;
    };
    const first = fill(11);
    expect(calls).toBe(6);
    const again = fill(11);
    expect(calls).toBe(6);
    expect(again.map((c) => c.expected)).toEqual(first.map((c) => c.expected));
    const other = fill(12);
    expect(calls).toBe(10); // 4 hidden cases computed, the 2 public ones reused
    for (const c of other) {
      const fresh: NnCase = { ...structuredClone(c), expected: undefined };
      fillExpected(reference, fresh);
      expect(c.expected).toEqual(fresh.expected);
    }
  });
});

/**
 * `batch --similarity`: token fingerprints (MOSS's winnowing) over the four student files, names,
 * constants, layout, comments and the stubs' own code set aside. Disguised copies (renamed,
 * reordered, reformatted, all three) of each correct fixture must be flagged; the independently
 * written correct fixtures must not be flagged against each other.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../grader/api';
import { runBatch } from '../grader/batch/run';
import { mergeBatches } from '../grader/batch/merge';
import type { GradeFn } from '../grader/batch/types';
import { PACKAGE_ROOT } from '../grader/paths';
import { compareSubmissions, DEFAULT_THRESHOLD, MIN_FINGERPRINTS } from '../grader/similarity/compare';
import { K, normalizedTokens, W, winnow } from '../grader/similarity/fingerprint';
import { fingerprintSubmission, readSubmissionSources, stubBase } from '../grader/similarity/sources';
import { renameLocals, reformat, reorderTopLevel } from './helpers/disguise';

const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions');
/** Written independently of each other (test/fixtures/submissions/<id>/README.md). */
const INDEPENDENT = ['correct-loop', 'correct-vectorized', 'correct-plain-arrays', 'correct-stepwise', 'correct-ml-matrix'];
const DISGUISES = {
  renamed: renameLocals,
  reordered: reorderTopLevel,
  reformatted: reformat,
  all: (s: string) => reformat(reorderTopLevel(renameLocals(s))),
};

const roots: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'bpg-sim-'));
  roots.push(d);
  return d;
}
afterAll(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});

/** A class: every independent fixture, and each one's disguised copies as `<id>~<disguise>`. */
function disguisedClass(): string {
  const root = tmp();
  for (const id of INDEPENDENT) {
    cpSync(join(FIXTURES, id), join(root, id), { recursive: true });
    for (const [name, disguise] of Object.entries(DISGUISES)) {
      const dir = join(root, `${id}~${name}`, 'exercises');
      mkdirSync(dir, { recursive: true });
      for (const f of readdirSync(join(FIXTURES, id, 'exercises'))) writeFileSync(join(dir, f), disguise(readFileSync(join(FIXTURES, id, 'exercises', f), 'utf8')));
    }
  }
  return root;
}

const base = stubBase();
function fingerprintsOf(root: string) {
  return new Map(readdirSync(root).map((id) => [id, fingerprintSubmission(readSubmissionSources(join(root, id)), base)]));
}

describe('fingerprints', () => {
  it('set names, numbers, strings, comments, semicolons and layout aside; keep keywords, the kit API and properties', () => {
    const keep = base.keep;
    const a = normalizedTokens('const a2 = addBiasColumn(sigmoid(z2)); // hidden layer\nconst m = X.rows * 2;', 'f', keep).map((t) => t.text);
    const b = normalizedTokens("let   hidden=addBiasColumn(sigmoid(s))\n/* … */\nlet n = data.rows * 'x'", 'f', keep).map((t) => t.text);
    expect(a).toEqual(['const', 'V', '=', 'addBiasColumn', '(', 'sigmoid', '(', 'V', ')', ')', 'const', 'V', '=', 'V', '.', 'rows', '*', 'N']);
    expect(b.join(' ')).toBe(a.join(' ').replace(/const/g, 'let').replace(/N$/, 'S'));
    expect(normalizedTokens('a\nb\n\nc', 'f', keep).map((t) => t.line)).toEqual([1, 2, 4]);
  });

  it('winnowing keeps one fingerprint per window, so any shared run of K + W − 1 tokens is found', () => {
    const tokens = normalizedTokens(readFileSync(join(FIXTURES, 'correct-vectorized', 'exercises', 'nnCostFunction.ts'), 'utf8'), 'f', base.keep);
    const fps = winnow(tokens);
    const positions = fps.map((f) => f.at);
    // Consecutive selections are never more than W apart (the window guarantee).
    for (let i = 1; i < positions.length; i++) expect(positions[i] - positions[i - 1]).toBeLessThanOrEqual(W);
    expect(positions[0]).toBeLessThan(W);
    expect(positions.at(-1)!).toBeGreaterThanOrEqual(tokens.length - K + 1 - W);
  });

  it("the stubs have no fingerprints of their own (their code is the base), so two stubs are never compared", () => {
    expect(fingerprintSubmission(readSubmissionSources(join(FIXTURES, 'stub')), base).fingerprints).toEqual([]);
    const r = compareSubmissions(fingerprintsOf(FIXTURES), DEFAULT_THRESHOLD);
    expect(r.skipped).toContain('stub');
    expect(r.pairs.some((p) => p.a === 'stub' || p.b === 'stub')).toBe(false);
  });
});

describe('which pairs are flagged', () => {
  const root = disguisedClass();
  const all = compareSubmissions(fingerprintsOf(root), 0);
  const score = (a: string, b: string) => all.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a))?.score ?? 0;

  it('renamed, reordered, reformatted copies (and all three at once) of every independent solution are flagged', () => {
    const scores: Record<string, number> = {};
    for (const id of INDEPENDENT) for (const d of Object.keys(DISGUISES)) scores[`${id}~${d}`] = score(id, `${id}~${d}`);
    // The measured floor, per disguise (all ≥ 0.87 when written): far above the threshold.
    for (const [pair, s] of Object.entries(scores)) expect(s, pair).toBeGreaterThanOrEqual(0.85);
    expect(scores['correct-vectorized~renamed']).toBe(1);
    expect(scores['correct-vectorized~reformatted']).toBe(1);
  });

  it('independently written correct solutions are not flagged (all pairs below 0.25, the threshold is 0.5)', () => {
    const pairs: [string, string, number][] = [];
    for (let i = 0; i < INDEPENDENT.length; i++) for (let j = i + 1; j < INDEPENDENT.length; j++) pairs.push([INDEPENDENT[i], INDEPENDENT[j], score(INDEPENDENT[i], INDEPENDENT[j])]);
    for (const [a, b, s] of pairs) expect(s, `${a} ~ ${b}`).toBeLessThan(0.25);
    // Nor a disguised copy of one against another's original.
    for (const a of INDEPENDENT) for (const b of INDEPENDENT) if (a !== b) expect(score(`${a}~all`, b), `${a}~all ~ ${b}`).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it('the mistake fixtures built from correct-loop are flagged with it; shared regions point at the copied lines', () => {
    const r = compareSubmissions(fingerprintsOf(FIXTURES), DEFAULT_THRESHOLD);
    const pair = r.pairs.find((p) => p.a === 'correct-loop' && p.b === 'mistake-reg-includes-bias')!;
    expect(pair.score).toBeGreaterThan(0.95);
    expect(pair.regions[0]).toMatchObject({ a: { file: 'nnCostFunction.ts', startLine: 19 }, b: { file: 'nnCostFunction.ts', startLine: 19 } });
    expect(pair.regions.map((x) => x.a.file)).toContain('sigmoidGradient.ts');
    // Regions never overlap on either side.
    for (const [i, x] of pair.regions.entries()) {
      for (const y of pair.regions.slice(i + 1)) {
        if (x.a.file === y.a.file) expect(x.a.endLine < y.a.startLine || y.a.endLine < x.a.startLine).toBe(true);
      }
    }
    expect(r.params).toEqual({ k: K, w: W, threshold: DEFAULT_THRESHOLD, minFingerprints: MIN_FINGERPRINTS });
  });

  it('a disguised copy still grades the same (the disguises keep the meaning)', async () => {
    const limits = { timeoutMs: 5000, heapMb: 256, outputCapBytes: 16 * 1024 };
    const r = await grade({ submission: join(root, 'correct-vectorized~all'), seed: 4, limits });
    expect(r.parts.filter((p) => p.status !== 'passed').map((p) => p.messages.map((m) => m.text).join(' '))).toEqual([]);
    expect(r.score).toBe(100);
  });
});

describe('batch --similarity and merge --similarity', () => {
  /** A fake grade: the similarity check needs the folders, not the engine. */
  const fakeGrade: GradeFn = async (o) => {
    const r = await import('./helpers/sampleReport');
    return { ...r.sampleReport(), submission: o.submission, seed: o.seed! };
  };

  function smallClass(): string {
    const root = tmp();
    for (const id of ['correct-loop', 'mistake-missing-average', 'correct-vectorized', 'stub']) cpSync(join(FIXTURES, id), join(root, id), { recursive: true });
    mkdirSync(join(root, 'copy ⟨mallory⟩', 'exercises'), { recursive: true });
    for (const f of readdirSync(join(FIXTURES, 'correct-vectorized', 'exercises'))) {
      writeFileSync(join(root, 'copy ⟨mallory⟩', 'exercises', f), DISGUISES.all(readFileSync(join(FIXTURES, 'correct-vectorized', 'exercises', f), 'utf8')));
    }
    return root;
  }

  it('writes similarity.json and similarity.csv, flags both students in the gradebook and the HTML', async () => {
    const folder = smallClass();
    const out = join(tmp(), 'out');
    const r = await runBatch({ folder, out, grade: fakeGrade, seed: 5, similarity: true });
    expect(r.summary!.similarity!.pairs.map((p) => [p.a, p.b])).toEqual([
      ['copy ⟨mallory⟩', 'correct-vectorized'],
      ['correct-loop', 'mistake-missing-average'],
    ]);
    const json = JSON.parse(readFileSync(join(out, 'similarity.json'), 'utf8'));
    expect(json.pairs[0].regions[0].excerpt.b).toContain('addBiasColumn(sigmoid(z2))');
    const csv = readFileSync(join(out, 'similarity.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('a,b,score,shared,a_fingerprints,b_fingerprints,regions');
    expect(csv[1]).toMatch(/^copy ⟨mallory⟩,correct-vectorized,1,\d+,\d+,\d+,nnCostFunction\.ts:\d+-\d+ ~ nnCostFunction\.ts:\d+-\d+/);
    const gradebook = readFileSync(join(out, 'gradebook.csv'), 'utf8').split('\n');
    expect(gradebook[0].endsWith(',flags')).toBe(true);
    expect(gradebook.find((l) => l.startsWith('correct-vectorized,'))!.endsWith(',similar:copy ⟨mallory⟩:1')).toBe(true);
    expect(gradebook.find((l) => l.startsWith('stub,'))!.endsWith(',')).toBe(true);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<tr class="pair" id="pair-1" data-a="copy ⟨mallory⟩" data-b="correct-vectorized" data-score="1">');
    expect(html).toMatch(/<span class="badge flag" data-flag="similar"><a href="#pair-1">similar \(100%\) to <bdi>correct-vectorized<\/bdi><\/a><\/span>/);
    expect(existsSync(join(out, 'sources', 'stub.json'))).toBe(true);
  });

  it('shards graded with --similarity merge into the same bytes as one run; without stored sources merge refuses', async () => {
    const folder = smallClass();
    const base = tmp();
    await runBatch({ folder, out: join(base, 'all'), grade: fakeGrade, seed: 5, similarity: true });
    for (const i of [1, 2]) await runBatch({ folder, out: join(base, `s${i}`), grade: fakeGrade, seed: 5, similarity: true, shard: { index: i, count: 2 } });
    mergeBatches([join(base, 's1'), join(base, 's2')], join(base, 'merged'), { similarity: true });
    for (const f of ['gradebook.csv', 'summary.md', 'report.html', 'similarity.json', 'similarity.csv']) {
      expect(readFileSync(join(base, 'merged', f), 'utf8'), f).toBe(readFileSync(join(base, 'all', f), 'utf8'));
    }
    await runBatch({ folder, out: join(base, 'plain'), grade: fakeGrade, seed: 5, shard: { index: 1, count: 2 } });
    expect(() => mergeBatches([join(base, 'plain'), join(base, 's2')], join(base, 'm2'), { similarity: true })).toThrow(/no stored sources for .*run each shard's batch with --similarity/);
  });
});

/**
 * Instructor batch grading: the pool, --resume, --shard + merge, and the aggregate views (CSV,
 * Markdown, HTML) against summarizeBatch. Most tests use an injected fake grade() (fast, exact
 * numbers, counts invocations); one runs the real engine over good, buggy and hostile submissions.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverSubmissions, parseShard, selectShard } from '../grader/batch/discover';
import { mergeBatches } from '../grader/batch/merge';
import { runBatch } from '../grader/batch/run';
import { schemaProblems } from '../grader/batch/store';
import { summarizeBatch, type BatchSummary } from '../grader/batch/summary';
import type { BatchEntry, GradeFn } from '../grader/batch/types';
import { parseBatchArgs } from '../grader/commands/batch';
import { grade as realGrade } from '../grader/api';
import { main } from '../grader/cli';
import { PACKAGE_ROOT } from '../grader/paths';
import { PART_IDS, PARTS, PRESETS, type PartId } from '../grader/parts/ids';
import type { Diagnosis, GradeReport, PartStatus } from '../grader/report/types';
import { renderGradebookCsv } from '../grader/reporters/batch-csv';
import { renderBatchHtml } from '../grader/reporters/batch-html';
import { renderBatchMarkdown } from '../grader/reporters/batch-markdown';
import { escapeHtml, escapeMarkdown } from '../grader/reporters/escape';

const tmpRoots: string[] = [];
function tmp(prefix = 'bg-batch-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpRoots.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

/** What a fake submission folder asks the fake grader for: per-part status (absent = passed). */
interface FakeSpec {
  statuses?: Partial<Record<PartId, PartStatus>>;
  diagnoses?: Partial<Record<PartId, Diagnosis[]>>;
  /** The fake grade() throws (an engine bug) instead of returning. */
  throws?: string;
  output?: string;
}

/** A schema-valid report for the full preset with the given statuses. */
function fakeReport(submission: string, seed: number, spec: FakeSpec): GradeReport {
  const parts = PART_IDS.map((id) => {
    const status = spec.statuses?.[id] ?? 'passed';
    const maxScore = PRESETS.full[id]!;
    return {
      id,
      title: PARTS[id].title,
      score: status === 'passed' ? maxScore : 0,
      maxScore,
      status,
      messages: status === 'passed' ? [] : [{ level: 'error' as const, id: 'report.part.cases-failed' as const, text: `${id} is ${status} <b>for</b> ${basename(submission)}` }],
      cases: [{ name: 'public λ=0', hidden: false, passed: status === 'passed', durationMs: Math.random() * 5 }],
      diagnoses: spec.diagnoses?.[id] ?? [],
      durationMs: Math.random() * 10,
    };
  });
  return {
    schemaVersion: 2,
    grader: { name: 'backprop-grader', version: '0.1.0' },
    seed,
    submission,
    preset: 'full',
    lang: 'en',
    score: parts.reduce((s, p) => s + p.score, 0),
    maxScore: 100,
    parts,
    reference: 'fixtures',
    isolation: 'permission-model',
    ...(spec.output ? { submissionOutput: spec.output } : {}),
    startedAt: new Date().toISOString(),
    durationMs: Math.random() * 100,
  };
}

/** A fake grade() reading spec.json from the submission folder, counting calls per folder. */
function fakeGrader(delayMs = 0): { grade: GradeFn; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const grade: GradeFn = async (o) => {
    const id = basename(o.submission);
    calls.set(id, (calls.get(id) ?? 0) + 1);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const spec = JSON.parse(readFileSync(join(o.submission, 'spec.json'), 'utf8')) as FakeSpec;
    if (spec.throws) throw new Error(spec.throws);
    return fakeReport(o.submission, o.seed!, spec);
  };
  return { grade, calls };
}

const bias: Diagnosis = { id: 'reg-includes-bias', message: 'You regularized the bias column *Theta(:,1)*.', hint: 'regularized cost', messageId: 'diagnose.reg-includes-bias.message', hintId: 'diagnose.reg-includes-bias.hint.cost' };
const noMean: Diagnosis = { id: 'missing-1-over-m', message: 'The cost is not divided by m.', hint: 'feedforward', messageId: 'diagnose.missing-average.message', hintId: 'diagnose.missing-average.hint.cost' };

/** A class of fake submissions with known outcomes. */
const CLASS: Record<string, FakeSpec> = {
  alice: {},
  bob: { statuses: { 'regularized-cost': 'failed', 'regularized-gradient': 'failed' }, diagnoses: { 'regularized-cost': [bias], 'regularized-gradient': [bias] } },
  carol: { statuses: { 'feedforward-cost': 'failed', 'regularized-cost': 'failed' }, diagnoses: { 'feedforward-cost': [noMean] } },
  dave: { statuses: Object.fromEntries(PART_IDS.map((id) => [id, 'errored'])) as FakeSpec['statuses'], output: '<script>alert(1)</script>' },
  'eve<img src=x onerror=alert(1)>|*x*': { statuses: { 'random-init': 'failed' }, diagnoses: { 'random-init': [bias] } },
  '=HYPERLINK("evil")': { throws: 'engine exploded' },
  zed: {},
};

function makeClass(): string {
  const root = tmp();
  for (const [id, spec] of Object.entries(CLASS)) {
    mkdirSync(join(root, id));
    writeFileSync(join(root, id, 'spec.json'), JSON.stringify(spec));
  }
  mkdirSync(join(root, '.git')); // hidden folders are not submissions
  writeFileSync(join(root, 'notes.txt'), 'not a submission');
  return root;
}

const AGGREGATES = ['gradebook.csv', 'summary.md', 'report.html', 'batch.json'];
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

describe('summarizeBatch', () => {
  const entries: BatchEntry[] = Object.entries(CLASS)
    .filter(([, s]) => !s.throws)
    .map(([id, spec]) => ({ id, report: fakeReport(`/x/${id}`, 7, spec) }));
  const summary = summarizeBatch(entries);

  it('computes counts, statistics, histogram, pass rates and diagnoses', () => {
    // alice 100, bob 80, carol 65, dave 0, eve 95, zed 100
    expect(summary.submissions).toBe(6);
    expect(summary.students.map((s) => s.score)).toEqual([100, 80, 65, 0, 95, 100]);
    expect(summary.scores).toEqual({ mean: 440 / 6, median: 87.5, min: 0, max: 100 });
    expect(summary.counts).toEqual({ perfect: 2, zero: 1, withErrors: 1 });
    expect(summary.histogram.map((b) => b.count)).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 2]);
    const ff = summary.parts.find((p) => p.id === 'feedforward-cost')!;
    expect(ff).toMatchObject({ graded: 6, passed: 4, failed: 1, errored: 1, passRate: 4 / 6, meanScore: 100 / 6 });
    expect(summary.diagnoses.map((d) => [d.id, d.submissions, d.occurrences, d.parts])).toEqual([
      ['reg-includes-bias', 2, 3, ['regularized-cost', 'random-init', 'regularized-gradient']],
      ['missing-1-over-m', 1, 1, ['feedforward-cost']],
    ]);
    expect(summary.seeds).toEqual([7]);
  });

  it('is independent of entry order and rejects duplicate ids', () => {
    expect(summarizeBatch([...entries].reverse())).toEqual(summary);
    expect(() => summarizeBatch([...entries, entries[0]])).toThrow(/duplicate submission id "alice"/);
  });

  it('renders the gradebook CSV exactly', () => {
    expect(renderGradebookCsv(summary)).toBe(
      [
        `id,total,${PART_IDS.join(',')}`,
        'alice,100,25,10,5,5,35,10,10',
        'bob,80,25,0,5,5,35,0,10',
        'carol,65,0,0,5,5,35,10,10',
        'dave,0,0,0,0,0,0,0,0',
        'eve<img src=x onerror=alert(1)>|*x*,95,25,10,5,0,35,10,10',
        'zed,100,25,10,5,5,35,10,10',
        '',
      ].join('\n'),
    );
  });

  it('HTML figures match the summary, and student strings are escaped', () => {
    const html = renderBatchHtml(summary, entries);
    const bins = [...html.matchAll(/<g class="hist-bin" data-label="([^"]+)" data-count="(\d+)">.*?<\/rect><text[^>]*>(\d+)<\/text>/g)];
    expect(bins.map((m) => [m[1], Number(m[2]), Number(m[3])])).toEqual(summary.histogram.map((b) => [escapeHtml(b.label), b.count, b.count]));
    const rates = [...html.matchAll(/<g class="pass-rate" data-part="([^"]+)" data-passed="(\d+)" data-graded="(\d+)" data-rate="([^"]+)">/g)];
    expect(rates.map((m) => [m[1], Number(m[2]), Number(m[3]), m[4]])).toEqual(
      summary.parts.map((p) => [p.id, p.passed, p.graded, `${Math.round(p.passRate * 1000) / 10}%`]),
    );
    // The pass-rate bar widths are proportional to the rates.
    const widths = [...html.matchAll(/<rect class="bar" x="300" y="\d+" width="(\d+)"/g)].map((m) => Number(m[1]));
    expect(widths).toEqual(summary.parts.map((p) => Math.round(p.passRate * 360)));
    const diag = [...html.matchAll(/data-diagnosis="([^"]+)" data-submissions="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(diag).toEqual(summary.diagnoses.map((d) => [d.id, d.submissions]));
    expect(html.match(/<section class="student"/g)).toHaveLength(6);
    // Self-contained and inert: no scripts, external resources or unescaped student markup.
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed|image)\b|\s(src|xlink:href)="|url\(|@import|href="(?!#)/i);
    expect(html).toContain('eve&lt;img src=x onerror=alert(1)&gt;|*x*');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
  });

  it('Markdown summary shows the same figures, escaped', () => {
    const md = renderBatchMarkdown(summary);
    expect(md).toContain('| Mean | 73.33 |');
    expect(md).toContain('| Median | 87.5 |');
    expect(md).toContain('| 100 | 2 |');
    expect(md).toContain('| Feedforward and cost function (`feedforward-cost`) | 25 | 4 | 1 | 1 | 66.7% | 16.67 |');
    expect(md).toContain('### `reg-includes-bias`: 2 submissions · Regularized cost function, Random initialization, Regularized gradient');
    // The mistake lists who made it, escaped, in id order.
    expect(md).toContain(`bob · ${escapeMarkdown('eve<img src=x onerror=alert(1)>|*x*')}`);
    expect(md).toContain('eve&lt;img src\\=x onerror\\=alert\\(1\\)&gt;\\|\\*x\\*');
    expect(md).not.toMatch(/(?<!\\)<(img|script)/);
    // In Chinese the heading's punctuation is Chinese too (full-width colon, 、 between the parts).
    expect(renderBatchMarkdown(summary, 'zh-CN')).toContain('### `reg-includes-bias`：2 份提交 · 正则化代价函数、随机初始化、正则化梯度');
  });
});

describe('shards', () => {
  it('parses i/n and splits sorted ids round-robin, each in exactly one shard', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('0/3')).toThrow(/1 <= i <= n/);
    expect(() => parseShard('4/3')).toThrow(/1 <= i <= n/);
    expect(() => parseShard('x')).toThrow(/i\/n/);
    const items = ['d', 'a', 'c', 'b', 'e'].map((id) => ({ id }));
    expect(selectShard(items, { index: 1, count: 2 }).map((x) => x.id)).toEqual(['a', 'c', 'e']);
    expect(selectShard(items, { index: 2, count: 2 }).map((x) => x.id)).toEqual(['b', 'd']);
  });

  it('discovers subfolders sorted by code unit, skipping hidden folders, files and the output folder', () => {
    const folder = makeClass();
    mkdirSync(join(folder, 'graded'));
    mkdirSync(join(folder, 'Zoe'));
    const ids = discoverSubmissions(folder, [join(folder, 'graded')]).map((s) => s.id);
    expect(ids).toEqual(['=HYPERLINK("evil")', 'Zoe', 'alice', 'bob', 'carol', 'dave', 'eve<img src=x onerror=alert(1)>|*x*', 'zed']);
  });

  it('parseBatchArgs maps flags', () => {
    expect(parseBatchArgs(['subs', '--out', 'o', '--shard', '1/2', '--seed', '5', '--jobs', '3', '--resume'], '/w')).toMatchObject({
      folder: '/w/subs',
      out: '/w/o',
      shard: { index: 1, count: 2 },
      seed: 5,
      jobs: 3,
      resume: true,
    });
    expect(() => parseBatchArgs(['subs', '--out', 'o', '--shard', '3/2'])).toThrow(/1 <= i <= n/);
    expect(() => parseBatchArgs(['subs'])).toThrow(/out/);
  });
});

describe('runBatch with a fake grader', () => {
  it('grades every submission once, files an errored report for a throwing one, writes schema-valid outputs', async () => {
    const folder = makeClass();
    const out = join(tmp(), 'out');
    const { grade, calls } = fakeGrader();
    const events: string[] = [];
    const r = await runBatch({ folder, out, grade, seed: 42, jobs: 3, onProgress: (e) => events.push(e.type) });
    expect(r).toMatchObject({ total: 7, graded: 7, skipped: 0, complete: true, seed: 42 });
    expect([...calls.values()]).toEqual(Array(7).fill(1));
    expect(events.filter((e) => e === 'done')).toHaveLength(7);
    const files = readdirSync(join(out, 'reports')).sort();
    expect(files).toHaveLength(7);
    for (const f of files) expect(schemaProblems(JSON.parse(read(join(out, 'reports'), f)))).toEqual([]);
    expect(files[0]).toBe('=HYPERLINK("evil").json');
    const thrown = JSON.parse(read(join(out, 'reports'), files[0])) as GradeReport;
    expect(thrown.score).toBe(0);
    expect(thrown.parts.every((p) => p.status === 'errored' && p.messages[0].text.includes('engine exploded'))).toBe(true);
    expect(thrown.maxScore).toBe(100);
    const csv = read(out, 'gradebook.csv').split('\n');
    // A formula-looking id is defused for spreadsheets; its row still has every part.
    expect(csv[1]).toBe('"\'=HYPERLINK(""evil"")",0,0,0,0,0,0,0,0');
    expect(csv).toHaveLength(9);
    expect(JSON.parse(read(out, 'batch.json'))).toMatchObject({ seed: 42, preset: 'full', shard: null });
  });

  it('--resume after an interruption grades nothing twice', async () => {
    const folder = makeClass();
    const out = join(tmp(), 'out');
    const { grade, calls } = fakeGrader(5);
    const first = await runBatch({ folder, out, grade, seed: 9, jobs: 2, limit: 3 });
    expect(first).toMatchObject({ graded: 3, complete: false });
    expect(existsSync(join(out, 'gradebook.csv'))).toBe(false);
    // A corrupt (e.g. hand-edited) report is not trusted: it is graded again.
    const ids = readdirSync(join(out, 'reports'));
    expect(ids).toHaveLength(3);
    writeFileSync(join(out, 'reports', ids[0]), '{"truncated":');
    await expect(runBatch({ folder, out, grade, seed: 9 })).rejects.toThrow(/--resume/);
    await expect(runBatch({ folder, out, grade, seed: 10, resume: true })).rejects.toThrow(/--seed 9/);
    const second = await runBatch({ folder, out, grade, jobs: 2, resume: true }); // seed comes from batch.json
    expect(second).toMatchObject({ seed: 9, skipped: 2, graded: 5, complete: true });
    const again = [...calls.entries()].filter(([, n]) => n > 1).map(([id]) => `${id}.json`);
    expect(again).toEqual([ids[0]]);
    expect([...calls.values()].reduce((a, b) => a + b)).toBe(8);
    // Nothing left to do: a third run grades nothing.
    const third = await runBatch({ folder, out, grade, resume: true });
    expect(third).toMatchObject({ graded: 0, skipped: 7, complete: true });
  });

  it('an abort stops new grades and discards results finishing after it', async () => {
    const folder = makeClass();
    const out = join(tmp(), 'out');
    const controller = new AbortController();
    const { grade } = fakeGrader(20);
    const r = await runBatch({
      folder,
      out,
      grade,
      seed: 1,
      jobs: 2,
      signal: controller.signal,
      onProgress: (e) => e.type === 'done' && e.done === 2 && controller.abort(),
    });
    expect(r.complete).toBe(false);
    expect(readdirSync(join(out, 'reports'))).toHaveLength(r.graded);
    expect(r.graded).toBeLessThan(7);
  });

  it('shards merged give byte-identical outputs to a single run', async () => {
    const folder = makeClass();
    const base = tmp();
    const { grade, calls } = fakeGrader();
    await runBatch({ folder, out: join(base, 'all'), grade, seed: 3 });
    for (const i of [1, 2, 3]) await runBatch({ folder, out: join(base, `s${i}`), grade, seed: 3, shard: { index: i, count: 3 } });
    expect([...calls.values()]).toEqual(Array(7).fill(2)); // once in the full run, once in its shard
    // Order of the shard folders does not matter; a shard given twice dedupes.
    const m = mergeBatches([join(base, 's3'), join(base, 's1'), join(base, 's2'), join(base, 's1')], join(base, 'merged'));
    expect(m.total).toBe(7);
    expect(m.duplicates).toHaveLength(3);
    for (const f of AGGREGATES) expect(read(join(base, 'merged'), f), f).toBe(read(join(base, 'all'), f));
    expect(readdirSync(join(base, 'merged', 'reports')).sort()).toEqual(readdirSync(join(base, 'all', 'reports')).sort());
  });

  it('merge refuses conflicting duplicates and mixed seeds', async () => {
    const folder = makeClass();
    const base = tmp();
    const { grade } = fakeGrader();
    await runBatch({ folder, out: join(base, 'a'), grade, seed: 3, shard: { index: 1, count: 2 } });
    cpSync(join(base, 'a'), join(base, 'b'), { recursive: true });
    // Shard 1/2 of the sorted ids holds bob (index 2).
    const f = join(base, 'b', 'reports', 'bob.json');
    const changed = JSON.parse(read(join(base, 'b', 'reports'), 'bob.json')) as GradeReport;
    changed.score = 1;
    writeFileSync(f, JSON.stringify(changed));
    expect(() => mergeBatches([join(base, 'a'), join(base, 'b')], join(base, 'm1'))).toThrow(/"bob" has different grades/);
    await runBatch({ folder, out: join(base, 'c'), grade, seed: 4, shard: { index: 2, count: 2 } });
    expect(() => mergeBatches([join(base, 'a'), join(base, 'c')], join(base, 'm2'))).toThrow(/different seeds/);
  });
});

describe('runBatch with the real engine', () => {
  it('grades good, buggy and hostile submissions; none stops the batch or another\'s result', async () => {
    const folder = tmp();
    const ids = ['correct-vectorized', 'wrong-regularized-cost', 'wrong-sigmoid-gradient', 'infinite-loop', 'memory-hog', 'syntax-error', 'process-exit', 'stub'];
    for (const id of ids) cpSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions', id), join(folder, id), { recursive: true });
    const out = join(tmp(), 'out');
    const lines: string[] = [];
    const { plainProgress } = await import('../grader/batch/progress');
    const r = await runBatch({
      folder,
      out,
      grade: realGrade,
      seed: 123,
      jobs: 2,
      gradeOptions: { limits: { timeoutMs: 1500, heapMb: 64, outputCapBytes: 16 * 1024 }, reference: 'fixtures' },
      onProgress: plainProgress((t) => lines.push(t)),
    });
    expect(r).toMatchObject({ total: 8, graded: 8, complete: true });
    const byId = new Map(r.summary!.students.map((st) => [st.id, st]));
    const status = (id: string, part: PartId) => byId.get(id)!.parts[r.summary!.partIds.indexOf(part)]!.status;
    expect(byId.get('correct-vectorized')!.score).toBe(100);
    expect(byId.get('wrong-regularized-cost')!.score).toBe(90);
    expect(status('wrong-regularized-cost', 'regularized-cost')).toBe('failed');
    expect(byId.get('wrong-sigmoid-gradient')!.score).toBe(95);
    expect(status('infinite-loop', 'sigmoid-gradient')).toBe('errored');
    expect(status('memory-hog', 'sigmoid-gradient')).toBe('errored');
    expect(status('syntax-error', 'numerical-gradient')).toBe('errored');
    expect(status('process-exit', 'random-init')).toBe('errored');
    for (const id of ['infinite-loop', 'memory-hog', 'syntax-error', 'process-exit', 'stub']) expect(byId.get(id)!.score, id).toBe(0);
    for (const f of readdirSync(join(out, 'reports'))) {
      const rep = JSON.parse(read(join(out, 'reports'), f)) as GradeReport;
      expect(schemaProblems(rep), f).toEqual([]);
      expect(rep.seed).toBe(123);
      expect(rep.parts).toHaveLength(7);
    }
    expect(read(out, 'gradebook.csv').split('\n')[1]).toBe('correct-vectorized,100,25,10,5,5,35,10,10');
    expect(lines[0]).toBe('batch: grading 8 of 8 submissions on 2 jobs, seed 123\n');
    expect(lines.filter((l) => /^\[\d\/8\] \S+ \d+\/100( \(errored part\))? · \d+\.\d\/s · ETA (\d+s|\d+m\d\ds|\?)\n$/.test(l))).toHaveLength(8);
  });
});

describe('batch and merge commands', () => {
  it('run in-process: exit codes, --resume, usage errors, shard + merge', async () => {
    const folder = tmp();
    for (const id of ['a', 'b', 'c']) mkdirSync(join(folder, id)); // empty: every part errors (missing files), fast
    const cwd = tmp();
    const run = async (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, { cwd, env: {}, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdoutIsTTY: false });
      return { code, stdout, stderr };
    };
    const first = await run('batch', folder, '--out', 'all', '--seed', '8', '--no-config', '--reference', 'fixtures');
    // Two jobs finish in either order: each submission is reported once, the counter runs 1..3.
    const progress = [...first.stderr.matchAll(/^\[(\d)\/3\] (\S+) 0\/100 \(errored part\)/gm)];
    expect(progress.map((m) => m[1])).toEqual(['1', '2', '3']);
    expect(progress.map((m) => m[2]).sort()).toEqual(['a', 'b', 'c']);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('batch: 3 submissions (3 graded, 0 resumed), seed 8; mean 0/100, median 0\n');
    expect(await run('batch', folder, '--out', 'all', '--no-config')).toMatchObject({ code: 2 });
    const again = await run('batch', folder, '--out', 'all', '--resume', '--progress', 'none', '--no-config');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('batch: 3 submissions (0 graded, 3 resumed), seed 8');
    expect((await run('batch', folder, '--out', 'x', '--shard', '3/2')).code).toBe(2);
    for (const i of ['1', '2']) expect((await run('batch', folder, '--out', `s${i}`, '--shard', `${i}/2`, '--seed', '8', '--progress', 'none', '--no-config', '--reference', 'fixtures')).code).toBe(0);
    const merged = await run('merge', 's1', 's2', '--out', 'merged');
    expect(merged.code).toBe(0);
    for (const f of AGGREGATES) expect(read(join(cwd, 'merged'), f), f).toBe(read(join(cwd, 'all'), f));
    expect((await run('merge', 'nope', '--out', 'm2')).code).toBe(2);
  });
});

describe('progress', () => {
  const report = (score: number) => fakeReport('/x', 1, score === 100 ? {} : { statuses: { 'feedforward-cost': 'failed' } });

  it('the ETA counts submissions in flight, and a running one past the mean makes it unknown rather than wrong', async () => {
    const { ProgressTracker, formatSeconds } = await import('../grader/batch/progress');
    let now = 0;
    const p = new ProgressTracker(() => now);
    p.update({ type: 'start', total: 6, toGrade: 6, skipped: 0, seed: 1, jobs: 2 });
    p.update({ type: 'begin', id: 'a' });
    p.update({ type: 'begin', id: 'b' });
    expect(p.snapshot().etaSeconds).toBe(Infinity); // nothing finished yet: no rate to go by
    now = 2000;
    p.update({ type: 'done', id: 'a', report: report(100), done: 1, toGrade: 6, errored: false });
    p.update({ type: 'begin', id: 'c' });
    // mean 2 s; queued 3 (6 − 1 done − 2 running) → 6 s; b ran 2 s (needs 0), c 0 s (needs 2) → 8 s over 2 jobs.
    expect(p.snapshot()).toMatchObject({ done: 1, etaSeconds: 4, running: [{ id: 'b', seconds: 2 }, { id: 'c', seconds: 0 }] });
    now = 6000; // b has run 6 s, three times the mean: a timeout in the making
    expect(p.snapshot().etaSeconds).toBe(Infinity);
    expect(formatSeconds(p.snapshot().etaSeconds)).toBe('?');
    expect(formatSeconds(65)).toBe('1m05s');
  });

  it('the bar names what is running (ids made safe) and stops before an interrupt message', async () => {
    const { barProgress, runningText } = await import('../grader/batch/progress');
    expect(runningText([{ id: 'alice', seconds: 12.4 }, { id: 'bob\u001b[2J', seconds: 3 }])).toBe('alice (12s), bob\\x1b[2J (3s)');
    expect(runningText([1, 2, 3, 4].map((i) => ({ id: `s${i}`, seconds: i })), 3)).toBe('s1 (1s), s2 (2s), s3 (3s) +1');
    let written = '';
    const stream = Object.assign(new (await import('node:stream')).Writable({ write: (c, _e, cb) => ((written += String(c)), cb()) }), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true }) as unknown as NodeJS.WriteStream;
    const sink = barProgress(stream);
    sink({ type: 'start', total: 2, toGrade: 2, skipped: 0, seed: 1, jobs: 1 });
    sink({ type: 'begin', id: 'alice' });
    sink({ type: 'interrupt' });
    const before = written.length;
    sink({ type: 'done', id: 'alice', report: report(100), done: 1, toGrade: 2, errored: false });
    expect(written.length).toBe(before); // nothing drawn after the interrupt: the message stays clean
    expect(written).toContain('batch: grading 2 of 2 submissions on 1 jobs, seed 1\n');
    expect(written).toContain('running: alice (0s)');
  });

  it('Ctrl-C: one clean message (stopped bar, then the message on its own line), finished reports kept; the rerun hint names --resume', async () => {
    const folder = makeClass();
    const cwd = tmp();
    let stderr = '';
    const { grade } = fakeGrader(30);
    const { runBatchCommand, parseBatchArgs } = await import('../grader/commands/batch');
    const cli = parseBatchArgs([folder, '--out', join(cwd, 'out'), '--jobs', '1', '--progress', 'plain', '--no-config'], cwd);
    const ctx = { io: { stdout: () => {}, stderr: (t: string) => void (stderr += t), env: {}, cwd, stdoutIsTTY: false }, exitCode: 0 };
    const running = runBatchCommand(cli, ctx, async (o) => {
      const r = await grade(o);
      if (stderr.includes('[1/7]') && !stderr.includes('interrupted')) process.emit('SIGINT');
      return r;
    });
    expect(await running).toBe(1);
    expect(stderr).toContain('\nbatch: interrupted. Finished reports are kept; run the same command with --resume to continue. Press Ctrl-C again to quit at once.\n');
    expect(stderr).toMatch(/batch: not finished \(\d graded now, 0 before, 7 in all\)\. Run the same command with --resume to finish\.\n$/);
    expect(stderr.match(/interrupted/g)).toHaveLength(1);
  });
});

describe('batch --find (uploads nested at any depth)', () => {
  it('grades the folder inside each upload that holds the files; refuses an ambiguous upload with the reason in its report', async () => {
    const folder = tmp();
    const four = ['nnCostFunction.ts', 'sigmoidGradient.ts', 'randInitializeWeights.ts', 'computeNumericalGradient.ts'];
    const put = (dir: string) => {
      mkdirSync(dir, { recursive: true });
      for (const f of four) writeFileSync(join(dir, f), 'export {}');
    };
    put(join(folder, 'alice', 'submission-1', 'ex4-alice', 'exercises'));
    put(join(folder, 'bob'));
    put(join(folder, 'carol', 'v1'));
    put(join(folder, 'carol', 'v2'));
    const seen = new Map<string, string>();
    const grade: GradeFn = async (o) => {
      seen.set(basename(o.submission), o.submission);
      return fakeReport(o.submission, o.seed!, {});
    };
    const out = join(tmp(), 'out');
    const r = await runBatch({ folder, out, grade, seed: 2, find: true });
    expect(r.complete).toBe(true);
    expect([...seen.values()].sort()).toEqual([join(folder, 'alice', 'submission-1', 'ex4-alice', 'exercises'), join(folder, 'bob')]);
    const carol = JSON.parse(read(join(out, 'reports'), 'carol.json')) as GradeReport;
    expect(carol.score).toBe(0);
    expect(carol.parts[0].messages[0]).toMatchObject({ id: 'upload.ambiguous', params: { folders: 'v1/, v2/' } });
    expect(carol.parts[0].messages[0].text).toContain('(v1/, v2/)');
  });
});

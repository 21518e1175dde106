/**
 * End-to-end: grade() on fixture submissions named by their expected outcome, through the real
 * sandbox. Asserts exact per-part statuses, scores, "not implemented yet" messages, the reference
 * at 100/100, and that grading leaves the project tree untouched.
 */
import { PART_SECTION } from '../grader/messages/guide';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../grader/api';
import { PART_IDS, type PartId } from '../grader/parts/ids';
import { PACKAGE_ROOT } from '../grader/paths';
import type { GradeReport, PartStatus } from '../grader/report/types';
import { validateReport } from '../grader/report/validate';
import type { Sandbox } from '../grader/sandbox/protocol';

const SUBMISSIONS = join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions');
/** Small limits so the hostile fixtures finish quickly. */
const limits = { timeoutMs: 2000, heapMb: 64, outputCapBytes: 64 * 1024 };

type Row = [fc: PartStatus, rc: PartStatus, sg: PartStatus, ri: PartStatus, bg: PartStatus, rg: PartStatus, ng: PartStatus];
const p = 'passed' as const;
const f = 'failed' as const;
const e = 'errored' as const;
const ALL_FAILED: Row = [f, f, f, f, f, f, f];

/** Expected per-part statuses under the full preset, in the guide's step order (PART_IDS), and the score. */
const EXPECTED: Record<string, { parts: Row; score: number }> = {
  'correct-vectorized': { parts: [p, p, p, p, p, p, p], score: 100 },
  'correct-loop': { parts: [p, p, p, p, p, p, p], score: 100 },
  'correct-plain-arrays': { parts: [p, p, p, p, p, p, p], score: 100 },
  'correct-other-order': { parts: [p, p, p, p, p, p, p], score: 100 },
  // A cost bug costs cost points only; a backprop bug both gradient parts (λ > 0 contains λ = 0).
  'wrong-feedforward-cost': { parts: [f, f, p, p, p, p, p], score: 65 },
  'wrong-regularized-cost': { parts: [p, f, p, p, p, p, p], score: 90 },
  'wrong-sigmoid-gradient': { parts: [p, p, f, p, p, p, p], score: 95 },
  'wrong-backprop-gradient': { parts: [p, p, p, p, f, f, p], score: 55 },
  'wrong-regularized-gradient': { parts: [p, p, p, p, p, f, p], score: 90 },
  'wrong-numerical-gradient': { parts: [p, p, p, p, p, p, f], score: 90 },
  'wrong-random-init': { parts: [p, p, p, f, p, p, p], score: 95 },
  // No backprop: grad by finite differences of its own cost passes every small case, not the speed checks.
  'fd-gradient': { parts: [p, p, p, p, f, f, p], score: 55 },
  'hardcoded-public-answers': { parts: ALL_FAILED, score: 0 },
  // The sandbox engineer's hostile submissions (see each README.md).
  stub: { parts: ALL_FAILED, score: 0 },
  'syntax-error': { parts: [f, f, f, f, f, f, e], score: 0 },
  throws: { parts: [f, f, e, e, f, f, f], score: 0 },
  'infinite-loop': { parts: [f, f, e, f, f, f, f], score: 0 },
  'process-exit': { parts: [f, f, e, e, f, f, f], score: 0 },
  'memory-hog': { parts: [f, f, e, f, f, f, f], score: 0 },
  'reads-outside': { parts: [f, f, e, f, f, f, f], score: 0 },
  'writes-files': { parts: [f, f, e, f, f, f, f], score: 0 },
  'spawns-process': { parts: [f, f, e, e, f, f, f], score: 0 },
  'monkeypatches-globals': { parts: [f, f, f, f, f, f, p], score: 10 },
  'prints-fake-results': { parts: ALL_FAILED, score: 0 },
  'returns-garbage': { parts: ALL_FAILED, score: 0 },
  'missing-export': { parts: [e, e, e, e, e, e, f], score: 0 },
  'imports-outside': { parts: [f, f, f, e, f, f, e], score: 0 },
  'uses-network': { parts: [f, f, e, f, f, f, f], score: 0 },
  // The security review's attacks (sandbox v2; see each README.md), in whatever isolation this machine has.
  'signals-parent-and-decoy': { parts: [f, f, e, e, f, f, e], score: 0 },
  'kills-parent-then-spins': { parts: [f, f, e, f, f, f, f], score: 0 },
  'ipc-internals-and-raw-bytes': { parts: [f, f, e, e, f, f, e], score: 0 },
  'network-internal-handles': { parts: [f, f, e, f, f, f, f], score: 0 },
  // RLIMIT_DATA is enforced by Linux (macOS accepts `ulimit -d` and ignores it).
  ...(process.platform === 'linux' ? { 'memory-arraybuffers': { parts: [f, f, e, f, f, f, f] as Row, score: 0 } } : {}),
  'huge-reply': { parts: [f, f, e, e, f, f, f], score: 0 },
  'throws-huge-messages': { parts: [f, f, e, e, f, f, f], score: 0 },
};

/** Path -> size and content hash of every file under the folders grading might touch. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else out.set(relative(PACKAGE_ROOT, path), `${st.size}:${createHash('sha1').update(readFileSync(path)).digest('hex')}`);
    }
  };
  for (const dir of GRADED) walk(join(PACKAGE_ROOT, dir));
  return out;
}

/**
 * The folders this suite grades. Only these are compared: other engineers edit the rest of this
 * checkout while the suite runs.
 */
const GRADED = Object.keys(EXPECTED).map((name) => `test/fixtures/submissions/${name}`);

/** Git's view of the same folders, ignored files included (a write would show up as untracked). */
function gitStatus(): string {
  return execFileSync('git', ['status', '--porcelain', '--ignored', '--', ...GRADED], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
  });
}

const reports = new Map<string, GradeReport>();
let before: Map<string, string>;
let gitBefore: string;

beforeAll(() => {
  before = snapshot();
  gitBefore = gitStatus();
});

describe('every fixture submission gets exactly its expected per-part statuses', () => {
  const present = readdirSync(SUBMISSIONS).filter((d) => statSync(join(SUBMISSIONS, d)).isDirectory());

  it('every row has its fixture folder (diagnosis fixtures are tested in their own suite)', () => {
    expect(Object.keys(EXPECTED).filter((d) => !present.includes(d))).toEqual([]);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(name, async () => {
      const report = await grade({ submission: join(SUBMISSIONS, name), seed: 20240, limits });
      reports.set(name, report);
      validateReport(report);
      expect(report.parts.map((x) => x.id)).toEqual([...PART_IDS]);
      expect(Object.fromEntries(report.parts.map((x) => [x.id, x.status]))).toEqual(
        Object.fromEntries(PART_IDS.map((id, i) => [id, expected.parts[i]])),
      );
      expect(report.score).toBe(expected.score);
      // A report always exists: every part with its full max score, whatever happened.
      expect(report.maxScore).toBe(100);
      expect(report.parts.map((x) => x.maxScore)).toEqual([25, 10, 5, 5, 35, 10, 10]);
      for (const part of report.parts) {
        expect(part.score).toBe(part.status === 'passed' ? part.maxScore : 0);
        expect(part.messages.length).toBeGreaterThan(0);
        if (part.status !== 'passed') {
          const last = part.messages.at(-1);
          expect(last?.id).toBe('report.part.revisit');
          expect(last?.text).toMatch(new RegExp(`^Revisit section \\d of the guide, .*: exercises/GUIDE\\.md#${PART_SECTION[part.id]}$`));
        }
      }
    });
  }
});

describe('details of particular outcomes', () => {
  it('stubs: every part says "not implemented yet" and names the file', () => {
    const r = reports.get('stub') as GradeReport;
    for (const part of r.parts) expect(part.messages[0].text).toMatch(/^`\w+` is not implemented yet: edit exercises\/\w+\.ts/);
  });

  it('hard-coded public answers pass the public cases and fail every hidden one', () => {
    const r = reports.get('hardcoded-public-answers') as GradeReport;
    for (const id of ['feedforward-cost', 'regularized-cost', 'sigmoid-gradient', 'backprop-gradient', 'regularized-gradient'] as PartId[]) {
      const part = r.parts.find((x) => x.id === id);
      expect(part?.cases.filter((c) => !c.hidden).every((c) => c.passed)).toBe(true);
      expect(part?.cases.filter((c) => c.hidden).every((c) => !c.passed)).toBe(true);
    }
  });

  it('a wrong gradient names the worst element in Theta terms with a diff', () => {
    const r = reports.get('wrong-regularized-gradient') as GradeReport;
    const pub = r.parts.find((x) => x.id === 'regularized-gradient')?.cases[0];
    expect(pub?.message).toBe(
      '`nnCostFunction` returned a wrong grad: 8 of 32 elements are off. The worst is grad(14) = Theta2(2, 1): expected -0.008016162, got -0.100828 (absolute error 9.3e-2, relative error 1.2e+1).',
    );
    expect(pub?.worst).toMatchObject({ index: 14, row: 2, column: 1 });
    expect(pub?.diff).toContain('[--0.01210 -0.12776 0.04255 0.09974-]{+0.06678 -0.11453 -0.04735 0.16133+}');
  });

  it('compile errors carry file, line and column; timeouts skip the remaining calls', () => {
    const syntax = reports.get('syntax-error') as GradeReport;
    expect(syntax.parts.find((x) => x.id === 'numerical-gradient')?.messages[0].text).toMatch(
      /^`computeNumericalGradient` could not be compiled: exercises\/computeNumericalGradient\.ts:3:\d+: /,
    );
    const loop = reports.get('infinite-loop') as GradeReport;
    const cases = loop.parts.find((x) => x.id === 'sigmoid-gradient')?.cases ?? [];
    expect(cases[0].message).toMatch(/did not finish within 2 s/);
    expect(cases.slice(1).every((c) => /not run: an earlier call \(public .*\) timed out/.test(c.message ?? ''))).toBe(true);
  });

  it('a gradient from finite differences of the cost fails both gradient parts on the speed check, saying what was seen', () => {
    const r = reports.get('fd-gradient') as GradeReport;
    for (const id of ['backprop-gradient', 'regularized-gradient'] as PartId[]) {
      const part = r.parts.find((x) => x.id === id);
      const failed = part?.cases.filter((c) => !c.passed) ?? [];
      expect(failed.map((c) => [c.name, c.failure, c.messageId])).toEqual([['speed check', 'too-slow', 'sealed.probe.too-slow']]);
      expect(failed[0].message).toBe(
        '`nnCostFunction` did not return within 2000 ms on the speed check, a 400-25-10 network with 10285 parameters and 100 examples, where backpropagation takes a few milliseconds. ' +
          'A gradient from finite differences of the cost needs at least 20570 cost evaluations here and cannot finish in time: compute grad with backpropagation (Part 3).',
      );
      // Every other case of the part passed: the finite differences are accurate, only too slow.
      expect(part?.cases.filter((c) => c.passed)).toHaveLength((part?.cases.length ?? 0) - 1);
    }
    // A probe's timeout is not sticky: the second probe (run after the first timed out) was still called and ran to its budget.
    const second = r.parts.find((x) => x.id === 'regularized-gradient')?.cases.find((c) => c.name === 'speed check');
    expect(second?.durationMs).toBeGreaterThanOrEqual(1900);
  });

  it('correct per-example-loop and vectorized backprop pass the speed checks', () => {
    for (const name of ['correct-loop', 'correct-vectorized', 'correct-plain-arrays']) {
      const r = reports.get(name) as GradeReport;
      for (const id of ['backprop-gradient', 'regularized-gradient'] as PartId[]) {
        expect(r.parts.find((x) => x.id === id)?.cases.find((c) => c.name === 'speed check'), `${name} ${id}`).toMatchObject({ passed: true, hidden: true });
      }
    }
  });

  it('the numerical gradient part names one-sided differences by their J call count', () => {
    const r = reports.get('wrong-numerical-gradient') as GradeReport;
    expect(r.parts.find((x) => x.id === 'numerical-gradient')?.cases[0].message).toMatch(
      /J was called 6 times; central differences call it twice per element of theta \(2×5 = 10\)/,
    );
  });
});

describe('reference and options', () => {
  let solved: string;
  beforeAll(() => {
    // The solutions as a student's exercises folder (their ../exercises/lib imports then resolve to lib/).
    solved = mkdtempSync(join(tmpdir(), 'bpg-solved-'));
    mkdirSync(join(solved, 'exercises'));
    for (const file of readdirSync(join(PACKAGE_ROOT, 'solutions'))) cpSync(join(PACKAGE_ROOT, 'solutions', file), join(solved, 'exercises', file));
  });
  afterAll(() => rmSync(solved, { recursive: true, force: true }));

  it('the reference solutions score 100/100 (live reference and sealed hidden cases)', async () => {
    const live = await grade({ submission: solved, seed: 3, limits });
    expect([live.score, live.reference]).toEqual([100, 'solutions']);
    const stored = await grade({ submission: solved, seed: 3, limits, reference: 'sealed' });
    expect([stored.score, stored.reference]).toEqual([100, 'sealed']);
  });

  it('the untouched stubs (exercises/) score 0/100 with "not implemented yet"', async () => {
    const r = await grade({ submission: join(PACKAGE_ROOT, 'exercises'), limits });
    expect(r.score).toBe(0);
    expect(r.parts.every((x) => x.status === 'failed' && x.messages[0].text.includes('not implemented yet'))).toBe(true);
  });

  it('draws and reports a seed when none is given; the same seed reproduces the run', async () => {
    const sub = join(SUBMISSIONS, 'wrong-regularized-cost');
    const a = await grade({ submission: sub, limits, preset: 'coursera' });
    expect(Number.isInteger(a.seed)).toBe(true);
    const b = await grade({ submission: sub, limits, preset: 'coursera', seed: a.seed });
    const strip = (r: GradeReport) => r.parts.map((x) => ({ ...x, durationMs: 0, cases: x.cases.map((c) => ({ ...c, durationMs: 0 })) }));
    expect(strip(b)).toEqual(strip(a));
  });

  it('coursera preset: five parts at 30/15/5/40/10', async () => {
    const r = await grade({ submission: join(SUBMISSIONS, 'correct-loop'), preset: 'coursera', seed: 1, limits });
    expect(r.parts.map((x) => [x.id, x.score])).toEqual([
      ['feedforward-cost', 30],
      ['regularized-cost', 15],
      ['sigmoid-gradient', 5],
      ['backprop-gradient', 40],
      ['regularized-gradient', 10],
    ]);
    expect([r.score, r.maxScore, r.preset]).toEqual([100, 100, 'coursera']);
  });

  it('partial credit by case, and more hidden cases on request', async () => {
    const r = await grade({ submission: join(SUBMISSIONS, 'hardcoded-public-answers'), seed: 1, limits, partialCredit: true, hiddenCases: 5 });
    const ff = r.parts.find((x) => x.id === 'feedforward-cost');
    expect(ff?.cases).toHaveLength(6);
    expect(ff?.score).toBe(Math.round((25 / 6) * 100) / 100);
  });
});

describe('failures', () => {
  const fake = (call: Sandbox['call']) => {
    let closed = 0;
    const sandbox: Sandbox = { isolation: 'permission-model', call, locations: () => ({}), output: () => '', close: async () => void closed++ };
    return { open: async () => sandbox, closed: () => closed };
  };

  it("a sandbox that cannot answer still gives a complete report (every part errored, full max scores)", async () => {
    const sb = fake(async () => ({ ok: false, error: { code: 'crashed', message: 'the submission process crashed (signal SIGSEGV)' }, durationMs: 1 }));
    const r = await grade({ submission: '/nowhere', seed: 1 }, { openSandbox: sb.open });
    expect(r.parts.map((x) => [x.status, x.score, x.maxScore])).toEqual([25, 10, 5, 5, 35, 10, 10].map((m) => ['errored', 0, m]));
    expect(sb.closed()).toBe(1);
  });

  it("the grader's own failures throw, and the sandbox is still closed", async () => {
    const sb = fake(async () => {
      throw new Error('IPC broke');
    });
    await expect(grade({ submission: '/nowhere', seed: 1 }, { openSandbox: sb.open })).rejects.toThrow('IPC broke');
    expect(sb.closed()).toBe(1);
    await expect(grade({ submission: '/nowhere', seed: 1.5 })).rejects.toThrow('seed must be an integer');
    await expect(grade({ submission: '/nowhere', seed: 1, hiddenCases: -1 })).rejects.toThrow('hiddenCases must be an integer from 0 to 1000');
    await expect(grade({ submission: '/nowhere', seed: 1, tolerance: { atol: -1, rtol: 0 } })).rejects.toThrow('tolerance atol and rtol');
  });
});

describe('the project tree is unchanged after grading', () => {
  it('no file of the graded submissions changed, appeared or vanished', () => {
    expect(snapshot()).toEqual(before);
    expect(gitStatus()).toBe(gitBefore);
  });
});

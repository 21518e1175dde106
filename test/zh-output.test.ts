/**
 * Issue 11's "Done when": `grade --lang zh-CN` on failing submissions prints Chinese for every line
 * a student reads, in every format (the text report, concise and verbose; the GitHub job summary,
 * annotations and Classroom messages; Gradescope's student-visible fields), in live and sealed
 * mode; and every text of a report can be rendered again in the other language from its ids and
 * params (the JSON report keeps them beside the text).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWalkthrough } from '../exercises/ex4';
import { grade } from '../grader/api';
import { render, type MessageRef } from '../grader/messages/index';
import { partTitle } from '../grader/messages/parts';
import { PACKAGE_ROOT } from '../grader/paths';
import type { GradeOptions } from '../grader/options';
import type { GradeReport } from '../grader/report/types';
import { classroomResults, jobSummaryMarkdown, publishToGitHub, type ActionsCore } from '../grader/reporters/github';
import { gradescopeResults } from '../grader/reporters/gradescope';
import { renderText } from '../grader/reporters/text';
import { nonChineseLines, quotedTexts } from './helpers/chineseLines';

const SUBMISSIONS = join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions');
const SEED = 7;

/** Failing submissions of every kind a student meets: stubs, wrong values, types, errors, timeouts, sealed cases. */
const RUNS: { name: string; submission: string; reference?: 'sealed'; timeoutMs?: number }[] = [
  { name: 'the untouched stubs', submission: 'stub' },
  { name: 'wrong values (a catalogue mistake)', submission: 'mistake-reg-includes-bias' },
  { name: 'a compile error', submission: 'syntax-error' },
  { name: 'an endless loop (timeout)', submission: 'infinite-loop', timeoutMs: 1500 },
  { name: 'values of the wrong type', submission: 'returns-garbage' },
  { name: 'runtime errors', submission: 'throws' },
  { name: 'a throw in Part 3 that stops other parts', submission: 'located-throws-in-part3-vec' },
  { name: 'a random initialization out of range', submission: 'wrong-random-init' },
  { name: 'sealed hidden cases, wrong values', submission: 'mistake-reg-includes-bias', reference: 'sealed' },
  { name: 'sealed hidden cases, a wrong gradient', submission: 'wrong-backprop-gradient', reference: 'sealed' },
];

const reports = new Map<string, { en: GradeReport; zh: GradeReport }>();

beforeAll(async () => {
  for (const run of RUNS) {
    const options = { submission: join(SUBMISSIONS, run.submission), seed: SEED, ...(run.reference ? { reference: run.reference } : {}), ...(run.timeoutMs ? { limits: { timeoutMs: run.timeoutMs } as GradeOptions['limits'] } : {}) };
    const [en, zh] = [await grade({ ...options, lang: 'en' }), await grade({ ...options, lang: 'zh-CN' })];
    reports.set(run.name, { en, zh });
  }
}, 240_000);

/** A fake @actions/core that records annotations and the job summary. */
function recordingCore(): { core: ActionsCore; annotations: string[]; titles: string[] } {
  const annotations: string[] = [];
  const titles: string[] = [];
  const summary = { addRaw: () => summary, write: async () => summary };
  const core = {
    error: (message: string | Error, props?: { title?: string }) => {
      annotations.push(String(message));
      if (props?.title) titles.push(props.title);
    },
    setOutput: () => undefined,
    summary,
  } as unknown as ActionsCore;
  return { core, annotations, titles };
}

describe.each(RUNS.map((r) => r.name))('grade --lang zh-CN: %s', (name) => {
  const zh = () => reports.get(name)!.zh;

  it('fails, so there is something to read', () => {
    expect(zh().score).toBeLessThan(zh().maxScore);
    expect(zh().lang).toBe('zh-CN');
  });

  it('the text report, concise and verbose, at the default width: every line Chinese (or exempt)', () => {
    const quoted = quotedTexts(zh());
    expect(nonChineseLines(renderText(zh()), quoted)).toEqual([]);
    expect(nonChineseLines(renderText(zh(), { verbose: true }), quoted)).toEqual([]);
  });

  it('the GitHub job summary, annotations and Classroom messages: every line Chinese (or exempt)', async () => {
    const quoted = quotedTexts(zh());
    expect(nonChineseLines(jobSummaryMarkdown(zh()), quoted)).toEqual([]);
    const { core, annotations, titles } = recordingCore();
    await publishToGitHub(zh(), { write: () => undefined, env: {}, core });
    expect(annotations.length).toBeGreaterThan(0);
    expect(nonChineseLines([...annotations, ...titles].join('\n'), quoted)).toEqual([]);
    const classroom = classroomResults(zh()).flatMap(({ result }) => result.tests.flatMap((t) => [t.name, t.message]));
    expect(nonChineseLines(classroom.join('\n'), quoted)).toEqual([]);
  });

  it("Gradescope's student-visible fields: every line Chinese (or exempt)", () => {
    const results = gradescopeResults(zh());
    const visible = [results.output, ...results.tests.flatMap((t) => [t.name, t.output ?? ''])];
    expect(nonChineseLines(visible.join('\n'), quotedTexts(zh()))).toEqual([]);
  });

  it.each([
    ['English', 'en', 'English'],
    ['Chinese', 'zh', 'Chinese'],
    ['English', 'en', 'Chinese'],
  ] as const)('the %s report, rendered again from its ids and params, is exactly the %s report', (_from, from, to) => {
    const pair = reports.get(name)!;
    const source = pair[from];
    const target = to === 'Chinese' ? pair.zh : pair.en;
    const lang = target.lang;
    expect(texts(source, lang)).toEqual(texts(target));
  });
});

/**
 * A report's texts a reader sees (part titles, notices, part messages, diagnoses, case names and
 * messages), as written in it, or (with `lang`) rendered again from its ids and params in `lang`.
 */
function texts(report: GradeReport, lang?: GradeReport['lang']): unknown {
  const again = (ref: MessageRef, text: string) => (lang ? render(ref, lang) : text);
  return {
    titles: report.parts.map((p) => (lang ? partTitle(p.id, lang) : p.title)),
    notices: (report.notices ?? []).map((m) => again(m, m.text)),
    parts: report.parts.map((part) => ({
      messages: part.messages.map((m) => again(m, m.text)),
      diagnoses: part.diagnoses.map((d) => [again({ id: d.messageId, params: d.params }, d.message), again({ id: d.hintId, params: d.params }, d.hint)]),
      cases: part.cases.map((c) => [again({ id: c.nameId!, params: c.nameParams }, c.name), c.messageId ? again({ id: c.messageId, params: c.params }, c.message ?? '') : c.message]),
    })),
  };
}

/** `npm run ex4 -- --lang zh-CN`: the walkthrough's lines, on the reference and on broken code. */
describe('the walkthrough in Chinese: every line a student reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpg-zh-ex4-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** correct-vectorized with one file replaced or edited. */
  function submission(name: string, file: string, change: (src: string) => string): string {
    const root = join(dir, name);
    cpSync(join(SUBMISSIONS, 'correct-vectorized', 'exercises'), join(root, 'exercises'), { recursive: true });
    const path = join(root, 'exercises', file);
    writeFileSync(path, change(readFileSync(path, 'utf8')));
    return root;
  }

  async function walk(options: Parameters<typeof runWalkthrough>[0]): Promise<string[]> {
    const lines: string[] = [];
    await runWalkthrough({ out: join(dir, 'out'), iterations: 2, lang: 'zh-CN', ...options }, { log: (l) => lines.push(l) });
    return lines;
  }

  /** Each walk, and a line it must print (so it stops, or ends, where it should). */
  const WALKS: [string, RegExp, () => Promise<string[]>][] = [
    ['every step, on the reference solutions', /^所有步骤都已运行/, () => walk({ impl: 'solutions' })],
    ['the untouched stubs', /^ {2}`nnCostFunction` 还/, () => walk({ submission: join(SUBMISSIONS, 'stub') })],
    ['wrong values (the regularization term doubled)', /lambda = 1）：7\.\d+ +应为 7\.008220 +✗$/, () => walk({ submission: submission('reg', 'nnCostFunction.ts', (s) => s.replace('J += (lambda / (2 * m)) * reg;', 'J += (lambda / m) * reg;')) })],
    ['a random initialization out of range', /超出了 \[−0\.12, 0\.12\]/, () => walk({ submission: join(SUBMISSIONS, 'mistake-rand-init-range') })],
    ['a compile error', /无法编译/, () => walk({ submission: submission('syntax', 'nnCostFunction.ts', (s) => s.replace('const a1 = addBiasColumn(X);', 'const a1 = addBiasColumn(X;')) })],
    ['an endless loop (timeout)', /死循环/, () => walk({ timeoutMs: 2000, submission: submission('loop', 'sigmoidGradient.ts', () => readFileSync(join(SUBMISSIONS, 'infinite-loop', 'exercises', 'sigmoidGradient.ts'), 'utf8')) })],
    ['a shape error thrown by the kit', /MatrixShapeError：times：A \.\* B 要求两个矩阵的维度一致/, () => walk({ submission: submission('shape', 'nnCostFunction.ts', (s) => s.replace('const d2 = times(mtimes(d3, dropFirstColumn(Theta2)), sigmoidGradient(z2));', 'const d2 = times(mtimes(d3, Theta2), sigmoidGradient(z2));')) })],
    ['a data file that does not exist', /nope\.mat：找不到这个文件$/, () => walk({ data: join(dir, 'nope.mat') })],
  ];

  it('the closing list of values that differ, in Chinese punctuation', async () => {
    const lines = await walk({ submission: join(SUBMISSIONS, 'mistake-rand-init-range') });
    expect(lines.filter((l) => l.startsWith('  ✗ 第 6 步'))).toEqual([
      '  ✗ 第 6 步（随机初始化（randInitializeWeights.ts））：初始 Theta1',
      '  ✗ 第 6 步（随机初始化（randInitializeWeights.ts））：初始 Theta2',
    ]);
  }, 120_000);

  it.each(WALKS)('%s', async (_name, expected, run) => {
    const lines = await run();
    expect(lines.filter((l) => expected.test(l))).not.toEqual([]);
    expect(nonChineseLines(lines.join('\n'))).toEqual([]);
  }, 120_000);
});

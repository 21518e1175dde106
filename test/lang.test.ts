/**
 * Choosing the students' language: `grade --lang`, the config's `lang`, LC_ALL / LC_MESSAGES /
 * LANG, and `batch --lang`, through the commands' own code (parsing, config, engine, JSON reporter)
 * on a real failing submission.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBatchArgs, runBatchCommand } from '../grader/commands/batch';
import type { CliContext } from '../grader/commands/context';
import { runGrade } from '../grader/commands/grade';
import { parseGradeArgs } from '../grader/commands/parse';
import { t, type MessageId } from '../grader/messages/index';
import { PACKAGE_ROOT } from '../grader/paths';
import type { GradeReport } from '../grader/report/types';
import { validateReport } from '../grader/report/validate';
import { englishRuns } from './helpers/englishRuns';

const SUBMISSIONS = join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions');
const CJK = /[\u4e00-\u9fff]/;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpg-lang-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(env: NodeJS.ProcessEnv) {
  const out = { stdout: '', stderr: '' };
  const ctx: CliContext = {
    io: { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s), env, cwd: dir, stdoutIsTTY: false },
    exitCode: 0,
  };
  return { ctx, out };
}

/** `grade <submission> --format json …` run through the command's code; returns the JSON report. */
async function gradeJson(submission: string, flags: string[], env: NodeJS.ProcessEnv): Promise<GradeReport> {
  const { ctx, out } = context(env);
  const code = await runGrade(parseGradeArgs([join(SUBMISSIONS, submission), '--format', 'json', '--seed', '1', '--preset', 'coursera', ...flags], env, dir), ctx);
  expect(code).toBe(0);
  const report = JSON.parse(out.stdout) as GradeReport;
  validateReport(report);
  return report;
}

describe('grade --lang zh-CN on a failing submission', () => {
  let report: GradeReport;
  beforeAll(async () => {
    report = await gradeJson('mistake-reg-includes-bias', ['--lang', 'zh-CN', '--no-config'], {});
  });

  it('writes a Chinese report: lang, part titles, messages (ids and params kept) and diagnoses', () => {
    expect(report.lang).toBe('zh-CN');
    expect(report.parts.map((p) => p.status)).toEqual(['passed', 'failed', 'passed', 'passed', 'failed']);
    for (const part of report.parts) {
      expect(part.title).toMatch(CJK);
      for (const m of part.messages) {
        expect(m.text, m.id).toBe(t(m.id as MessageId, m.params, 'zh-CN'));
        expect(m.text).toMatch(CJK);
        // Case names and comparison sentences are catalogue messages too: no English run at all.
        expect(englishRuns(m.text), m.text).toEqual([]);
      }
    }
    const failed = report.parts.filter((p) => p.status === 'failed');
    for (const part of failed) {
      expect(part.diagnoses.map((d) => d.id)).toEqual(['reg-includes-bias']);
      for (const d of part.diagnoses) {
        expect(d.message).toMatch(CJK);
        expect(d.hint).toMatch(CJK);
        expect(englishRuns(d.message)).toEqual([]);
        expect(englishRuns(d.hint)).toEqual([]);
        expect(d.hint).toContain('exercises/GUIDE.zh-CN.md#mistake-reg-includes-bias');
      }
      expect(part.messages.map((m) => m.text)).toContain(t('report.part.revisit', { section: part.id }, 'zh-CN'));
    }
    expect(failed[0].messages.at(-1)?.text).toBe('请复习指南第 3 节“正则化代价函数”：exercises/GUIDE.zh-CN.md#regularized-cost');
  });
});

describe('where the language comes from', () => {
  it('LANG=zh_CN.UTF-8 picks Chinese without a flag; --lang en and LC_ALL override it', async () => {
    const fromLocale = await gradeJson('stub', ['--no-config'], { LANG: 'zh_CN.UTF-8' });
    expect(fromLocale.lang).toBe('zh-CN');
    expect(fromLocale.parts[0].title).toBe('前向传播与代价函数');
    expect(fromLocale.parts[0].messages[0].text).toBe(
      '`nnCostFunction` 还没有实现：请编辑 exercises/nnCostFunction.ts，把 `throw new NotImplementedError(…)` 这一行换成你的代码。',
    );
    expect((await gradeJson('stub', ['--no-config', '--lang', 'en'], { LANG: 'zh_CN.UTF-8' })).lang).toBe('en');
    expect((await gradeJson('stub', ['--no-config'], { LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).lang).toBe('en');
    expect((await gradeJson('stub', ['--no-config'], {})).lang).toBe('en');
  });

  it('the config\'s "lang" comes after --lang and before the locale', async () => {
    const config = join(dir, 'zh.config.json');
    writeFileSync(config, JSON.stringify({ lang: 'zh-CN' }));
    expect((await gradeJson('stub', ['--config', config], { LANG: 'en_US.UTF-8' })).lang).toBe('zh-CN');
    expect((await gradeJson('stub', ['--config', config, '--lang', 'en'], {})).lang).toBe('en');
  });

  it('rejects an unknown --lang, and accepts locale spellings', () => {
    expect(() => parseGradeArgs(['--lang', 'fr'])).toThrow(/--lang must be en or zh-CN, got "fr"/);
    expect(parseGradeArgs(['--lang', 'zh_CN.UTF-8']).lang).toBe('zh-CN');
    expect(parseGradeArgs([]).lang).toBeUndefined();
    expect(parseBatchArgs(['subs', '--out', 'o', '--lang', 'zh-CN']).lang).toBe('zh-CN');
    expect(() => parseBatchArgs(['subs', '--out', 'o', '--lang', 'de'])).toThrow(/--lang must be en or zh-CN/);
  });
});

describe('batch --lang zh-CN', () => {
  it('grades every submission in Chinese, errored reports included', async () => {
    const folder = join(dir, 'class');
    mkdirSync(folder, { recursive: true });
    cpSync(join(SUBMISSIONS, 'stub'), join(folder, 'alice'), { recursive: true });
    const out = join(dir, 'batch-out');
    const seen: unknown[] = [];
    const { ctx } = context({});
    const code = await runBatchCommand(parseBatchArgs([folder, '--out', out, '--lang', 'zh-CN', '--no-config', '--progress', 'none', '--seed', '1'], dir), ctx, async (options) => {
      seen.push(options.lang);
      throw new Error('boom');
    });
    expect(code).toBe(0);
    expect(seen).toEqual(['zh-CN']);
    const report = JSON.parse(readFileSync(join(out, 'reports', 'alice.json'), 'utf8')) as GradeReport;
    expect(report.lang).toBe('zh-CN');
    expect(report.parts[0].title).toBe('前向传播与代价函数');
    expect(report.parts[0].messages[0].text).toBe('评分程序在这份提交上出错（内部错误：boom）。');
  });
});

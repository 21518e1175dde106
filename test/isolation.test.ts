/**
 * Choosing the walls (grader/sandbox/isolation.ts) and saying so: the fallback when bubblewrap is
 * missing or broken (simulated), `--isolation strict` refusing with how to enable namespaces
 * (exit 2), `batch` strict by default on Linux and warning once otherwise, the report's notice,
 * and the config rule of `--format github|gradescope` with the release carrying the instructor's.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { callErrorMessage, grade } from '../grader/api';
import { main } from '../grader/cli';
import type { Lang } from '../grader/messages/index';
import { defaultBatchIsolation } from '../grader/commands/batch';
import type { CliContext } from '../grader/commands/context';
import { runGrade, type GradeFn } from '../grader/commands/grade';
import { parseGradeArgs } from '../grader/commands/parse';
import type { GradeOptions } from '../grader/options';
import { PACKAGE_ROOT } from '../grader/paths';
import { RELEASED_CONFIG, releasedConfig } from '../grader/release/release';
import { IsolationUnavailableError, openSandbox, probeIsolation, type CallError } from '../grader/sandbox/index';
import { setBwrapForTests } from '../grader/sandbox/isolation';
import { spareCount } from '../grader/sandbox/spare';
import { sampleReport } from './helpers/sampleReport';

const CORRECT = join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions', 'correct-vectorized');
const SIGMOID = { fn: 'sigmoidGradient' as const, z: [[0]] };
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpg-isolation-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => setBwrapForTests(undefined));

/** A fake bwrap that fails the way Ubuntu 24.04's AppArmor restriction does, counting its runs. */
function brokenBwrap(): { path: string; runs: () => number } {
  const path = join(dir, `bwrap-${Math.random().toString(36).slice(2)}`);
  const count = `${path}.runs`;
  writeFileSync(count, '');
  writeFileSync(path, `#!/bin/sh\necho x >> '${count}'\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n`);
  chmodSync(path, 0o755);
  return { path, runs: () => readFileSync(count, 'utf8').length / 2 };
}

describe('fallback when namespaces are unavailable', () => {
  it('bwrap missing: auto falls back and says why; strict refuses', async () => {
    setBwrapForTests(null);
    expect(await probeIsolation()).toEqual({ mode: 'permission-model', reason: 'bwrap-missing' });
    const sb = await openSandbox(CORRECT, {}, { isolation: 'auto', trace: false });
    try {
      expect([sb.isolation, sb.fallbackReason]).toEqual(['permission-model', 'bwrap-missing']);
      expect((await sb.call(SIGMOID)).ok).toBe(true);
    } finally {
      await sb.close();
    }
    await expect(openSandbox(CORRECT, {}, { isolation: 'strict', trace: false })).rejects.toMatchObject({ code: 'isolation-unavailable', reason: 'bwrap-missing' });
  });

  it('bwrap broken (user namespaces refused): the first sandbox learns it, falls back, and the process remembers', async () => {
    const fake = brokenBwrap();
    setBwrapForTests(fake.path);
    const first = await openSandbox(CORRECT, {}, { isolation: 'auto', trace: false });
    try {
      expect([first.isolation, first.fallbackReason]).toEqual(['permission-model', 'userns-unavailable']);
      expect((await first.call(SIGMOID)).ok).toBe(true);
      // bwrap's own complaint is not the submission's output.
      expect(first.output()).toBe('');
    } finally {
      await first.close();
    }
    const second = await openSandbox(CORRECT, {}, { isolation: 'auto', trace: false });
    await second.close();
    expect(second.fallbackReason).toBe('userns-unavailable');
    expect(fake.runs()).toBe(1);
    await expect(openSandbox(CORRECT, {}, { isolation: 'strict', trace: false })).rejects.toBeInstanceOf(IsolationUnavailableError);
  });

  it('strict with a bwrap not yet known to fail: the sandbox itself refuses', async () => {
    setBwrapForTests(brokenBwrap().path);
    await expect(openSandbox(CORRECT, {}, { isolation: 'strict', trace: false })).rejects.toMatchObject({ code: 'isolation-unavailable', reason: 'userns-unavailable' });
  });

  it('the report says it ran without namespaces, and why', async () => {
    setBwrapForTests(null);
    const report = await grade({ submission: CORRECT, seed: 1, preset: 'coursera' });
    expect([report.score, report.isolation]).toEqual([100, 'permission-model']);
    expect(report.notices).toEqual([
      {
        level: 'info',
        id: 'sandbox.notice.permission-model',
        params: { reason: 'bwrap-missing' },
        text: "Graded without OS isolation (bubblewrap (bwrap) is not installed): the code ran under Node's permission model only, with the grader's own walls against files, processes, network and signals.",
      },
    ]);
    const zh = await grade({ submission: CORRECT, seed: 1, preset: 'coursera', lang: 'zh-CN', isolation: 'permission-model' });
    expect(zh.notices?.[0].text).toBe('本次评分没有使用操作系统隔离（由 --isolation permission-model 指定）：代码只在 Node 权限模型下运行，另有评分程序自己对文件、进程、网络和信号的限制。');
  });
});

describe('the CLI', () => {
  function io() {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), env: {}, cwd: dir, stdoutIsTTY: false } };
  }
  const HOW_TO =
    'To enable OS isolation, install bubblewrap (`sudo apt-get install bubblewrap`); on Ubuntu 24.04 also allow unprivileged user namespaces: `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`.';

  it('grade --isolation strict without namespaces: exit 2, saying how to enable them', async () => {
    setBwrapForTests(null);
    const { out, io: cliIo } = io();
    expect(await main(['grade', CORRECT, '--isolation', 'strict', '--no-config'], cliIo)).toBe(2);
    expect(out.stderr).toContain(
      `--isolation strict needs OS namespaces, which are not available here: bubblewrap (bwrap) is not installed. ${HOW_TO} Or pass --isolation auto to grade with Node's permission model only (the report says so).`,
    );
    expect(out.stdout).toBe('');
  });

  it('batch is strict by default on Linux (exit 2 without namespaces); with --isolation auto it warns once', async () => {
    expect([defaultBatchIsolation('linux'), defaultBatchIsolation('darwin'), defaultBatchIsolation('win32')]).toEqual(['strict', 'auto', 'auto']);
    setBwrapForTests(null);
    const klass = join(dir, 'class');
    for (const id of ['a', 'b']) cpSync(CORRECT, join(klass, id), { recursive: true });
    const strict = io();
    expect(await main(['batch', klass, '--out', join(dir, 'out-strict'), '--no-config', '--progress', 'none', '--preset', 'coursera'], strict.io)).toBe(process.platform === 'linux' ? 2 : 0);
    if (process.platform === 'linux') expect(strict.out.stderr).toContain('--isolation strict needs OS namespaces');
    const auto = io();
    expect(await main(['batch', klass, '--out', join(dir, 'out-auto'), '--no-config', '--progress', 'none', '--preset', 'coursera', '--isolation', 'auto'], auto.io)).toBe(0);
    const warning = `batch: every submission will run without OS isolation (bubblewrap (bwrap) is not installed), under Node's permission model only. ${HOW_TO}`;
    expect(auto.out.stderr.split(warning)).toHaveLength(2);
    const report = JSON.parse(readFileSync(join(dir, 'out-auto', 'reports', 'a.json'), 'utf8'));
    expect([report.score, report.isolation]).toEqual([100, 'permission-model']);
    expect(spareCount()).toBe(0); // the children the batch started ahead are gone with it
  });
});

describe('config: with --format github or gradescope only --config is read', () => {
  let cwd: string;
  beforeAll(() => {
    // A student's repository as the working directory (GitHub Classroom), with their own config.
    cwd = join(dir, 'student-repo');
    mkdirSync(join(cwd, 'exercises'), { recursive: true });
    writeFileSync(join(cwd, 'backprop-grader.config.json'), '{"tolerance": {"atol": 1e300}, "points": {"feedforward-cost": 1000}}');
    writeFileSync(join(cwd, 'instructor.json'), '{"tolerance": {"rtol": 1e-7}}');
  });

  async function optionsFor(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ options: Partial<GradeOptions>; stderr: string }> {
    const seen: Partial<GradeOptions>[] = [];
    const fake: GradeFn = async (options) => {
      seen.push(options);
      return { ...sampleReport(), submission: options.submission };
    };
    let stderr = '';
    // @actions/core writes the github format's annotations to process.stdout itself.
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const ctx: CliContext = { io: { stdout: () => undefined, stderr: (t) => void (stderr += t), env, cwd, stdoutIsTTY: false }, exitCode: 0 };
    try {
      await runGrade(parseGradeArgs(argv, env, cwd), ctx, fake);
    } finally {
      quiet.mockRestore();
    }
    return { options: seen[0], stderr };
  }

  it('ignores the working directory\'s config for github and gradescope, reads it for text and json', async () => {
    for (const format of ['github', 'gradescope']) {
      const { options, stderr } = await optionsFor(['.', '--format', format, '--out', join(dir, `r-${format}.json`)]);
      expect([options.tolerance, options.points], format).toEqual([undefined, undefined]);
      expect(stderr).not.toContain('using options from');
    }
    const implicitGithub = await optionsFor(['.', '--out', join(dir, 'r-gh.json')], { GITHUB_ACTIONS: 'true' });
    expect(implicitGithub.options.tolerance).toBeUndefined();
    const text = await optionsFor(['.', '--format', 'json', '--out', join(dir, 'r.json')]);
    expect(text.options.tolerance).toEqual({ atol: 1e300 });
  });

  it('reads the file --config names, whatever the format', async () => {
    const { options } = await optionsFor(['.', '--format', 'github', '--config', 'instructor.json', '--out', join(dir, 'r2.json')]);
    expect(options.tolerance).toEqual({ rtol: 1e-7 });
  });

  it('the release carries the instructor\'s config, and the classroom workflow passes it with --config', () => {
    const project = join(dir, 'project');
    mkdirSync(project, { recursive: true });
    expect(JSON.parse(releasedConfig(project))).toEqual({ $schema: '../grader/config.schema.json' });
    writeFileSync(join(project, 'backprop-grader.config.json'), '{"points": {"backprop-gradient": 50}, "tolerance": {"atol": 1e-8}}');
    expect(JSON.parse(releasedConfig(project))).toEqual({ points: { 'backprop-gradient': 50 }, tolerance: { atol: 1e-8 }, $schema: '../grader/config.schema.json' });
    writeFileSync(join(project, 'backprop-grader.config.json'), '{"tolerence": 1}');
    expect(() => releasedConfig(project)).toThrow(/^release: the instructor's config cannot be released:\n.*\/backprop-grader\.config\.json: unknown key "tolerence"/);
    const workflow = readFileSync(join(PACKAGE_ROOT, '.github', 'workflows', 'classroom.yml'), 'utf8');
    expect(workflow).toContain(`grade . --format github --config ${RELEASED_CONFIG}`);
    expect(workflow).toContain('sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0');
  });
});

describe('Gradescope', () => {
  it.skipIf(!existsSync(join(PACKAGE_ROOT, 'dist', 'cli.js')))('run_autograder never follows an uploaded exercises/ that links to the solutions', () => {
    const root = join(dir, 'autograder');
    mkdirSync(join(root, 'submission'), { recursive: true });
    symlinkSync(join(PACKAGE_ROOT, 'solutions'), join(root, 'submission', 'exercises'));
    const r = spawnSync('bash', [join(PACKAGE_ROOT, 'gradescope', 'run_autograder')], {
      env: { ...process.env, AUTOGRADER_ROOT: root, BACKPROP_GRADER_DIR: PACKAGE_ROOT, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const results = JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8')) as { score: number; tests: Array<{ output: string }> };
    expect(results.score).toBe(0);
    expect(results.tests[0].output).toContain('only symbolic links (exercises)');
  });
});

describe('call errors read from the catalogue, one id per code', () => {
  const line = (e: CallError, lang: Lang = 'en') => callErrorMessage('sigmoidGradient', e, lang);
  const file = 'exercises/sigmoidGradient.ts';

  it('renders each code from its params, in English and Chinese', () => {
    expect(line({ code: 'timeout', message: 'x', params: { fn: 'sigmoidGradient', seconds: 2 } })).toBe('`sigmoidGradient` did not finish within 2 s (an infinite loop, or far too much work?)');
    expect(line({ code: 'timeout', message: 'x', params: { fn: 'sigmoidGradient', seconds: 2 } }, 'zh-CN')).toBe('`sigmoidGradient` 没有在 2 秒内结束（是死循环，还是计算量太大？）');
    expect(line({ code: 'out-of-memory', message: 'x', params: { mb: 1024 } })).toBe('`sigmoidGradient` ran out of memory (the limit is 1024 MB); look for an array or matrix that grows without bound.');
    expect(line({ code: 'protocol-error', message: 'x', params: { reason: 'too-large', mb: 8 } })).toBe(
      '`sigmoidGradient`: the result is larger than the 8 MB the grader accepts; return only what the function is asked for.',
    );
    expect(line({ code: 'protocol-error', message: 'x', params: { reason: 'forged', mb: 8 } }, 'zh-CN')).toBe(
      '`sigmoidGradient`：运行你的代码的进程在评分程序的结果通道上发送了并非评分程序请求的内容；被评分的函数只应返回结果（不要自己写文件描述符）。',
    );
    expect(line({ code: 'symlink', message: 'x', params: { file } })).toBe(
      '`sigmoidGradient`: exercises/sigmoidGradient.ts is a symbolic link. The grader reads only real files inside your exercises folder: submit the file itself.',
    );
    expect(line({ code: 'file-too-large', message: 'x', params: { file, kb: 300, limitKb: 256 } })).toBe(
      '`sigmoidGradient`: exercises/sigmoidGradient.ts is 300 KB, more than the 256 KB the grader accepts for a source file. Remove generated data or long comments from it.',
    );
    expect(line({ code: 'crashed', message: 'x', params: { signal: 'SIGABRT' } })).toBe('`sigmoidGradient`: the process running your code crashed (signal SIGABRT) during the call.');
    expect(line({ code: 'exited', message: 'x', params: { exitCode: 7 } })).toBe(
      '`sigmoidGradient`: the process running your code exited (exit code 7) during the call; a graded function must return its result, not end the process.',
    );
    expect(line({ code: 'exited', message: 'x', params: { file, how: 'process.exit(3)' } })).toBe(
      '`sigmoidGradient`: exercises/sigmoidGradient.ts called process.exit(3); a graded function must return its result, not end the process.',
    );
    expect(line({ code: 'output-limit', message: 'x', params: { mb: 16 } })).toBe('`sigmoidGradient` printed more than 16 MB of output during one call; remove the print statements from the loop.');
    expect(line({ code: 'missing-file', message: 'x', params: { file, name: 'sigmoidGradient.ts' } })).toBe(
      '`sigmoidGradient`: exercises/sigmoidGradient.ts is missing: the submission has no sigmoidGradient.ts, so `sigmoidGradient` cannot be graded.',
    );
    expect(line({ code: 'missing-export', message: 'x', params: { file, exported: '' } })).toBe(
      '`sigmoidGradient`: exercises/sigmoidGradient.ts does not export a function named `sigmoidGradient` (it exports nothing). Check the spelling and the `export` keyword.',
    );
    expect(line({ code: 'not-a-function', message: 'x', params: { file, type: 'number' } })).toBe('`sigmoidGradient`: exercises/sigmoidGradient.ts exports `sigmoidGradient`, but it is a value of type number, not a function.');
    expect(line({ code: 'timeout', message: 'not run', params: { caseName: 'public λ=0', reason: 'timeout', skipped: 1 } }, 'zh-CN')).toBe('`sigmoidGradient`：未运行：之前的一次调用（public λ=0）超时了');
    // A compile error: the compiler's own words, where, and the count of the errors after it.
    const compile: CallError = { code: 'compile-error', message: 'x', params: { where: `${file}:3:9`, error: 'Expected ";" but found "y"', more: 2 } };
    expect(line(compile)).toBe('`sigmoidGradient` could not be compiled: exercises/sigmoidGradient.ts:3:9: Expected ";" but found "y" (and 2 more errors)');
    expect(line(compile, 'zh-CN')).toBe('`sigmoidGradient` 无法编译：exercises/sigmoidGradient.ts:3:9：Expected ";" but found "y"（后面还有 2 个错误）');
    expect(line({ ...compile, params: { where: file, error: '', more: 1 } })).toBe('`sigmoidGradient` could not be compiled: exercises/sigmoidGradient.ts: the file could not be compiled (and 1 more error)');
    expect(line({ ...compile, params: { where: file, error: '', more: 0 } }, 'zh-CN')).toBe('`sigmoidGradient` 无法编译：exercises/sigmoidGradient.ts：这个文件无法编译');
  });

  it('falls back to the English log message when params are missing or not one of the known choices', () => {
    expect(line({ code: 'timeout', message: 'sigmoidGradient took too long' })).toBe('`sigmoidGradient`: took too long');
    expect(line({ code: 'protocol-error', message: 'bad', params: { reason: '$t(report.internal.part)', mb: 8 } })).toBe('`sigmoidGradient`: bad');
    expect(line({ code: 'not-a-function', message: 'odd', params: { file, type: 'a {{fn}}' } })).toBe('`sigmoidGradient`: odd');
  });
});

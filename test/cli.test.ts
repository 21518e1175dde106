/**
 * CLI parsing (pure, no engine), config validation, and `grade` runs with an injected engine.
 * End-to-end runs of the built bin are at the end (skipped while grader/api.ts does not exist).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommands, main } from '../grader/cli';
import { ConfigError, configToOptions, findConfig, mergeOptions, parseConfig } from '../grader/config';
import configSchema from '../grader/config.schema.json';
import { UsageError, type CliContext } from '../grader/commands/context';
import { cliGradeOptions, internalFailureReport, runGrade, type GradeFn } from '../grader/commands/grade';
import { parseGradeArgs } from '../grader/commands/parse';
import type { GradeOptions } from '../grader/options';
import { PART_IDS } from '../grader/parts/ids';
import { validateReport } from '../grader/report/validate';
import { englishRuns } from './helpers/englishRuns';
import { sampleReport } from './helpers/sampleReport';

const ROOT = join(__dirname, '..');

describe('parseGradeArgs', () => {
  it('defaults: exercises/ under the cwd, text format, nothing else set', () => {
    expect(parseGradeArgs([], {}, '/work')).toEqual({ submission: '/work/exercises', format: 'text' });
  });

  it('GITHUB_ACTIONS=true makes github the default format; --format still wins', () => {
    expect(parseGradeArgs([], { GITHUB_ACTIONS: 'true' }, '/w').format).toBe('github');
    expect(parseGradeArgs(['--format', 'json'], { GITHUB_ACTIONS: 'true' }, '/w').format).toBe('json');
    expect(parseGradeArgs([], { GITHUB_ACTIONS: 'false' }, '/w').format).toBe('text');
  });

  it('reads every flag', () => {
    const argv = [
      'students/ada',
      '--format', 'gradescope',
      '--out', 'results/results.json',
      '--seed', '42',
      '--preset', 'coursera',
      '--min-score', '62.5',
      '--config', 'cfg/grader.json',
      '--timeout', '2500',
      '--reference', 'fixtures',
      '--partial-credit',
      '--part', 'backprop-gradient', 'regularized-gradient',
      '--part', 'backprop-gradient',
      '--verbose',
    ];
    expect(parseGradeArgs(argv, {}, '/w')).toEqual({
      submission: '/w/students/ada',
      format: 'gradescope',
      out: '/w/results/results.json',
      seed: 42,
      preset: 'coursera',
      minScore: 62.5,
      config: '/w/cfg/grader.json',
      timeoutMs: 2500,
      reference: 'fixtures',
      partialCredit: true,
      parts: ['backprop-gradient', 'regularized-gradient'],
      verbose: true,
    });
    expect(parseGradeArgs(['--watch'], {}, '/w')).toEqual({ submission: '/w/exercises', format: 'text', watch: true });
  });

  it('absolute paths stay as given; --no-config and --no-partial-credit are explicit "off"', () => {
    expect(parseGradeArgs(['/abs/sub', '--no-config', '--no-partial-credit'], {}, '/w')).toEqual({
      submission: '/abs/sub',
      format: 'text',
      config: false,
      partialCredit: false,
    });
  });

  it.each([
    [['--bogus'], /Unknown argument: bogus/],
    [['--preset', 'octave'], /Argument: preset, Given: "octave", Choices: "full", "coursera"/],
    [['--format', 'xml'], /Argument: format, Given: "xml"/],
    [['--reference', 'web'], /Argument: reference, Given: "web"/],
    [['--seed', 'abc'], /--seed must be a whole number >= 0, got "abc"/],
    [['--seed', '-3'], /--seed must be a whole number >= 0, got "-3"/],
    [['--seed', '1.5'], /--seed must be a whole number >= 0/],
    [['--timeout', '0'], /--timeout must be at least 1 ms/],
    [['--min-score', 'lots'], /--min-score must be a number, got "lots"/],
    [['--seed'], /Not enough arguments following: seed/],
    [['--out', 'a', '--out', 'b'], /--out was given more than once/],
    [['a', 'b'], /Unknown argument: b/],
    [['--part', 'cost'], /Argument: part, Given: "cost", Choices: "feedforward-cost"/],
    [['--watch', '--format', 'json'], /--watch prints text reports to the terminal/],
    [['--watch', '--out', 'r.txt'], /--watch prints text reports to the terminal/],
  ])('rejects %j with a usage error', (argv, message) => {
    let error: unknown;
    try {
      parseGradeArgs(argv as string[]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('maps flags to grading options (only those given)', () => {
    expect(cliGradeOptions(parseGradeArgs([], {}, '/w'))).toEqual({});
    expect(cliGradeOptions(parseGradeArgs(['--seed', '7', '--timeout', '300', '--preset', 'coursera', '--partial-credit', '--part', 'sigmoid-gradient'], {}, '/w'))).toEqual({
      seed: 7,
      preset: 'coursera',
      limits: { timeoutMs: 300 },
      partialCredit: true,
      parts: ['sigmoid-gradient'],
    });
  });
});

describe('main (usage, help, version)', () => {
  function run(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), env: {}, cwd: ROOT, stdoutIsTTY: false };
    return main(argv, io).then((code) => ({ code, stdout, stderr }));
  }

  it('registers grade first in the commands', async () => {
    expect((await loadCommands())[0].command).toBe('grade [dir]');
  });

  it('--help lists the commands, exits 0, writes to stdout', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('backprop-grader grade [dir]');
  });

  it('grade --help shows flags and examples', async () => {
    const r = await run(['grade', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--format', '--out', '--seed', '--preset', '--min-score', '--config', '--timeout', '--reference', '--partial-credit', '--part', '--verbose', '--watch']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('Examples:');
  });

  it.each([[[]], [['grade']], [['batch']], [['merge']], [['release']], [['fixtures']]])('%j --help --lang zh-CN: every line of the help is Chinese (or a flag, a value or a command line)', async (command) => {
    const r = await run([...command, '--help', '--lang', 'zh-CN']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(command.length ? '示例：' : '命令：');
    // Set aside what is code in every language: command lines, flags, quoted values, placeholders.
    const code = /^\s*backprop-grader\b[^\u4e00-\u9fff]*?(?=\s{2,}|$)|--[\w-]+|"[^"]*"|<[^>]*>|\[[a-z]+\]/g;
    const words = r.stdout.split('\n').flatMap((l) => englishRuns(l.replace(code, ' ')));
    expect(words).toEqual([]);
    // And the English help says the same in English.
    const en = await run([...command, '--help']);
    expect(en.stdout).not.toMatch(/[\u4e00-\u9fff]/);
    expect(en.stdout.split('\n').flatMap((l) => englishRuns(l.replace(code, ' '))).length).toBeGreaterThan(0);
  });

  it('fixtures --help documents --check', async () => {
    const r = await run(['fixtures', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('backprop-grader fixtures');
    expect(r.stdout).toContain('--check');
  });

  it('--version prints the package version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('an unknown flag is a usage error: exit 2, message and usage on stderr, nothing on stdout', async () => {
    const r = await run(['grade', '--tolerence', '1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('backprop-grader: Unknown argument: tolerence');
    expect(r.stderr).toContain('backprop-grader grade [dir]');
  });

  it('a bad preset is a usage error', async () => {
    const r = await run(['grade', '--preset', 'octave']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Given: "octave", Choices: "full", "coursera"/);
  });

  it('no command is a usage error', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Say which command to run');
  });

  it('a missing submission folder is a usage error naming it', async () => {
    const r = await run(['grade', 'no/such/dir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no such folder: ${join(ROOT, 'no/such/dir')}`);
  });
});

describe('config file', () => {
  it('the schema knows every part id', () => {
    expect(Object.keys(configSchema.properties.points.properties)).toEqual([...PART_IDS]);
  });

  it('accepts a complete config and converts it to options', () => {
    const config = parseConfig(
      JSON.stringify({
        $schema: './node_modules/backprop-grader/grader/config.schema.json',
        preset: 'coursera',
        points: { 'feedforward-cost': 20, 'backprop-gradient': 50 },
        tolerance: { rtol: 1e-5 },
        timeoutMs: 5000,
        heapMb: 256,
        outputCapBytes: 1024,
        partialCredit: true,
        hiddenCases: 5,
        reference: 'fixtures',
      }),
    );
    expect(configToOptions(config)).toEqual({
      preset: 'coursera',
      points: { 'feedforward-cost': 20, 'backprop-gradient': 50 },
      tolerance: { rtol: 1e-5 },
      limits: { timeoutMs: 5000, heapMb: 256, outputCapBytes: 1024 },
      partialCredit: true,
      hiddenCases: 5,
      reference: 'fixtures',
    });
    expect(configToOptions(parseConfig('{}'))).toEqual({});
  });

  function configError(text: string): string {
    try {
      parseConfig(text);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('expected a ConfigError');
  }

  it('names an unknown key and lists the allowed ones', () => {
    expect(configError('{"tolerence": {"atol": 1}}')).toBe(
      'backprop-grader.config.json: unknown key "tolerence" (allowed: $schema, preset, points, tolerance, timeoutMs, heapMb, outputCapBytes, partialCredit, hiddenCases, reference, lang)',
    );
    expect(configError('{"points": {"feedforward": 3}}')).toBe(
      `backprop-grader.config.json: unknown key "points.feedforward" (allowed: ${PART_IDS.join(', ')})`,
    );
    expect(configError('{"tolerance": {"atol": 0, "abs": 1}}')).toBe(
      'backprop-grader.config.json: unknown key "tolerance.abs" (allowed: atol, rtol)',
    );
  });

  it('reports bad types and values, one line each', () => {
    expect(configError('{"tolerance": {"atol": "1e-9"}, "partialCredit": "yes"}')).toBe(
      [
        'backprop-grader.config.json: "tolerance.atol" must be number',
        'backprop-grader.config.json: "partialCredit" must be boolean',
      ].join('\n'),
    );
    expect(configError('{"preset": "octave"}')).toBe('backprop-grader.config.json: "preset" must be one of: full, coursera');
    expect(configError('{"timeoutMs": 0}')).toBe('backprop-grader.config.json: "timeoutMs" must be >= 1');
    expect(configError('{"hiddenCases": 2.5}')).toBe('backprop-grader.config.json: "hiddenCases" must be integer');
    expect(configError('[1]')).toBe('backprop-grader.config.json: must be a JSON object ({ ... })');
    expect(configError('{"preset": ')).toMatch(/^backprop-grader.config.json: not valid JSON \(/);
  });

  it('precedence: flags > config > defaults, nested objects merged field by field', () => {
    const config = configToOptions(parseConfig('{"tolerance": {"rtol": 1e-5}, "timeoutMs": 5000, "heapMb": 256, "preset": "coursera", "points": {"sigmoid-gradient": 7}}'));
    const flags = cliGradeOptions(parseGradeArgs(['--timeout', '100', '--preset', 'full'], {}, '/w'));
    expect(mergeOptions(config, flags, { submission: '/w/exercises' })).toEqual({
      submission: '/w/exercises',
      preset: 'full',
      tolerance: { rtol: 1e-5 },
      limits: { timeoutMs: 100, heapMb: 256 },
      points: { 'sigmoid-gradient': 7 },
    });
  });

  describe('discovery', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'bpg-config-'));
      mkdirSync(join(dir, 'repo', 'exercises'), { recursive: true });
      mkdirSync(join(dir, 'cwd'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds the file in the cwd only, never in the submission (a student must not pick their own tolerances)', () => {
      expect(findConfig(join(dir, 'cwd'))).toBeUndefined();
      writeFileSync(join(dir, 'repo', 'backprop-grader.config.json'), '{}');
      writeFileSync(join(dir, 'repo', 'exercises', 'backprop-grader.config.json'), '{}');
      expect(findConfig(join(dir, 'cwd'))).toBeUndefined();
      writeFileSync(join(dir, 'cwd', 'backprop-grader.config.json'), '{}');
      expect(findConfig(join(dir, 'cwd'))).toBe(join(dir, 'cwd', 'backprop-grader.config.json'));
    });
  });
});

describe('runGrade with an injected engine', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpg-run-'));
    mkdirSync(join(dir, 'exercises'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function context(env: NodeJS.ProcessEnv = {}) {
    const out = { stdout: '', stderr: '' };
    const ctx: CliContext = {
      io: { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), env, cwd: dir, stdoutIsTTY: false },
      exitCode: 0,
    };
    return { ctx, out };
  }

  const fakeGrade =
    (seen: Partial<GradeOptions>[] = []): GradeFn =>
    async (options) => {
      seen.push(options);
      return { ...sampleReport(), submission: options.submission };
    };

  it('--verbose gives the full text report; the default is the concise one', async () => {
    const concise = context();
    await runGrade(parseGradeArgs([], {}, dir), concise.ctx, fakeGrade());
    const verbose = context();
    await runGrade(parseGradeArgs(['--verbose'], {}, dir), verbose.ctx, fakeGrade());
    expect(verbose.out.stdout).toContain('worst element at index 1: expected 0.3837698591');
    expect(concise.out.stdout).not.toContain('worst element');
    expect(concise.out.stdout).toContain('Likely cause [reg-missing], explains: Regularized cost function');
  });

  it('--watch grades, then grades again when a file is saved and says what changed, until stopped', async () => {
    const reports = [sampleReport(), sampleReport()];
    const fixed = reports[1].parts.find((p) => p.id === 'regularized-cost');
    if (fixed) Object.assign(fixed, { status: 'passed', score: fixed.maxScore });
    reports[1].score += 10;
    let calls = 0;
    const seeds: (number | undefined)[] = [];
    const grade: GradeFn = async (o) => {
      seeds.push(o.seed);
      return reports[Math.min(calls++, 1)];
    };
    const stop = new AbortController();
    const { ctx, out } = context();
    ctx.signal = stop.signal;
    const running = runGrade(parseGradeArgs(['--watch', '--part', 'regularized-cost'], {}, dir), ctx, grade);
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
    };
    await until(() => out.stdout.includes('Watching'));
    expect(calls).toBe(1);
    writeFileSync(join(dir, 'exercises', 'nnCostFunction.ts'), '// saved\n');
    await until(() => calls === 2 && out.stdout.includes('Since the last grade'));
    stop.abort();
    expect(await running).toBe(0);
    expect(calls).toBe(2);
    expect(out.stdout).toContain('Since the last grade: score 40 → 50 of 100\n  regularized-cost: ✗ → ✓ (+10)\n');
    expect(out.stdout.match(/Watching .*exercises: save a file to grade again \(Ctrl-C stops\)\./g)).toHaveLength(2);
    // The regrade reuses the first grade's seed: the change is about the code, not new hidden cases.
    expect(seeds).toEqual([undefined, reports[0].seed]);
  });

  it('text report on stdout, exit 0 whatever the score', async () => {
    const { ctx, out } = context();
    const code = await runGrade(parseGradeArgs([], {}, dir), ctx, fakeGrade());
    expect(code).toBe(0);
    expect(out.stdout).toContain('Score 40/100');
    expect(out.stdout).not.toContain('\u001b['); // not a TTY: no colour
  });

  it('--min-score: exit 1 below it, 0 at or above it', async () => {
    const below = context();
    expect(await runGrade(parseGradeArgs(['--min-score', '60'], {}, dir), below.ctx, fakeGrade())).toBe(1);
    expect(below.out.stderr).toContain('score 40/100 is below --min-score 60');
    expect(await runGrade(parseGradeArgs(['--min-score', '40'], {}, dir), context().ctx, fakeGrade())).toBe(0);
  });

  it('--format json --out writes a schema-valid report', async () => {
    const { ctx, out } = context();
    const file = join(dir, 'out', 'report.json');
    expect(await runGrade(parseGradeArgs(['--format', 'json', '--out', 'out/report.json'], {}, dir), ctx, fakeGrade())).toBe(0);
    expect(out.stdout).toBe('');
    const written = JSON.parse(readFileSync(file, 'utf8'));
    validateReport(written);
    expect(written.parts).toHaveLength(7);
  });

  it('passes config and flags to the engine, flags winning; reports the config file used', async () => {
    const sub = join(dir, 'exercises');
    writeFileSync(join(dir, 'backprop-grader.config.json'), JSON.stringify({ timeoutMs: 5000, heapMb: 128, preset: 'coursera', hiddenCases: 1 }));
    const seen: Partial<GradeOptions>[] = [];
    const { ctx, out } = context();
    await runGrade(parseGradeArgs(['--timeout', '900', '--seed', '3'], {}, dir), ctx, fakeGrade(seen));
    expect(seen[0]).toEqual({ submission: sub, preset: 'coursera', hiddenCases: 1, seed: 3, limits: { timeoutMs: 900, heapMb: 128 }, lang: 'en' });
    expect(out.stderr).toContain(`using options from ${join(dir, 'backprop-grader.config.json')}`);

    // --no-config ignores it.
    const seen2: Partial<GradeOptions>[] = [];
    await runGrade(parseGradeArgs(['--no-config'], {}, dir), context().ctx, fakeGrade(seen2));
    expect(seen2[0]).toEqual({ submission: sub, lang: 'en' });
    rmSync(join(dir, 'backprop-grader.config.json'));
  });

  it('an invalid config is a usage error (exit 2 from main) naming the key', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"tolerence": 1}');
    await expect(runGrade(parseGradeArgs(['--config', 'bad.json'], {}, dir), context().ctx, fakeGrade())).rejects.toThrow(
      /unknown key "tolerence"/,
    );
    await expect(runGrade(parseGradeArgs(['--config', 'missing.json'], {}, dir), context().ctx, fakeGrade())).rejects.toThrow(UsageError);
  });

  it('an engine failure still writes a complete all-errored report, and exits 1', async () => {
    const { ctx, out } = context();
    const code = await runGrade(parseGradeArgs(['--format', 'json', '--preset', 'coursera'], {}, dir), ctx, async () => {
      throw new Error('sandbox exploded');
    });
    expect(code).toBe(1);
    expect(out.stderr).toContain('internal error while grading: Error: sandbox exploded');
    const report = JSON.parse(out.stdout);
    validateReport(report);
    expect(report.parts.map((p: { id: string; status: string; maxScore: number }) => [p.id, p.status, p.maxScore])).toEqual([
      ['feedforward-cost', 'errored', 30],
      ['regularized-cost', 'errored', 15],
      ['sigmoid-gradient', 'errored', 5],
      ['backprop-gradient', 'errored', 40],
      ['regularized-gradient', 'errored', 10],
    ]);
    expect(report.maxScore).toBe(100);
  });

  it('the fallback report honours point overrides', () => {
    const r = internalFailureReport({ submission: '/s', points: { 'random-init': 20 } }, new Error('x'));
    validateReport(r);
    expect(r.maxScore).toBe(115);
  });
});

const API_EXISTS = existsSync(join(ROOT, 'grader', 'api.ts'));

describe.skipIf(!API_EXISTS)('the built bin, end to end', () => {
  const bin = join(ROOT, 'bin', 'backprop-grader.js');
  let out: string;
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    out = mkdtempSync(join(tmpdir(), 'bpg-e2e-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  function bpg(args: string[], env: NodeJS.ProcessEnv = {}) {
    // The report's language follows LC_ALL / LC_MESSAGES / LANG: keep the developer's locale out.
    const { GITHUB_ACTIONS: _ga, LC_ALL: _lcAll, LC_MESSAGES: _lcMessages, LANG: _lang, ...rest } = process.env;
    return spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...rest, NO_COLOR: '1', ...env } });
  }

  const SUBMISSIONS = join(ROOT, 'test', 'fixtures', 'submissions');

  it('grades a correct submission: exit 0, --format json validates, 100/100', () => {
    const r = bpg(['grade', join(SUBMISSIONS, 'correct-vectorized'), '--format', 'json', '--seed', '1', '--no-config']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    validateReport(report);
    expect(report.score).toBe(100);
    expect(report.seed).toBe(1);
  });

  it('grades the stubs: exit 0 (grading completed), and 1 below --min-score', () => {
    const r = bpg(['grade', join(SUBMISSIONS, 'stub'), '--seed', '1', '--no-config']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('not implemented yet');
    expect(r.stdout).toContain('Score 0/100');
    const gated = bpg(['grade', join(SUBMISSIONS, 'stub'), '--seed', '1', '--no-config', '--min-score', '1']);
    expect(gated.status).toBe(1);
    expect(gated.stderr).toContain('is below --min-score 1');
  });

  it('--preset coursera --out writes five parts at 30/15/5/40/10', () => {
    const file = join(out, 'coursera.json');
    const r = bpg(['grade', join(SUBMISSIONS, 'correct-vectorized'), '--preset', 'coursera', '--format', 'json', '--out', file, '--no-config']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const report = JSON.parse(readFileSync(file, 'utf8'));
    validateReport(report);
    expect(report.parts.map((p: { maxScore: number }) => p.maxScore)).toEqual([30, 15, 5, 40, 10]);
  });

  it('GITHUB_ACTIONS=true: a submission printing forged workflow commands cannot produce them', () => {
    const summary = join(out, 'summary.md');
    const output = join(out, 'output.txt');
    writeFileSync(summary, '');
    writeFileSync(output, '');
    const r = bpg(['grade', join(SUBMISSIONS, 'prints-fake-results'), '--seed', '1', '--no-config'], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
    });
    expect(r.status).toBe(0);
    const lines = (r.stdout + '\n' + r.stderr).split('\n').map((l) => l.trim());
    const token = lines.find((l) => l.startsWith('::stop-commands::'))!.slice('::stop-commands::'.length);
    const commands = lines.filter((l) => l.startsWith('::') || l.startsWith('##['));
    for (const c of commands) {
      expect(c === `::stop-commands::${token}` || c === `::${token}::` || c.startsWith('::error title='), c).toBe(true);
    }
    // The Classroom notices are the grading reporter's; the grader emits none (a forged one stays text).
    expect(commands.filter((c) => c.startsWith('::notice'))).toEqual([]);
    // The forged lines are visible to the student as captured output, defused.
    expect(r.stdout).toContain('  │ ::notice title=Autograding complete::Points 100/100');
    expect(readFileSync(output, 'utf8')).toMatch(/^feedforward<<ghadelimiter_/m);
    expect(readFileSync(output, 'utf8')).toMatch(/^randinit<<ghadelimiter_/m);
    expect(readFileSync(summary, 'utf8')).toContain('| Sigmoid gradient | 0/5 | ❌ failed |');
  });

  it('usage errors exit 2', () => {
    const r = bpg(['grade', '--frmat', 'json']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Unknown argument');
  });
});

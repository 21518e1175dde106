/**
 * The fast path of `grade` (commands/grade-fast.ts: node:util parseArgs, no yargs) against yargs
 * (parseGradeArgs, and main without the fast path): whatever the fast path accepts, yargs reads the
 * same way; whatever it refuses goes to yargs, so errors, usage text and exit codes are yargs' own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../grader/cli';
import { GRADE_FLAGS, toGradeCliOptions, type GradeCliOptions } from '../grader/commands/grade';
import { fastGradeArgs } from '../grader/commands/grade-fast';
import { parseGradeArgs } from '../grader/commands/parse';
import { PART_IDS } from '../grader/parts/ids';

const ENV = {};
const CWD = '/w';

/** What yargs makes of `argv`: the options, or the usage error's message. */
function viaYargs(argv: string[]): { ok: GradeCliOptions } | { error: string } {
  try {
    return { ok: parseGradeArgs(argv, ENV, CWD) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** What the fast path makes of `argv`: the options, undefined when it leaves them to yargs. */
function viaFast(argv: string[]): GradeCliOptions | undefined {
  const args = fastGradeArgs(argv);
  if (!args) return undefined;
  try {
    return toGradeCliOptions(args, ENV, CWD);
  } catch {
    return undefined; // main leaves these to yargs too
  }
}

/** Every common way to run grade: the fast path must take each, and agree with yargs. */
const ACCEPTED: string[][] = [
  [],
  ['students/ada'],
  ['--format', 'json'],
  ['--format=gradescope', '--out', 'results/results.json'],
  ['--out=r.json', '--format', 'json'],
  ['--seed', '42'],
  ['--seed=0x10'],
  ['--preset', 'coursera'],
  ['--min-score', '62.5'],
  ['--min-score=1e2'],
  ['--config', 'cfg/grader.json'],
  ['--no-config'],
  ['--timeout', '2500'],
  ['--reference', 'sealed'],
  ['--reference', 'fixtures'],
  ['--partial-credit'],
  ['--no-partial-credit'],
  ['--lang', 'zh-CN'],
  ['--lang', 'zh_CN.UTF-8'],
  ['--find'],
  ['upload', '--find', '--format', 'gradescope'],
  ['--isolation', 'strict'],
  ['--isolation=permission-model'],
  ['--part', 'backprop-gradient'],
  ['--part', 'backprop-gradient', '--part', 'regularized-gradient'],
  ['--part=sigmoid-gradient', '--verbose'],
  ['--verbose'],
  ['--no-verbose'],
  ['--watch'],
  ['--watch', '--part', 'regularized-cost'],
  ['--verbose', 'students/ada'],
  ['students/ada', '--preset', 'coursera', '--seed', '1', '--no-config'],
  [
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
    '--lang', 'en',
    '--isolation', 'auto',
    '--part', 'backprop-gradient',
    '--part', 'regularized-gradient',
    '--verbose',
  ],
];

/** Forms the fast path must leave to yargs: help, errors, and what yargs reads differently. */
const DEFERRED: string[][] = [
  ['--help'],
  ['-h'],
  ['--version'],
  ['--tolerence', '1'],
  ['--minScore', '5'],
  ['--seed'],
  ['--seed', 'abc'],
  ['--seed', '-3'],
  ['--seed', '1.5'],
  ['--seed', ''],
  ['--seed='],
  ['--seed', '1', '--seed', '2'],
  ['--timeout', '0'],
  ['--min-score', 'lots'],
  ['--out', 'a', '--out', 'b'],
  ['--out', '--verbose'],
  ['a', 'b'],
  ['--part', 'cost'],
  ['--part', 'backprop-gradient', 'regularized-gradient'],
  ['--part', 'backprop-gradient', 'dir'],
  ['--preset', 'octave'],
  ['--format', 'xml'],
  ['--format', 'json', '--format', 'text'],
  ['--lang', 'fr'],
  ['--watch', '--format', 'json'],
  ['--watch', '--out', 'r.txt'],
  ['--verbose', 'false'],
  ['--verbose', 'true'],
  ['--verbose=false'],
  ['--no-seed'],
  ['--no-config=1'],
  ['--', 'dir'],
  ['-v'],
  ['-'],
  [''],
];

describe('grade fast path (parseArgs) and yargs agree', () => {
  it.each(ACCEPTED.map((argv) => [argv]))('takes %j, as yargs reads it', (argv) => {
    const fast = viaFast(argv);
    expect(fast).toBeDefined();
    expect(viaYargs(argv)).toEqual({ ok: fast });
  });

  it.each(DEFERRED.map((argv) => [argv]))('leaves %j to yargs', (argv) => {
    expect(viaFast(argv)).toBeUndefined();
  });

  it('covers every flag of GRADE_FLAGS (the one table both parsers read)', () => {
    const used = new Set(ACCEPTED.flat().filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0].replace(/^no-/, '')));
    for (const flag of Object.keys(GRADE_FLAGS)) expect(used, flag).toContain(flag);
  });

  it('never disagrees with yargs on 3,000 generated command lines', () => {
    const words = [
      'dir', 'students/ada', 'false', 'true', '1', '-1', '0x1f', '2.5', '', '-', '--', 'json', 'text', 'coursera', 'full', 'zh-CN', 'fr',
      ...PART_IDS.slice(0, 3), 'strict', 'auto', 'sealed',
    ];
    const flags = [...Object.keys(GRADE_FLAGS).map((f) => `--${f}`), '--no-config', '--no-verbose', '--no-seed', '--help', '-h', '--unknown', '--seed=3', '--format=json', '--part=random-init'];
    let state = 12345;
    const next = (n: number): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const argv: string[] = [];
      const length = next(6);
      for (let k = 0; k < length; k++) argv.push(next(2) ? flags[next(flags.length)] : words[next(words.length)]);
      const fast = viaFast(argv);
      if (fast === undefined) continue;
      accepted++;
      expect(viaYargs(argv), JSON.stringify(argv)).toEqual({ ok: fast });
    }
    // The generator reaches the fast path often enough for the comparison to mean something.
    expect(accepted).toBeGreaterThan(300);
  });
});

describe('main: usage errors are the same with and without the fast path', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'bpg-cli-fast-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  async function run(argv: string[], fastPath: boolean) {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), env: {}, cwd, stdoutIsTTY: false, columns: 100 };
    const code = await main(argv, io, { fastPath });
    return { code, stdout, stderr };
  }

  // (Not `grade ''`: yargs grades the cwd then.)
  const errors = DEFERRED.filter((argv) => !['--help', '-h', '--version', ''].some((a) => argv.includes(a)));
  it.each(errors.map((argv) => [argv]))(
    'grade %j: exit code 2, the same message and usage text',
    async (argv) => {
      const fast = await run(['grade', ...argv], true);
      const slow = await run(['grade', ...argv], false);
      expect(fast).toEqual(slow);
      expect(fast.code).toBe(2);
      expect(fast.stdout).toBe('');
      expect(fast.stderr).toMatch(/^backprop-grader: /m);
    },
  );

  it('a bad flag shows the usage text (yargs renders it)', async () => {
    const r = await run(['grade', '--seed', 'abc'], true);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('backprop-grader grade [dir]');
    expect(r.stderr).toContain('--partial-credit');
    expect(r.stderr).toMatch(/^backprop-grader: .*--seed.*"abc"/m);
  });

  it('a missing folder: the same usage error on the fast path (no usage text, exit 2)', async () => {
    const fast = await run(['grade', 'no/such/dir'], true);
    expect(fast).toEqual(await run(['grade', 'no/such/dir'], false));
    expect(fast.code).toBe(2);
    expect(fast.stderr).toMatch(/^backprop-grader: /);
    expect(fast.stderr).toContain(join(cwd, 'no/such/dir'));
    expect(fast.stderr).not.toContain('Options:');
  });

  it('--help is yargs\' own on both paths', async () => {
    const fast = await run(['grade', '--help'], true);
    expect(fast).toEqual(await run(['grade', '--help'], false));
    expect(fast.code).toBe(0);
    expect(fast.stdout).toContain('Examples:');
  });
});

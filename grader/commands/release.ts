/**
 * `backprop-grader release --out <dir>`: write the student repository (stubs, provided helpers,
 * the grader with stored reference fixtures, the classroom workflow, a student README) and verify
 * that no solution code is in it. See grader/release/release.ts for what is released and why.
 */
import { resolve } from 'node:path';
import type { Argv, CommandModule, Options } from 'yargs';
import { render, resolveLang, t, type Lang } from '../messages/index';
import { cliContext, describedExamples, describedFlags, helpLang, langFlag, UsageError, type CliContext } from './context';
import { standaloneParser } from './parse';

/** `release`'s arguments after parsing. */
export interface ReleaseCliOptions {
  /** Absolute output folder. */
  out: string;
  force: boolean;
  /** `--lang`: the language of this command's messages (else LC_ALL / LC_MESSAGES / LANG). The student README ships in both. */
  lang?: Lang;
}

/** Adds `release`'s flags to a yargs instance. */
export function releaseBuilder<T>(y: Argv<T>) {
  const lang = helpLang(y as Argv<unknown>);
  const flags = { out: { type: 'string', demandOption: true, requiresArg: true }, force: { type: 'boolean' }, lang: { type: 'string', requiresArg: true, coerce: langFlag('lang') } } satisfies Record<string, Options>;
  return y.options(describedFlags('release', flags, lang)).example(describedExamples('release', [['$0 release --out ../ex4-student', 'default']], lang));
}

type ReleaseArgs = Record<string, unknown>;

/** Maps parsed yargs arguments to ReleaseCliOptions. */
export function toReleaseCliOptions(args: ReleaseArgs, cwd: string): ReleaseCliOptions {
  if (Array.isArray(args.out)) throw new UsageError({ id: 'cli.repeated', params: { flag: 'out' } }, true);
  const out: ReleaseCliOptions = { out: resolve(cwd, String(args.out)), force: Boolean(args.force) };
  if (args.lang !== undefined) out.lang = args.lang as Lang;
  return out;
}

/** Parses `release`'s arguments without running anything. */
export function parseReleaseArgs(argv: string[], cwd = '/'): ReleaseCliOptions {
  const y = releaseBuilder(standaloneParser());
  return toReleaseCliOptions(y.parseSync(argv) as ReleaseArgs, cwd);
}

/** Runs `release`: 0 written and clean; 2 bad --out; 1 when solution code would have been released (nothing written). */
export async function runReleaseCommand(cli: ReleaseCliOptions, ctx: CliContext): Promise<number> {
  // Loaded here: the release writer and its scanner are only for this command, not every CLI start.
  const { ReleaseError, writeRelease } = await import('../release/release');
  const lang = resolveLang({ flag: cli.lang, env: ctx.io.env });
  try {
    const r = writeRelease({ out: cli.out, force: cli.force });
    for (const w of r.warnings) ctx.io.stderr(`${render(w, lang)}\n`);
    ctx.io.stdout(`${t('cli.release.wrote', { files: r.files.length, dir: r.outDir, scanned: r.scan.filesScanned }, lang)}\n`);
    ctx.io.stdout(`${t('cli.release.manifest', { dir: r.outDir }, lang)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ReleaseError) {
      if (error.code === 'release-usage') throw new UsageError(error.refs ?? error.message);
      ctx.io.stderr(`${error.text(lang)}\n`);
      return 1;
    }
    throw error;
  }
}

/** The `release` command module (registered in cli.ts COMMANDS). */
export const releaseCommand: CommandModule<object, ReleaseArgs> = {
  command: 'release',
  describe: t('help.release', {}, 'en'),
  builder: (y) => releaseBuilder(y) as unknown as Argv<ReleaseArgs>,
  handler: async (args) => {
    const ctx = cliContext(args);
    ctx.exitCode = await runReleaseCommand(toReleaseCliOptions(args, ctx.io.cwd), ctx);
  },
};

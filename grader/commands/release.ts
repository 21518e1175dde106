/**
 * `backprop-grader release --out <dir>`: write the student repository (stubs, provided helpers,
 * the grader with stored reference fixtures, the classroom workflow, a student README) and verify
 * that no solution code is in it. See grader/release/release.ts for what is released and why.
 */
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { render, resolveLang, t, type Lang } from '../messages/index';
import { cliContext, langFlag, standaloneParser, UsageError, type CliContext } from './context';

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
  return y
    .option('out', { type: 'string', demandOption: true, requiresArg: true, describe: 'Folder for the student repository (empty or absent)' })
    .option('force', { type: 'boolean', describe: 'Replace an earlier release in --out' })
    .option('lang', { type: 'string', requiresArg: true, describe: 'Language of the messages: en or zh-CN (the student README is written in both)', coerce: langFlag('lang') })
    .example([['$0 release --out ../ex4-student', 'Write the student repository next to this project']]);
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
  describe: 'Write the student repository (stubs, helpers, grader with sealed hidden cases) without solution code',
  builder: (y) => releaseBuilder(y) as unknown as Argv<ReleaseArgs>,
  handler: async (args) => {
    const ctx = cliContext(args);
    ctx.exitCode = await runReleaseCommand(toReleaseCliOptions(args, ctx.io.cwd), ctx);
  },
};

/**
 * The command line: a thin yargs layer over the commands in grader/commands/, and a fast path for
 * a plain `grade` that never loads yargs (commands/grade-fast.ts). `main` returns the exit code
 * (bin/backprop-grader.js sets process.exitCode from it; nothing here calls process.exit, so
 * pending output is always flushed).
 *
 * Exit codes: 0 the command completed (for `grade`: whatever the score); 1 an internal failure,
 * or a gate such as `--min-score`; 2 a usage error (unknown command or flag, bad value).
 */
import type { CommandModule } from 'yargs';
import { argvLang, CONTEXT_KEY, processIO, UsageError, withUsage, type CliContext, type CliIO } from './commands/context';
import { t, type Lang, type MessageId } from './messages/index';
import { graderVersion } from './paths';

/**
 * Every command of the CLI, in the order `--help` lists them. Adding a command is one line here:
 * a module in grader/commands/ exporting a yargs CommandModule (its handler reads the shared
 * context with `cliContext(args)` and sets `ctx.exitCode`). Loaded only when yargs parses (not
 * on the fast path of `grade`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function loadCommands(): Promise<CommandModule<any, any>[]> {
  const [grade, fixtures, batch, merge, release] = await Promise.all([
    import('./commands/grade'),
    import('./commands/fixtures'),
    import('./commands/batch'),
    import('./commands/merge'),
    import('./commands/release'),
  ]);
  return [grade.gradeCommand, fixtures.fixturesCommand, batch.batchCommand, merge.mergeCommand, release.releaseCommand];
}

function usageErrorText(message: string, usage: string | undefined): string {
  return `${usage ? `${usage}\n\n` : ''}backprop-grader: ${message.replaceAll('\n', '\nbackprop-grader: ')}\n`;
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code.
 * `io` replaces the process's streams, environment and cwd (tests run commands in-process).
 * `grade` takes a fast path without yargs when its arguments allow (commands/grade-fast.ts);
 * `fastPath: false` always parses with yargs (tests compare the two).
 */
export async function main(argv: string[], io: Partial<CliIO> = {}, options: { fastPath?: boolean } = {}): Promise<number> {
  const ctx: CliContext = { io: { ...processIO(), ...io }, exitCode: 0 };
  // The language of the CLI's own words (usage errors, notices, every command's help: the builders
  // read it back with helpLang) and of yargs' built-in ones.
  const lang = argvLang(argv, ctx.io.env);
  try {
    return (options.fastPath === false ? undefined : await fastGrade(argv, ctx)) ?? (await parseAndRun(argv, ctx, lang));
  } catch (err) {
    return failureCode(err, ctx, lang);
  }
}

/** Prints a command's failure and returns its exit code: 2 for a usage error (with `usage` when it asks for it), else 1. */
function failureCode(err: unknown, ctx: CliContext, lang: Lang, usage?: string): number {
  if (err instanceof UsageError) {
    ctx.io.stderr(usageErrorText(err.text(lang), err.showUsage ? usage : undefined));
    return 2;
  }
  ctx.io.stderr(`backprop-grader: ${t('cli.internal-error', { detail: (err as Error)?.stack ?? String(err) }, lang)}\n`);
  return 1;
}

/**
 * `grade` without yargs (commands/grade-fast.ts): its exit code, or undefined when yargs must
 * parse these arguments (help, an error, another command).
 */
async function fastGrade(argv: string[], ctx: CliContext): Promise<number | undefined> {
  if (argv[0] !== 'grade') return undefined;
  const { fastGradeArgs } = await import('./commands/grade-fast');
  const args = fastGradeArgs(argv.slice(1));
  if (!args) return undefined;
  const { runGrade, toGradeCliOptions } = await import('./commands/grade');
  let cli;
  try {
    cli = toGradeCliOptions(args, ctx.io.env, ctx.io.cwd);
  } catch {
    return undefined; // a usage error: yargs reports it, with its usage text
  }
  return runGrade(cli, ctx);
}

/** Parses with yargs and runs the command; usage errors carry yargs' usage text. */
async function parseAndRun(argv: string[], ctx: CliContext, lang: Lang): Promise<number> {
  const [{ default: yargs }, commands] = await Promise.all([import('yargs'), loadCommands()]);
  let usage: string | undefined;
  let output = '';

  const cli = yargs()
    .locale(lang === 'zh-CN' ? 'zh_CN' : 'en')
    .scriptName('backprop-grader')
    .usage(`$0 <command> [options]\n\n${t('cli.usage', {}, lang)}`)
    .strict()
    .demandCommand(1, t('cli.demand-command', {}, lang))
    .recommendCommands()
    .version(graderVersion())
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .epilogue(t('cli.exit-codes', {}, lang))
    .fail((msg, err, y) => {
      // yargs calls this for its own validation (msg set) and for errors thrown by handlers
      // (msg null): only the former is a usage error.
      if (msg === null || msg === undefined) throw err;
      y.showHelp((s: string) => {
        usage = s;
      });
      throw err instanceof UsageError ? withUsage(err) : new UsageError(msg, true);
    });
  for (const command of commands) {
    const name = String(command.command).split(' ')[0];
    cli.command({ ...command, describe: t(`help.${name}` as MessageId, {}, lang) });
  }

  try {
    await cli.parseAsync(argv, { [CONTEXT_KEY]: ctx }, (_err, _argv, out) => {
      // With a parse callback yargs hands --help/--version text here instead of printing it.
      output = out;
    });
  } catch (err) {
    return failureCode(err, ctx, lang, usage);
  }
  if (output) ctx.io.stdout(output.endsWith('\n') ? output : `${output}\n`);
  return ctx.exitCode;
}

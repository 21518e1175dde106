/**
 * The command line: a thin yargs layer over the commands in grader/commands/. `main` returns the
 * exit code (bin/backprop-grader.js sets process.exitCode from it; nothing here calls
 * process.exit, so pending output is always flushed).
 *
 * Exit codes: 0 the command completed (for `grade`: whatever the score); 1 an internal failure,
 * or a gate such as `--min-score`; 2 a usage error (unknown command or flag, bad value).
 */
import yargs, { type CommandModule } from 'yargs';
import { fixturesCommand } from './commands/fixtures';
import { gradeCommand } from './commands/grade';
import { mergeCommand } from './commands/merge';
import { batchCommand } from './commands/batch';
import { releaseCommand } from './commands/release';
import { argvLang, CONTEXT_KEY, processIO, UsageError, withUsage, type CliContext, type CliIO } from './commands/context';
import { t, type MessageId } from './messages/index';
import { graderVersion } from './paths';

/**
 * Every command of the CLI, in the order `--help` lists them. Adding a command is one line here:
 * a module in grader/commands/ exporting a yargs CommandModule (its handler reads the shared
 * context with `cliContext(args)` and sets `ctx.exitCode`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<any, any>[] = [
  gradeCommand,
  fixturesCommand,
  batchCommand,
  mergeCommand,
  releaseCommand,
];

function usageErrorText(message: string, usage: string | undefined): string {
  return `${usage ? `${usage}\n\n` : ''}backprop-grader: ${message.replaceAll('\n', '\nbackprop-grader: ')}\n`;
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code.
 * `io` replaces the process's streams, environment and cwd (tests run commands in-process).
 */
export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const ctx: CliContext = { io: { ...processIO(), ...io }, exitCode: 0 };
  // The language of the CLI's own words (usage errors, notices, every command's help: the builders
  // read it back with helpLang) and of yargs' built-in ones.
  const lang = argvLang(argv, ctx.io.env);
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
  for (const command of COMMANDS) {
    const name = String(command.command).split(' ')[0];
    cli.command({ ...command, describe: t(`help.${name}` as MessageId, {}, lang) });
  }

  try {
    await cli.parseAsync(argv, { [CONTEXT_KEY]: ctx }, (_err, _argv, out) => {
      // With a parse callback yargs hands --help/--version text here instead of printing it.
      output = out;
    });
    if (output) ctx.io.stdout(output.endsWith('\n') ? output : `${output}\n`);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.io.stderr(usageErrorText(err.text(lang), err.showUsage ? usage : undefined));
      return 2;
    }
    ctx.io.stderr(`backprop-grader: ${t('cli.internal-error', { detail: (err as Error)?.stack ?? String(err) }, lang)}\n`);
    return 1;
  }
}

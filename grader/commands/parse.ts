/**
 * yargs parsers for one command's own arguments, apart from the CLI (the `parse*Args` functions
 * that tests and tools call). Kept apart from the command modules so that loading `grade` for the
 * fast path (grade-fast.ts) never loads yargs.
 */
import yargs, { type Argv } from 'yargs';
import { UsageError, withUsage } from './context';
import { gradeBuilder, toGradeCliOptions, type GradeArgs, type GradeCliOptions } from './grade';

/**
 * A yargs parser for one command's own arguments: strict, no help or version, never exits the
 * process, and turns every parse failure into a UsageError (exit code 2).
 */
export function standaloneParser(command?: string): Argv {
  const y = command === undefined ? yargs() : yargs().command(command, 'parse');
  return y
    .strict()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err instanceof UsageError ? withUsage(err) : new UsageError(msg ?? err?.message ?? { id: 'cli.invalid-arguments' }, true);
    });
}

/**
 * Parses `grade`'s arguments (what follows `grade` on the command line) with yargs, without
 * running anything. Throws UsageError for an unknown flag or a bad value.
 */
export function parseGradeArgs(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = '/'): GradeCliOptions {
  const y = gradeBuilder(standaloneParser('$0 [dir]'));
  return toGradeCliOptions(y.parseSync(argv) as GradeArgs, env, cwd);
}

/**
 * What every command handler receives besides its arguments: the process's streams, environment
 * and working directory (injectable, so commands run in-process in tests), and the exit code it
 * wants `main` to return. yargs merges the parse context into argv, so a handler reads it with
 * `cliContext(args)`.
 */
// Types only: the fast path of `grade` (grade-fast.ts) loads this module and must not load yargs.
import type { Argv, Options } from 'yargs';
import { CatalogueError } from '../messages/errors';
import { CATALOGUES, parseLang, resolveLang, t, type Lang, type MessageId, type MessageRef } from '../messages/index';

/** Where a command reads and writes. Defaults to the real process in `main`. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Decides colour: only a TTY gets ANSI colours (and only without NO_COLOR). */
  stdoutIsTTY: boolean;
  /** The terminal's width in columns, when stdout is one (the text report wraps to it). */
  columns?: number;
}

export interface CliContext {
  io: CliIO;
  /**
   * The exit code `main` returns: 0 when the command completed (whatever the score), 1 for an
   * internal failure or a gate such as `--min-score`, 2 for a usage error. Handlers set it;
   * they never call process.exit().
   */
  exitCode: number;
  /** Ends long-running commands (`grade --watch`); main aborts it on SIGINT. Tests pass their own. */
  signal?: AbortSignal;
}

/** The argv key under which yargs hands the context to handlers. */
export const CONTEXT_KEY = '__backpropGraderCli';

/** A handler's context (a default one on the real process when a command runs outside `main`). */
export function cliContext(args: Record<string, unknown>): CliContext {
  const ctx = args[CONTEXT_KEY] as CliContext | undefined;
  return ctx ?? { io: processIO(), exitCode: 0 };
}

/** The real process's streams, environment and working directory. */
export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
  };
}

/**
 * A mistake in how the command was called (unknown flag, bad value, missing folder, invalid
 * config file): `main` prints the message (and the usage when `showUsage`) to stderr and returns 2.
 */
export class UsageError extends CatalogueError {
  readonly code: string = 'usage';
  constructor(message: string | MessageRef | readonly MessageRef[], readonly showUsage = false) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The same usage error with the usage shown (a bad flag value met inside yargs). */
export function withUsage(error: UsageError): UsageError {
  return error.showUsage ? error : new UsageError(error.refs ?? error.message, true);
}

/**
 * The language of the CLI's own messages before any config is read: `--lang` among the arguments
 * (either spelling), else LC_ALL / LC_MESSAGES / LANG, else English.
 */
export function argvLang(argv: readonly string[], env: NodeJS.ProcessEnv): Lang {
  const at = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const value = at < 0 ? undefined : argv[at].includes('=') ? argv[at].slice('--lang='.length) : argv[at + 1];
  return resolveLang({ flag: parseLang(value), env });
}

/** Colour only on a TTY, and never when NO_COLOR is set to a non-empty value (no-color.org). */
export function wantsColor(io: CliIO): boolean {
  return io.stdoutIsTTY && !io.env.NO_COLOR;
}

/** A yargs coerce for `--lang en|zh-CN` (locale spellings such as `zh_CN.UTF-8` are accepted too). */
export function langFlag(flag: string) {
  return (v: unknown): Lang | undefined => {
    if (v === undefined) return undefined;
    const lang = Array.isArray(v) ? undefined : parseLang(String(v));
    if (!lang) throw new UsageError({ id: 'cli.bad-lang', params: { flag, value: String(v) } }, true);
    return lang;
  };
}

/** The language of a parser's help: the locale cli.ts gave yargs (from `--lang` or the environment). */
export function helpLang(y: Argv<unknown>): Lang {
  return y.locale() === 'zh_CN' ? 'zh-CN' : 'en';
}

/** A help text of the catalogue (`help.*`), or undefined when the catalogue has none. */
function helpText(id: string, lang: Lang): string | undefined {
  return id in CATALOGUES.en ? t(id as MessageId, {}, lang) : undefined;
}

/**
 * A command's flags with their help in `lang`: `describe` is `help.<command>.<flag>`, and
 * `defaultDescription` is `help.<command>.<flag>.default` where the catalogue has one (else the
 * flag's own, a value such as `10000` that needs no words).
 */
export function describedFlags<F extends Record<string, Options>>(command: string, flags: F, lang: Lang): F {
  const out: Record<string, Options> = {};
  for (const [key, spec] of Object.entries(flags)) {
    const describe = helpText(`help.${command}.${key}`, lang);
    const defaultDescription = helpText(`help.${command}.${key}.default`, lang) ?? spec.defaultDescription;
    out[key] = { ...spec, ...(describe === undefined ? {} : { describe }), ...(defaultDescription === undefined ? {} : { defaultDescription }) };
  }
  return out as F;
}

/** A command's examples, each a command line and the name of its help (`help.<command>.example.<name>`), in `lang`. */
export function describedExamples(command: string, examples: readonly (readonly [string, string])[], lang: Lang): [string, string][] {
  return examples.map(([line, name]) => [line, t(`help.${command}.example.${name}` as MessageId, {}, lang)]);
}

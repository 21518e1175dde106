/**
 * What every command handler receives besides its arguments: the process's streams, environment
 * and working directory (injectable, so commands run in-process in tests), and the exit code it
 * wants `main` to return. yargs merges the parse context into argv, so a handler reads it with
 * `cliContext(args)`.
 */
import { parseLang, type Lang } from '../messages/index';

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
export class UsageError extends Error {
  readonly code: string = 'usage';
  constructor(message: string, readonly showUsage = false) {
    super(message);
    this.name = 'UsageError';
  }
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
    if (!lang) throw new Error(`--${flag} must be en or zh-CN, got "${String(v)}"`);
    return lang;
  };
}

/**
 * `backprop-grader grade [DIR]`: grade one submission and print (or write) the report.
 *
 * Parsing is a pure function (parseGradeArgs in parse.ts, or the yargs-free grade-fast.ts for the
 * CLI's fast path: argv -> GradeCliOptions), tested apart from the run.
 * Heavy modules (the engine, ajv, @actions/core) load inside the handler, only when needed, so
 * `--help` and a plain text run start fast.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Argv, CommandModule, Options } from 'yargs';
import { resolveLang, t, type Lang } from '../messages/index';
import type { GradeOptions } from '../options';
import { PART_IDS, type PartId, type PresetName } from '../parts/ids';
import { erroredReport, internalFailureReason } from '../report/errored';
import type { GradeReport } from '../report/types';
import { cliContext, describedExamples, describedFlags, helpLang, langFlag, UsageError, wantsColor, type CliContext } from './context';
import { OptionError } from '../messages/errors';
import type { FallbackReason, IsolationPolicy } from '../sandbox/protocol';

/** The engine's entry point (grader/api.ts), injectable in tests. */
export type GradeFn = (options: Partial<GradeOptions> & { submission: string }) => Promise<GradeReport>;

/** The output formats of `grade`. */
export const REPORT_FORMATS = ['text', 'json', 'github', 'gradescope'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `grade`'s arguments after parsing: only what was given (config and defaults fill the rest). */
export interface GradeCliOptions {
  /** Absolute path of the submission (DIR, default `exercises/`, resolved against the cwd). */
  submission: string;
  /** `--format`; default `text`, or `github` when GITHUB_ACTIONS=true. */
  format: ReportFormat;
  /** `--out FILE`, absolute. */
  out?: string;
  seed?: number;
  preset?: PresetName;
  /** `--min-score N`: exit 1 when the score is below N. */
  minScore?: number;
  /** `--config FILE` (absolute), `false` for `--no-config`, undefined to look for the default file. */
  config?: string | false;
  /** `--timeout MS`: per-call wall-clock limit. */
  timeoutMs?: number;
  reference?: GradeOptions['reference'];
  partialCredit?: boolean;
  /** `--lang`: the report's language (else the config's `lang`, else the locale). */
  lang?: Lang;
  /** `--find`: DIR is an upload; grade the one folder in it that holds the student's files. */
  find?: boolean;
  /** `--isolation`: how hard the sandbox walls must be. */
  isolation?: IsolationPolicy;
  /** `--part ID…`: grade only these parts. */
  parts?: PartId[];
  /** `--verbose`: the text report in full (every case, worst elements, diffs). */
  verbose?: boolean;
  /** `--watch`: grade again whenever a file of the submission is saved, until interrupted. */
  watch?: boolean;
}

function nonNegativeInteger(flag: string) {
  return (v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (Array.isArray(v) || !Number.isSafeInteger(n) || n < 0) throw new UsageError({ id: 'cli.whole-number', params: { flag, min: 0, value: String(v) } }, true);
    return n;
  };
}

function finiteNumber(flag: string) {
  return (v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (Array.isArray(v) || !Number.isFinite(n)) throw new UsageError({ id: 'cli.number', params: { flag, value: String(v) } }, true);
    return n;
  };
}

function singleString(flag: string) {
  return (v: unknown): unknown => {
    if (Array.isArray(v)) throw new UsageError({ id: 'cli.repeated', params: { flag } }, true);
    return v;
  };
}

/** `--isolation` (grade and batch share it). */
export const ISOLATION_FLAG = {
  choices: ['auto', 'strict', 'permission-model'] as const,
  defaultDescription: 'auto',
  requiresArg: true,
} satisfies Options;

/** The flags of `grade`; no yargs defaults, so "not given" stays distinguishable from a default. */
export const GRADE_FLAGS = {
  format: {
    choices: REPORT_FORMATS,
    requiresArg: true,
  },
  out: { type: 'string', requiresArg: true, coerce: singleString('out') },
  seed: { type: 'string', requiresArg: true, coerce: nonNegativeInteger('seed') },
  preset: { choices: ['full', 'coursera'] as const, defaultDescription: 'full', requiresArg: true },
  'min-score': { type: 'string', requiresArg: true, coerce: finiteNumber('min-score') },
  config: { type: 'string', requiresArg: true, coerce: singleString('config') },
  timeout: { type: 'string', defaultDescription: '10000', requiresArg: true, coerce: nonNegativeInteger('timeout') },
  reference: { choices: ['auto', 'solutions', 'sealed', 'fixtures'] as const, requiresArg: true },
  'partial-credit': { type: 'boolean', },
  lang: { type: 'string', requiresArg: true, coerce: langFlag('lang') },
  find: {
    type: 'boolean',
  },
  isolation: ISOLATION_FLAG,
  part: { type: 'string', array: true, choices: PART_IDS, requiresArg: true },
  verbose: { type: 'boolean', },
  watch: { type: 'boolean', defaultDescription: 'false' },
} satisfies Record<string, Options>;

/** `grade`'s examples: a command line and the name of its help (`help.grade.example.<name>`). */
const EXAMPLES = [
  ['$0 grade', 'default'],
  ['$0 grade path/to/student-repo --format json --out report.json', 'json'],
  ['$0 grade --seed 12345', 'seed'],
  ['$0 grade --preset coursera --min-score 100', 'coursera'],
  ['$0 grade --lang zh-CN', 'lang'],
  ['$0 grade upload --find --format gradescope', 'find'],
  ['$0 grade --part backprop-gradient --watch', 'watch'],
] as const;

/** `grade`'s arguments as yargs hands them to the handler (the keys toGradeCliOptions reads). */
export type GradeArgs = Record<string, unknown> & { dir?: string };

/** Adds `grade`'s positional and flags to a yargs instance. */
export function gradeBuilder<T>(y: Argv<T>) {
  const lang = helpLang(y as Argv<unknown>);
  return y
    .positional('dir', { type: 'string', describe: t('help.grade.dir', {}, lang), default: 'exercises' })
    .options(describedFlags('grade', GRADE_FLAGS, lang))
    .example(describedExamples('grade', EXAMPLES, lang));
}

/** Maps parsed yargs arguments to GradeCliOptions (environment and cwd decide the defaults). */
export function toGradeCliOptions(args: GradeArgs, env: NodeJS.ProcessEnv, cwd: string): GradeCliOptions {
  const rawConfig = args.config;
  const format = (args.format as ReportFormat | undefined) ?? (env.GITHUB_ACTIONS === 'true' ? 'github' : 'text');
  const out: GradeCliOptions = { submission: resolve(cwd, args.dir ?? 'exercises'), format };
  if (typeof args.out === 'string') out.out = resolve(cwd, args.out);
  if (args.seed !== undefined) out.seed = args.seed as number;
  if (args.preset !== undefined) out.preset = args.preset as PresetName;
  if (args['min-score'] !== undefined) out.minScore = args['min-score'] as number;
  if (rawConfig === false) out.config = false;
  else if (typeof rawConfig === 'string') out.config = resolve(cwd, rawConfig);
  if (args.timeout !== undefined) {
    if ((args.timeout as number) < 1) throw new UsageError({ id: 'cli.timeout-min' }, true);
    out.timeoutMs = args.timeout as number;
  }
  if (args.reference !== undefined) out.reference = args.reference as GradeCliOptions['reference'];
  if (args['partial-credit'] !== undefined) out.partialCredit = args['partial-credit'] as boolean;
  if (args.lang !== undefined) out.lang = args.lang as Lang;
  if (args.find) out.find = true;
  if (args.isolation !== undefined) out.isolation = args.isolation as IsolationPolicy;
  if (args.part !== undefined) out.parts = [...new Set(args.part as PartId[])];
  if (args.verbose !== undefined) out.verbose = args.verbose as boolean;
  if (args.watch !== undefined) {
    out.watch = args.watch as boolean;
    if (out.watch && (format !== 'text' || out.out)) throw new UsageError({ id: 'cli.watch-format' }, true);
  }
  return out;
}

/** The options the given flags set (CLI layer of the precedence flags > config > defaults). */
export function cliGradeOptions(cli: GradeCliOptions): Partial<GradeOptions> {
  const o: Partial<GradeOptions> = {};
  if (cli.seed !== undefined) o.seed = cli.seed;
  if (cli.preset !== undefined) o.preset = cli.preset;
  if (cli.timeoutMs !== undefined) o.limits = { timeoutMs: cli.timeoutMs } as GradeOptions['limits'];
  if (cli.reference !== undefined) o.reference = cli.reference;
  if (cli.partialCredit !== undefined) o.partialCredit = cli.partialCredit;
  if (cli.lang !== undefined) o.lang = cli.lang;
  if (cli.isolation !== undefined) o.isolation = cli.isolation;
  if (cli.parts !== undefined) o.parts = cli.parts;
  return o;
}

/**
 * A complete report for a run the grader could not finish (an internal failure): every part of
 * the preset with its full max score and status errored, so no part vanishes from a gradebook.
 */
export function internalFailureReport(options: Partial<GradeOptions> & { submission: string }, error: unknown): GradeReport {
  return erroredReport(options, internalFailureReason(error));
}

function writeOut(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Writes `report` in the chosen format (stdout, --out, or the GitHub Actions files). */
async function emit(report: GradeReport, cli: GradeCliOptions, ctx: CliContext, internalError: boolean): Promise<void> {
  const { io } = ctx;
  switch (cli.format) {
    case 'text': {
      const { renderText } = await import('../reporters/text');
      const verbose = cli.verbose === true;
      if (cli.out) writeOut(cli.out, renderText(report, { color: false, verbose }));
      else io.stdout(renderText(report, { color: wantsColor(io), verbose, ...(io.columns ? { width: io.columns } : {}) }));
      return;
    }
    case 'json': {
      const { renderJson } = await import('../reporters/json');
      const text = renderJson(report);
      if (cli.out) writeOut(cli.out, text);
      else io.stdout(text);
      return;
    }
    case 'gradescope': {
      const { renderGradescope } = await import('../reporters/gradescope');
      const text = renderGradescope(report);
      if (cli.out) {
        writeOut(cli.out, text);
        // Gradescope keeps the autograder's stdout for instructors only (results.json sets
        // stdout_visibility: hidden): the full report, hidden cases' details included, stays
        // available to them after grades are published.
        const { renderText } = await import('../reporters/text');
        io.stdout(renderText(report, { color: false }));
      } else io.stdout(text);
      return;
    }
    case 'github': {
      const { publishToGitHub } = await import('../reporters/github');
      await publishToGitHub(report, { write: io.stdout, env: io.env, internalError });
      if (cli.out) {
        const { renderJson } = await import('../reporters/json');
        writeOut(cli.out, renderJson(report));
      }
      return;
    }
  }
}

/**
 * The config file to read: `--config FILE`, none with `--no-config`, else the working directory's
 * backprop-grader.config.json, except with `--format github` or `gradescope`: there the working
 * directory is the student's repository (GitHub Classroom), so a config is read only when
 * `--config` names it (the instructor's, shipped with the release).
 */
async function configFileFor(cli: GradeCliOptions, cwd: string): Promise<string | undefined> {
  if (cli.config === false) return undefined;
  if (cli.config !== undefined) return cli.config;
  if (cli.format === 'github' || cli.format === 'gradescope') return undefined;
  return (await import('../config')).findConfig(cwd);
}

/** `--isolation strict`: a usage error (exit 2, saying how to enable namespaces) when they are unavailable. */
export async function requireNamespaces(lang?: Lang): Promise<void> {
  const { probeIsolation } = await import('../sandbox/isolation');
  const probe = await probeIsolation();
  if (probe.mode === 'namespaces') return;
  throw await strictUnavailable(probe.reason ?? 'bwrap-failed', lang);
}

async function strictUnavailable(reason: FallbackReason, lang?: Lang): Promise<UsageError> {
  const { t } = await import('../messages/index');
  return new UsageError(t('sandbox.strict-unavailable', { reason }, lang));
}

/**
 * Runs `grade` with parsed options: config, engine, report, exit code. Returns the exit code:
 * 0 graded (whatever the score), 1 below `--min-score` or an internal failure (a complete
 * all-errored report is still written), 2 for a usage error (missing folder, invalid config).
 * `gradeImpl` replaces the engine (tests).
 */
export async function runGrade(cli: GradeCliOptions, ctx: CliContext, gradeImpl?: GradeFn): Promise<number> {
  let { io } = ctx;
  if (cli.format === 'github') {
    // The Actions runner reads workflow commands on stderr too; an internal error's message may
    // quote student text.
    const { neutralizeWorkflowCommands } = await import('../reporters/escape');
    const raw = io.stderr;
    io = { ...io, stderr: (t) => raw(neutralizeWorkflowCommands(t)) };
    ctx = { ...ctx, io };
  }
  if (!existsSync(cli.submission) || !statSync(cli.submission).isDirectory()) {
    throw new UsageError({ id: 'cli.no-such-folder', params: { dir: cli.submission } });
  }

  let configLayer: Partial<GradeOptions> = {};
  const configFile = await configFileFor(cli, io.cwd);
  if (configFile) {
    const { loadConfig, ConfigError } = await import('../config');
    try {
      configLayer = loadConfig(configFile);
    } catch (err) {
      throw err instanceof ConfigError ? new UsageError(err.refs ?? err.message) : err;
    }
    io.stderr(`${t('cli.using-config', { file: configFile }, resolveLang({ flag: cli.lang, config: configLayer.lang, env: io.env }))}\n`);
  }
  const { mergeOptions } = await import('../config');
  const options = mergeOptions<Partial<GradeOptions> & { submission: string }>(configLayer, cliGradeOptions(cli), { submission: cli.submission });
  options.lang = resolveLang({ flag: cli.lang, config: configLayer.lang, env: io.env });

  if (cli.find) {
    // An upload: the student's files are somewhere inside. A refusal is the student's to fix, so
    // it is a graded report (every part errored with the reason), not a usage error.
    const { findUploadedSubmission } = await import('../upload/find');
    const found = findUploadedSubmission(cli.submission);
    if (!found.ok) {
      await emit(erroredReport(options, { messages: [{ level: 'error', id: found.messageId, params: found.params }] }), cli, ctx, false);
      return 0;
    }
    options.submission = found.dir;
  }

  if (cli.watch) {
    const { watchGrade } = await import('./watch');
    await watchGrade(options, (o) => gradeOnce(o, cli, ctx, gradeImpl), { signal: ctx.signal, io });
    return 0;
  }
  const { report, failed } = await gradeOnce(options, cli, ctx, gradeImpl);
  if (failed) return 1;
  if (cli.minScore !== undefined && report.score < cli.minScore) {
    io.stderr(`${t('cli.below-min-score', { score: report.score, maxScore: report.maxScore, minScore: cli.minScore }, options.lang)}\n`);
    return 1;
  }
  return 0;
}

/** Grades once and writes the report; an internal failure still writes a complete (all-errored) report. */
async function gradeOnce(
  options: Partial<GradeOptions> & { submission: string },
  cli: GradeCliOptions,
  ctx: CliContext,
  gradeImpl?: GradeFn,
): Promise<{ report: GradeReport; failed: boolean }> {
  let report: GradeReport;
  let failed = false;
  try {
    const grade = gradeImpl ?? (await import('../api')).grade;
    report = await grade(options);
  } catch (err) {
    // `--isolation strict` without namespaces: the sandbox refused before running anything (no
    // separate probe, so strict costs a grade nothing). The operator's to fix: a usage error.
    if ((err as { code?: unknown })?.code === 'isolation-unavailable') throw await strictUnavailable((err as { reason: FallbackReason }).reason, options.lang);
    // An option the engine cannot use (a config's points for a part outside the preset…): the operator's.
    if (err instanceof OptionError) throw new UsageError(err.refs ?? err.message);
    failed = true;
    ctx.io.stderr(`${t('cli.grading-failed', { detail: (err as Error)?.stack ?? String(err) }, options.lang)}\n`);
    report = internalFailureReport(options, err);
  }
  await emit(report, cli, ctx, failed);
  return { report, failed };
}

/** The `grade` command module (registered in cli.ts COMMANDS). */
export const gradeCommand: CommandModule<object, GradeArgs> = {
  command: 'grade [dir]',
  describe: t('help.grade', {}, 'en'),
  builder: (y) => gradeBuilder(y) as unknown as Argv<GradeArgs>,
  handler: async (args) => {
    const ctx = cliContext(args);
    const cli = toGradeCliOptions(args, ctx.io.env, ctx.io.cwd);
    ctx.exitCode = await runGrade(cli, ctx);
  },
};

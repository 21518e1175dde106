/**
 * `backprop-grader batch <folder> --out <dir>`: grade every submission (subfolder) of a class.
 *
 *   <out>/reports/<id>.json   one schema-valid GradeReport per submission, written as each is done
 *   <out>/gradebook.csv       id, total, each part (catalogue order)
 *   <out>/summary.md          counts, mean/median, distribution, pass rates, common diagnoses
 *   <out>/report.html         self-contained HTML report (charts, per-student details)
 *   <out>/batch.json          seed, preset, shard and ids: what --resume needs
 *
 * Splitting a class over a CI matrix: see docs/batch-grading.md (`--shard i/n`, then `merge`).
 * Parsing is a pure function (parseBatchArgs), tested apart from the run; the engine loads in the
 * handler only.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Argv, CommandModule, Options } from 'yargs';
import { resolveLang, t, type Lang } from '../messages/index';
import type { GradeOptions } from '../options';
import type { PresetName } from '../parts/ids';
import { BatchUsageError, parseShard } from '../batch/discover';
import type { BatchGradeOptions } from '../batch/run';
import type { GradeFn, Shard } from '../batch/types';
import { cliContext, describedExamples, describedFlags, helpLang, langFlag, UsageError, type CliContext } from './context';
import { standaloneParser } from './parse';
import type { IsolationPolicy } from '../sandbox/protocol';
import { ISOLATION_FLAG, requireNamespaces } from './grade';

/** `batch`'s arguments after parsing. */
export interface BatchCliOptions {
  /** Absolute path of the folder of submissions. */
  folder: string;
  /** Absolute output folder. */
  out: string;
  jobs?: number;
  seed?: number;
  shard?: Shard;
  resume: boolean;
  preset?: PresetName;
  timeoutMs?: number;
  reference?: GradeOptions['reference'];
  partialCredit?: boolean;
  /** `--config FILE` (absolute); `false` for `--no-config`; undefined: the cwd's backprop-grader.config.json if any (never a submission's). */
  config?: string | false;
  /** `--progress`: bar on a TTY, plain lines otherwise, by default. */
  progress?: 'bar' | 'plain' | 'none';
  /** `--lang`: the language of every report's messages (else the config's `lang`, else the locale). */
  lang?: Lang;
  /** `--find`: each subfolder is an upload; grade the one folder in it holding the files. */
  find?: boolean;
  /** `--similarity`: compare every pair of submissions' code once all are graded. */
  similarity?: boolean;
  /** `--similarity-threshold`: the score from which a pair is flagged. */
  similarityThreshold?: number;
  /** `--isolation`; default strict on Linux (a class is many hostile submissions at once), auto elsewhere. */
  isolation?: IsolationPolicy;
  /** `--release-manifest FILE|DIR` (absolute): the release's manifest for tamper evidence; undefined: this installation's. */
  releaseManifest?: string;
}

/** `--similarity-threshold`: a number in (0, 1]. */
export function similarityThreshold(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (Array.isArray(v) || !Number.isFinite(n) || n <= 0 || n > 1) throw new UsageError({ id: 'cli.similarity-threshold', params: { value: String(v) } }, true);
  return n;
}

function wholeNumber(flag: string, min: number) {
  return (v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (Array.isArray(v) || !Number.isSafeInteger(n) || n < min) throw new UsageError({ id: 'cli.whole-number', params: { flag, min, value: String(v) } }, true);
    return n;
  };
}

/** The flags of `batch`; no yargs defaults, so "not given" stays distinguishable. */
export const BATCH_FLAGS = {
  out: { type: 'string', demandOption: true, requiresArg: true },
  jobs: { type: 'string', requiresArg: true, coerce: wholeNumber('jobs', 1) },
  seed: { type: 'string', requiresArg: true, coerce: wholeNumber('seed', 0) },
  shard: { type: 'string', requiresArg: true },
  resume: { type: 'boolean', },
  preset: { choices: ['full', 'coursera'] as const, defaultDescription: 'full', requiresArg: true },
  timeout: { type: 'string', defaultDescription: '10000', requiresArg: true, coerce: wholeNumber('timeout', 1) },
  reference: { choices: ['auto', 'solutions', 'sealed', 'fixtures'] as const, defaultDescription: 'auto', requiresArg: true },
  'partial-credit': { type: 'boolean', },
  config: { type: 'string', requiresArg: true },
  progress: { choices: ['bar', 'plain', 'none'] as const, requiresArg: true },
  lang: { type: 'string', requiresArg: true, coerce: langFlag('lang') },
  find: {
    type: 'boolean',
  },
  similarity: {
    type: 'boolean',
  },
  'similarity-threshold': { type: 'string', defaultDescription: '0.5', requiresArg: true, coerce: similarityThreshold },
  isolation: { ...ISOLATION_FLAG, },
  'release-manifest': {
    type: 'string',
    requiresArg: true,
  },
} satisfies Record<string, Options>;

/** `batch`'s examples: a command line and the name of its help (`help.batch.example.<name>`). */
const EXAMPLES = [
  ['$0 batch submissions --out graded', 'default'],
  ['$0 batch submissions --out graded --resume', 'resume'],
  ['$0 batch submissions --out shard-2 --shard 2/4 --seed 7', 'shard'],
  ['$0 batch submissions --out graded --similarity', 'similarity'],
] as const;

/** Adds `batch`'s positional and flags to a yargs instance. */
export function batchBuilder<T>(y: Argv<T>) {
  const lang = helpLang(y as Argv<unknown>);
  return y
    .positional('folder', { type: 'string', describe: t('help.batch.folder', {}, lang), demandOption: true })
    .options(describedFlags('batch', BATCH_FLAGS, lang))
    .example(describedExamples('batch', EXAMPLES, lang));
}

type BatchArgs = Record<string, unknown> & { folder?: string };

/** Maps parsed yargs arguments to BatchCliOptions. Throws UsageError for bad values. */
export function toBatchCliOptions(args: BatchArgs, cwd: string): BatchCliOptions {
  const one = (flag: string): unknown => {
    const v = args[flag];
    if (Array.isArray(v)) throw new UsageError({ id: 'cli.repeated', params: { flag } }, true);
    return v;
  };
  const out: BatchCliOptions = { folder: resolve(cwd, String(args.folder)), out: resolve(cwd, String(one('out'))), resume: Boolean(args.resume) };
  if (args.jobs !== undefined) out.jobs = args.jobs as number;
  if (args.seed !== undefined) out.seed = args.seed as number;
  if (one('shard') !== undefined) {
    try {
      out.shard = parseShard(String(args.shard));
    } catch (error) {
      throw new UsageError(error instanceof BatchUsageError && error.refs ? error.refs : (error as Error).message, true);
    }
  }
  if (args.preset !== undefined) out.preset = args.preset as PresetName;
  if (args.timeout !== undefined) out.timeoutMs = args.timeout as number;
  if (args.reference !== undefined) out.reference = args.reference as GradeOptions['reference'];
  if (args['partial-credit'] !== undefined) out.partialCredit = args['partial-credit'] as boolean;
  const config = one('config');
  if (config === false) out.config = false;
  else if (typeof config === 'string') out.config = resolve(cwd, config);
  if (args.progress !== undefined) out.progress = args.progress as BatchCliOptions['progress'];
  if (args.lang !== undefined) out.lang = args.lang as Lang;
  if (args.find) out.find = true;
  if (args.similarity) out.similarity = true;
  if (args['similarity-threshold'] !== undefined) out.similarityThreshold = args['similarity-threshold'] as number;
  if (args.isolation !== undefined) out.isolation = args.isolation as IsolationPolicy;
  const manifest = one('release-manifest');
  if (typeof manifest === 'string') out.releaseManifest = resolve(cwd, manifest);
  return out;
}

/** Parses `batch`'s arguments (what follows `batch`) without running anything. */
export function parseBatchArgs(argv: string[], cwd = '/'): BatchCliOptions {
  const y = batchBuilder(standaloneParser('$0 <folder>'));
  return toBatchCliOptions(y.parseSync(argv) as BatchArgs, cwd);
}

/** The grading options of a batch: config file (cwd's or --config) under the flags. */
async function batchGradeOptions(cli: BatchCliOptions, ctx: CliContext): Promise<BatchGradeOptions> {
  const { findConfig, loadConfig, mergeOptions, ConfigError } = await import('../config');
  let configLayer: Partial<GradeOptions> = {};
  // Only the instructor's config: findConfig never looks inside a student's folder.
  const file = cli.config === false ? undefined : (cli.config ?? findConfig(ctx.io.cwd));
  if (file) {
    try {
      configLayer = loadConfig(file);
    } catch (error) {
      throw error instanceof ConfigError ? new UsageError(error.refs ?? error.message) : error;
    }
    const { t } = await import('../messages/index');
    ctx.io.stderr(`${t('cli.using-config', { file }, resolveLang({ flag: cli.lang, config: configLayer.lang, env: ctx.io.env }))}\n`);
  }
  const flags: Partial<GradeOptions> = {};
  if (cli.preset !== undefined) flags.preset = cli.preset;
  if (cli.timeoutMs !== undefined) flags.limits = { timeoutMs: cli.timeoutMs } as GradeOptions['limits'];
  if (cli.reference !== undefined) flags.reference = cli.reference;
  if (cli.partialCredit !== undefined) flags.partialCredit = cli.partialCredit;
  flags.lang = resolveLang({ flag: cli.lang, config: configLayer.lang, env: ctx.io.env });
  flags.isolation = cli.isolation ?? defaultBatchIsolation();
  const { submission: _s, seed: _seed, ...rest } = mergeOptions<Partial<GradeOptions>>(configLayer, flags);
  return rest;
}

/** A batch is strict on Linux (bubblewrap is one package away), auto where namespaces cannot exist. */
export function defaultBatchIsolation(platform: NodeJS.Platform = process.platform): IsolationPolicy {
  return platform === 'linux' ? 'strict' : 'auto';
}

/**
 * Before a batch: strict without namespaces is a usage error (exit 2, how to enable them); a
 * fallback is said once here, not per submission.
 */
async function checkIsolation(policy: IsolationPolicy | undefined, ctx: CliContext, lang?: Lang): Promise<void> {
  if (policy === 'strict') return requireNamespaces(lang);
  const { probeIsolation } = await import('../sandbox/isolation');
  const probe = policy === 'permission-model' ? { mode: 'permission-model', reason: 'requested' as const } : await probeIsolation();
  if (probe.mode === 'namespaces') return;
  const { t } = await import('../messages/index');
  ctx.io.stderr(`${t('sandbox.batch-fallback', { reason: probe.reason ?? 'bwrap-failed' }, lang)}\n`);
}

/** The manifest tamper evidence compares with: --release-manifest, else this installation's. */
async function loadReleaseManifest(cli: BatchCliOptions, ctx: CliContext, lang?: Lang) {
  const { t } = await import('../messages/index');
  if (cli.releaseManifest) {
    const { readManifest } = await import('../release/manifest');
    try {
      const m = readManifest(cli.releaseManifest);
      ctx.io.stderr(`${t('tamper.batch-source', { source: cli.releaseManifest }, lang)}\n`);
      return m;
    } catch (error) {
      throw new UsageError({ id: 'cli.release-manifest', params: { detail: (error as Error).message } });
    }
  }
  const { installationManifest } = await import('../release/release');
  try {
    return installationManifest();
  } catch {
    return undefined; // not a full project (e.g. an installed package without scripts/): no tamper evidence
  }
}

/**
 * Runs `batch`. Returns 0 when every submission has a report and the outputs are written, 1 when
 * the batch was interrupted or a report could not be written (rerun with --resume).
 * `grade` defaults to the engine's (grader/api.ts).
 */
export async function runBatchCommand(cli: BatchCliOptions, ctx: CliContext, grade?: GradeFn): Promise<number> {
  const { io } = ctx;
  if (!existsSync(cli.folder) || !statSync(cli.folder).isDirectory()) throw new UsageError({ id: 'cli.no-such-batch-folder', params: { dir: cli.folder } });
  const gradeOptions = await batchGradeOptions(cli, ctx);
  const lang = gradeOptions.lang;
  await checkIsolation(gradeOptions.isolation, ctx, lang);
  const releaseManifest = await loadReleaseManifest(cli, ctx, lang);
  const gradeFn: GradeFn = grade ?? (await import('../api')).grade;
  // Loaded here, not at the top: cli-progress, csv-stringify and the batch reporters would
  // otherwise load with the CLI on every `grade` and `--help`.
  const [{ outputFileNames }, { barProgress, plainProgress }, { runBatch }, { formatPoints }, { t }] = await Promise.all([
    import('../batch/outputs'),
    import('../batch/progress'),
    import('../batch/run'),
    import('../batch/summary'),
    import('../messages/index'),
  ]);

  // The bar draws on the real stderr, so only when it is a terminal (and the injected io says so too).
  const tty = Boolean(process.stderr.isTTY) && io.stdoutIsTTY;
  const mode = cli.progress ?? (tty ? 'bar' : 'plain');
  const onProgress = mode === 'none' ? undefined : mode === 'bar' && tty ? barProgress(process.stderr, lang) : plainProgress(io.stderr, undefined, lang);

  // First Ctrl-C: stop starting grades and keep what is done (resume later); a second one exits at once.
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      process.off('SIGINT', onSigint);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    controller.abort();
    onProgress?.({ type: 'interrupt' });
    io.stderr(`\n${t('batch.interrupted', {}, lang)}\n`);
  };
  process.on('SIGINT', onSigint);
  // The real engine's sandbox children start one submission ahead, one per job (sandbox/spare.ts),
  // so a child's start-up overlaps the grades in flight instead of preceding its own grade.
  const spares = grade ? undefined : await import('../sandbox/spare');
  spares?.keepSpares(cli.jobs ?? availableParallelism());
  try {
    const result = await runBatch({
      folder: cli.folder,
      out: cli.out,
      grade: gradeFn,
      gradeOptions,
      seed: cli.seed,
      jobs: cli.jobs,
      shard: cli.shard,
      resume: cli.resume,
      signal: controller.signal,
      onProgress,
      find: cli.find,
      similarity: cli.similarity,
      similarityThreshold: cli.similarityThreshold,
      releaseManifest,
    });
    for (const w of result.writeErrors) io.stderr(`${t('batch.write-error', { id: JSON.stringify(w.id), reason: w.message }, lang)}\n`);
    if (!result.complete || !result.summary) {
      io.stderr(`${t('batch.incomplete', { graded: result.graded, skipped: result.skipped, total: result.total }, lang)}\n`);
      return 1;
    }
    const s = result.summary;
    const stats = s.scores ? t('batch.done.stats', { mean: formatPoints(s.scores.mean), maxScore: formatPoints(s.maxScore), median: formatPoints(s.scores.median) }, lang) : '';
    io.stdout(`${t('batch.done', { total: result.total, graded: result.graded, skipped: result.skipped, seed: result.seed }, lang)}${stats}\n`);
    if (s.similarity) io.stdout(`${t('batch.done.similar', { count: s.similarity.pairs.length }, lang)}\n`);
    io.stdout(`${t('batch.wrote', { files: outputFileNames(s).join(', '), dir: result.outDir }, lang)}\n`);
    return result.writeErrors.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof BatchUsageError) throw new UsageError(error.refs ?? error.message);
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    spares?.discardSpares();
  }
}

/** The `batch` command module (registered in cli.ts COMMANDS). */
export const batchCommand: CommandModule<object, BatchArgs> = {
  command: 'batch <folder>',
  describe: t('help.batch', {}, 'en'),
  builder: (y) => batchBuilder(y) as unknown as Argv<BatchArgs>,
  handler: async (args) => {
    const ctx = cliContext(args);
    ctx.exitCode = await runBatchCommand(toBatchCliOptions(args, ctx.io.cwd), ctx);
  },
};

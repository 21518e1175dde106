/**
 * `backprop-grader merge <dirs…> --out <dir>`: combine the outputs of `batch --shard i/n` runs
 * (or any batch outputs) into one, identical to grading the whole class on one machine.
 */
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { BatchUsageError } from '../batch/discover';
import { similarityThreshold } from './batch';
import { resolveLang, t, type Lang } from '../messages/index';
import { cliContext, describedExamples, describedFlags, helpLang, langFlag, UsageError, type CliContext } from './context';
import { standaloneParser } from './parse';

/** `merge`'s arguments after parsing (absolute paths). */
export interface MergeCliOptions {
  dirs: string[];
  out: string;
  /** `--similarity`: compare every pair (each input must come from `batch --similarity`). */
  similarity?: boolean;
  similarityThreshold?: number;
  /** `--lang`: the language of summary.md, report.html and the messages (else LC_ALL / LC_MESSAGES / LANG). */
  lang?: Lang;
}

/** Adds `merge`'s positionals and flags to a yargs instance. */
export function mergeBuilder<T>(y: Argv<T>) {
  const lang = helpLang(y as Argv<unknown>);
  return y
    .positional('dirs', { type: 'string', array: true, describe: t('help.merge.dirs', {}, lang), demandOption: true })
    .options(
      describedFlags(
        'merge',
        {
          out: { type: 'string', demandOption: true, requiresArg: true },
          similarity: { type: 'boolean' },
          'similarity-threshold': { type: 'string', defaultDescription: '0.5', requiresArg: true, coerce: similarityThreshold },
          lang: { type: 'string', requiresArg: true, coerce: langFlag('lang') },
        },
        lang,
      ),
    )
    .example(describedExamples('merge', [['$0 merge shard-1 shard-2 shard-3 --out graded', 'default']], lang));
}

type MergeArgs = Record<string, unknown> & { dirs?: string[] };

/** Maps parsed yargs arguments to MergeCliOptions. */
export function toMergeCliOptions(args: MergeArgs, cwd: string): MergeCliOptions {
  if (Array.isArray(args.out)) throw new UsageError({ id: 'cli.repeated', params: { flag: 'out' } }, true);
  const out: MergeCliOptions = { dirs: (args.dirs ?? []).map((d) => resolve(cwd, String(d))), out: resolve(cwd, String(args.out)) };
  if (args.similarity) out.similarity = true;
  if (args['similarity-threshold'] !== undefined) out.similarityThreshold = args['similarity-threshold'] as number;
  if (args.lang !== undefined) out.lang = args.lang as Lang;
  return out;
}

/** Parses `merge`'s arguments without running anything. */
export function parseMergeArgs(argv: string[], cwd = '/'): MergeCliOptions {
  const y = mergeBuilder(standaloneParser('$0 <dirs..>'));
  return toMergeCliOptions(y.parseSync(argv) as MergeArgs, cwd);
}

/** Runs `merge`; resolves to the exit code (0). Conflicts and invalid inputs are usage errors (2). */
export async function runMergeCommand(cli: MergeCliOptions, ctx: CliContext): Promise<number> {
  // Loaded here, not at the top: the batch outputs (csv-stringify, HTML/Markdown reporters) would
  // otherwise load with the CLI on every `grade`.
  const [{ mergeBatches }, { outputFileNames }, { t }] = await Promise.all([import('../batch/merge'), import('../batch/outputs'), import('../messages/index')]);
  const lang = resolveLang({ flag: cli.lang, env: ctx.io.env });
  try {
    const r = mergeBatches(cli.dirs, cli.out, { similarity: cli.similarity, similarityThreshold: cli.similarityThreshold, lang });
    const dup = r.duplicates.length > 0 ? t('batch.merge.duplicates', { count: r.duplicates.length }, lang) : '';
    ctx.io.stdout(`${t('batch.merge.done', { total: r.total, inputs: cli.dirs.length }, lang)}${dup}\n`);
    if (r.summary.similarity) ctx.io.stdout(`${t('batch.done.similar', { count: r.summary.similarity.pairs.length }, lang)}\n`);
    ctx.io.stdout(`${t('batch.wrote', { files: outputFileNames(r.summary).join(', '), dir: r.outDir }, lang)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof BatchUsageError) throw new UsageError(error.refs ?? error.message);
    throw error;
  }
}

/** The `merge` command module (registered in cli.ts COMMANDS). */
export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: t('help.merge', {}, 'en'),
  builder: (y) => mergeBuilder(y) as unknown as Argv<MergeArgs>,
  handler: async (args) => {
    const ctx = cliContext(args);
    ctx.exitCode = await runMergeCommand(toMergeCliOptions(args, ctx.io.cwd), ctx);
  },
};

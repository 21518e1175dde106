/**
 * `backprop-grader fixtures`: rebuilds the stored reference (grader/fixtures/public.json and the
 * sealed hidden cases grader/fixtures/sealed.json) from solutions/ — writeFixtures() in
 * grader/reference/fixtures.ts — or, with --check, only reports whether they are stale (exit 1),
 * for CI. Instructors only: it needs solutions/.
 */
import { resolve } from 'node:path';
import type { Argv, CommandModule, Options } from 'yargs';
import { resolveLang, t } from '../messages/index';
import { OptionError } from '../messages/errors';
import { cliContext, describedExamples, describedFlags, helpLang, UsageError } from './context';

type FixturesArgs = Record<string, unknown> & { out?: string; check?: boolean; all?: boolean };

/** The `fixtures` command module (registered in cli.ts COMMANDS). */
export const fixturesCommand: CommandModule<object, FixturesArgs> = {
  command: 'fixtures',
  describe: t('help.fixtures', {}, 'en'),
  builder: (y) => {
    const lang = helpLang(y);
    const flags = { out: { type: 'string', requiresArg: true }, check: { type: 'boolean' }, all: { type: 'boolean' } } satisfies Record<string, Options>;
    const examples = [
      ['$0 fixtures', 'default'],
      ['$0 fixtures --check', 'check'],
    ] as const;
    return (y as Argv<object>).options(describedFlags('fixtures', flags, lang)).example(describedExamples('fixtures', examples, lang)) as unknown as Argv<FixturesArgs>;
  },
  handler: async (args) => {
    const ctx = cliContext(args);
    // Loaded here: the reference solutions and ajv are only needed by this command.
    const fixtures = await import('../reference/fixtures');
    const lang = resolveLang({ env: ctx.io.env });
    try {
      const dir = args.out ? resolve(ctx.io.cwd, args.out) : undefined;
      const paths = dir ? { publicPath: resolve(dir, 'public.json'), sealedPath: resolve(dir, 'sealed.json') } : {};
      if (args.check) {
        const problems = await fixtures.checkFixtures({ ...paths, hashes: args.all ? 'all' : 3 });
        if (problems.length === 0) {
          ctx.io.stdout(`${t('cli.fixtures.fresh', {}, lang)}\n`);
        } else {
          // The problems are the fixtures' own diagnostics (English: maintainers read them).
          ctx.io.stderr(`${problems.slice(0, 20).join('\n')}\n${t('cli.fixtures.stale', {}, lang)}\n`);
          ctx.exitCode = 1;
        }
        return;
      }
      let last = 0;
      const written = await fixtures.writeFixtures({
        ...paths,
        build: {
          onProgress: (done, total) => {
            const pct = Math.floor((100 * done) / total);
            if (pct >= last + 10 || done === total) {
              last = pct;
              ctx.io.stderr(`${t('cli.fixtures.sealing', { done, total, percent: pct }, lang)}\n`);
            }
          },
        },
      });
      for (const w of written) ctx.io.stdout(`${t('cli.fixtures.wrote', { file: w.path, kib: (w.bytes / 1024).toFixed(1) }, lang)}\n`);
    } catch (err) {
      // Nothing to build from (no solutions/): the operator's mistake, a usage error.
      if (err instanceof OptionError) throw new UsageError(err.refs ?? err.message);
      throw err;
    }
  },
};

/**
 * `backprop-grader fixtures`: regenerates the stored reference outputs (grader/fixtures/) from
 * solutions/ — the engine's writeFixtures() in grader/reference/fixtures.ts — or, with --check,
 * only reports whether the stored file is stale (exit 1), for CI.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { cliContext } from './context';

type FixturesArgs = Record<string, unknown> & { out?: string; check?: boolean };

/** The `fixtures` command module (registered in cli.ts COMMANDS). */
export const fixturesCommand: CommandModule<object, FixturesArgs> = {
  command: 'fixtures',
  describe: 'Regenerate the stored reference outputs from solutions/ (instructors)',
  builder: (y) =>
    (y as Argv<object>)
      .option('out', { type: 'string', requiresArg: true, describe: 'Write to FILE instead of grader/fixtures/reference.json' })
      .option('check', { type: 'boolean', describe: 'Write nothing; exit 1 when the stored file differs from a fresh build' })
      .example([
        ['$0 fixtures', 'Regenerate grader/fixtures/reference.json'],
        ['$0 fixtures --check', 'Fail (exit 1) when the stored outputs are stale'],
      ]) as unknown as Argv<FixturesArgs>,
  handler: async (args) => {
    const ctx = cliContext(args);
    // Loaded here: the reference solutions and ajv are only needed by this command.
    const fixtures = await import('../reference/fixtures');
    if (args.check) {
      const file = args.out ? resolve(ctx.io.cwd, args.out) : fixtures.FIXTURES_PATH;
      const fresh = fixtures.formatFixtures(await fixtures.validateFixtures(await fixtures.buildFixtures()));
      let stored = '';
      try {
        stored = readFileSync(file, 'utf8');
      } catch {
        // A missing file is stale.
      }
      if (stored === fresh) {
        ctx.io.stdout(`${file} is up to date.\n`);
      } else {
        ctx.io.stderr(`${file} is stale: run \`backprop-grader fixtures\` and commit the result.\n`);
        ctx.exitCode = 1;
      }
      return;
    }
    const { path, bytes } = await fixtures.writeFixtures(args.out ? resolve(ctx.io.cwd, args.out) : undefined);
    ctx.io.stdout(`Wrote ${path} (${(bytes / 1024).toFixed(1)} KiB).\n`);
  },
};

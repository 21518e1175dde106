/**
 * `npm run bench`: runs every bench/*.bench.ts in name order. Each exports
 * `run(): Promise<void>` and prints its own `name key=value` lines, measuring any baseline it
 * reports a ratio against in the same run (never a remembered number).
 *   npm run bench              all benchmarks
 *   npm run bench -- costgrad  only those whose file name contains "costgrad"
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<void> };
  await mod.run();
}

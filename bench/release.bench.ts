/**
 * The student release's install: `npm ci` of a fresh release (its prepare step builds the CLI),
 * its node_modules size, and, measured in the same run as the baseline, `npm ci` of this project
 * (the instructor install, with the test framework, compiler and data package). Both from the npm
 * cache (--prefer-offline), so the figure is the install itself rather than the network.
 * Prints `release npm_ci_s=<..> node_modules_mb=<..> project_npm_ci_s=<..> ratio=<..>`
 * (targets: at most 5 s and 40 MB on an idle 2-core machine).
 *   npm run bench -- release
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRelease } from '../grader/release/release';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Seconds of `npm ci` in `dir` (from the cache when possible). */
function npmCi(dir: string, extra: string[] = []): number {
  const t = performance.now();
  execFileSync(NPM, ['ci', '--no-audit', '--no-fund', '--prefer-offline', ...extra], { cwd: dir, stdio: 'pipe' });
  return (performance.now() - t) / 1000;
}

function megabytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]) / 1e6;
}

export async function run(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'bpg-bench-release-'));
  try {
    const release = join(base, 'release');
    writeRelease({ out: release });
    // The project's own install, without its build step (it would build the reference too).
    const project = join(base, 'project');
    mkdirSync(project);
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(root, f), join(project, f));
    const releaseSeconds = npmCi(release);
    const projectSeconds = npmCi(project, ['--ignore-scripts']);
    const size = megabytes(join(release, 'node_modules'));
    process.stdout.write(
      `release npm_ci_s=${releaseSeconds.toFixed(2)} node_modules_mb=${size.toFixed(1)} project_npm_ci_s=${projectSeconds.toFixed(2)} ` +
        `project_node_modules_mb=${megabytes(join(project, 'node_modules')).toFixed(1)} ratio=${(releaseSeconds / projectSeconds).toFixed(2)}\n`,
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

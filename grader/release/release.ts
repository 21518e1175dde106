/**
 * `backprop-grader release --out <dir>`: writes the student repository. An allowlist decides what
 * is copied (never "everything but…", so a new file in the project is private until listed), then
 * a scan (scan.ts) fails the release if any file still contains solution code. The release is built
 * in a staging folder next to <dir> and renamed into place only when the scan is clean, so a leaky
 * release never appears at <dir>.
 *
 * Released: exercises/ (stubs, ex4.ts, README.md, README.zh-CN.md, GUIDE.md, GUIDE.zh-CN.md, lib/**, data/**: the digits), grader/** (with the
 * public fixtures and the sealed hidden cases: the grader grades from them when solutions/ is
 * absent; nothing unsealed is ever copied), bin/, the build scripts,
 * package.json (lean: the runtime dependencies, no test framework, compiler or instructor tools),
 * package-lock.json (the project's lock pruned to that package.json by npm itself, so the student
 * installs exactly the versions this project tested), tsconfig.json (adjusted),
 * .github/workflows/classroom.yml, README.md and README.zh-CN.md (for students), .gitignore, and the instructor's
 * grading options (points, tolerances, limits) as .github/backprop-grader.config.json, which the classroom workflow passes to `grade --config`
 * (with `--format github` no other config file is read, so a student's own one changes nothing).
 * Also release-manifest.json (hashes of the grading files, for tamper evidence in `batch`:
 * grader/release/manifest.ts).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CONFIG_FILE_NAME, ConfigError, parseConfig } from '../config';
import { CatalogueError } from '../messages/errors';
import { LANGS, type MessageRef } from '../messages/index';
import { PACKAGE_ROOT } from '../paths';
import { buildManifest, contentHash, formatManifest, isProtectedPath, MANIFEST_FILE, MANIFEST_FORMAT, type ReleaseManifest } from './manifest';
import { graderVersion } from '../paths';
import { readmeFile, studentReadme } from './readme';
import { fingerprintSolutions, FORBIDDEN_PATHS, listFiles, scanRelease, type ScanResult } from './scan';

/** A release that cannot be made (bad --out, missing inputs) or that would leak solution code. */
export class ReleaseError extends CatalogueError {
  readonly code: 'release-usage' | 'release-leak';
  constructor(code: 'release-usage' | 'release-leak', message: MessageRef | readonly MessageRef[], readonly scan?: ScanResult) {
    super(message);
    this.name = 'ReleaseError';
    this.code = code;
  }
}

/** Marks a folder as written by `release`, so `--force` only ever replaces an earlier release. */
export const RELEASE_MARKER = '.backprop-grader-release';

/**
 * What is released, relative to the project root. `dir` entries are copied recursively; a
 * `required` entry missing from the project is an error, an optional one a warning.
 */
export const RELEASE_ALLOWLIST: { path: string; kind: 'file' | 'dir' | 'top-level-ts'; required: boolean }[] = [
  { path: 'exercises', kind: 'top-level-ts', required: true },
  { path: 'exercises/README.md', kind: 'file', required: false },
  { path: 'exercises/README.zh-CN.md', kind: 'file', required: false },
  // The handout: every report's "revisit" lines and diagnosis hints link into it.
  { path: 'exercises/GUIDE.md', kind: 'file', required: true },
  { path: 'exercises/GUIDE.zh-CN.md', kind: 'file', required: true },
  { path: 'exercises/lib', kind: 'dir', required: true },
  { path: 'exercises/data', kind: 'dir', required: true },
  { path: 'grader', kind: 'dir', required: true },
  { path: 'bin', kind: 'dir', required: true },
  // The build (`npm ci` runs it as `prepare`); not the instructor's tools (types, digits derivation).
  { path: 'scripts/build.mjs', kind: 'file', required: true },
  { path: 'scripts/schema-validators.mjs', kind: 'file', required: true },
  { path: 'scripts/schema-validators.d.mts', kind: 'file', required: false },
  { path: '.github/workflows/classroom.yml', kind: 'file', required: false },
  { path: 'LICENSE', kind: 'file', required: false },
];

/** The instructor's grading options in the release; the classroom workflow passes it to `grade --config`. */
export const RELEASED_CONFIG = '.github/backprop-grader.config.json';

/**
 * The released config's text: the instructor's config (validated; `configPath`, else the
 * project's backprop-grader.config.json when there is one), or an empty one (the defaults).
 */
export function releasedConfig(root: string, configPath?: string): string {
  const path = configPath ?? join(root, CONFIG_FILE_NAME);
  if (!configPath && !existsSync(path)) return `${JSON.stringify({ $schema: '../grader/config.schema.json' }, null, 2)}\n`;
  let config: Record<string, unknown>;
  try {
    config = { ...parseConfig(readFileSync(path, 'utf8'), path) };
  } catch (error) {
    const why: MessageRef[] = error instanceof ConfigError && error.refs ? [...error.refs] : [{ id: 'report.named', params: { name: `${path}: ${(error as Error).message}` } }];
    throw new ReleaseError('release-usage', [{ id: 'cli.release.config' }, ...why]);
  }
  return `${JSON.stringify({ ...config, $schema: '../grader/config.schema.json' }, null, 2)}\n`;
}

/** Files generated rather than copied (package.json, its lock and tsconfig.json are adjusted copies). */
const GENERATED = ['package.json', 'package-lock.json', 'tsconfig.json', readmeFile('en'), readmeFile('zh-CN'), '.gitignore', RELEASE_MARKER, RELEASED_CONFIG, MANIFEST_FILE];

/**
 * The only devDependencies a student installs: Node's types, for their editor. No test framework
 * (the release runs no tests: `npm test` grades), no compiler (editors bring their own), no
 * instructor tools (the digits' source, the browser driver, the declaration bundler).
 */
export const RELEASE_DEV_DEPENDENCIES = ['@types/node'] as const;
/** Scripts that need what the release does not have (bench/, test/, tsc, mnist, the package build). */
const INSTRUCTOR_SCRIPTS = ['bench', 'typecheck', 'digits', 'prepack', 'build:wasm'];

/**
 * The only files of grader/fixtures/ a release carries: the public cases (in the clear, published
 * anyway) and the sealed hidden cases, with their schemas. Anything else there is refused.
 */
export const SHIPPED_FIXTURES = ['grader/fixtures/public.json', 'grader/fixtures/public.schema.json', 'grader/fixtures/sealed.json', 'grader/fixtures/sealed.schema.json'];

/** Never copied even inside an allowed folder: editor/OS litter and logs. */
const JUNK = /(^|\/)(\.DS_Store|Thumbs\.db|node_modules|\.cache)(\/|$)|\.log$/;

/**
 * The student package.json: the project's runtime dependencies, only RELEASE_DEV_DEPENDENCIES
 * among the dev ones, no scripts that need unreleased folders or tools, and none of the npm
 * package's publishing fields (the release is a repository, not a package).
 */
export function releasePackageJson(text: string): string {
  const pkg = JSON.parse(text) as Record<string, unknown> & { scripts?: Record<string, string>; devDependencies?: Record<string, string> };
  const scripts = { ...pkg.scripts };
  for (const name of INSTRUCTOR_SCRIPTS) delete scripts[name];
  // vitest and test/ are not released; `npm test` grades the student's work instead.
  scripts.test = 'node bin/backprop-grader.js grade';
  const devDependencies = Object.fromEntries(Object.entries(pkg.devDependencies ?? {}).filter(([name]) => (RELEASE_DEV_DEPENDENCIES as readonly string[]).includes(name)));
  const { files: _files, exports: _exports, main: _main, types: _types, ...rest } = pkg;
  return `${JSON.stringify({ ...rest, private: true, scripts, devDependencies }, null, 2)}\n`;
}

/**
 * The release's package-lock.json: the project's lock, pruned by npm to the release's package.json
 * (`npm install --package-lock-only`): the same versions this project tested, minus what the
 * student does not install. Runs npm from the cache when it can (it needs no download to prune).
 */
export function pruneLockfile(dir: string, projectLock: string): void {
  writeFileSync(join(dir, 'package-lock.json'), projectLock);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    execFileSync(npm, ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new ReleaseError('release-usage', { id: 'cli.release.npm', params: { detail: stderr || (error as Error).message } });
  }
}

/** The student tsconfig.json: only the released folders. */
export function releaseTsconfig(text: string): string {
  const cfg = JSON.parse(text) as Record<string, unknown>;
  return `${JSON.stringify({ ...cfg, include: ['exercises', 'grader', 'scripts'], exclude: ['node_modules', 'dist'] }, null, 2)}\n`;
}

const GITIGNORE = 'node_modules/\ndist/\n.cache/\nout/\n*.log\n';

/** The allowlisted files present in `root` (relative, "/"-separated, sorted) and the warnings for optional ones missing. */
export function releaseFileList(root: string): { files: string[]; warnings: MessageRef[] } {
  const files = new Set<string>();
  const warnings: MessageRef[] = [];
  for (const entry of RELEASE_ALLOWLIST) {
    const abs = join(root, entry.path);
    if (!existsSync(abs)) {
      if (entry.required) throw new ReleaseError('release-usage', { id: 'cli.release.missing', params: { file: entry.path, dir: root } });
      warnings.push({ id: 'cli.release.not-yet', params: { file: entry.path } });
      continue;
    }
    if (entry.kind === 'file') files.add(entry.path);
    else if (entry.kind === 'top-level-ts') {
      for (const name of readdirSync(abs)) if (name.endsWith('.ts') && statSync(join(abs, name)).isFile()) files.add(`${entry.path}/${name}`);
    } else {
      for (const rel of listFiles(abs, (r) => JUNK.test(r))) files.add(`${entry.path}/${rel}`);
    }
  }
  for (const f of files) {
    const bad = FORBIDDEN_PATHS.find((p) => p.pattern.test(f));
    if (bad) throw new ReleaseError('release-leak', { id: 'cli.release.forbidden', params: { file: f, why: bad.why } });
    if (f.startsWith('grader/fixtures/') && !SHIPPED_FIXTURES.includes(f)) {
      throw new ReleaseError('release-leak', { id: 'cli.release.unsealed-file', params: { file: f } });
    }
  }
  for (const f of SHIPPED_FIXTURES) {
    if (!files.has(f)) throw new ReleaseError('release-usage', { id: 'cli.release.no-fixtures', params: { file: f } });
  }
  return { files: [...files].sort(), warnings };
}

export interface ReleaseOptions {
  /** Where the student repository goes. Must be empty or absent (or an earlier release with `force`). */
  out: string;
  /** The project to release from. Default: the grader's own installation. */
  root?: string;
  /** Replace an earlier release at `out` (only a folder carrying the release marker). */
  force?: boolean;
  /** The instructor's config to release. Default: the project's backprop-grader.config.json, if any. */
  config?: string;
}

export interface ReleaseResult {
  outDir: string;
  /** Every file written, relative to outDir, sorted. */
  files: string[];
  warnings: MessageRef[];
  scan: ScanResult;
  /** The release manifest written to <outDir>/release-manifest.json (keep a copy: `batch --release-manifest`). */
  manifest: ReleaseManifest;
}

function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** Writes the student repository; throws ReleaseError on a bad --out or on any leak. */
export function writeRelease(options: ReleaseOptions): ReleaseResult {
  const root = resolve(options.root ?? PACKAGE_ROOT);
  const outDir = resolve(options.out);
  if (isWithin(root, outDir)) throw new ReleaseError('release-usage', { id: 'cli.release.out-contains-project', params: { dir: outDir } });
  if (isWithin(outDir, join(root, 'solutions'))) throw new ReleaseError('release-usage', { id: 'cli.release.out-in-solutions' });
  const solutionsDir = join(root, 'solutions');
  if (!existsSync(solutionsDir)) {
    throw new ReleaseError('release-usage', { id: 'cli.release.no-solutions' });
  }
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    if (!options.force) throw new ReleaseError('release-usage', { id: 'cli.release.not-empty', params: { dir: outDir } });
    if (!existsSync(join(outDir, RELEASE_MARKER))) {
      throw new ReleaseError('release-usage', { id: 'cli.release.not-a-release', params: { dir: outDir, marker: RELEASE_MARKER } });
    }
  }

  const { files, warnings } = releaseFileList(root);
  const configText = releasedConfig(root, options.config);
  mkdirSync(dirname(outDir), { recursive: true });
  const staging = mkdtempSync(join(dirname(outDir), `.${basename(outDir)}.staging-`));
  try {
    for (const rel of files) {
      const dest = join(staging, rel);
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(join(root, rel), dest);
    }
    writeFileSync(join(staging, 'package.json'), releasePackageJson(readFileSync(join(root, 'package.json'), 'utf8')));
    pruneLockfile(staging, readFileSync(join(root, 'package-lock.json'), 'utf8'));
    writeFileSync(join(staging, 'tsconfig.json'), releaseTsconfig(readFileSync(join(root, 'tsconfig.json'), 'utf8')));
    for (const lang of LANGS) writeFileSync(join(staging, readmeFile(lang)), studentReadme(lang));
    writeFileSync(join(staging, '.gitignore'), GITIGNORE);
    mkdirSync(join(staging, dirname(RELEASED_CONFIG)), { recursive: true });
    writeFileSync(join(staging, RELEASED_CONFIG), configText);
    writeFileSync(join(staging, RELEASE_MARKER), 'Written by `backprop-grader release`; `release --force` may replace this folder.\n');
    const manifest = buildManifest(staging);
    writeFileSync(join(staging, MANIFEST_FILE), formatManifest(manifest));

    const fp = fingerprintSolutions(solutionsDir, [join(root, 'exercises')]);
    const scan = scanRelease(staging, fp);
    if (scan.forbidden.length > 0 || scan.leaks.length > 0 || scan.unsealed.length > 0) {
      const lines: MessageRef[] = [
        { id: 'cli.release.refusing', params: { dir: outDir } },
        ...scan.forbidden.map((f): MessageRef => ({ id: 'cli.release.leak-forbidden', params: { file: f.file, why: f.why } })),
        ...scan.unsealed.map((f): MessageRef => ({ id: 'cli.release.leak-unsealed', params: { file: f } })),
        ...scan.leaks.slice(0, 20).map((l): MessageRef => ({ id: 'cli.release.leak-code', params: { file: l.file, line: l.line, source: l.source, code: l.code } })),
      ];
      throw new ReleaseError('release-leak', lines, scan);
    }
    if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
    return { outDir, files: [...files, ...GENERATED].sort(), warnings, scan, manifest };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The manifest `release` would write from the project at `root`, without writing a release: the
 * protected files it would copy, and the package.json and tsconfig.json it would generate. `batch`
 * uses it when no release manifest is given (it equals the release's when the grader has not
 * changed since).
 */
export function installationManifest(root: string = PACKAGE_ROOT): ReleaseManifest {
  const files: Record<string, string> = {};
  for (const rel of releaseFileList(root).files) if (isProtectedPath(rel)) files[rel] = contentHash(readFileSync(join(root, rel)));
  const pkg = releasePackageJson(readFileSync(join(root, 'package.json'), 'utf8'));
  files['package.json'] = contentHash(Buffer.from(pkg));
  files['tsconfig.json'] = contentHash(Buffer.from(releaseTsconfig(readFileSync(join(root, 'tsconfig.json'), 'utf8'))));
  // The lock decides what `npm ci` installs in the student's repository (a changed one can swap a
  // dependency), so it is protected too: pruned exactly as `release` prunes it (npm, offline).
  const scratch = mkdtempSync(join(tmpdir(), 'backprop-grader-manifest-'));
  try {
    writeFileSync(join(scratch, 'package.json'), pkg);
    pruneLockfile(scratch, readFileSync(join(root, 'package-lock.json'), 'utf8'));
    files['package-lock.json'] = contentHash(readFileSync(join(scratch, 'package-lock.json')));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { format: MANIFEST_FORMAT, version: 1, grader: graderVersion(), files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/**
 * What names a sandbox runtime (runtime.ts): the content hash of everything it is built from
 * (runtimeKey), and a cheap stamp of the same files (runtimeStamp, stat only) that tells when the
 * hash need not be computed again. Shared by runtime.ts (finding one) and runtime-build.ts (building one).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { GRADER_DIR, KIT_LIB_DIR, PACKAGE_ROOT, graderVersion } from '../paths';

export const MANIFEST = 'manifest.json';

/** What a runtime folder's manifest.json records. */
export interface Manifest {
  key: string;
  lib: string[];
  /** Per file (relative, '/'-separated): sha256 of its content. */
  files: Record<string, string>;
  /** Prebuilt only: the stamp of its sources (runtimeStamp) and the packages it was stamped with. */
  stamp?: string;
  packages?: string[];
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => join(dir, f));
}

/** Every .ts file under `dir`, sorted by path. */
function tsFilesDeep(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFilesDeep(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * The kit helpers that go into the runtime: those whose relative imports stay inside lib/.
 * checkNNGradients imports the exercise files themselves (../nnCostFunction), which are not
 * submission-independent, so it stays out and is bundled with the submission as before.
 */
export function runtimeLibNames(): string[] {
  const names: string[] = [];
  for (const file of tsFiles(KIT_LIB_DIR)) {
    const text = readFileSync(file, 'utf8');
    if (/from\s+['"]\.\.\//.test(text) || /import\(\s*['"]\.\.\//.test(text)) continue;
    names.push(file.slice(KIT_LIB_DIR.length + 1, -'.ts'.length));
  }
  return names;
}

/** The files the runtime is built from (absolute, sorted per folder). */
function runtimeSources(): string[] {
  // Recursive: the kit's kernels (exercises/lib/kernels/, the embedded WebAssembly included) go into the runtime too.
  return [...tsFilesDeep(join(GRADER_DIR, 'sandbox')), join(GRADER_DIR, 'parts', 'ids.ts'), ...tsFilesDeep(KIT_LIB_DIR)];
}

/** The package.json of an installed package (resolved as the grader resolves it), or undefined. */
function packageManifest(pkg: string): string | undefined {
  try {
    return createRequire(join(PACKAGE_ROOT, 'package.json')).resolve(`${pkg}/package.json`);
  } catch {
    return undefined; // not installed here (e.g. a builtin-looking name): the key still changes when it appears
  }
}

/** esbuild's version, from its package.json (importing esbuild to ask costs ~16 ms). */
function esbuildVersion(): string {
  const manifest = packageManifest('esbuild');
  return manifest ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : 'missing';
}

/** Hash of everything the runtime is built from (contents); names its cache folder. */
export function runtimeKey(): string {
  return runtimeKeyAndPackages().key;
}

/** The content key, and the packages the sources import (the stamp watches their manifests). */
export function runtimeKeyAndPackages(): { key: string; packages: string[] } {
  const h = createHash('sha256');
  h.update(`backprop-grader ${graderVersion()}\nnode ${process.versions.node}\nesbuild ${esbuildVersion()}\n`);
  const packages = new Set<string>();
  for (const file of runtimeSources()) {
    const text = readFileSync(file);
    h.update(`${relative(PACKAGE_ROOT, file)} ${sha256(text)}\n`);
    for (const m of text.toString('utf8').matchAll(/from\s+['"]([^.'"/][^'"]*)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('node:')) continue;
      packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  const sorted = [...packages].sort();
  for (const pkg of sorted) {
    const manifest = packageManifest(pkg);
    h.update(`package ${pkg} ${manifest ? sha256(readFileSync(manifest)) : 'missing'}\n`);
  }
  return { key: h.digest('hex').slice(0, 32), packages: sorted };
}

/**
 * A cheap stand-in for runtimeKey: the sources' and the packages' manifests' paths, sizes and
 * modification times (stat only), with the grader's and Node's versions. Equal stamps mean
 * unchanged inputs; a different stamp only means "ask runtimeKey".
 */
export function runtimeStamp(packages: readonly string[]): string {
  const h = createHash('sha256');
  h.update(`backprop-grader ${graderVersion()}\nnode ${process.versions.node}\n`);
  const stat = (file: string | undefined): string => {
    if (!file) return 'missing';
    try {
      const st = statSync(file);
      return `${st.size} ${st.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  for (const file of runtimeSources()) h.update(`${relative(PACKAGE_ROOT, file)} ${stat(file)}\n`);
  for (const pkg of ['esbuild', ...packages]) h.update(`package ${pkg} ${stat(packageManifest(pkg))}\n`);
  return h.digest('hex').slice(0, 32);
}


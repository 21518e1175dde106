/**
 * Where the grader's own installation is, so that ml-matrix and the kit's provided helpers always
 * resolve to it (never to a submission's copies). Works from the TypeScript sources (vitest, tsx)
 * and from the bundle in dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (pkg.name === 'backprop-grader') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`backprop-grader: cannot find the package root above ${start}`);
    dir = parent;
  }
}

/** The folder holding the grader's package.json. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
/** The kit's provided helpers (exercises/lib), always taken from the grader's installation. */
export const KIT_LIB_DIR = join(PACKAGE_ROOT, 'exercises', 'lib');
export const SOLUTIONS_DIR = join(PACKAGE_ROOT, 'solutions');
export const GRADER_DIR = join(PACKAGE_ROOT, 'grader');

export function graderVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

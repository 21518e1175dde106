/**
 * Loads the reference implementations (solutions/) when they exist. A student release has no
 * solutions/, and the grader then uses the stored fixtures in grader/fixtures/ instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Reference } from './contract';

declare const __BUNDLED__: boolean | undefined;

export type { Reference };

let cached: Promise<Reference | null> | undefined;

/** The reference module, or null where solutions/ is absent. Loaded once per process. */
export function loadReference(): Promise<Reference | null> {
  cached ??= (async () => {
    const url =
      typeof __BUNDLED__ !== 'undefined' && __BUNDLED__
        ? new URL('./reference.js', import.meta.url)
        : new URL('../../solutions/index.ts', import.meta.url);
    if (!existsSync(fileURLToPath(url))) return null;
    return (await import(url.href)) as Reference;
  })();
  return cached;
}

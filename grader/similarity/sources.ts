/**
 * What similarity compares: each submission's four student files (read once, capped), and the
 * base the comparison ignores, both from the grader's own copy of the exercise (the stubs and the
 * kit's API names), never from a submission.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STUDENT_FILES } from '../parts/ids';
import { KIT_LIB_DIR, PACKAGE_ROOT } from '../paths';
import { allGramHashes, exportedNames, fingerprintSources, normalizedTokens, type SourceFingerprints } from './fingerprint';

/** A student file larger than this is compared on its first MAX_FILE_BYTES only. */
export const MAX_FILE_BYTES = 256 * 1024;

/** A submission's student files: file name (e.g. "nnCostFunction.ts") -> text. Missing files are absent. */
export type SubmissionSources = Record<string, string>;

/**
 * Reads the four student files of a submission (an exercises folder or a repository with
 * exercises/), as the sandbox's staging would see them: links are never followed.
 */
export function readSubmissionSources(submissionDir: string): SubmissionSources {
  const inner = join(submissionDir, 'exercises');
  const exercises = isRealDirectory(inner) ? inner : submissionDir;
  const out: SubmissionSources = {};
  for (const name of Object.values(STUDENT_FILES)) {
    const path = join(exercises, name);
    try {
      if (!lstatSync(path).isFile()) continue;
      out[name] = readFileSync(path).subarray(0, MAX_FILE_BYTES).toString('utf8');
    } catch {
      // missing or unreadable: nothing to compare for this file
    }
  }
  return out;
}

function isRealDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The names kept as written: what the kit's modules export, and what the stubs export and import. */
function apiNames(stubs: string[]): Set<string> {
  const names = new Set<string>();
  for (const f of readdirSync(KIT_LIB_DIR)) if (f.endsWith('.ts')) for (const n of exportedNames(readFileSync(join(KIT_LIB_DIR, f), 'utf8'))) names.add(n);
  for (const s of stubs) {
    for (const n of exportedNames(s)) names.add(n);
    for (const m of s.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from/g)) {
      for (const spec of m[1].split(',')) {
        const name = spec.trim().split(/\s+as\s+/)[0]?.replace(/^type\s+/, '').trim();
        if (name) names.add(name);
      }
    }
  }
  return names;
}

/** The comparison's base: the API names to keep and every k-gram of the stubs. */
export interface SimilarityBase {
  keep: ReadonlySet<string>;
  stubGrams: ReadonlySet<number>;
}

/** The base from the grader's own stubs (exercises/ of its installation). */
export function stubBase(exercisesDir = join(PACKAGE_ROOT, 'exercises')): SimilarityBase {
  const stubs = Object.values(STUDENT_FILES).map((name) => {
    try {
      return readFileSync(join(exercisesDir, name), 'utf8');
    } catch {
      return '';
    }
  });
  const keep = apiNames(stubs);
  const stubGrams = new Set<number>();
  stubs.forEach((text, i) => {
    for (const h of allGramHashes(normalizedTokens(text, String(i), keep))) stubGrams.add(h);
  });
  return { keep, stubGrams };
}

/** A submission's fingerprints against a base. */
export function fingerprintSubmission(sources: SubmissionSources, base: SimilarityBase): SourceFingerprints {
  return fingerprintSources(sources, base.keep, base.stubGrams);
}

/**
 * `batch --similarity`: each submission's student files are kept in <out>/sources/<id>.json (so
 * `merge --similarity` can compare shards it never saw the folders of), then every pair is
 * compared (grader/similarity). Deterministic: ids sorted, no clocks or machine paths.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { compareSubmissions, DEFAULT_THRESHOLD, type CodeRange, type SimilarityResult } from '../similarity/compare';
import { fingerprintSubmission, readSubmissionSources, stubBase, type SubmissionSources } from '../similarity/sources';
import { compareIds } from './discover';
import { listStoredIds, writeFileAtomic } from './store';

/** The folder of stored sources inside a batch's --out. */
export const SOURCES_DIR = 'sources';

/** The file holding one submission's student files. */
export function sourcesFile(outDir: string, id: string): string {
  return join(outDir, SOURCES_DIR, `${id}.json`);
}

/** Reads a submission folder's student files and stores them (atomically) for similarity. */
export function storeSources(outDir: string, id: string, submissionDir: string): void {
  writeFileAtomic(sourcesFile(outDir, id), `${JSON.stringify({ id, files: readSubmissionSources(submissionDir) }, null, 1)}\n`);
}

/** A stored submission's files; undefined when absent or unreadable. */
export function readStoredSources(outDir: string, id: string): SubmissionSources | undefined {
  try {
    const value = JSON.parse(readFileSync(sourcesFile(outDir, id), 'utf8')) as { files?: unknown };
    if (!value.files || typeof value.files !== 'object') return undefined;
    const files: SubmissionSources = {};
    for (const [name, text] of Object.entries(value.files as Record<string, unknown>)) if (typeof text === 'string') files[name] = text;
    return files;
  } catch {
    return undefined;
  }
}

/** The ids with stored sources in a batch output folder. */
export function storedSourceIds(outDir: string): string[] {
  return listStoredIds(join(outDir, SOURCES_DIR));
}

/**
 * Compares the stored sources of `ids` (every one must be stored; the caller checks). The stubs
 * and API names come from this grader's own exercise files.
 */
export function batchSimilarity(outDir: string, ids: readonly string[], threshold = DEFAULT_THRESHOLD): SimilarityResult {
  const base = stubBase();
  const sources = new Map([...ids].sort(compareIds).map((id) => [id, readStoredSources(outDir, id) ?? {}]));
  const fingerprints = new Map([...sources].map(([id, files]) => [id, fingerprintSubmission(files, base)]));
  const result = compareSubmissions(fingerprints, threshold);
  // The largest region of each pair, as code, so a reader sees what matched without opening files.
  for (const pair of result.pairs) {
    const top = pair.regions[0];
    if (top) top.excerpt = { a: excerpt(sources.get(pair.a)!, top.a), b: excerpt(sources.get(pair.b)!, top.b) };
  }
  return result;
}

/** Lines longer than the excerpt shows, or more of them, are cut. */
const EXCERPT_LINES = 40;
const EXCERPT_LINE_CHARS = 160;

function excerpt(files: SubmissionSources, range: CodeRange): string {
  const lines = (files[range.file] ?? '').split(/\r?\n/).slice(range.startLine - 1, Math.min(range.endLine, range.startLine - 1 + EXCERPT_LINES));
  return lines.map((l) => (l.length > EXCERPT_LINE_CHARS ? `${l.slice(0, EXCERPT_LINE_CHARS)}…` : l)).join('\n');
}

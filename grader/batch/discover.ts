/**
 * Finding a batch's submissions and slicing them into shards. Both are deterministic (sorted by
 * id, code-unit order rather than locale order) so that every machine of a CI matrix computes the
 * same slices and a merged run equals a single-machine run.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { CatalogueError } from '../messages/errors';
import type { MessageRef } from '../messages/index';
import type { Shard, Submission } from './types';

/** A usage error in batch options (bad shard spec, missing folder...): the CLI exits 2 on it. */
export class BatchUsageError extends CatalogueError {
  readonly code = 'batch-usage';
  constructor(message: MessageRef) {
    super(message);
    this.name = 'BatchUsageError';
  }
}

/** Code-unit comparison: unlike localeCompare it is the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The submissions of `folder`: each subfolder (a student's exercises folder or a repository with
 * exercises/) is one submission whose id is the subfolder's name, sorted by id. Hidden entries
 * (".git", ".cache"...) and `exclude` (e.g. the batch's own --out folder when it sits inside
 * `folder`) are skipped.
 */
export function discoverSubmissions(folder: string, exclude: string[] = []): Submission[] {
  const root = resolve(folder);
  let names: string[];
  try {
    if (!statSync(root).isDirectory()) throw new BatchUsageError({ id: 'cli.batch.not-a-folder', params: { dir: folder } });
    names = readdirSync(root);
  } catch (error) {
    if (error instanceof BatchUsageError) throw error;
    throw new BatchUsageError({ id: 'cli.batch.unreadable', params: { dir: folder, detail: (error as NodeJS.ErrnoException).code ?? (error as Error).message } });
  }
  const excluded = new Set(exclude.map((p) => resolve(p)));
  const subs: Submission[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const dir = join(root, name);
    if (excluded.has(dir) || [...excluded].some((e) => e.startsWith(dir + sep))) continue;
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      // A dangling symlink is not a submission folder; skipping it keeps the batch going.
    }
    if (isDir) subs.push({ id: name, dir });
  }
  return subs.sort((a, b) => compareIds(a.id, b.id));
}

/** Parses `i/n` (1 <= i <= n) as in `--shard 2/4`. */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new BatchUsageError({ id: 'cli.shard-format', params: { value: spec } });
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) {
    throw new BatchUsageError({ id: 'cli.shard-range', params: { value: spec } });
  }
  return { index, count };
}

/**
 * The items of `shard`: those at sorted position p with p % n === i - 1. Round-robin rather than
 * contiguous blocks so that shards stay balanced when ids cluster (e.g. a section of late
 * submissions) and every item lands in exactly one shard.
 */
export function selectShard<T extends { id: string }>(items: readonly T[], shard: Shard | undefined): T[] {
  const sorted = [...items].sort((a, b) => compareIds(a.id, b.id));
  if (!shard) return sorted;
  return sorted.filter((_, p) => p % shard.count === shard.index - 1);
}

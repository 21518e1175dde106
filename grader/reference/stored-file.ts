/**
 * The grader's stored reference files (grader/fixtures/public.json and sealed.json) are read the
 * same way: parsed once, their `format` and `version` checked (startup stays fast; the schema is
 * enforced when the file is written and by the test suite).
 */
import { readFileSync } from 'node:fs';

/** What a stored file must declare, and how to name it in an error ("the sealed hidden cases"). */
export interface StoredFileKind {
  format: string;
  version: number;
  what: string;
}

/**
 * The parsed file at `path`. Throws an Error naming the file and the fix (reinstall, or run
 * `backprop-grader fixtures`) when it cannot be read or parsed, or has another format or version.
 */
export function readStoredFile<T extends { format: unknown; version: unknown }>(path: string, kind: StoredFileKind): T {
  let data: T;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (cause) {
    throw new Error(`backprop-grader: cannot read ${kind.what} ${path}; reinstall the grader or run \`backprop-grader fixtures\` where solutions/ exists`, { cause });
  }
  if (data?.format !== kind.format || data.version !== kind.version) {
    throw new Error(`backprop-grader: ${path} is not a ${kind.format} file of version ${kind.version}; run \`backprop-grader fixtures\``);
  }
  return data;
}

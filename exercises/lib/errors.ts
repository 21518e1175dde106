/**
 * The kit's errors.
 *
 * Messages are in English (they show in your own stack traces). The grader and the walkthrough do
 * not show them as they are: each error carries a stable `kit` description (a catalogue id and
 * language-neutral values) that they render in your language (`--lang zh-CN`, or LANG=zh_CN.UTF-8).
 */

/** The language-neutral description of a kit error: a catalogue id (`kit.<kind>`) and its values. */
export interface KitErrorDescription {
  kind: string;
  params: Record<string, string | number>;
}

/** `error` with its catalogue description attached as `error.kit` (returned for `throw`). */
export function kitError<E extends Error>(error: E, kind: string, params: Record<string, string | number> = {}): E & { kit: KitErrorDescription } {
  return Object.assign(error, { kit: { kind, params } });
}

/** True when the environment asks for Chinese (LC_ALL, else LC_MESSAGES, else LANG), as the grader reads it. */
function prefersChinese(): boolean {
  const env = typeof process === 'object' && process?.env ? process.env : {};
  const value = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh(?:[-_](?:cn|hans|sg)|$|\.)/i.test(value);
}

/**
 * Thrown by every exercise stub until the student replaces it with an implementation.
 *
 * Tools (the walkthrough, the grader) check `error.code === 'NOT_IMPLEMENTED'` (or `instanceof`)
 * to tell "not done yet" from a crash, so keep the throw until your code is ready.
 */
export class NotImplementedError extends Error {
  readonly code = 'NOT_IMPLEMENTED' as const;
  /** The exercise function that is still a stub, e.g. `nnCostFunction`. */
  readonly functionName: string;
  /** The file the student should edit, relative to the project, e.g. `exercises/nnCostFunction.ts`. */
  readonly file: string;

  constructor(functionName: string, file = `exercises/${functionName}.ts`) {
    // With a Chinese locale, a pointer to the Chinese guide (the walkthrough and the grader say it all in Chinese).
    const zh = prefersChinese() ? `（${functionName} 还没有实现：请编辑 ${file}；中文指南见 exercises/GUIDE.zh-CN.md）` : '';
    super(`${functionName} is not implemented yet: edit ${file} and replace the "throw new NotImplementedError" line with your code.${zh}`);
    this.name = 'NotImplementedError';
    this.functionName = functionName;
    this.file = file;
  }
}

/** True for a NotImplementedError from any copy of the kit (works across bundles and processes). */
export function isNotImplementedError(error: unknown): error is NotImplementedError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'NOT_IMPLEMENTED';
}

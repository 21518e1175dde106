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
    super(`${functionName} is not implemented yet: edit ${file} and replace the "throw new NotImplementedError" line with your code.`);
    this.name = 'NotImplementedError';
    this.functionName = functionName;
    this.file = file;
  }
}

/** True for a NotImplementedError from any copy of the kit (works across bundles and processes). */
export function isNotImplementedError(error: unknown): error is NotImplementedError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'NOT_IMPLEMENTED';
}

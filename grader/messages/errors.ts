/**
 * Errors whose message is catalogue text: the reason as one or more MessageRefs (one per line),
 * so the CLI can print it in the reader's language; `message` is the English, for logs and stacks.
 */
import { render, type Lang, type MessageRef } from './index';

export class CatalogueError extends Error {
  /** The message's lines as catalogue messages (absent: `message` is plain text, e.g. from a library). */
  readonly refs?: readonly MessageRef[];

  constructor(message: string | MessageRef | readonly MessageRef[], options?: { cause?: unknown }) {
    const refs = typeof message === 'string' ? undefined : Array.isArray(message) ? (message as readonly MessageRef[]) : [message as MessageRef];
    super(refs ? refs.map((r) => render(r, 'en')).join('\n') : (message as string), options);
    if (refs) this.refs = refs;
  }

  /** The message in a language (its catalogue lines, or the plain message as it is). */
  text(lang: Lang): string {
    return this.refs ? this.refs.map((r) => render(r, lang)).join('\n') : this.message;
  }
}

/** An error's message in a language: a CatalogueError's lines rendered, any other error's message as is. */
export function errorText(error: unknown, lang: Lang): string {
  if (error instanceof CatalogueError) return error.text(lang);
  return error instanceof Error ? error.message : String(error);
}

/**
 * A grading option the engine cannot use (grade(): a seed, hidden-case count, tolerance, preset,
 * points or part that does not fit): the caller's mistake, not the submission's. The CLI turns it
 * into a usage error (exit 2).
 */
export class OptionError extends CatalogueError {
  readonly code = 'invalid-option';
  constructor(ref: MessageRef) {
    super(ref);
    this.name = 'OptionError';
  }
}

/**
 * A compact diff of submit.m's '%0.5f ' renderings of expected vs got, shortened to the changed
 * region: "… 0.10000 [-0.20000-]{+0.30000+} 0.40000 …" ([-expected-]{+got+}, wdiff style).
 */
import { createRequire } from 'node:module';
import type { diffArrays as DiffArrays } from 'diff';
import { octaveTokens } from './format';

let diffArraysFn: typeof DiffArrays | undefined;
/** The `diff` package, loaded on the first failure only: a passing run never pays for its import. */
function diffArrays<T>(a: T[], b: T[]) {
  diffArraysFn ??= (createRequire(import.meta.url)('diff') as { diffArrays: typeof DiffArrays }).diffArrays;
  return diffArraysFn(a, b);
}

const CONTEXT = 2;
const MAX_HUNKS = 3;
const MAX_CHARS = 240;
const MAX_HUNK_TOKENS = 4;

function hunk(tokens: string[]): string {
  return tokens.length > MAX_HUNK_TOKENS ? [...tokens.slice(0, MAX_HUNK_TOKENS), '…'].join(' ') : tokens.join(' ');
}

/**
 * Returns undefined when the renderings are identical (the values differ beyond the 5th decimal
 * only, so the submit.m view would not show a difference).
 */
export function compactDiff(expected: readonly number[], got: readonly number[]): string | undefined {
  const a = octaveTokens(expected);
  const b = octaveTokens(got);
  const changes = diffArrays(a, b);
  if (!changes.some((c) => c.added || c.removed)) return undefined;

  const parts: string[] = [];
  let hunks = 0;
  let truncated = false;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    if (!c.added && !c.removed) {
      const toks = c.value;
      const first = i === 0;
      const last = i === changes.length - 1;
      const head = first ? [] : toks.slice(0, CONTEXT);
      const tail = last ? [] : toks.slice(Math.max(head.length, toks.length - CONTEXT));
      if (head.length + tail.length < toks.length) parts.push(...head, '…', ...tail);
      else parts.push(...toks);
      continue;
    }
    if (c.removed) {
      if (hunks >= MAX_HUNKS) {
        truncated = true;
        break;
      }
      hunks++;
      parts.push(`[-${hunk(c.value)}-]`);
    } else {
      // an insertion right after a removal belongs to the same hunk
      const prev = changes[i - 1];
      if (!(prev && prev.removed)) {
        if (hunks >= MAX_HUNKS) {
          truncated = true;
          break;
        }
        hunks++;
      }
      parts.push(`{+${hunk(c.value)}+}`);
    }
  }
  // A replacement reads as one unit: [-expected-]{+got+} with no space between.
  let text = parts.join(' ').replace(/-\] \{\+/g, '-]{+');
  if (text.length > MAX_CHARS) {
    text = text.slice(0, MAX_CHARS).replace(/\s\S*$/, '');
    truncated = true;
  }
  if (truncated && !text.endsWith('…')) text += ' …';
  return text;
}

/**
 * A heuristic for "an English sentence left in Chinese text": runs of three or more English words
 * in a row, once code spans, parameter placeholders, file paths and formulas are set aside.
 * Identifiers, numbers and single letters (formulas: `a3 − y`, `λ/(2m)`) never count as words.
 */

/** Names that stay in English in Chinese text; they break a run instead of extending it. */
const ALLOWED = new Set(['Octave', 'TypeScript', 'Coursera', 'MATLAB', 'ml-matrix', 'sigmoid', 'one-hot', 'fmincg', 'grad', 'numgrad']);

/**
 * Code spans, ⟦param⟧ tokens (the tests' parameter values), anything with a slash (paths, ratios)
 * and npm commands written without backticks (a workflow's shell cannot quote backticks).
 */
const SET_ASIDE = /`[^`]*`|⟦[^⟧]*⟧|\S*\/\S*|\bnpm run [\w:-]+/g;
/** CJK ideographs, CJK and full-width punctuation, and line breaks end a run. */
const BREAK = /[\n\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+/;
const WORD = /^[A-Za-z][a-z]+(?:-[a-z]+)*$/;

/** The runs of at least `minWords` English words in `text`, e.g. `["is not implemented"]`. */
export function englishRuns(text: string, minWords = 3): string[] {
  const runs: string[] = [];
  for (const segment of text.replace(SET_ASIDE, ' ').split(BREAK)) {
    let run: string[] = [];
    const flush = () => {
      if (run.length >= minWords) runs.push(run.join(' '));
      run = [];
    };
    for (const token of segment.split(/\s+/)) {
      const word = token.replace(/^[(["'“‘]+/, '').replace(/[)\]"'”’.,;:!?]+$/, '');
      if (WORD.test(word) && !ALLOWED.has(word)) run.push(word);
      else flush();
    }
    flush();
  }
  return runs;
}

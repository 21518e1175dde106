/**
 * Token fingerprints of source code, as in MOSS (Schleimer, Wilkerson and Aiken, "Winnowing:
 * local algorithms for document fingerprinting", SIGMOD 2003):
 *
 * 1. Tokenize (js-tokens; comments and whitespace dropped, so reformatting changes nothing).
 * 2. Normalise: every identifier the student chose becomes `V`, every number `N`, every string or
 *    template `S`, so renaming variables or changing constants changes nothing either. Keywords,
 *    the kit's API (`mtimes`, `sigmoid`…), JavaScript's globals (`Math`…) and property names
 *    (`.rows`) stay: they cannot be renamed without changing what the code does.
 * 3. Hash every run of K tokens (a k-gram), then winnow: in every window of W consecutive hashes
 *    keep the smallest. Any shared run of at least K + W − 1 tokens yields a shared fingerprint,
 *    and fingerprints are position-independent, so reordered blocks still match.
 *
 * The base code (the stubs every student starts from) is fingerprinted the same way and its
 * fingerprints are dropped from every submission's set, so the given signatures, imports and
 * `throw new NotImplementedError(...)` lines never count as shared.
 */
import jsTokens from 'js-tokens';

/** Tokens per k-gram: about one statement of the exercise (`V = mtimes(V, transpose(V));` is 9). */
export const K = 12;
/** Winnowing window: every shared run of K + W − 1 = 19 tokens or more is found. */
export const W = 8;

/** One normalised token and where it came from. */
export interface Token {
  /** Normalised text (`V`, `N`, `S`, a keyword, an API name or a punctuator). */
  text: string;
  /** Source file (as given to fingerprintSources). */
  file: string;
  /** 1-based line. */
  line: number;
}

/** A selected k-gram: its hash and the index of its first token. */
export interface Fingerprint {
  hash: number;
  /** Index into the submission's token list. */
  at: number;
}

/** A submission's normalised tokens and winnowed fingerprints (base code removed). */
export interface SourceFingerprints {
  tokens: Token[];
  fingerprints: Fingerprint[];
}

/** JavaScript and TypeScript reserved and contextual words: structure, never renamed. */
const KEYWORDS = new Set(
  (
    'break case catch class const continue debugger default delete do else export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with yield let static await async of ' +
    'as from type interface enum implements private protected public readonly declare namespace abstract keyof infer is satisfies ' +
    'number string boolean any unknown never object bigint symbol undefined get set'
  ).split(' '),
);

/** Globals a program uses by name (renaming them breaks the code). */
const GLOBALS = new Set(
  'Math Number Array Float64Array Float32Array Int32Array Uint8Array Object JSON Error TypeError RangeError Infinity NaN isNaN isFinite parseFloat parseInt console Symbol Map Set BigInt String Boolean Date Promise'.split(
    ' ',
  ),
);

/**
 * Tokenizes and normalises TypeScript (or JavaScript) source. `keep` holds the API names kept as
 * written (see the module comment); property names after `.` or `?.` are always kept.
 */
export function normalizedTokens(source: string, file: string, keep: ReadonlySet<string>): Token[] {
  const out: Token[] = [];
  let line = 1;
  let previous = '';
  for (const tok of jsTokens(source)) {
    const newlines = tok.type === 'LineTerminatorSequence' ? 1 : (tok.value.match(/\r\n|[\n\r\u2028\u2029]/g)?.length ?? 0);
    let text: string | undefined;
    switch (tok.type) {
      case 'IdentifierName':
        text = KEYWORDS.has(tok.value) || GLOBALS.has(tok.value) || keep.has(tok.value) || previous === '.' || previous === '?.' ? tok.value : 'V';
        break;
      case 'PrivateIdentifier':
        text = 'V';
        break;
      case 'NumericLiteral':
        text = 'N';
        break;
      case 'StringLiteral':
      case 'NoSubstitutionTemplate':
      case 'TemplateHead':
      case 'TemplateMiddle':
      case 'TemplateTail':
      case 'RegularExpressionLiteral':
        text = 'S';
        break;
      case 'Punctuator':
      case 'Invalid':
        // `;` and `,` are formatting choices (ASI, trailing commas): dropped, like whitespace.
        text = tok.value === ';' || tok.value === ',' ? undefined : tok.value;
        break;
      default:
        text = undefined; // whitespace, line breaks and comments
    }
    if (text !== undefined) {
      out.push({ text, file, line });
      previous = text;
    }
    line += newlines;
  }
  return out;
}

/** 32-bit FNV-1a of a k-gram's token texts. */
function hashGram(tokens: readonly Token[], from: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < from + K; i++) {
    const s = tokens[i].text;
    for (let j = 0; j < s.length; j++) {
      h ^= s.charCodeAt(j);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x20; // token separator
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Winnowing: the minimum hash of every window of W k-gram hashes (the rightmost on ties), each
 * selected position recorded once.
 */
export function winnow(tokens: readonly Token[]): Fingerprint[] {
  const n = tokens.length - K + 1;
  if (n <= 0) return [];
  const hashes = Array.from({ length: n }, (_, i) => hashGram(tokens, i));
  if (n <= W) {
    let min = 0;
    for (let i = 1; i < n; i++) if (hashes[i] <= hashes[min]) min = i;
    return [{ hash: hashes[min], at: min }];
  }
  const out: Fingerprint[] = [];
  let last = -1;
  for (let start = 0; start + W <= n; start++) {
    let min = start;
    for (let i = start + 1; i < start + W; i++) if (hashes[i] <= hashes[min]) min = i;
    if (min !== last) {
      out.push({ hash: hashes[min], at: min });
      last = min;
    }
  }
  return out;
}

/** Every k-gram hash of a text (not winnowed): what base code contributes, to be subtracted. */
export function allGramHashes(tokens: readonly Token[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i + K <= tokens.length; i++) out.add(hashGram(tokens, i));
  return out;
}

/**
 * A submission's fingerprints: its files' tokens in the given (sorted) file order, winnowed, minus
 * every k-gram of the base code. A k-gram spanning two files is never selected.
 */
export function fingerprintSources(files: Readonly<Record<string, string>>, keep: ReadonlySet<string>, base: ReadonlySet<number>): SourceFingerprints {
  const tokens: Token[] = [];
  const fingerprints: Fingerprint[] = [];
  for (const file of Object.keys(files).sort()) {
    const own = normalizedTokens(files[file], file, keep);
    const offset = tokens.length;
    for (const fp of winnow(own)) if (!base.has(fp.hash)) fingerprints.push({ hash: fp.hash, at: fp.at + offset });
    tokens.push(...own);
  }
  return { tokens, fingerprints };
}

/** Names a module exports (`export function x`, `export const x`, `export { a, b as c }`…): the API a student calls by name. */
export function exportedNames(source: string): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g)) names.push(m[1]);
  for (const m of source.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}/g)) {
    for (const spec of m[1].split(',')) {
      const name = spec.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) names.push(name);
    }
  }
  return names;
}

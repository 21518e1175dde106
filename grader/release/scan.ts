/**
 * Leak detection for the student release: does any released file contain solution code?
 *
 * Method: token shingles. The solutions' code (comments stripped) is cut into every run of
 * SHINGLE_TOKENS consecutive tokens; runs that also occur anywhere in the public exercise kit
 * (exercises/**, comments and hints included — those are meant to be seen) are dropped; what
 * remains is code only the solutions contain. A released file leaks when it contains any of those
 * runs. Tokens ignore whitespace and line breaks, so reformatting, re-indenting or moving a copied
 * statement into a comment, a string or a JSON file does not hide it; renaming its variables would
 * (this is a guard against accidents — a stray file, a copied function — not against an adversary).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Tokens per shingle: about one short statement (`const n = theta.length;` is 7 tokens, a typical matrix expression 12 to 20). */
export const SHINGLE_TOKENS = 12;

interface Token {
  text: string;
  line: number;
}

/** Identifiers, numbers and single punctuation characters, with their 1-based line numbers. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /[A-Za-z_$][\w$]*|\d[\w.]*|\n|\S/g;
  let line = 1;
  for (const m of text.matchAll(re)) {
    if (m[0] === '\n') line++;
    else tokens.push({ text: m[0], line });
  }
  return tokens;
}

/** TypeScript source with comments blanked out (newlines kept, so line numbers stay right). */
export function stripComments(source: string): string {
  // Strings and template literals are matched first so a "//" inside a string is not a comment.
  return source.replace(/("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m, str: string | undefined) =>
    str !== undefined ? m : m.replace(/[^\n]/g, ' '),
  );
}

function shingles(tokens: Token[], k = SHINGLE_TOKENS): { key: string; line: number }[] {
  const out: { key: string; line: number }[] = [];
  for (let i = 0; i + k <= tokens.length; i++) {
    out.push({ key: tokens.slice(i, i + k).map((t) => t.text).join(' '), line: tokens[i].line });
  }
  return out;
}

/** Every file under `dir` (relative paths with "/"), recursively; `skip` filters by relative path. */
export function listFiles(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const abs = join(d, name);
      const rel = relative(dir, abs).split(sep).join('/');
      if (skip(rel)) continue;
      if (statSync(abs).isDirectory()) walk(abs);
      else out.push(rel);
    }
  };
  walk(dir);
  return out;
}

/** The code only the solutions contain: shingle -> where it comes from ("solutions/reference.ts:171"). */
export interface SolutionFingerprint {
  shingles: Map<string, string>;
  /** Shingles indexed by their first token, for a fast scan. */
  byFirst: Map<string, string[]>;
}

/**
 * Fingerprints `solutionsDir`'s .ts files, minus every shingle of the public kit in `publicDirs`
 * (so provided helpers and the stubs' hints are never reported as leaks).
 */
export function fingerprintSolutions(solutionsDir: string, publicDirs: string[]): SolutionFingerprint {
  const publicShingles = new Set<string>();
  for (const dir of publicDirs) {
    for (const rel of listFiles(dir, (r) => r.includes('node_modules'))) {
      if (!/\.(ts|md)$/.test(rel)) continue;
      for (const s of shingles(tokenize(readFileSync(join(dir, rel), 'utf8')))) publicShingles.add(s.key);
    }
  }
  const map = new Map<string, string>();
  for (const rel of listFiles(solutionsDir)) {
    if (!rel.endsWith('.ts')) continue;
    const code = stripComments(readFileSync(join(solutionsDir, rel), 'utf8'));
    for (const s of shingles(tokenize(code))) {
      if (!publicShingles.has(s.key) && !map.has(s.key)) map.set(s.key, `solutions/${rel}:${s.line}`);
    }
  }
  const byFirst = new Map<string, string[]>();
  for (const key of map.keys()) {
    const first = key.slice(0, key.indexOf(' '));
    const list = byFirst.get(first);
    if (list) list.push(key);
    else byFirst.set(first, [key]);
  }
  return { shingles: map, byFirst };
}

/** A released file that contains solution code. */
export interface LeakFinding {
  /** Relative to the scanned folder. */
  file: string;
  line: number;
  /** The matched code (tokens joined by spaces). */
  code: string;
  /** Where in solutions/ it comes from. */
  source: string;
}

/** Scans one text for solution shingles; at most one finding per line. */
export function scanText(text: string, file: string, fp: SolutionFingerprint): LeakFinding[] {
  const tokens = tokenize(text);
  const findings: LeakFinding[] = [];
  let lastLine = -1;
  for (let i = 0; i + SHINGLE_TOKENS <= tokens.length; i++) {
    const candidates = fp.byFirst.get(tokens[i].text);
    if (!candidates) continue;
    const key = tokens.slice(i, i + SHINGLE_TOKENS).map((t) => t.text).join(' ');
    if (!fp.shingles.has(key) || tokens[i].line === lastLine) continue;
    lastLine = tokens[i].line;
    findings.push({ file, line: tokens[i].line, code: key, source: fp.shingles.get(key)! });
  }
  return findings;
}

/** Why a path is forbidden: the catalogue says it (`cli.release.why.<kind>`). */
export type ForbiddenKind = 'solutions' | 'bundled-solutions' | 'tests' | 'bench' | 'correct-fixture' | 'unsealed-reference';

/** Paths that must never appear in a release, whatever their content, and why. */
export const FORBIDDEN_PATHS: { pattern: RegExp; why: ForbiddenKind }[] = [
  { pattern: /(^|\/)solutions(\/|$)/, why: 'solutions' },
  { pattern: /^dist\/reference\.js/, why: 'bundled-solutions' },
  { pattern: /^test(\/|$)/, why: 'tests' },
  { pattern: /^bench(\/|$)/, why: 'bench' },
  { pattern: /(^|\/)correct-[^/]*(\/|$)/, why: 'correct-fixture' },
  { pattern: /^grader\/fixtures\/reference\.json$/, why: 'unsealed-reference' },
];

/**
 * Expected outputs of hidden cases in the clear: any JSON object with `hidden: true` and an
 * `expected` field (the former grader/fixtures/reference.json held hundreds). A release carries
 * hidden cases only sealed (grader/reference/sealed.ts).
 */
export function findUnsealed(text: string): boolean {
  if (!text.includes('"expected"')) return false;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return false;
  }
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.hidden === true && 'expected' in o) return true;
      stack.push(...Object.values(o));
    }
  }
  return false;
}

/** Everything wrong with a release folder: forbidden paths, solution code and unsealed expected outputs. Empty = clean. */
export interface ScanResult {
  forbidden: { file: string; why: ForbiddenKind }[];
  leaks: LeakFinding[];
  /** JSON files holding hidden cases' expected outputs in the clear. */
  unsealed: string[];
  filesScanned: number;
}

/** Scans every file of `releaseDir` (node_modules skipped) against the fingerprint. */
/** ajv standalone validators written by scripts/build.mjs from the grader's JSON schemas. */
const GENERATED_VALIDATOR = /^dist\/schema-[\w-]+\.cjs$/;

export function scanRelease(releaseDir: string, fp: SolutionFingerprint): ScanResult {
  const files = listFiles(releaseDir, (rel) => rel === 'node_modules' || rel === '.git');
  const forbidden: ScanResult['forbidden'] = [];
  const leaks: LeakFinding[] = [];
  const unsealed: string[] = [];
  for (const rel of files) {
    for (const f of FORBIDDEN_PATHS) if (f.pattern.test(rel)) forbidden.push({ file: rel, why: f.why });
    const buf = readFileSync(join(releaseDir, rel));
    // Binary files (NUL bytes) cannot hold readable source; everything else is scanned as text.
    if (buf.includes(0)) continue;
    const text = buf.toString('utf8');
    // ajv's generated validators of the grader's own schemas (dist/schema-*.cjs in a package) are
    // machine-written loops over JSON, not solution code; their generic counting loops would match
    // a run of the reference that is just as generic.
    if (!GENERATED_VALIDATOR.test(rel)) leaks.push(...scanText(text, rel, fp));
    if (rel.endsWith('.json') && findUnsealed(text)) unsealed.push(rel);
  }
  return { forbidden, leaks, unsealed, filesScanned: files.length };
}

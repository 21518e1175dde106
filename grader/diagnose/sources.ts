/**
 * Lines of the student's own files, for locations when the trace cannot give one: the part's
 * `YOUR CODE HERE` block (or a `// Part N` comment), the first line of the function's body, and,
 * for a named mistake, the line in that block that writes what the mistake is about (e.g. the line
 * that uses `lambda` for a regularization mistake). The files are only read, never run; a file too
 * large, unreadable or outside the submission gives no location.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { PartId, StudentFunction } from '../parts/ids';
import { PARTS } from '../parts/ids';
import type { SourceLocation } from '../report/types';
import type { FunctionLocation } from '../sandbox/protocol';

/** Files above this size are not read for locations. */
const MAX_BYTES = 512 * 1024;
/**
 * Each line is looked at up to this many characters. The line patterns below are simple, but a
 * few backtrack (a comment marker then `.*`): quadratic in a line's length, so a 200 KB line of
 * `*` once held the grader for a minute. Capped, a whole file costs at most this many times its
 * size per pattern; code a location should point at is never that wide.
 */
export const MAX_LINE_CHARS = 240;

export interface StudentSource {
  /** Relative to the submission root, as the sandbox names it (e.g. "exercises/nnCostFunction.ts"). */
  file: string;
  lines: readonly string[];
  /** 1-based line of the function's signature, when found. */
  signature?: number;
}

/** Reads a student function's file (cached); null when it cannot be read. */
export type SourceReader = (fn: StudentFunction) => StudentSource | null;

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The reader of a submission's files, named as the sandbox's locations name them (relative to the
 * submission root: the submission folder when it holds `exercises/`, else the folder's parent, as
 * the sandbox names a folder of the four files by its own name, e.g. `ex/nnCostFunction.ts` for an
 * upload whose files sit in `ex/`).
 */
export function submissionSources(submission: string, locations: Partial<Record<StudentFunction, FunctionLocation>>): SourceReader {
  const cache = new Map<StudentFunction, StudentSource | null>();
  const holdsExercises = basename(submission) !== 'exercises' && existsSync(join(submission, 'exercises'));
  const roots = holdsExercises ? [submission] : [dirname(submission), submission];
  return (fn) => {
    if (cache.has(fn)) return cache.get(fn) ?? null;
    let out: StudentSource | null = null;
    const loc = locations[fn];
    const file = loc?.file ?? `exercises/${fn}.ts`;
    for (const root of roots) {
      const abs = resolve(root, file);
      try {
        const real = realpathSync(abs);
        // Only the submission's own files: a name that leads out of it (into the parent) is not read.
        if (!inside(real, realpathSync(submission))) continue;
        if (statSync(real).size > MAX_BYTES) continue;
        const lines = readFileSync(real, 'utf8').split(/\r?\n/).map((l) => (l.length > MAX_LINE_CHARS ? l.slice(0, MAX_LINE_CHARS) : l));
        out = { file, lines, ...(loc ? { signature: loc.line } : {}) };
        break;
      } catch {
        // not there: try the next root
      }
    }
    cache.set(fn, out);
    return out;
  };
}

/** nnCostFunction's part (1–4) of each part id; the other functions have one block. */
const NN_PART: Partial<Record<PartId, number>> = { 'feedforward-cost': 1, 'regularized-cost': 2, 'backprop-gradient': 3, 'regularized-gradient': 4 };

const COMMENT = /^\s*(\/\/|\/\*|\*|\*\/)/;
const BLOCK_MARK = /YOUR CODE HERE/i;
const PART_MARK = /(?:\/\/|\/\*|\*).*\bPart\s*([1-4])\b/i;
const BLOCK_END = /^\s*\/\/\s*={10,}\s*$/;

function isCode(line: string): boolean {
  const t = line.trim();
  return t.length > 0 && !COMMENT.test(line);
}

/** 0-based [start, end) of the lines of a part's block: after its marker, up to the next marker or closing rule. */
export function blockRange(src: StudentSource, part: PartId): [number, number] | null {
  const { lines } = src;
  const n = NN_PART[part];
  const marks: { line: number; part?: number }[] = [];
  lines.forEach((l, i) => {
    if (BLOCK_MARK.test(l)) {
      const m = /Part\s*([1-4])/i.exec(l);
      marks.push({ line: i, part: m ? Number(m[1]) : undefined });
    } else if (n !== undefined) {
      const m = PART_MARK.exec(l);
      if (m) marks.push({ line: i, part: Number(m[1]) });
    }
  });
  const mark = n === undefined ? marks.find((m) => m.part === undefined) ?? marks[0] : marks.find((m) => m.part === n);
  if (!mark) return null;
  let end = lines.length;
  for (let i = mark.line + 1; i < lines.length; i++) {
    if (BLOCK_END.test(lines[i]) || BLOCK_MARK.test(lines[i]) || (n !== undefined && PART_MARK.test(lines[i]))) {
      end = i;
      break;
    }
  }
  return [mark.line + 1, end];
}

/** The first line of the function's body after its signature (0-based), when found. */
function bodyStart(src: StudentSource): number | null {
  if (!src.signature) return null;
  for (let i = src.signature - 1; i < src.lines.length; i++) {
    if (/\{\s*$/.test(src.lines[i]) || /\)\s*(?::[^{]*)?\{/.test(src.lines[i])) {
      for (let j = i + 1; j < src.lines.length; j++) if (isCode(src.lines[j])) return j;
      return null;
    }
  }
  return null;
}

/**
 * The part's block: its first line of code (or the marker itself when the block is still empty);
 * without markers, the first line of the function's body. Never the signature.
 */
export function blockLocation(src: StudentSource, part: PartId): SourceLocation | null {
  const range = blockRange(src, part);
  if (range) {
    const [start, end] = range;
    for (let i = start; i < end; i++) if (isCode(src.lines[i])) return { file: src.file, line: i + 1, source: 'block' };
    return { file: src.file, line: start, source: 'block' };
  }
  const body = bodyStart(src);
  return body === null ? null : { file: src.file, line: body + 1, source: 'block' };
}

/** What a named mistake or blame is about, as patterns of the line that writes it. */
interface LinePattern {
  /** The nnCostFunction part whose block to search first (by the diagnosed part when absent). */
  part?: PartId;
  patterns: RegExp[];
  /** Take the last matching line instead of the first. */
  last?: boolean;
}

const LAMBDA = [/\blambda\b/];
const SQUARES = /\*\*\s*2|\bpower\(|\.pow\(|Math\.pow\(/;
const DRAW = /\brandom\s*\(\s*\)/;
const EPSILON = /0\.12|\bepsilon\w*\b|\beps\w*\b/i;
const J_LINE = [/\bJ\s*(?:[+\-*/]?=)(?!=)/];
const J_COMPUTED = /\bJ\s*(?:[+\-*/]?=)(?!=)(?!\s*0\s*;)/;
const GRAD_BUILD = [/\.to1DArray\(|\.flat\(|\.to2DArray\(|\bunroll\(|\bgrad\s*(?:\[[^\]]*\])?\s*=(?!=)/];

/** Per diagnosis id (and, for a few, per detail): the line that writes it. */
function patternFor(id: string, part: PartId, detail: string | undefined): LinePattern | null {
  const cost = part === 'feedforward-cost' || part === 'regularized-cost';
  switch (id) {
    case 'reg-includes-bias':
    case 'reg-wrong-scale':
    case 'reg-missing':
      // The gradient's regularization is on a line that writes a gradient; the cost's on one that writes J.
      return { part: cost ? 'regularized-cost' : 'regularized-gradient', patterns: cost ? [/\bJ\b.*\blambda\b/, ...LAMBDA] : [/(?:Grad|grad)\w*.*\blambda\b|\blambda\b.*(?:Grad|grad)/, ...LAMBDA] };
    case 'blame:regularization-only':
      // Not a wrong factor (that would be reg-wrong-scale): most likely the sum of squares itself.
      return cost ? { part: 'regularized-cost', patterns: [SQUARES, ...LAMBDA] } : { part: 'regularized-gradient', patterns: LAMBDA };
    case 'missing-average':
      // The cost: the line that computes J (not its `= 0` start); the gradient: where Δ becomes the gradient.
      return cost ? { part: 'feedforward-cost', patterns: [J_COMPUTED] } : { part: 'backprop-gradient', patterns: [/\/\s*m\b/, /Grad\w*\s*=(?!=)|Delta\w*\s*=(?!=)/] };
    case 'labels-not-one-hot':
    case 'labels-off-by-one':
      return { part: 'feedforward-cost', patterns: [/\boneHot\s*\(/, /%\s*(?:K|numLabels)\b/, /\by\s*\[[^\]]*\]\s*(?:-\s*1\s*)?\]?\s*[,\]=)]/, /===?\s*\w+\s*\+\s*1|y\w*\s*\[\s*\w+\s*\]\s*===?/] };
    case 'squared-error-cost':
      return { part: 'feedforward-cost', patterns: [SQUARES, ...J_LINE] };
    case 'sigmoid-gradient-of-activation':
      return { part: 'backprop-gradient', patterns: [/\bsigmoidGradient\s*\(/, /\(\s*1\s*-\s*a2/] };
    case 'grad-unrolled-row-major':
    case 'blame:permutation':
      return { part: 'backprop-gradient', patterns: GRAD_BUILD, last: true };
    case 'grad-sign-flipped':
      return {
        part: 'backprop-gradient',
        patterns: [/\b(?:d3|delta3|D3|Delta3|delta_3|d_3|err3|sigma3|dz3|dOut|error3)\b\s*(?:\[[^\]]*\])?\s*=(?!=)/, /\bminus\(\s*\w*[Yy]\w*\s*,\s*a3|\by\w*(?:\[[^\]]*\])?\s*-\s*a3/],
      };
    case 'missing-bias-unit':
      return { part: 'feedforward-cost', patterns: detail === 'bias-a1' ? [/\ba1\b\s*(?::[^=]*)?=(?!=)/] : [/\ba2\b\s*(?::[^=]*)?=(?!=)/] };
    case 'sigmoid-gradient-formula':
      return part === 'sigmoid-gradient' ? { patterns: [/\breturn\b|\btimes\(|\*/] } : { part: 'backprop-gradient', patterns: [/\bsigmoidGradient\s*\(/] };
    case 'rand-init-range':
      // A wrong ε shows as weights out of range or too narrow; a wrong formula (not centred) in the draw.
      return { patterns: detail === 'range-outside' || detail === 'range-narrow' ? [EPSILON, DRAW] : [DRAW, EPSILON] };
    case 'rand-init-symmetric':
      return { patterns: [/\bfill\(|\bzeros\(|\bones\(|\breturn\b/] };
    case 'rand-init-ignores-source':
      return { patterns: [/Math\.random/] };
    case 'numgrad-wrong-step':
      return { patterns: [/\b(?:e|eps|epsilon|h|step|delta)\s*(?::[^=]*)?=\s*[\d.]/, /\d(?:\.\d+)?e-\d/] };
    case 'numgrad-one-sided':
      return { patterns: [/\/\s*\(?\s*(?:e|eps|epsilon|h|step)\b|J\(/], last: true };
    case 'numgrad-not-restored':
      // The restore is missing: the last write to entry p in the loop is where it belongs.
      return { patterns: [/\[\s*p\s*\]\s*[+\-*/]?=(?!=)/, /\bJ\s*\(/], last: true };
    case 'blame:wrong-length':
      return { part: 'backprop-gradient', patterns: GRAD_BUILD, last: true };
    case 'blame:cost-only':
      return { part: 'feedforward-cost', patterns: [/\blog\b|Math\.log/, ...J_LINE] };
    case 'blame:theta1-gradient':
      return { part: 'backprop-gradient', patterns: [/\b(?:Theta1_?[Gg]rad|Delta1|D1|delta_1)\w*\s*(?:\[[^\]]*\])?\s*[+\-*/]?=(?!=)|Theta1Grad\.set\(/] };
    case 'blame:theta2-gradient':
      return { part: 'backprop-gradient', patterns: [/\b(?:Theta2_?[Gg]rad|Delta2|D2|delta_2)\w*\s*(?:\[[^\]]*\])?\s*[+\-*/]?=(?!=)|Theta2Grad\.set\(/] };
    default:
      return null;
  }
}

function search(src: StudentSource, range: [number, number], p: LinePattern): number | null {
  const [start, end] = range;
  for (const re of p.patterns) {
    const hits: number[] = [];
    for (let i = start; i < end; i++) if (isCode(src.lines[i]) && re.test(src.lines[i])) hits.push(i);
    if (hits.length) return p.last ? hits[hits.length - 1] : hits[0];
  }
  return null;
}

/**
 * The line a diagnosis is about, searched in the relevant part's block (then the whole function),
 * or null when nothing there writes it (e.g. a missing term).
 * @param id a catalogue id or "blame:<kind>"; `detail` its detail key (e.g. "bias-a2")
 */
export function diagnosisLocation(src: StudentSource, part: PartId, id: string, detail?: string): SourceLocation | null {
  const p = patternFor(id, part, detail);
  if (!p) return null;
  const ranges: [number, number][] = [];
  const block = blockRange(src, p.part ?? part);
  if (block) ranges.push(block);
  const body = bodyStart(src);
  ranges.push([body ?? 0, src.lines.length]);
  for (const r of ranges) {
    const i = search(src, r, p);
    if (i !== null) return { file: src.file, line: i + 1, source: 'diagnosis' };
  }
  return null;
}

/** Which part of nnCostFunction (by its block) a line is in, when the file has part markers. */
export function partOfLine(src: StudentSource, line: number): PartId | null {
  for (const id of ['feedforward-cost', 'regularized-cost', 'backprop-gradient', 'regularized-gradient'] as PartId[]) {
    const r = blockRange(src, id);
    if (r && line - 1 >= r[0] && line - 1 < r[1]) return id;
  }
  return null;
}

/** The student function a part judges. */
export function functionOf(part: PartId): StudentFunction {
  return PARTS[part].fn;
}

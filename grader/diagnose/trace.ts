/**
 * Traced diagnosis: where in the student's nnCostFunction a failed part's computation goes wrong.
 *
 * The sandbox records every value the student's code builds with the kit's helpers or ml-matrix
 * (grader/sandbox/trace.ts: op, shape, line, values, object ids). Here each recorded value is
 * matched against the reference's named intermediates on the same case (./intermediates.ts; same
 * shape or transposed, or one row of a per-example value, within the grader's tolerance). The
 * culprit is the first intermediate on the way to the part's quantity (J or grad) that nothing
 * reproduces while everything it is computed from is reproduced (or implied right by a value
 * computed from it, or by another part that passed). Its closest candidate, preferring values
 * computed from the matched parents, gives the line and what differs ("its column 1 holds 0.731,
 * not 1").
 *
 * Also: a matrix changed in place by an ml-matrix method after its old values were used, and used
 * again afterwards, explains wrong values better than any catalogue mistake (in-place hazard).
 *
 * Every entry is student-controlled data (validated by the sandbox's schema); it only explains.
 */
import type { GradingCase, NnInputs } from '../cases/types';
import type { Lang, MessageId } from '../messages/index';
import { PART_SECTION } from '../messages/guide';
import type { PartId } from '../parts/ids';
import type { PartEvaluation } from '../parts/types';
import type { Reference } from '../reference/load';
import type { Diagnosis, SourceLocation } from '../report/types';
import type { TraceEntry } from '../sandbox/protocol';
import { makeDiagnosis } from './catalogue';
import { agreement, asRow, complete, describeDifference, equal, equalUpToTranspose, row, rows, shapeAffinity, type Dense } from './dense';
import { ancestorsOf, INTERMEDIATE_INFO, INTERMEDIATES, type IntermediateName } from './intermediates';

/**
 * A path as the sandbox names student files (relative to the submission root, no `..`): anything
 * else in a trace entry was not written by the recorder and is ignored.
 */
export function isSubmissionFile(file: string): boolean {
  return /^[\w@.+-]+(?:\/[\w@.+-]+)*\.[cm]?[jt]sx?$/.test(file) && !file.split('/').some((s) => s === '..' || s === '.');
}

/** What the trace says about a failed part. */
export interface TraceFinding {
  /** A diagnosis with its location (source 'trace'), when the trace located the mistake. */
  diagnosis?: Diagnosis;
  /** A matrix changed in place explains the failure: catalogue mistakes must not be named for it. */
  inPlace?: boolean;
  /** The trace was recorded but could not tell where (e.g. the code computes with plain numbers). */
  silent?: boolean;
}

const COST_PARTS: ReadonlySet<PartId> = new Set(['feedforward-cost', 'regularized-cost']);
const NN_PARTS: ReadonlySet<PartId> = new Set(['feedforward-cost', 'regularized-cost', 'backprop-gradient', 'regularized-gradient']);
const SECTION_OF_PART: Record<1 | 2 | 3 | 4, string> = { 1: 'feedforward-cost', 2: 'regularized-cost', 3: 'backprop', 4: 'regularized-gradient' };

function entryDense(e: TraceEntry): Dense | null {
  return e.values && e.values.length > 0 ? { rows: e.rows, columns: e.columns, values: e.values } : null;
}

function refDense(v: unknown): Dense | null {
  if (typeof v === 'number') return { rows: 1, columns: 1, values: [v] };
  if (v instanceof Float64Array) return { rows: v.length, columns: 1, values: Array.from(v) };
  const M = v as { rows?: unknown; columns?: unknown; get?: (i: number, j: number) => number } | null;
  if (!M || typeof M.rows !== 'number' || typeof M.columns !== 'number' || typeof M.get !== 'function') return null;
  const values: number[] = [];
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.columns; j++) values.push(M.get(i, j));
  return { rows: M.rows, columns: M.columns, values };
}

/** The reference's intermediates of a case as dense values (none without the live reference). */
async function referenceValues(reference: Reference | null, inputs: NnInputs): Promise<Map<IntermediateName, Dense>> {
  const out = new Map<IntermediateName, Dense>();
  if (!reference?.referenceIntermediates) return out;
  const { Matrix } = await import('ml-matrix');
  const raw = reference.referenceIntermediates(inputs.nnParams, inputs.inputLayerSize, inputs.hiddenLayerSize, inputs.numLabels, new Matrix(inputs.X), inputs.y.slice(), inputs.lambda);
  for (const name of INTERMEDIATES) {
    const d = refDense(raw[name]);
    if (d) out.set(name, d);
  }
  return out;
}

interface Matching {
  /** Per intermediate: the entries that reproduce it (in trace order). */
  byNode: Map<IntermediateName, number[]>;
  /** Intermediates the returned value reproduces (a block of grad equal to Theta1_grad, say). */
  returned: Set<IntermediateName>;
  /** Per entry: the intermediates it reproduces. */
  nodesOf: Map<number, IntermediateName[]>;
}

function reproduces(e: Dense, ref: Dense, perExample: boolean): boolean {
  if (equalUpToTranspose(e, ref)) return true;
  if (!perExample || ref.rows < 2) return false;
  const r = asRow(e);
  if (!r || r.columns !== ref.columns) return false;
  for (let i = 0; i < ref.rows; i++) if (equal(r, row(ref, i))) return true;
  return false;
}

function informative(ref: Dense): boolean {
  return ref.values.some((x) => x !== 0);
}

/** Intermediates equal to one of their parents on this case (e.g. Theta1Grad at λ = 0): no value tells them apart. */
function aliases(refs: ReadonlyMap<IntermediateName, Dense>): Set<IntermediateName> {
  const out = new Set<IntermediateName>();
  for (const [name, ref] of refs) {
    for (const p of INTERMEDIATE_INFO[name].parents) {
      const pr = refs.get(p);
      if (pr && equal(ref, pr)) out.add(name);
    }
  }
  return out;
}

function matchEntries(entries: readonly TraceEntry[], refs: ReadonlyMap<IntermediateName, Dense>, skip: ReadonlySet<IntermediateName>): Matching {
  const byNode = new Map<IntermediateName, number[]>();
  const nodesOf = new Map<number, IntermediateName[]>();
  entries.forEach((entry, k) => {
    const e = entryDense(entry);
    if (!e) return;
    for (const [name, ref] of refs) {
      if (skip.has(name) || !informative(ref)) continue;
      if (!reproduces(e, ref, INTERMEDIATE_INFO[name].perExample === true)) continue;
      byNode.set(name, [...(byNode.get(name) ?? []), k]);
      nodesOf.set(k, [...(nodesOf.get(k) ?? []), name]);
    }
  });
  return { byNode, nodesOf, returned: new Set() };
}

/** Column-major numbers of a dense value. */
function colMajor(d: Dense): number[] {
  const out: number[] = [];
  for (let j = 0; j < d.columns; j++) for (let i = 0; i < d.rows; i++) out.push(d.values[i * d.columns + j]);
  return out;
}

/** The returned grad's blocks that equal Theta1_grad or Theta2_grad (grad = [Theta1_grad(:); Theta2_grad(:)]). */
function returnedBlocks(got: readonly number[] | undefined, refs: ReadonlyMap<IntermediateName, Dense>): IntermediateName[] {
  const t1 = refs.get('Theta1Grad');
  const t2 = refs.get('Theta2Grad');
  if (!got || !t1 || !t2 || got.length !== t1.values.length + t2.values.length) return [];
  const out: IntermediateName[] = [];
  const a = colMajor(t1);
  const b = colMajor(t2);
  if (equal({ rows: a.length, columns: 1, values: got.slice(0, a.length) }, { rows: a.length, columns: 1, values: a })) out.push('Theta1Grad');
  if (equal({ rows: b.length, columns: 1, values: got.slice(a.length) }, { rows: b.length, columns: 1, values: b })) out.push('Theta2Grad');
  return out;
}

/** Intermediates known right: reproduced, implied by a reproduced value computed from them, or by a passed part. */
function knownRight(matching: Matching, given: Iterable<IntermediateName>): Set<IntermediateName> {
  const ok = new Set<IntermediateName>([...matching.byNode.keys(), ...given]);
  for (const name of matching.returned) ok.add(name);
  for (const name of [...INTERMEDIATES].reverse()) {
    if (ok.has(name)) for (const p of INTERMEDIATE_INFO[name].parents) ok.add(p);
  }
  return ok;
}

interface Candidate {
  entry: number;
  /** The reference value compared with (a row of a per-example intermediate, or the whole). */
  want: Dense;
  /** What differs, in a student's terms. */
  diff: ReturnType<typeof describeDifference>;
  /** The difference has a structure (a factor, a column, a missing column…), not just different values. */
  strong: boolean;
}

const WEAK_DIFFERENCES = new Set(['values', 'shape', 'scalar']);

/** Intermediates that are a full matrix without its first (bias) column. */
const WITHOUT_BIAS: Partial<Record<IntermediateName, IntermediateName>> = { Theta1NoBias: 'Theta1', Theta2NoBias: 'Theta2' };

/**
 * How a student's value differs from an intermediate, with what the intermediate is made from when
 * that tells more: a weight matrix kept whole, or cut by its first row instead of its first column.
 */
function differenceOf(got: Dense, want: Dense, culprit: IntermediateName, refs: ReadonlyMap<IntermediateName, Dense>): ReturnType<typeof describeDifference> {
  const fullName = WITHOUT_BIAS[culprit];
  const full = fullName ? refs.get(fullName) : undefined;
  if (full && complete(got)) {
    if (equal(got, full)) return { key: 'includes-bias-column', params: {} };
    if (equal(got, rows(full, (i) => i > 0))) return { key: 'dropped-row-not-column', params: {} };
  }
  return describeDifference(got, want);
}

/** The reference value to compare an entry with: the whole, or its best-agreeing row for one example's row. */
function comparedWith(e: Dense, ref: Dense, perExample: boolean): { got: Dense; want: Dense } {
  const r = perExample ? asRow(e) : null;
  if (!r || Math.abs(r.columns - ref.columns) > 1) return { got: e, want: ref };
  let best = row(ref, 0);
  let bestAgree = -1;
  let bestStrong = false;
  for (let i = 0; i < ref.rows; i++) {
    const w = row(ref, i);
    const strong = !WEAK_DIFFERENCES.has(describeDifference(r, w).key);
    const a = agreement(r, w);
    if ((strong && !bestStrong) || (strong === bestStrong && a > bestAgree)) [best, bestAgree, bestStrong] = [w, a, strong];
  }
  return { got: r, want: best };
}

/**
 * The student's value closest to the culprit: among the values computed directly from its matched
 * parents (any value when it has none), the right shape first, then how many of the parents it
 * uses, then a structured difference, then agreement; the earliest on a tie.
 */
/** Entries whose value flows into a value that reproduces an intermediate (legitimate sub-expressions). */
function feedsMatched(entries: readonly TraceEntry[], matching: Matching): Set<number> {
  const producer = new Map<number, number>();
  entries.forEach((e, k) => {
    if (e.id && !e.inPlace && !producer.has(e.id)) producer.set(e.id, k);
  });
  const out = new Set<number>();
  const mark = (k: number): void => {
    for (const a of entries[k].args ?? []) {
      const src = producer.get(a);
      if (src === undefined || src >= k || out.has(src)) continue;
      out.add(src);
      mark(src);
    }
  };
  for (const k of matching.nodesOf.keys()) mark(k);
  return out;
}

/** Entries computed from the given entries (through matrix ids, transitively), in trace order. */
function derivedFrom(entries: readonly TraceEntry[], sources: readonly number[]): Set<number> {
  const ids = new Set<number>();
  for (const k of sources) if (entries[k].id) ids.add(entries[k].id as number);
  const out = new Set<number>();
  const first = Math.min(...sources);
  entries.forEach((e, k) => {
    if (k <= first || sources.includes(k)) return;
    if ((e.args ?? []).some((a) => a !== 0 && ids.has(a))) {
      out.add(k);
      if (e.id) ids.add(e.id);
    }
  });
  return out;
}

/**
 * The student's value closest to the culprit: among the values computed from its matched parents
 * (any value when it has none) that feed no reproduced intermediate, the right shape first, then
 * how many of the parents it uses directly, then a structured difference, then agreement; the
 * earliest on a tie.
 */
function bestCandidate(entries: readonly TraceEntry[], matching: Matching, culprit: IntermediateName, refs: ReadonlyMap<IntermediateName, Dense>): Candidate | null {
  const ref = refs.get(culprit) as Dense;
  const legit = feedsMatched(entries, matching);
  const parentEntries = INTERMEDIATE_INFO[culprit].parents.map((p) => matching.byNode.get(p) ?? []);
  const parentIds = parentEntries.map((ks) => new Set(ks.map((k) => entries[k].id).filter((id): id is number => !!id)));
  const all = parentEntries.flat();
  const derived = all.length > 0 ? derivedFrom(entries, all) : null;
  const perExample = INTERMEDIATE_INFO[culprit].perExample === true && ref.rows > 1;
  let best: { score: number; c: Candidate } | null = null;
  entries.forEach((entry, k) => {
    if (matching.nodesOf.has(k) || legit.has(k) || (derived && !derived.has(k))) return;
    const args = entry.args ?? [];
    const uses = parentIds.filter((ids) => args.some((a) => ids.has(a))).length;
    const e = entryDense(entry);
    if (!e) return;
    const { got, want } = comparedWith(e, ref, perExample);
    const aff = shapeAffinity(got, want);
    if (aff === 0) return;
    const diff = differenceOf(got, want, culprit, refs);
    const strong = !WEAK_DIFFERENCES.has(diff.key);
    const score = aff * 10 + uses * 4 + (strong ? 3 : 0) + agreement(got, want) * 2;
    if (!best || score > best.score) best = { score, c: { entry: k, want, diff, strong } };
  });
  return (best as { score: number; c: Candidate } | null)?.c ?? null;
}

/**
 * The sum an intermediate is one term of, with the other term: when the student's value equals
 * "parent + other term", the step from the parent to the culprit was skipped (e.g. Delta2 never
 * divided by m before the regularization term was added).
 */
const SUM_OF: Partial<Record<IntermediateName, { sibling: IntermediateName }>> = {
  Theta1GradData: { sibling: 'Theta1Reg' },
  Theta2GradData: { sibling: 'Theta2Reg' },
  Jdata: { sibling: 'Jreg' },
};

function skipsStep(got: Dense, culprit: IntermediateName, refs: ReadonlyMap<IntermediateName, Dense>): boolean {
  const sum = SUM_OF[culprit];
  const parent = INTERMEDIATE_INFO[culprit].parents[0];
  const p = refs.get(parent);
  const sib = sum ? refs.get(sum.sibling) : undefined;
  if (!sum || !p || !sib || p.values.length !== sib.values.length) return false;
  const skipped: Dense = { rows: p.rows, columns: p.columns, values: p.values.map((x, i) => x + sib.values[i]) };
  return equal(got, skipped);
}

/** The line after which the culprit goes wrong: the latest of its parents' first reproductions. */
function afterParents(entries: readonly TraceEntry[], matching: Matching, culprit: IntermediateName): TraceEntry | null {
  const firsts = INTERMEDIATE_INFO[culprit].parents.map((p) => matching.byNode.get(p)?.[0]).filter((k): k is number => k !== undefined);
  return firsts.length ? entries[Math.max(...firsts)] : null;
}

function location(e: { file: string; line: number; column: number }): SourceLocation {
  return { file: e.file, line: e.line, column: e.column, source: 'trace' };
}

/** The directly reproduced intermediates nearest before the culprit (at most three), for "… before it match". */
function matchedBefore(culprit: IntermediateName, matching: Matching): string {
  const names = ancestorsOf(culprit).filter((n) => n !== culprit && matching.byNode.has(n));
  return names.slice(-3).join(', ');
}

function culpritOf(target: IntermediateName, ok: ReadonlySet<IntermediateName>, refs: ReadonlyMap<IntermediateName, Dense>): IntermediateName | null {
  for (const name of ancestorsOf(target)) {
    if (ok.has(name) || !refs.has(name)) continue;
    if (INTERMEDIATE_INFO[name].parents.every((p) => ok.has(p) || !refs.has(p))) return name;
  }
  return null;
}

/** The intermediates another passed part vouches for (e.g. the data cost when feedforward-cost passed). */
function vouchedFor(passed: ReadonlySet<PartId>, c: GradingCase): IntermediateName[] {
  const out: IntermediateName[] = [];
  if (passed.has('feedforward-cost')) out.push('Jdata');
  if (passed.has('backprop-gradient')) out.push('Theta1GradData', 'Theta2GradData');
  if (c.family === 'nn-unreg' || c.family === 'numcheck-unreg' || (c.inputs as NnInputs).lambda === 0) {
    for (const n of INTERMEDIATES) if (INTERMEDIATE_INFO[n].regularization) out.push(n);
  }
  return out;
}

function shapeText(d: Dense): string {
  return `${d.rows}×${d.columns}`;
}

/** The culprit of one failed case, as a diagnosis with its line, or null when the trace cannot tell. */
async function locateInCase(
  part: PartId,
  c: GradingCase,
  returnedGrad: readonly number[] | undefined,
  entries: readonly TraceEntry[],
  reference: Reference | null,
  passed: ReadonlySet<PartId>,
  lang: Lang,
): Promise<Diagnosis | null> {
  const refs = await referenceValues(reference, c.inputs as NnInputs);
  if (refs.size === 0) return null;
  const vouched = vouchedFor(passed, c);
  const matching = matchEntries(entries, refs, new Set([...vouched.filter((n) => INTERMEDIATE_INFO[n].regularization), ...aliases(refs)]));
  for (const n of returnedBlocks(returnedGrad, refs)) matching.returned.add(n);
  const ok = knownRight(matching, vouched);
  const target: IntermediateName = COST_PARTS.has(part) ? 'J' : 'grad';
  const culprit = culpritOf(target, ok, refs);
  if (!culprit) return null;
  const ref = refs.get(culprit) as Dense;
  const info = INTERMEDIATE_INFO[culprit];
  const section = SECTION_OF_PART[info.part];
  const matched = matchedBefore(culprit, matching);
  const base = { node: culprit, shape: shapeText(ref), section, matched, hasMatched: matched ? 'some' : 'none' };
  const candidate = bestCandidate(entries, matching, culprit, refs);
  const after = afterParents(entries, matching, culprit);
  // A value with a structured difference is where it goes wrong; otherwise (a missing step, or
  // values unlike the reference) the last right value is the better place to look.
  const skipped = candidate && !candidate.strong && skipsStep(entryDense(entries[candidate.entry]) as Dense, culprit, refs);
  if (candidate && !skipped) {
    const e = entries[candidate.entry];
    const rowOfOne = candidate.want.rows === 1 && ref.rows > 1;
    const params = {
      ...base,
      ...candidate.diff.params,
      diff: candidate.diff.key,
      transposed: candidate.diff.transposed ? 'yes' : 'no',
      line: e.line,
      file: e.file,
      which: rowOfOne ? 'row' : 'whole',
      width: candidate.want.columns,
      strength: candidate.strong ? 'exact' : 'near',
    };
    const d = makeDiagnosis('blame:trace', 'diagnose.blame:trace.message' as MessageId, 'diagnose.blame:trace.hint' as MessageId, params, lang);
    d.location = location(e);
    return d;
  }
  // Nothing the code builds resembles it: the values it is computed from are the last right ones.
  // (A number, like the regularization term, is plain arithmetic after its last traced parts.)
  const scalar = ref.rows * ref.columns === 1;
  if (!after || (!candidate && !scalar && !derivesAnything(entries, matching, culprit))) return null;
  const d = makeDiagnosis('blame:trace', 'diagnose.blame:trace.after' as MessageId, 'diagnose.blame:trace.hint' as MessageId, { ...base, line: after.line, file: after.file, strength: 'near' }, lang);
  d.location = location(after);
  return d;
}

/** Whether anything traced is computed from the culprit's parents (else the code works with plain numbers there). */
function derivesAnything(entries: readonly TraceEntry[], matching: Matching, culprit: IntermediateName): boolean {
  const ids = new Set(INTERMEDIATE_INFO[culprit].parents.flatMap((p) => (matching.byNode.get(p) ?? []).map((k) => entries[k].id)).filter((id): id is number => !!id));
  return entries.some((e) => (e.args ?? []).some((a) => ids.has(a)) && !(e.inPlace && ids.has(e.id ?? 0)));
}

/** True for a trace diagnosis that points at the exact value that is wrong (not only near it). */
export function exactTrace(d: Diagnosis): boolean {
  return d.id === 'blame:trace' && d.params?.strength === 'exact';
}

/**
 * A matrix changed in place (an ml-matrix instance method) after its old values were used, and
 * used again afterwards: the later use reads the new values. Returns the in-place entry, where the
 * matrix was built, and the later use. Arguments of the function are left to the mutation checks.
 */
export function inPlaceHazard(entries: readonly TraceEntry[], inputIds: readonly number[] = []): { change: TraceEntry; built?: TraceEntry; use: TraceEntry } | null {
  const done = new Set<number>();
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k];
    const target = e.id;
    if (!e.inPlace || !target || done.has(target) || inputIds.includes(target)) continue;
    done.add(target);
    const reads = (j: number): boolean => {
      const x = entries[j];
      if (x.inPlace && x.id === target) return false;
      return (x.args ?? []).includes(target);
    };
    let before = false;
    for (let j = 0; j < k && !before; j++) before = reads(j);
    if (!before) continue;
    // The last use after the change: the first ones usually take the changed values on purpose
    // (`const notY = Y.neg().add(1)` then `times(notY, …)`); a later step reads the old name.
    let use = -1;
    for (let j = k + 1; j < entries.length; j++) if (reads(j)) use = j;
    if (use < 0) continue;
    const built = entries.find((x, i) => i < k && x.id === target && !x.inPlace);
    return built ? { change: e, built, use: entries[use] } : { change: e, use: entries[use] };
  }
  return null;
}

function inPlaceDiagnosis(h: NonNullable<ReturnType<typeof inPlaceHazard>>, lang: Lang): Diagnosis {
  const params = {
    method: h.change.op,
    line: h.change.line,
    builtLine: h.built?.line ?? 0,
    built: h.built ? 'line' : 'unknown',
    useLine: h.use.line,
    section: 'octave-to-typescript',
  };
  const d = makeDiagnosis('blame:in-place', 'diagnose.blame:in-place.message' as MessageId, 'diagnose.blame:in-place.hint' as MessageId, params, lang);
  d.location = location(h.change);
  return d;
}

/**
 * What the trace says about a failed nnCostFunction part: an in-place hazard, or the line where the
 * computation first goes wrong (live reference only), or that it cannot tell. Undefined for other
 * parts and for runs without a trace.
 * @param passed the parts that passed in this run (they vouch for shared intermediates)
 */
export async function traceFinding(ev: PartEvaluation, reference: Reference | null, passed: ReadonlySet<PartId>, lang: Lang): Promise<TraceFinding | undefined> {
  if (!NN_PARTS.has(ev.id)) return undefined;
  const traced = ev.cases.flatMap((ce) => {
    const o = ce.outcomes[0];
    if (!o?.ok || !o.observations.trace) return [];
    // Entries come from the student's process: a location must look like a file of the submission.
    const entries = o.observations.trace.filter((e) => isSubmissionFile(e.file) && (!e.inner || isSubmissionFile(e.inner.file)));
    return [{ ce, entries, inputs: Object.values(o.observations.traceInputs ?? {}) }];
  });
  if (traced.length === 0) return undefined;
  const hazard = inPlaceHazard(traced[0].entries, traced[0].inputs);
  if (hazard) return { diagnosis: inPlaceDiagnosis(hazard, lang), inPlace: true };
  // Only a returned value of the right type can be followed back through the trace: a Promise or a
  // string (`async`, a wrong return) has nothing the trace could locate, so it says nothing then.
  let followed = false;
  for (const { ce, entries } of traced) {
    if (ce.verdict !== 'failed' || (ce.case.family !== 'nn-unreg' && ce.case.family !== 'nn-reg')) continue;
    if (ce.comparison.problem === 'type') continue;
    followed = true;
    const returnedGrad = COST_PARTS.has(ev.id) ? undefined : ce.comparison.got;
    const d = await locateInCase(ev.id, ce.case, returnedGrad, entries, reference, passed, lang);
    if (d) return { diagnosis: d };
  }
  return followed ? { silent: true } : undefined;
}


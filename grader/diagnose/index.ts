/**
 * Diagnosis: names the student's mistake from their outputs (issue 4). It runs after comparison and
 * before scoring and never changes a verdict, only explains it.
 *
 * For each failed part:
 *   1. the variants of the part's own quantity (./variants.ts: the reference with one MistakeOptions
 *      switch, or two for pairs) are evaluated on the SAME cases as the student, and a catalogue
 *      mistake is named when the student matches its variant on every answered case, within the
 *      part's own tolerance, while failing the reference; singles first, then pairs;
 *   2. random-init is judged from values and call observations (./randinit.ts), numerical-gradient
 *      also from `thetaModified`;
 *   3. otherwise structural blame (./blame.ts, ids "blame:<kind>"), never a catalogue id.
 */
import { unrollCM } from '../cases/colmajor';
import { isProbe, type GradingCase } from '../cases/types';
import { compareValues, gradLayout, type Block } from '../compare/index';
import type { GradeOptions, Tolerance } from '../options';
import { numericalCheckTolerance } from '../parts/grad-tolerance';
import { PARTS, type PartId } from '../parts/ids';
import { NUMGRAD_TOLERANCE } from '../parts/numerical-gradient';
import type { CaseEvaluation, PartEvaluation } from '../parts/types';
import type { StoredReference } from '../cases/index';
import type { SealChecker } from '../compare/sealed';
import type { Reference } from '../reference/load';
import type { Diagnosis } from '../report/types';
import { allClose, blockBlame, constantFactor, permutation, type BlameCase, type Factor } from './blame';
import { catalogueDiagnosis, makeDiagnosis } from './catalogue';
import { PART_SECTION } from '../messages/guide';
import type { Lang, MessageId } from '../messages/index';
import { diagnoseRandInit } from './randinit';
import { liveSource, sealedSource, type VariantSource } from './source';
import { blockLocation, diagnosisLocation, functionOf, type SourceReader } from './sources';
import { exactTrace, isSubmissionFile, traceFinding } from './trace';
import { quantityOf, stepVariant, variantsFor, type Variant, type VariantQuantity } from './variants';

export { CATALOGUE_IDS, type CatalogueId } from './catalogue';

export interface DiagnoseContext {
  /** The live reference (with its MistakeOptions hooks), or null in sealed mode. */
  reference: Reference | null;
  options: GradeOptions;
  seed: number;
  /** The student's files, for the line a diagnosis is about (none: diagnoses get no location from the source). */
  sources?: SourceReader;
  /** Filled with the parts whose trace was recorded but could not tell where the mistake is. */
  traceSilent?: Set<PartId>;
  /** Sealed mode: the public fixtures (variants in the clear) and the sealed pool (variants sealed). */
  stored?: StoredReference;
  /** Sealed mode: verifies answers against sealed variant outputs. */
  seals?: SealChecker;
}

/** A case the student answered (right type and shape), with the numbers the part judged. */
interface Answered {
  ce: CaseEvaluation;
  got: number[];
  tol: Tolerance;
}

/** The tolerance the part's judge used for this case. */
function toleranceFor(c: GradingCase, options: GradeOptions): Tolerance {
  switch (c.family) {
    case 'numcheck-unreg':
    case 'numcheck-reg':
      return numericalCheckTolerance(options.tolerance);
    case 'numgrad':
      return NUMGRAD_TOLERANCE;
    default:
      return options.tolerance;
  }
}

/**
 * Answered cases, failed ones first: a variant must explain the failures, so they reject it fastest.
 * The speed probes are left out: a 10,000-parameter network per variant would cost seconds and
 * tells nothing the small cases do not.
 */
function answeredCases(ev: PartEvaluation, options: GradeOptions): Answered[] {
  const out: Answered[] = [];
  for (const ce of ev.cases) {
    const got = ce.comparison.got;
    if (ce.verdict === 'errored' || ce.error || !got || isProbe(ce.case)) continue;
    out.push({ ce, got, tol: toleranceFor(ce.case, options) });
  }
  return out.sort((a, b) => Number(a.ce.verdict === 'passed') - Number(b.ce.verdict === 'passed'));
}

/** True when the student matches the variant on every answered case it has an output for, including a failed one. */
function matches(v: Variant, q: VariantQuantity, answered: readonly Answered[], source: VariantSource): boolean {
  let explainsFailure = false;
  for (const a of answered) {
    const out = source.output(a.ce.case, q, v);
    if (!out) {
      // Sealed mode: a hidden case's variant output is a seal; a match is a hash match.
      const sealed = source.sealedMatch?.(a.ce.case, q, v, a.got);
      if (sealed === false) return false;
      if (sealed === true && a.ce.verdict === 'failed') explainsFailure = true;
      if (sealed === undefined && source.live) return false;
      continue; // otherwise only the stored cases can be compared
    }
    if (out.length !== a.got.length || !allClose(a.got, out, a.tol)) return false;
    // The grader's own comparison has the last word (NaN and Infinity rules included).
    if (!compareValues(a.got, out, { fn: 'diagnose', what: q, layout: { kind: 'vector', length: out.length } }, a.tol).passed) return false;
    if (a.ce.verdict === 'failed') explainsFailure = true;
  }
  return explainsFailure;
}

/** Diagnoses of the matched variants, one per catalogue id (the first match's details). */
function named(variants: readonly Variant[], part: PartId, lang: Lang): Diagnosis[] {
  const seen = new Set<string>();
  const out: Diagnosis[] = [];
  for (const v of variants) {
    for (const n of v.names) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      out.push(catalogueDiagnosis(n.id, part, lang, n.detail));
    }
  }
  return out;
}

/**
 * Estimates a wrong numerical-gradient step from the student's numbers (live reference only): the
 * step whose central difference comes closest on a curved function, rounded to the kind of number a
 * student types (1 or 2 significant digits).
 */
function estimatedSteps(answered: readonly Answered[], source: VariantSource): Variant[] {
  const probe = answered.find((a) => a.ce.verdict === 'failed' && a.ce.case.family === 'numgrad' && a.ce.case.inputs.J !== 'quadratic');
  if (!probe) return [];
  const distance = (e: number): number => {
    const out = source.output(probe.ce.case, 'numgrad', stepVariant(e));
    if (!out) return Infinity;
    let s = 0;
    for (let p = 0; p < out.length; p++) s += Math.abs(out[p] - probe.got[p]);
    return s;
  };
  let best = -4;
  let bestD = Infinity;
  for (let x = -8; x <= 0.001; x += 0.1) {
    const d = distance(10 ** x);
    if (d < bestD) [best, bestD] = [x, d];
  }
  // Golden-section refinement around the best grid point.
  let lo = best - 0.1;
  let hi = best + 0.1;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 30; i++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (distance(10 ** a) < distance(10 ** b)) hi = b;
    else lo = a;
  }
  const e = 10 ** ((lo + hi) / 2);
  const candidates = new Set([Number(e.toPrecision(1)), Number(e.toPrecision(2))]);
  candidates.delete(1e-4);
  return [...candidates].map(stepVariant);
}

/** Catalogue mistakes matched by the part's variants (singles, then pairs, then estimated steps). */
function matchCatalogue(ev: PartEvaluation, answered: readonly Answered[], source: VariantSource, lang: Lang): Diagnosis[] {
  const q = quantityOf(ev.id);
  const { singles, pairs } = variantsFor(ev.id);
  const hit = singles.filter((v) => matches(v, q, answered, source));
  if (hit.length > 0) return named(hit, ev.id, lang);
  if (!source.live) return [];
  const pairHit = pairs.find((v) => matches(v, q, answered, source));
  if (pairHit) return named([pairHit], ev.id, lang);
  if (ev.id === 'numerical-gradient') {
    const stepHit = estimatedSteps(answered, source).find((v) => matches(v, q, answered, source));
    if (stepHit) return named([stepHit], ev.id, lang);
  }
  return [];
}

// ---- structural blame ---------------------------------------------------------------------------

/** The expected numbers of a case for the part's quantity (column-major), when the case has them. */
function expectedOf(c: GradingCase, q: VariantQuantity): number[] | undefined {
  switch (c.family) {
    case 'nn-unreg':
    case 'nn-reg':
      return c.expected ? (q === 'J' ? [c.expected.J] : c.expected.grad) : undefined;
    case 'numcheck-unreg':
    case 'numcheck-reg':
      return q === 'grad' ? c.expected?.numgrad : undefined;
    case 'sigmoid':
      return c.expected ? unrollCM(c.expected.g) : undefined;
    case 'numgrad':
      return c.expected?.numgrad;
    case 'rand-init':
      return undefined;
  }
}

interface NnBlameCase extends BlameCase {
  blocks: readonly Block[];
}

function blameCases(answered: readonly Answered[], q: VariantQuantity): NnBlameCase[] {
  const out: NnBlameCase[] = [];
  for (const a of answered) {
    const expected = expectedOf(a.ce.case, q);
    if (!expected || expected.length !== a.got.length) continue;
    const c = a.ce.case;
    let blocks: readonly Block[] = [];
    let m: number | undefined;
    if (c.family === 'nn-unreg' || c.family === 'nn-reg' || c.family === 'numcheck-unreg' || c.family === 'numcheck-reg') {
      const i = c.inputs;
      m = i.X.length;
      const layout = gradLayout(i.inputLayerSize, i.hiddenLayerSize, i.numLabels);
      blocks = layout.kind === 'vector' ? (layout.blocks ?? []) : [];
    }
    out.push({ got: a.got, expected, tol: a.tol, m, blocks });
  }
  return out;
}

/** Passed on every case (undefined when the part is not graded in this run). */
function partPassed(evaluations: readonly PartEvaluation[], id: PartId): boolean | undefined {
  const ev = evaluations.find((e) => e.id === id);
  return ev ? ev.cases.every((c) => c.verdict === 'passed') : undefined;
}

const BLOCK_NAMES = ['Theta1', 'Theta2'];

function blame(ev: PartEvaluation, answered: readonly Answered[], evaluations: readonly PartEvaluation[], lang: Lang): Diagnosis[] {
  const part = ev.id;
  const q = quantityOf(part);
  const base = { fn: PARTS[part].fn, q, section: PART_SECTION[part] };
  const cases = blameCases(answered, q);
  const out: Diagnosis[] = [];
  const say = (id: string, messageId: string, hintId: string, params: Record<string, string | number> = {}): void => {
    out.push(makeDiagnosis(id, messageId as MessageId, hintId as MessageId, { ...base, ...params }, lang));
  };

  // Cross-part patterns: which related parts passed tells where the error is.
  if (part === 'regularized-cost' && partPassed(evaluations, 'feedforward-cost')) {
    say('blame:regularization-only', 'diagnose.blame:regularization-only.message.cost', 'diagnose.blame:regularization-only.hint.cost');
  }
  if (part === 'regularized-gradient' && partPassed(evaluations, 'backprop-gradient')) {
    say('blame:regularization-only', 'diagnose.blame:regularization-only.message.grad', 'diagnose.blame:regularization-only.hint.grad');
  }
  const costTwin: Partial<Record<PartId, PartId>> = { 'backprop-gradient': 'feedforward-cost', 'regularized-gradient': 'regularized-cost' };
  const gradTwin: Partial<Record<PartId, PartId>> = { 'feedforward-cost': 'backprop-gradient', 'regularized-cost': 'regularized-gradient' };
  const twinCost = costTwin[part];
  if (twinCost && partPassed(evaluations, twinCost)) {
    const which = part === 'regularized-gradient' ? 'regularized' : 'backprop';
    say('blame:gradient-only', `diagnose.blame:gradient-only.message.${which}`, 'diagnose.blame:gradient-only.hint');
  }
  const twinGrad = gradTwin[part];
  if (twinGrad && partPassed(evaluations, twinGrad)) {
    say('blame:cost-only', 'diagnose.blame:cost-only.message', `diagnose.blame:cost-only.hint.${part === 'regularized-cost' ? 'reg' : 'unreg'}`);
  }
  if (cases.length === 0) return out;

  // Value patterns on the part's own numbers.
  const perm = permutation(cases, q === 'grad' ? (c) => (c as NnBlameCase).blocks : undefined);
  if (perm) {
    say('blame:permutation', 'diagnose.blame:permutation.message', `diagnose.blame:permutation.hint.${q === 'grad' ? 'grad' : 'other'}`, { mapping: perm.mapping ?? 'other' });
    return out;
  }
  const factor = constantFactor(cases);
  if (factor) {
    say(
      'blame:constant-factor',
      `diagnose.blame:constant-factor.message.${q === 'J' ? 'J' : 'other'}`,
      `diagnose.blame:constant-factor.hint.${factor.label.includes('m') ? 'm' : 'other'}`,
      { factor: factor.kind, label: factor.label },
    );
    return out;
  }
  if (q === 'grad') {
    const bb = blockBlame(cases, (c) => (c as NnBlameCase).blocks);
    if (bb.biasOnly) {
      say('blame:bias-columns', 'diagnose.blame:bias-columns.message', 'diagnose.blame:bias-columns.hint', { blocks: bb.wrongBiasBlocks.map((i) => BLOCK_NAMES[i]).join(' & ') });
    } else if (bb.wrongBlocks.length === 1) {
      const id = bb.wrongBlocks[0] === 0 ? 'blame:theta1-gradient' : 'blame:theta2-gradient';
      const f: Record<string, string> = bb.factor ? { hasFactor: 'some', factor: bb.factor.kind, label: bb.factor.label } : { hasFactor: 'none' };
      say(id, `diagnose.${id}.message`, `diagnose.${id}.hint`, f);
    } else if (bb.wrongBlocks.length === 2) {
      say('blame:both-gradient-blocks', 'diagnose.blame:both-gradient-blocks.message', 'diagnose.blame:both-gradient-blocks.hint');
    }
  }
  return out;
}

// ---- the stage ----------------------------------------------------------------------------------

/** numerical-gradient: theta changed in the caller's hands is a perturbation that was not restored. */
function thetaNotRestored(ev: PartEvaluation, already: readonly Diagnosis[], lang: Lang): Diagnosis[] {
  if (already.some((d) => d.id === 'numgrad-not-restored')) return [];
  const modified = ev.cases.some((ce) => ce.outcomes.some((o) => o.ok && o.observations.thetaModified === true));
  return modified ? [catalogueDiagnosis('numgrad-not-restored', ev.id, lang, { key: 'theta-modified' })] : [];
}

/** An argument changed in place explains a failure before any value pattern does (numerical-gradient keeps its catalogue name). */
function mutatedArgument(ev: PartEvaluation, lang: Lang): Diagnosis | null {
  if (ev.id === 'numerical-gradient') return null;
  for (const ce of ev.cases) {
    for (const o of ce.outcomes) {
      if (!o.ok || !o.observations.mutated?.length) continue;
      const argument = o.observations.mutated[0];
      const by = o.observations.mutatedBy?.find((c) => c.argument === argument);
      const params = { fn: PARTS[ev.id].fn, argument, by: by ? 'method' : 'none', method: by?.method ?? '', line: by?.line ?? 0, section: 'octave-to-typescript' };
      const d = makeDiagnosis('blame:mutated-argument', 'diagnose.blame:mutated-argument.message' as MessageId, 'diagnose.blame:mutated-argument.hint' as MessageId, params, lang);
      if (by && by.line > 0 && isSubmissionFile(by.file)) d.location = { file: by.file, line: by.line, column: by.column, source: 'trace' };
      return d;
    }
  }
  return null;
}

/** The length of the grad a call returned, when it returned a vector or a matrix. */
function gradLength(ce: CaseEvaluation): number | undefined {
  const o = ce.outcomes[0];
  if (!o?.ok || o.value.kind !== 'cost-and-gradient') return undefined;
  const g = o.value.grad;
  if (g.kind === 'array' || g.kind === 'float64array') return g.data.length;
  if (g.kind === 'matrix') return g.rows * g.columns;
  return undefined;
}

/** grad of the wrong length: which shape its length matches (Theta1_grad alone, no bias columns…). */
function wrongLength(ev: PartEvaluation, lang: Lang): Diagnosis | null {
  if (quantityOf(ev.id) !== 'grad') return null;
  const ce = ev.cases.find((c) => c.verdict === 'failed' && c.comparison.problem === 'shape' && gradLength(c) !== undefined);
  if (!ce || (ce.case.family !== 'nn-unreg' && ce.case.family !== 'nn-reg' && ce.case.family !== 'numcheck-unreg' && ce.case.family !== 'numcheck-reg')) return null;
  const { inputLayerSize: n, hiddenLayerSize: h, numLabels: K } = ce.case.inputs;
  const length = gradLength(ce) as number;
  const b1 = h * (n + 1);
  const b2 = K * (h + 1);
  const kind = length === b1 ? 'theta1-only' : length === b2 ? 'theta2-only' : length === h * n + K * h ? 'no-bias-columns' : 'other';
  const params = { length, expected: b1 + b2, kind, b1, b2, shape1: `${h}×${n + 1}`, shape2: `${K}×${h + 1}`, section: PART_SECTION[ev.id] };
  return makeDiagnosis('blame:wrong-length', 'diagnose.blame:wrong-length.message' as MessageId, 'diagnose.blame:wrong-length.hint' as MessageId, params, lang);
}

/** The value patterns: catalogue mistakes first, then structural blame. */
async function namedOrBlamed(ev: PartEvaluation, evaluations: readonly PartEvaluation[], source: () => Promise<VariantSource>, options: GradeOptions): Promise<Diagnosis[]> {
  if (ev.id === 'random-init') return diagnoseRandInit(ev, options.lang);
  const answered = answeredCases(ev, options);
  if (!answered.some((a) => a.ce.verdict === 'failed')) {
    const length = wrongLength(ev, options.lang);
    return length ? [length] : []; // nothing else answered wrong: errors speak for themselves
  }
  const found = matchCatalogue(ev, answered, await source(), options.lang);
  if (ev.id === 'numerical-gradient') found.push(...thetaNotRestored(ev, found, options.lang));
  return found.length > 0 ? found : blame(ev, answered, evaluations, options.lang);
}

/** Gives each diagnosis without one the line of the student's code it is about (or the part's block). */
function locate(diagnoses: Diagnosis[], part: PartId, sources: SourceReader | undefined, traced?: Diagnosis): void {
  const src = sources?.(functionOf(part)) ?? null;
  for (const d of diagnoses) {
    if (d.location) continue;
    if (traced?.location && exactTrace(traced)) d.location = { ...traced.location };
    else if (src) d.location = diagnosisLocation(src, part, d.id, typeof d.params?.detail === 'string' ? d.params.detail : undefined) ?? blockLocation(src, part) ?? undefined;
    if (!d.location) delete d.location;
  }
}

async function diagnosePart(ev: PartEvaluation, evaluations: readonly PartEvaluation[], source: () => Promise<VariantSource>, ctx: DiagnoseContext): Promise<Diagnosis[]> {
  const { options } = ctx;
  const mutated = mutatedArgument(ev, options.lang);
  if (mutated) {
    locate([mutated], ev.id, ctx.sources);
    return [mutated];
  }
  const passed = new Set(evaluations.filter((e) => e.cases.every((c) => c.verdict === 'passed')).map((e) => e.id));
  const finding = options.trace === false ? undefined : await traceFinding(ev, ctx.reference, passed, options.lang);
  // A matrix changed in place explains the wrong values; naming a catalogue mistake would mislead.
  if (finding?.inPlace && finding.diagnosis) return [finding.diagnosis];
  if (finding?.silent) ctx.traceSilent?.add(ev.id);
  const found = await namedOrBlamed(ev, evaluations, source, options);
  if (found.length === 0 && !finding?.diagnosis) return [];
  locate(found, ev.id, ctx.sources, finding?.diagnosis);
  if (finding?.diagnosis) found.push(finding.diagnosis);
  return found;
}

/**
 * Diagnoses for the failed parts, by part id (parts without diagnoses are absent). Never throws for
 * a student's values; a part whose diagnosis fails internally is left without one.
 * @param evaluations every graded part with its cases: inputs, expected outputs, the student's
 *        outcomes and the comparisons
 * @param ctx the live reference (variants computed on the fly) or null (stored variant outputs)
 */
export async function diagnose(evaluations: PartEvaluation[], ctx: DiagnoseContext): Promise<Map<PartId, Diagnosis[]>> {
  const out = new Map<PartId, Diagnosis[]>();
  if (ctx.options.diagnose === false) return out;
  let source: Promise<VariantSource> | undefined;
  const getSource = () => (source ??= ctx.reference ? liveSource(ctx.reference) : Promise.resolve(sealedSource(ctx.stored, ctx.seals)));
  for (const ev of evaluations) {
    if (ev.cases.every((c) => c.verdict === 'passed')) continue;
    try {
      const d = await diagnosePart(ev, evaluations, getSource, ctx);
      if (d.length > 0) out.set(ev.id, d);
    } catch {
      // Diagnosis explains; it must never cost a student their report.
    }
  }
  return out;
}

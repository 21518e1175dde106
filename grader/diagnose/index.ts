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
import type { GradingCase } from '../cases/types';
import { compareValues, gradLayout, type Block } from '../compare/index';
import type { GradeOptions, Tolerance } from '../options';
import { numericalCheckTolerance } from '../parts/grad-tolerance';
import { PARTS, type PartId } from '../parts/ids';
import { NUMGRAD_TOLERANCE } from '../parts/numerical-gradient';
import type { CaseEvaluation, PartEvaluation } from '../parts/types';
import { loadFixtures } from '../reference/fixtures';
import type { Reference } from '../reference/load';
import type { Diagnosis } from '../report/types';
import { allClose, blockBlame, constantFactor, permutation, type BlameCase, type Factor } from './blame';
import { catalogueDiagnosis } from './catalogue';
import { diagnoseRandInit } from './randinit';
import { liveSource, storedSource, type VariantSource } from './source';
import { quantityOf, stepVariant, variantsFor, type Variant, type VariantQuantity } from './variants';

export { CATALOGUE_IDS, type CatalogueId } from './catalogue';

export interface DiagnoseContext {
  /** The live reference (with its MistakeOptions hooks), or null in fixtures mode. */
  reference: Reference | null;
  options: GradeOptions;
  seed: number;
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

/** Answered cases, failed ones first: a variant must explain the failures, so they reject it fastest. */
function answeredCases(ev: PartEvaluation, options: GradeOptions): Answered[] {
  const out: Answered[] = [];
  for (const ce of ev.cases) {
    const got = ce.comparison.got;
    if (ce.verdict === 'errored' || ce.error || !got) continue;
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
      if (source.live) return false;
      continue; // stored fixtures: only the stored cases can be compared
    }
    if (out.length !== a.got.length || !allClose(a.got, out, a.tol)) return false;
    // The grader's own comparison has the last word (NaN and Infinity rules included).
    if (!compareValues(a.got, out, { fn: 'diagnose', what: q, layout: { kind: 'vector', length: out.length } }, a.tol).passed) return false;
    if (a.ce.verdict === 'failed') explainsFailure = true;
  }
  return explainsFailure;
}

/** Diagnoses of the matched variants, one per catalogue id (the first match's details). */
function named(variants: readonly Variant[], part: PartId): Diagnosis[] {
  const seen = new Set<string>();
  const out: Diagnosis[] = [];
  for (const v of variants) {
    for (const n of v.names) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      out.push(catalogueDiagnosis(n.id, part, n.detail));
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
function matchCatalogue(ev: PartEvaluation, answered: readonly Answered[], source: VariantSource): Diagnosis[] {
  const q = quantityOf(ev.id);
  const { singles, pairs } = variantsFor(ev.id);
  const hit = singles.filter((v) => matches(v, q, answered, source));
  if (hit.length > 0) return named(hit, ev.id);
  if (!source.live) return [];
  const pairHit = pairs.find((v) => matches(v, q, answered, source));
  if (pairHit) return named([pairHit], ev.id);
  if (ev.id === 'numerical-gradient') {
    const stepHit = estimatedSteps(answered, source).find((v) => matches(v, q, answered, source));
    if (stepHit) return named([stepHit], ev.id);
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

function blame(ev: PartEvaluation, answered: readonly Answered[], evaluations: readonly PartEvaluation[]): Diagnosis[] {
  const part = ev.id;
  const q = quantityOf(part);
  const step = `see the notes, ${PARTS[part].notesStep}`;
  const fn = `\`${PARTS[part].fn}\``;
  const what = q === 'J' ? 'the cost J' : q;
  const cases = blameCases(answered, q);
  const out: Diagnosis[] = [];
  const factorBlame = (f: Factor, whose: string): Diagnosis => ({
    id: 'blame:constant-factor',
    message: `${whose} is ${f.words}, on every case (${f.label}).`,
    hint: f.label.includes('m') ? `Check where you divide by m: ${step}.` : `Look for a stray constant or sign: ${step}.`,
  });

  // Cross-part patterns: which related parts passed tells where the error is.
  if (part === 'regularized-cost' && partPassed(evaluations, 'feedforward-cost')) {
    out.push({
      id: 'blame:regularization-only',
      message: 'Your cost J is right at λ = 0 but not at λ > 0: the error is in the regularization term.',
      hint: 'J adds λ/(2m)·(sum of the squared weights of Theta1(:, 2:end) and Theta2(:, 2:end)): see the regularized cost step.',
    });
  }
  if (part === 'regularized-gradient' && partPassed(evaluations, 'backprop-gradient')) {
    out.push({
      id: 'blame:regularization-only',
      message: 'Your gradient is right at λ = 0 but not at λ > 0: the error is in the regularization term of the gradient.',
      hint: 'Add (λ/m)·Theta to columns 2:end of each gradient (not to column 1): see the regularized gradient step.',
    });
  }
  const costTwin: Partial<Record<PartId, PartId>> = { 'backprop-gradient': 'feedforward-cost', 'regularized-gradient': 'regularized-cost' };
  const gradTwin: Partial<Record<PartId, PartId>> = { 'feedforward-cost': 'backprop-gradient', 'regularized-cost': 'regularized-gradient' };
  const twinCost = costTwin[part];
  if (twinCost && partPassed(evaluations, twinCost)) {
    out.push({
      id: 'blame:gradient-only',
      message: `Your cost J is right on the same inputs, so the feedforward is right: the error is in the gradient${part === 'regularized-gradient' ? ' (backpropagation or its regularization)' : ' (backpropagation)'}.`,
      hint: `Check δ3 = a3 − Y, δ2 = (δ3·Theta2(:, 2:end)) .* g′(z2) and the accumulated Δ / m: ${step}.`,
    });
  }
  const twinGrad = gradTwin[part];
  if (twinGrad && partPassed(evaluations, twinGrad)) {
    out.push({
      id: 'blame:cost-only',
      message: 'Your gradient is right on the same inputs, so the feedforward (a1, a2, a3) is right: the error is in the formula of J itself.',
      hint: `J = (1/m)·Σ Σ [−y·log(a3) − (1 − y)·log(1 − a3)]${part === 'regularized-cost' ? ' + λ/(2m)·Σ(non-bias weights)²' : ''}: ${step}.`,
    });
  }
  if (cases.length === 0) return out;

  // Value patterns on the part's own numbers.
  const perm = permutation(cases, q === 'grad' ? (c) => (c as NnBlameCase).blocks : undefined);
  if (perm) {
    const how =
      perm.mapping === 'row-major'
        ? ' They are unrolled row by row; Octave\'s (:) goes down each column first.'
        : perm.mapping === 'blocks-swapped'
          ? " Theta2's part comes before Theta1's."
          : perm.mapping === 'reversed'
            ? ' They are in reverse order.'
            : '';
    out.push({
      id: 'blame:permutation',
      message: `${fn} returned the right numbers for ${what}, but in the wrong order.${how}`,
      hint: q === 'grad' ? `grad = [Theta1_grad(:); Theta2_grad(:)], each unrolled column by column (unroll does this): ${step}.` : `Keep every element at its own position (same shape as the input): ${step}.`,
    });
    return out;
  }
  const factor = constantFactor(cases);
  if (factor) {
    out.push(factorBlame(factor, `${q === 'J' ? 'Your cost J' : `The ${what} returned by ${fn}`}`));
    return out;
  }
  if (q === 'grad') {
    const bb = blockBlame(cases, (c) => (c as NnBlameCase).blocks);
    if (bb.biasOnly) {
      const which = bb.wrongBiasBlocks.map((b) => BLOCK_NAMES[b]).join(' and ');
      out.push({
        id: 'blame:bias-columns',
        message: `Only the bias column (column 1) of the ${which} part of grad is wrong; every other entry is right.`,
        hint: `The bias column's gradient is δ' times the column of ones, divided by m, and is never regularized: ${step}.`,
      });
    } else if (bb.wrongBlocks.length === 1) {
      const b = bb.wrongBlocks[0];
      const other = BLOCK_NAMES[1 - b];
      const f = bb.factor ? ` It is ${bb.factor.words} (${bb.factor.label}).` : '';
      out.push({
        id: b === 0 ? 'blame:theta1-gradient' : 'blame:theta2-gradient',
        message: `Only the ${BLOCK_NAMES[b]} part of grad (${BLOCK_NAMES[b]}_grad) is wrong; the ${other} part is right.${f}`,
        hint:
          b === 0
            ? `Theta1_grad = δ2'·a1 / m with δ2 = (δ3·Theta2(:, 2:end)) .* g′(z2): ${step}.`
            : `Theta2_grad = δ3'·a2 / m with δ3 = a3 − Y: ${step}.`,
      });
    } else if (bb.wrongBlocks.length === 2) {
      out.push({
        id: 'blame:both-gradient-blocks',
        message: 'Both the Theta1 and the Theta2 parts of grad are wrong, so the error is likely early in backpropagation (δ3, or something both share).',
        hint: `Start from δ3 = a3 − Y, then Theta2_grad = δ3'·a2 / m: ${step}.`,
      });
    }
  }
  return out;
}

// ---- the stage ----------------------------------------------------------------------------------

/** numerical-gradient: theta changed in the caller's hands is a perturbation that was not restored. */
function thetaNotRestored(ev: PartEvaluation, already: readonly Diagnosis[]): Diagnosis[] {
  if (already.some((d) => d.id === 'numgrad-not-restored')) return [];
  const modified = ev.cases.some((ce) => ce.outcomes.some((o) => o.ok && o.observations.thetaModified === true));
  return modified ? [catalogueDiagnosis('numgrad-not-restored', ev.id, "after the call, the caller's theta holds different values")] : [];
}

async function diagnosePart(ev: PartEvaluation, evaluations: readonly PartEvaluation[], source: () => Promise<VariantSource>, options: GradeOptions): Promise<Diagnosis[]> {
  if (ev.id === 'random-init') return diagnoseRandInit(ev);
  const answered = answeredCases(ev, options);
  if (!answered.some((a) => a.ce.verdict === 'failed')) return []; // nothing answered wrong: errors speak for themselves
  const found = matchCatalogue(ev, answered, await source());
  if (ev.id === 'numerical-gradient') found.push(...thetaNotRestored(ev, found));
  return found.length > 0 ? found : blame(ev, answered, evaluations);
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
  const getSource = () => (source ??= ctx.reference ? liveSource(ctx.reference) : Promise.resolve(storedSource(loadFixtures().variants)));
  for (const ev of evaluations) {
    if (ev.cases.every((c) => c.verdict === 'passed')) continue;
    try {
      const d = await diagnosePart(ev, evaluations, getSource, ctx.options);
      if (d.length > 0) out.set(ev.id, d);
    } catch {
      // Diagnosis explains; it must never cost a student their report.
    }
  }
  return out;
}

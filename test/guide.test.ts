/**
 * The student handout (exercises/GUIDE.md, exercises/GUIDE.zh-CN.md): both render on GitHub
 * (headings, tables, math: every formula parses with KaTeX, GitHub's `$` quirks avoided), carry
 * the same anchors in the one step order, name every catalogue mistake with its catalogue title,
 * and state values that the reference still computes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { checkNNGradients } from '../exercises/lib/checkNNGradients';
import { debugInitializeWeights } from '../exercises/lib/debugInitializeWeights';
import { loadDigits } from '../exercises/lib/digits';
import { readMatFileDetailed } from '../exercises/lib/matfile';
import { unroll } from '../exercises/lib/matrix';
import { courseraNnInputs, courseraSigmoidInput } from '../grader/cases/public';
import { publicNumGradCase } from '../grader/cases/numgrad';
import { CATALOGUE_IDS } from '../grader/diagnose/catalogue';
import { GUIDE_SECTIONS, guideFile } from '../grader/messages/guide';
import { LANGS, t, type Lang, type MessageId } from '../grader/messages/index';
import { PACKAGE_ROOT } from '../grader/paths';
import type { MistakeOptions } from '../grader/reference/contract';
import { evaluateKnownFunction } from '../grader/sandbox/functions';
import * as solutions from '../solutions/index';
import { referenceCostFunction, referenceNumericalGradient, referenceSigmoidGradient } from '../solutions/reference';
import { formulaError, parseGuide, tableProblems, type GuideDocument } from './helpers/guideMarkdown';
import { englishRuns } from './helpers/englishRuns';

const guides = Object.fromEntries(LANGS.map((lang) => [lang, parseGuide(join(PACKAGE_ROOT, guideFile(lang)))])) as Record<Lang, GuideDocument>;
const MISTAKE_ANCHORS = CATALOGUE_IDS.map((id) => `mistake-${id}`);

describe.each(LANGS)('%s guide renders on GitHub', (lang) => {
  const doc = guides[lang];

  it('uses no Markdown that GitHub renders differently from CommonMark + GFM + math', () => {
    expect(doc.problems).toEqual([]);
  });

  it('has formulas, and every one of them parses (KaTeX, strict)', () => {
    expect(doc.formulas.length).toBeGreaterThan(50);
    expect(doc.formulas.map(formulaError).filter(Boolean)).toEqual([]);
  });

  it('has tables whose every row has the header row\'s number of cells', () => {
    expect(doc.tables.length).toBeGreaterThanOrEqual(10);
    expect(tableProblems(doc)).toEqual([]);
  });

  it('has the numbered sections of GUIDE_SECTIONS, in that order, each under its explicit anchor', () => {
    const sections = doc.headings.filter((h) => h.depth === 2);
    expect(sections.map((h) => h.anchor)).toEqual([...GUIDE_SECTIONS]);
    sections.forEach((h, i) => expect(h.text).toMatch(new RegExp(`^${i + 1}\\. \\S`)));
  });

  it('has one entry per diagnosis catalogue id, titled with the catalogue\'s own title', () => {
    const mistakes = doc.headings.filter((h) => h.anchor.startsWith('mistake-'));
    expect(mistakes.map((h) => h.anchor).sort()).toEqual([...MISTAKE_ANCHORS].sort());
    for (const id of CATALOGUE_IDS) {
      const heading = mistakes.find((h) => h.anchor === `mistake-${id}`);
      const title = t(`diagnose.${id}.title` as MessageId, {}, lang);
      expect(heading?.text).toBe(lang === 'zh-CN' ? `${title}（${id}）` : `${title} (${id})`);
      expect(heading?.depth).toBe(4);
    }
  });

  it('has every anchor once, and every link inside the guide points at one of them', () => {
    expect(new Set(doc.anchors).size).toBe(doc.anchors.length);
    const links = [...doc.source.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(10);
    expect(links.filter((a) => !doc.anchors.includes(a))).toEqual([]);
  });

  it('names each section as the catalogue does (the number and title the grader prints)', () => {
    const sections = doc.headings.filter((h) => h.depth === 2);
    for (const [i, section] of GUIDE_SECTIONS.entries()) {
      const text = t(`guide.section.${section}` as MessageId, {}, lang);
      const m = lang === 'zh-CN' ? /^指南第 (\d+) 节“(.+)”$/.exec(text) : /^section (\d+) of the guide, (.+)$/.exec(text);
      expect(m, text).not.toBeNull();
      expect(Number(m?.[1])).toBe(i + 1);
      expect(sections[i].text.replace(/^\d+\. /, '').toLowerCase()).toBe(m?.[2].toLowerCase());
    }
  });
});

describe('the two guides', () => {
  it('carry the same anchors in the same order', () => {
    expect(guides['zh-CN'].anchors).toEqual(guides.en.anchors);
  });

  it('link to each other', () => {
    expect(guides.en.source).toContain('](GUIDE.zh-CN.md)');
    expect(guides['zh-CN'].source).toContain('](GUIDE.md)');
  });

  it('the Chinese guide has no English sentence outside code and formulas', () => {
    expect(englishRuns(proseOf(guides['zh-CN']))).toEqual([]);
  });
});

/** The guide's text nodes (no code, no math, no HTML), one per line. */
function proseOf(doc: GuideDocument): string {
  const out: string[] = [];
  const visit = (node: { type: string; value?: string; children?: unknown[] }): void => {
    if (node.type === 'text' && node.value) out.push(node.value);
    for (const child of node.children ?? []) visit(child as typeof node);
  };
  visit(doc.tree);
  return out.join('\n');
}

// ---- the values the guides state, recomputed ------------------------------------------------

const f6 = (v: number): string => v.toFixed(6);
const list = (v: ArrayLike<number>): string => Array.from(v, f6).join(' ');

/** Asserts that both guides state `value` (and that it is what the reference computes: the caller's `expected`). */
function stated(value: string): void {
  for (const lang of LANGS) expect(guides[lang].source, `${guideFile(lang)} should state ${value}`).toContain(value);
}

function coursera(lambda: number, mistakes: MistakeOptions = {}): { J: number; grad: Float64Array } {
  const a = courseraNnInputs(lambda);
  return referenceCostFunction(a.nnParams, a.inputLayerSize, a.hiddenLayerSize, a.numLabels, new Matrix(a.X), a.y, lambda, mistakes);
}

describe('the values the guides state are the reference\'s', () => {
  it('Coursera\'s case: the costs and all 32 gradient entries at λ = 0 and 1.5', () => {
    const unreg = coursera(0);
    const reg = coursera(1.5);
    expect(f6(unreg.J)).toBe('3.087449');
    expect(f6(reg.J)).toBe('3.647041');
    stated('`3.087449`');
    stated('`3.647041`');
    for (const { grad } of [unreg, reg]) {
      stated(list(grad.subarray(0, 12)));
      stated(list(grad.subarray(12)));
    }
    // The bias columns (entries 1–4 and 13–16) do not change with λ.
    expect(list(reg.grad.subarray(0, 4))).toBe(list(unreg.grad.subarray(0, 4)));
    expect(list(reg.grad.subarray(12, 16))).toBe(list(unreg.grad.subarray(12, 16)));
  });

  it('Coursera\'s case with each cost mistake of the guide', () => {
    const cases: [MistakeOptions, number, string][] = [
      [{ missingBiasUnit: 'a1' }, 0, '3.150442'],
      [{ missingBiasUnit: 'a2' }, 0, '2.770351'],
      [{ labelsNotOneHot: true }, 0, '2.700929'],
      [{ labelsOffByOne: true }, 0, '3.088954'],
      [{ squaredErrorCost: true }, 0, '0.573206'],
      [{ missingAverage: 'cost' }, 0, '49.399187'],
      [{ regIncludesBias: 'cost' }, 1.5, '3.834541'],
      [{ regWrongScale: 'cost' }, 1.5, '4.206633'],
      [{ regMissing: 'cost' }, 1.5, '3.087449'],
    ];
    for (const [mistakes, lambda, value] of cases) {
      expect(f6(coursera(lambda, mistakes).J), JSON.stringify(mistakes)).toBe(value);
      stated(`\`${value}\``);
    }
    const flipped = coursera(0, { gradSignFlipped: true }).grad.subarray(0, 3);
    expect(list(flipped)).toBe('0.012105 0.127760 -0.042553');
    stated('`0.012105 0.127760 -0.042553`');
  });

  it('the walkthrough\'s default set-up: the costs at λ = 0, 1 and 3', () => {
    const d = loadDigits();
    const p = unroll(debugInitializeWeights(25, 400), debugInitializeWeights(10, 25));
    const costs = [0, 1, 3].map((lambda) => f6(referenceCostFunction(p, 400, 25, 10, d.X, d.y, lambda).J));
    expect(costs).toEqual(['7.003095', '7.008220', '7.018471']);
    for (const c of costs) stated(`\`${c}\``);
  });

  const weights = join(PACKAGE_ROOT, '..', 'shared', 'octave-ex4', 'ex4weights.mat');
  it.skipIf(!existsSync(weights))('the original ex4weights.mat on the embedded digits (needs ../shared)', () => {
    const { variables } = readMatFileDetailed(weights, { unsupported: 'skip' });
    const d = loadDigits();
    const p = unroll(variables.Theta1, variables.Theta2);
    const costs = [0, 1].map((lambda) => f6(referenceCostFunction(p, 400, 25, 10, d.X, d.y, lambda).J));
    expect(costs).toEqual(['0.304395', '0.400536']);
    for (const c of costs) stated(`\`${c}\``);
  });

  it('the sigmoid gradient: the walkthrough\'s five values and the first column of Coursera\'s case', () => {
    const five = referenceSigmoidGradient(new Matrix([[-1, -0.5, 0, 0.5, 1]])).getRow(0);
    expect(list(five)).toBe('0.196612 0.235004 0.250000 0.235004 0.196612');
    stated(`\`${list(five)}\``);
    const g = referenceSigmoidGradient(new Matrix(courseraSigmoidInput().z));
    expect([g.rows, g.columns]).toEqual([3, 10]);
    stated(`\`${list(g.getColumn(0))}\``);
  });

  it('gradient checking: the relative differences and the first printed pair, and the public numerical-gradient case', () => {
    const lines: string[] = [];
    expect(checkNNGradients(0, solutions, (l) => lines.push(l)).toExponential(1)).toBe('2.4e-11');
    expect(checkNNGradients(3, solutions, () => {}).toExponential(1)).toBe('2.3e-11');
    stated('`2.4e-11`');
    stated('`2.3e-11`');
    stated(`\`${lines[1].trim()}\``);

    const c = publicNumGradCase();
    const J = (theta: Float64Array) => evaluateKnownFunction(c.inputs.J, c.inputs.params, theta);
    const numgrad = referenceNumericalGradient(J, c.inputs.theta);
    expect(c.inputs.J).toBe('sin-sum');
    stated(`\`a = [${(c.inputs.params as { a: number[] }).a.join(' ')}]\``);
    stated(`\`theta = [${c.inputs.theta.join(' ')}]\``);
    stated(`\`numgrad = ${list(numgrad)}\``);
  });
});

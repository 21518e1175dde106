/**
 * The message catalogue in both languages: the same ids, placeholders and nesting in each; every
 * id rendered with every value its selectors can take (`$t(diagnose.detail.{{detail}})` …), with
 * nothing left unrendered, no English sentence in the Chinese, and every guide link it prints
 * pointing at an anchor of that language's guide.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_IDS } from '../grader/diagnose/catalogue';
import { GUIDE_SECTIONS, PART_SECTION, guideFile, guideLink } from '../grader/messages/guide';
import { CATALOGUES, LANGS, isMessageId, parseLang, resolveLang, t, type Lang, type MessageId } from '../grader/messages/index';
import { partTitle } from '../grader/messages/parts';
import { PART_IDS } from '../grader/parts/ids';
import { PACKAGE_ROOT } from '../grader/paths';
import { englishRuns } from './helpers/englishRuns';
import { parseGuide } from './helpers/guideMarkdown';

const EN = CATALOGUES.en;
const ZH = CATALOGUES['zh-CN'];
const KEYS = Object.keys(EN);
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** `{{name}}` placeholders anywhere in a text (nesting targets and options included). */
function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]))].sort();
}

interface Nesting {
  /** The target id, possibly with placeholders: `diagnose.detail.{{detail}}`. */
  target: string;
  /** The options object's keys and values (`{"anchor": "{{section}}"}`). */
  options: Record<string, string>;
}

/** The `$t(target, {options})` nestings of a text, in order. */
function nestings(text: string): Nesting[] {
  return [...text.matchAll(/\$t\(([^,)]+)(?:,\s*(\{[^)]*\}))?\)/g)].map((m) => ({ target: m[1].trim(), options: m[2] ? JSON.parse(m[2]) : {} }));
}

/** The catalogue ids (plural suffix removed) that a nesting target with placeholders can reach, by the values of its placeholders. */
function targetsOf(target: string): { values: Record<string, string>; id: string }[] {
  const names = [...target.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
  const pattern = new RegExp(`^${target.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\\?\{\w+\\?\}\\?\}/g, '([^.]+)')}$`);
  const ids = [...new Set(KEYS.map((k) => k.replace(PLURAL, '')))];
  return ids.flatMap((id) => {
    const m = pattern.exec(id);
    return m ? [{ id, values: Object.fromEntries(names.map((n, i) => [n, m[i + 1]])) }] : [];
  });
}

/** The text of an id (its `_other` form for plurals). */
function textOf(catalogue: Readonly<Record<string, string>>, id: string): string {
  return catalogue[id] ?? catalogue[`${id}_other`] ?? '';
}

/**
 * Every parameter set worth rendering an id with: each selector placeholder (one inside a nesting
 * target) takes every value that reaches an existing id, recursively; other placeholders get a
 * neutral value (`⟦name⟧`, or numbers for plural counts).
 */
function paramSets(id: string): Record<string, string | number>[] {
  let sets: Record<string, string | number>[] = [{}];
  const expand = (text: string, given: Record<string, string | number>, depth: number): Record<string, string | number>[] => {
    if (depth > 6) throw new Error(`nesting too deep in ${id}`);
    let out: Record<string, string | number>[] = [given];
    for (const name of placeholders(text.replace(/\$t\([^)]*\)/g, ''))) {
      out = out.map((p) => (name in p ? p : { ...p, [name]: neutral(name) }));
    }
    for (const n of nestings(text)) {
      const next: Record<string, string | number>[] = [];
      for (const p of out) {
        const reachable = targetsOf(n.target).filter((r) => Object.entries(r.values).every(([k, v]) => !(k in p) || String(p[k]) === v));
        for (const r of reachable) {
          const withSelectors = { ...p, ...r.values };
          for (const [k, v] of Object.entries(n.options)) for (const name of placeholders(v)) if (!(name in withSelectors)) withSelectors[name] = neutral(name);
          const inner = textOf(EN, r.id).replace(/\{\{(\w+)\}\}/g, (all, name) => (name in n.options ? '' : all));
          next.push(...expand(inner, withSelectors, depth + 1));
        }
      }
      out = next;
    }
    return out;
  };
  sets = expand(textOf(EN, id), {}, 0);
  const plural = `${id}_one` in EN;
  return plural ? sets.flatMap((p) => [{ ...p, count: 1 }, { ...p, count: 5 }]) : sets;
}

/** A language-neutral value for a plain placeholder (numbers for the ones the catalogue counts with). */
function neutral(name: string): string | number {
  return ['count', 'failed', 'public', 'hidden', 'seconds'].includes(name) ? 3 : `⟦${name}⟧`;
}

const IDS = [...new Set(KEYS.map((k) => k.replace(PLURAL, '')))].sort();
const RENDERINGS = IDS.flatMap((id) => paramSets(id).map((params) => ({ id, params })));

describe('the catalogue', () => {
  it('has the same ids in English and Chinese', () => {
    expect(Object.keys(ZH).sort()).toEqual([...KEYS].sort());
  });

  it.each(KEYS)('%s: the same placeholders and nestings in both languages', (key) => {
    expect(placeholders(ZH[key])).toEqual(placeholders(EN[key]));
    const sortNest = (n: Nesting[]) => n.map((x) => `${x.target} ${JSON.stringify(x.options)}`).sort();
    expect(sortNest(nestings(ZH[key]))).toEqual(sortNest(nestings(EN[key])));
  });

  it('nests only ids that exist (every nesting target reaches at least one id)', () => {
    const dangling = KEYS.flatMap((k) => nestings(EN[k]).filter((n) => targetsOf(n.target).length === 0).map((n) => `${k} -> ${n.target}`));
    expect(dangling).toEqual([]);
  });

  it('has every plural category each language needs, for every plural id', () => {
    const plurals = IDS.filter((id) => KEYS.some((k) => k !== id && k.replace(PLURAL, '') === id));
    expect(plurals.length).toBeGreaterThan(0);
    for (const lang of LANGS) {
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const id of plurals) for (const c of categories) expect(CATALOGUES[lang], `${lang} ${id}_${c}`).toHaveProperty(`${id}_${c}`);
    }
    expect(t('report.part.passed' as MessageId, { count: 1, public: 1, hidden: 0 }, 'en')).toBe('Passed the 1 case (1 public, 0 hidden).');
    expect(t('report.part.passed' as MessageId, { count: 4, public: 1, hidden: 3 }, 'en')).toBe('Passed all 4 cases (1 public, 3 hidden).');
  });

  it('has a title for every part, in both languages', () => {
    for (const id of PART_IDS) {
      expect(partTitle(id, 'en')).toMatch(/^[A-Z]/);
      expect(partTitle(id, 'zh-CN')).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('enumerates a rendering for every id, selectors included', () => {
    expect(RENDERINGS.length).toBeGreaterThan(IDS.length);
    const reg = RENDERINGS.filter((r) => r.id === 'diagnose.reg-wrong-scale.message');
    expect(reg.map((r) => `${r.params.q}/${r.params.detail}`)).toContain('cost/cost-lambda-m');
  });
});

describe.each(LANGS)('every message rendered in %s', (lang) => {
  const rendered = RENDERINGS.map((r) => ({ ...r, text: t(r.id as MessageId, r.params, lang), en: t(r.id as MessageId, r.params, 'en') }));

  it('leaves no placeholder, nesting or id unrendered, and keeps every parameter the English shows', () => {
    const problems: string[] = [];
    for (const r of rendered) {
      const where = `${r.id} ${JSON.stringify(r.params)}: ${r.text}`;
      if (/\{\{|\$t\(/.test(r.text)) problems.push(`unrendered: ${where}`);
      if (KEYS.some((k) => r.text.includes(k.replace(PLURAL, '')) && k.includes('.'))) problems.push(`an id in the text: ${where}`);
      const shown = (s: string) => [...s.matchAll(/⟦\w+⟧/g)].map((m) => m[0]).sort();
      if (JSON.stringify(shown(r.text)) !== JSON.stringify(shown(r.en))) problems.push(`parameters differ from English: ${where}`);
    }
    expect(problems).toEqual([]);
  });

  it('prints only guide links that resolve to an anchor of this language\'s guide', () => {
    const guide = parseGuide(join(PACKAGE_ROOT, guideFile(lang)));
    const links = rendered.flatMap((r) => [...r.text.matchAll(/exercises\/GUIDE[\w.-]*\.md#[\w-]+/g)].map((m) => m[0]));
    expect(links.length).toBeGreaterThan(50);
    const bad = [...new Set(links)].filter((link) => {
      const [file, anchor] = link.split('#');
      return file !== guideFile(lang) || !guide.anchors.includes(anchor);
    });
    expect(bad).toEqual([]);
    // Every anchor the code can ask for: the sections (and each part's), every catalogue mistake.
    const anchors = [...GUIDE_SECTIONS, ...Object.values(PART_SECTION), ...CATALOGUE_IDS.map((id) => `mistake-${id}` as const)];
    for (const anchor of anchors) expect(guide.anchors, guideLink(anchor, lang)).toContain(guideLink(anchor, lang).split('#')[1]);
  });

  it.runIf(lang === 'zh-CN')('has no English sentence in the Chinese (code, identifiers, formulas and paths aside)', () => {
    const english = rendered.flatMap((r) => englishRuns(r.text).map((run) => `${r.id}: "${run}" in ${r.text}`));
    expect(english).toEqual([]);
    // A message with English words in English has Chinese words in Chinese.
    const untranslated = rendered.filter((r) => englishRuns(r.en, 2).length > 0 && !/[\u4e00-\u9fff]/.test(r.text));
    expect(untranslated.map((r) => `${r.id}: ${r.text}`)).toEqual([]);
  });
});

describe('the English-sentence heuristic', () => {
  it('finds English runs and leaves code, formulas, ids and allowed names alone', () => {
    expect(englishRuns('`nnCostFunction` 还没有实现 is not implemented yet')).toEqual(['is not implemented yet']);
    expect(englishRuns('J = (1/m)·Σ Σ [−y·log(h) − (1 − y)·log(1 − h)]。见 exercises/GUIDE.zh-CN.md#backprop')).toEqual([]);
    expect(englishRuns('请复习 Octave → TypeScript 对照表，标签 k 放在第 k 列（a1 = X，缺少全 1 列）')).toEqual([]);
    expect(englishRuns('ml-matrix 的 one-hot sigmoid 函数 `the code stays as it is`')).toEqual([]);
  });
});

describe('language selection', () => {
  it('reads flags, config values and locale variables', () => {
    expect(parseLang('zh_CN.UTF-8')).toBe('zh-CN');
    expect(parseLang('zh-Hans')).toBe('zh-CN');
    expect(parseLang('en_US.UTF-8')).toBe('en');
    expect(parseLang('C')).toBe('en');
    expect(parseLang('fr_FR.UTF-8')).toBeUndefined();
    expect(resolveLang({ flag: 'en', config: 'zh-CN', env: { LANG: 'zh_CN.UTF-8' } })).toBe('en');
    expect(resolveLang({ config: 'zh-CN', env: { LANG: 'en_US.UTF-8' } })).toBe('zh-CN');
    expect(resolveLang({ env: { LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' } })).toBe('zh-CN');
    expect(resolveLang({ env: { LC_MESSAGES: 'en_GB.UTF-8', LANG: 'zh_CN.UTF-8' } })).toBe('en');
    expect(resolveLang({ env: { LANG: 'zh_CN.UTF-8' } })).toBe('zh-CN');
    expect(resolveLang({ env: {} })).toBe('en');
    expect(isMessageId('report.part.passed')).toBe(true);
  });
});

describe('counts agree with their nouns', () => {
  it('one part, one element: singular in English; the same sentence in Chinese', () => {
    expect(t('report.text.score-detail', { passed: 1, count: 1, seconds: '0.1' }, 'en')).toBe('(1 of 1 part passed, graded in 0.1 s)');
    expect(t('report.text.score-detail', { passed: 2, count: 7, seconds: '0.1' }, 'en')).toBe('(2 of 7 parts passed, graded in 0.1 s)');
    expect(t('gradescope.score', { score: 5, maxScore: 5, passed: 1, count: 1 }, 'en')).toBe('Score 5/5: 1 of 1 part passed.');
    expect(t('report.text.score-detail', { passed: 1, count: 1, seconds: '0.1' }, 'zh-CN')).toBe('（1 个部分中通过了 1 个，评分用时 0.1 秒）');
  });
});

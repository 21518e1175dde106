/**
 * The message catalogue: every sentence a student (or an instructor) reads has a stable id here,
 * with its English and Simplified Chinese text in JSON catalogues (grader/messages/<lang>/<area>.json;
 * the area is the id's first segment: `report.part.revisit` lives in report.json).
 *
 * Rules (docs/ARCHITECTURE.md, "Messages"):
 * - Code never builds a sentence a reader sees outside this catalogue; it passes an id and params.
 * - Params are language-neutral: numbers, identifiers, file paths, ids. A localized fragment is
 *   referenced from the catalogue text with i18next nesting, e.g. `$t(guide.section.{{section}})`,
 *   so a report can be rendered again in another language from its ids and params.
 * - Plurals use i18next's suffixes (`_one`, `_other`) and a numeric `count` param.
 *
 * i18next (a well-kept library) does interpolation, nesting and plurals; its import and init cost
 * about 5 ms, measured within the cold-grade budget.
 */
import i18next, { type i18n } from 'i18next';
import enBatch from './en/batch.json';
import enCall from './en/call.json';
import enCli from './en/cli.json';
import enCompare from './en/compare.json';
import enDiagnose from './en/diagnose.json';
import enGithub from './en/github.json';
import enGradescope from './en/gradescope.json';
import enGuide from './en/guide.json';
import enHelp from './en/help.json';
import enKit from './en/kit.json';
import enPart from './en/part.json';
import enReport from './en/report.json';
import enSandbox from './en/sandbox.json';
import enSealed from './en/sealed.json';
import enTamper from './en/tamper.json';
import enTrace from './en/trace.json';
import enUpload from './en/upload.json';
import enWalkthrough from './en/walkthrough.json';
import zhBatch from './zh-CN/batch.json';
import zhCall from './zh-CN/call.json';
import zhCli from './zh-CN/cli.json';
import zhCompare from './zh-CN/compare.json';
import zhDiagnose from './zh-CN/diagnose.json';
import zhGithub from './zh-CN/github.json';
import zhGradescope from './zh-CN/gradescope.json';
import zhGuide from './zh-CN/guide.json';
import zhHelp from './zh-CN/help.json';
import zhKit from './zh-CN/kit.json';
import zhPart from './zh-CN/part.json';
import zhReport from './zh-CN/report.json';
import zhSandbox from './zh-CN/sandbox.json';
import zhSealed from './zh-CN/sealed.json';
import zhTamper from './zh-CN/tamper.json';
import zhTrace from './zh-CN/trace.json';
import zhUpload from './zh-CN/upload.json';
import zhWalkthrough from './zh-CN/walkthrough.json';

/** The languages a student can read the grader in. */
export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'en';

// One entry per area file, in alphabetical order; an area's ids start with its name.
const EN = { ...enBatch, ...enCall, ...enCli, ...enCompare, ...enDiagnose, ...enGithub, ...enGradescope, ...enGuide, ...enHelp, ...enKit, ...enPart, ...enReport, ...enSandbox, ...enSealed, ...enTamper, ...enTrace, ...enUpload, ...enWalkthrough };
const ZH_CN = { ...zhBatch, ...zhCall, ...zhCli, ...zhCompare, ...zhDiagnose, ...zhGithub, ...zhGradescope, ...zhGuide, ...zhHelp, ...zhKit, ...zhPart, ...zhReport, ...zhSandbox, ...zhSealed, ...zhTamper, ...zhTrace, ...zhUpload, ...zhWalkthrough };

/** Every catalogue, merged per language (the files are split by area only to keep them readable). */
export const CATALOGUES: Readonly<Record<Lang, Readonly<Record<string, string>>>> = { en: EN, 'zh-CN': ZH_CN };

type EnglishKey = keyof typeof EN;
type PluralSuffix = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';
/** A message id: a key of the English catalogue, without its plural suffix. */
export type MessageId = EnglishKey extends infer K ? (K extends `${infer Base}_${PluralSuffix}` ? Base : K) : never;

/**
 * Interpolation values: language-neutral (numbers, identifiers, paths, ids of other messages), or
 * a whole nested message (a MessageRef: a sentence inside a sentence, e.g. a case's wrong-value
 * sentence inside its part's summary), rendered in the same language before interpolation.
 */
export type MessageParam = string | number | MessageRef;
export type MessageParams = Readonly<Record<string, MessageParam>>;

/** A message as data: what the report stores beside the rendered text. */
export interface MessageRef {
  id: MessageId;
  params?: MessageParams;
}

/** True for a nested message param ({ id, params? }), false for a plain value. */
export function isMessageRef(value: unknown): value is MessageRef {
  return typeof value === 'object' && value !== null && typeof (value as MessageRef).id === 'string';
}

let instance: i18n | undefined;

function translator(): i18n {
  if (instance) return instance;
  const inst = i18next.createInstance();
  void inst.init({
    lng: DEFAULT_LANG,
    fallbackLng: DEFAULT_LANG,
    supportedLngs: [...LANGS],
    resources: Object.fromEntries(LANGS.map((l) => [l, { translation: CATALOGUES[l] }])),
    // Ids contain dots and colons; they are flat keys, not paths or namespaces.
    keySeparator: false,
    nsSeparator: false,
    // Output goes to terminals, Markdown and HTML, each escaped by its own reporter.
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  instance = inst;
  return inst;
}

/**
 * Renders a message in a language.
 * @param id a catalogue id (plural ids without their suffix, with a numeric `count` param)
 * @param params language-neutral values for the `{{name}}` placeholders
 * @param lang default English
 */
export function t(id: MessageId, params: MessageParams = {}, lang: Lang = DEFAULT_LANG): string {
  const values: Record<string, string | number> = {};
  // Nested messages first, each with its own params; their text is then a plain value (i18next
  // never re-reads an interpolated value for placeholders or nestings: skipOnVariables).
  for (const [name, value] of Object.entries(params)) values[name] = isMessageRef(value) ? t(value.id, value.params, lang) : value;
  return translator().t(id, { ...values, lng: lang });
}

/**
 * A list of messages as one message in the reader's language ("a, b, c" or "a、b、c"), nested
 * pairwise (`report.list`), so a stored report keeps it language-neutral.
 */
export function listRef(items: readonly MessageRef[]): MessageParam {
  if (items.length === 0) return '';
  return items.slice(0, -1).reduceRight<MessageParam>((rest, first) => ({ id: 'report.list', params: { first, rest } }), items[items.length - 1]);
}

/** Renders a MessageRef (e.g. one read back from a JSON report) in a language. */
export function render(ref: MessageRef, lang: Lang = DEFAULT_LANG): string {
  return t(ref.id, ref.params, lang);
}

/** True when `id` (without plural suffix) exists in the English catalogue. */
export function isMessageId(id: string): id is MessageId {
  const en = CATALOGUES.en;
  return id in en || `${id}_one` in en || `${id}_other` in en;
}

/**
 * A language from a flag, config value or locale variable: `zh-CN`, `zh_CN.UTF-8`, `zh`, `zh-Hans`
 * and `zh-SG` read as Simplified Chinese; `en`, `en_US.UTF-8`, `C` and `POSIX` as English.
 * Unknown values give undefined.
 */
export function parseLang(value: string | undefined): Lang | undefined {
  if (!value) return undefined;
  const v = value.trim().split('.')[0].replace('_', '-').toLowerCase();
  if (v === 'zh' || v === 'zh-cn' || v === 'zh-hans' || v === 'zh-sg' || v.startsWith('zh-hans-')) return 'zh-CN';
  if (v === 'en' || v.startsWith('en-') || v === 'c' || v === 'posix') return 'en';
  return undefined;
}

/**
 * The language to use: `--lang`, else the config's `lang`, else LC_ALL, LC_MESSAGES, LANG (the
 * first one set, as POSIX orders them), else English. An unknown flag value is the caller's usage
 * error; unknown locale values fall through to English.
 */
export function resolveLang(sources: { flag?: Lang; config?: Lang; env?: NodeJS.ProcessEnv }): Lang {
  if (sources.flag) return sources.flag;
  if (sources.config) return sources.config;
  const env = sources.env ?? {};
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG'] as const) {
    const value = env[name];
    if (value) return parseLang(value) ?? DEFAULT_LANG;
  }
  return DEFAULT_LANG;
}

/**
 * The student handout's sections (exercises/GUIDE.md and exercises/GUIDE.zh-CN.md). Both guides
 * carry the same explicit anchors (`<a id="regularized-cost"></a>` before each heading), so a link
 * is the same in both languages but for the file name, and stays stable when a heading is reworded.
 * Mistake anchors are `mistake-<catalogue id>` (e.g. `#mistake-reg-includes-bias`).
 *
 * The order of GUIDE_SECTIONS is the one step order of the exercise, used everywhere (README,
 * exercises/README.md, the walkthrough, the grader's part order).
 */
import type { PartId } from '../parts/ids';
import { t, type Lang } from './index';

export const GUIDE_SECTIONS = [
  'notation',
  'feedforward-cost',
  'regularized-cost',
  'sigmoid-gradient',
  'random-init',
  'backprop',
  'regularized-gradient',
  'gradient-checking',
  'training',
  'octave-to-typescript',
] as const;

export type GuideSection = (typeof GUIDE_SECTIONS)[number];

/** The guide section each graded part is about. */
export const PART_SECTION: Readonly<Record<PartId, GuideSection>> = {
  'feedforward-cost': 'feedforward-cost',
  'regularized-cost': 'regularized-cost',
  'sigmoid-gradient': 'sigmoid-gradient',
  'random-init': 'random-init',
  'backprop-gradient': 'backprop',
  'regularized-gradient': 'regularized-gradient',
  'numerical-gradient': 'gradient-checking',
};

/** The guide file of a language, relative to the student's repository root. */
export function guideFile(lang: Lang): string {
  return lang === 'zh-CN' ? 'exercises/GUIDE.zh-CN.md' : 'exercises/GUIDE.md';
}

/** A link to a section or a mistake anchor of the guide, e.g. `exercises/GUIDE.md#backprop`. */
export function guideLink(anchor: GuideSection | `mistake-${string}`, lang: Lang): string {
  return t('guide.link', { anchor }, lang);
}

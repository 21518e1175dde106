/**
 * The mistake catalogue of issue 4: ids (an interface — reports, gradebooks and tests rely on them)
 * and the student-facing words for each. A diagnosis names a catalogue id only when the student's
 * outputs matched that mistake's variant of the reference on every case of the part; otherwise the
 * diagnosis stage gives structural blame (ids "blame:<kind>", see ./blame.ts).
 */
import { t, type Lang, type MessageId, type MessageParams } from '../messages/index';
import type { PartId } from '../parts/ids';
import type { Diagnosis } from '../report/types';

export const CATALOGUE_IDS = [
  'reg-includes-bias',
  'reg-wrong-scale',
  'reg-missing',
  'missing-average',
  'labels-not-one-hot',
  'labels-off-by-one',
  'squared-error-cost',
  'sigmoid-gradient-of-activation',
  'grad-unrolled-row-major',
  'grad-sign-flipped',
  'sigmoid-gradient-formula',
  'missing-bias-unit',
  'rand-init-symmetric',
  'rand-init-range',
  'rand-init-ignores-source',
  'numgrad-one-sided',
  'numgrad-wrong-step',
  'numgrad-not-restored',
] as const;

export type CatalogueId = (typeof CATALOGUE_IDS)[number];

/** A matched variant's specifics: a `diagnose.detail.<key>` message and its params. */
export interface MistakeDetail {
  key: string;
  params?: MessageParams;
}

/** Cost parts say "the cost J", gradient parts "the gradient": the `q` param of the catalogue texts. */
function quantityOf(part: PartId): 'cost' | 'grad' {
  return part === 'feedforward-cost' || part === 'regularized-cost' ? 'cost' : 'grad';
}

/** Catalogue ids whose hint differs between the cost and gradient parts (their messages nest `diagnose.q.<q>`). */
const HINT_BY_QUANTITY = new Set<CatalogueId>(['reg-includes-bias', 'reg-wrong-scale', 'reg-missing', 'missing-average']);

/**
 * A diagnosis with its catalogue ids and params, rendered in `lang`. The one place a Diagnosis is
 * built (catalogue mistakes and structural blame alike), so its texts always come from grader/messages.
 */
export function makeDiagnosis(id: string, messageId: MessageId, hintId: MessageId, params: MessageParams, lang: Lang): Diagnosis {
  return { id, message: t(messageId, params, lang), hint: t(hintId, params, lang), messageId, hintId, params };
}

/**
 * The student-facing diagnosis for a matched catalogue mistake on a part.
 * @param detail the matched variant's specifics (e.g. λ/m instead of λ/(2m)), when it has any
 */
export function catalogueDiagnosis(id: CatalogueId, part: PartId, lang: Lang, detail?: MistakeDetail): Diagnosis {
  const q = quantityOf(part);
  const params: Record<string, string | number> = { q, detail: detail?.key ?? 'none', ...detail?.params };
  let messageId = `diagnose.${id}.message`;
  let hintId = `diagnose.${id}.hint`;
  if (HINT_BY_QUANTITY.has(id)) hintId += `.${q}`;
  if (id === 'sigmoid-gradient-formula') {
    const where = part === 'sigmoid-gradient' ? 'sigmoid' : 'backprop';
    messageId += `.${where}`;
    hintId += `.${where}`;
  }
  if (id === 'missing-bias-unit') params.layer = detail?.key === 'bias-a2' ? 'a2' : detail?.key === 'bias-both' ? 'both' : 'a1';
  return makeDiagnosis(id, messageId as MessageId, hintId as MessageId, params, lang);
}

/**
 * Graded parts' titles in the reader's language (catalogue ids `part.<part id>.title`). Kept apart
 * from grader/parts/ids.ts, which the sandbox's harness bundles and must stay free of i18next.
 */
import type { PartId } from '../parts/ids';
import { t, type Lang, type MessageId } from './index';

/** A part's title, e.g. `Regularized cost function` or `正则化代价函数`. */
export function partTitle(id: PartId, lang: Lang): string {
  return t(`part.${id}.title` as MessageId, {}, lang);
}

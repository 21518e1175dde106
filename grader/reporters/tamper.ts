/**
 * The batch HTML report's tamper badge: a red "grader files changed" label, with the files in its
 * title, on a repository whose grading files differ from the release manifest (report.tamper).
 */
import { t } from '../messages/index';
import type { GradeReport } from '../report/types';

/** The badge's HTML (empty unless the report is flagged). `escape` is the reporter's HTML escaper. */
export function tamperBadge(report: GradeReport | undefined, escape: (text: string) => string): string {
  const tamper = report?.tamper;
  if (tamper?.status !== 'changed') return '';
  const list = (xs: string[] | undefined) => (xs && xs.length > 0 ? xs.slice(0, 10).join(', ') + (xs.length > 10 ? ', …' : '') : t('tamper.none'));
  const title = t('tamper.badge-title', { changed: list(tamper.changed), missing: list(tamper.missing), added: list(tamper.added) });
  return ` <span class="tamper" data-tamper="changed" title="${escape(title)}">${escape(t('tamper.badge'))}</span>`;
}

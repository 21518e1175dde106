/**
 * `grade --watch`: grade, then grade again whenever a TypeScript file of the submission's
 * exercises folder is saved, and say what changed since the last grade (which parts turned ✓ or ✗,
 * the score). Saves that come in while a grade runs are gathered into one more grade. Stops when
 * the signal aborts (Ctrl-C in a terminal).
 */
import { existsSync, watch } from 'node:fs';
import { join } from 'node:path';
import { t, type Lang } from '../messages/index';
import type { GradeOptions } from '../options';
import type { GradeReport, PartResult } from '../report/types';
import type { CliIO } from './context';

export interface WatchOptions {
  /** Stops watching; without one, SIGINT (Ctrl-C) does. */
  signal?: AbortSignal;
  io: CliIO;
  /** Quiet time after a save before grading, so an editor's several writes grade once. Default 40 ms. */
  debounceMs?: number;
}

const MARK: Record<PartResult['status'], string> = { passed: '✓', failed: '✗', errored: '!' };

function points(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** What changed between two grades of the same submission, as lines for the terminal. */
export function describeChanges(before: GradeReport, after: GradeReport, lang: Lang): string {
  const lines: string[] = [];
  const old = new Map(before.parts.map((p) => [p.id, p]));
  for (const part of after.parts) {
    const was = old.get(part.id);
    if (!was || (was.status === part.status && was.score === part.score)) continue;
    const delta = part.score - was.score;
    lines.push(`  ${t('report.watch.part', { part: part.id, from: MARK[was.status], to: MARK[part.status], delta: `${delta >= 0 ? '+' : ''}${points(delta)}` }, lang)}`);
  }
  if (lines.length === 0) return `${t('report.watch.none', { score: points(after.score), max: points(after.maxScore) }, lang)}\n`;
  const head = t('report.watch.changed', { from: points(before.score), to: points(after.score), max: points(after.maxScore) }, lang);
  return `${head}\n${lines.join('\n')}\n`;
}

/** The folder whose saves trigger a grade: the submission's exercises/ (or the submission itself). */
export function watchedFolder(submission: string): string {
  const inner = join(submission, 'exercises');
  return existsSync(inner) ? inner : submission;
}

/**
 * Grades `options.submission` with `gradeOnce` (which prints the report), then again after every
 * save of a `.ts` file of its exercises folder, until stopped. Never throws for a bad submission
 * (gradeOnce writes a report whatever happens).
 */
export async function watchGrade(
  options: Partial<GradeOptions> & { submission: string },
  gradeOnce: (options: Partial<GradeOptions> & { submission: string }) => Promise<{ report: GradeReport }>,
  w: WatchOptions,
): Promise<void> {
  const { io } = w;
  const lang = options.lang ?? 'en';
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  if (w.signal) {
    if (w.signal.aborted) stop.abort();
    else w.signal.addEventListener('abort', onAbort, { once: true });
  } else process.once('SIGINT', onAbort);
  const folder = watchedFolder(options.submission);
  let previous: GradeReport | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  // Every regrade reuses the first grade's seed, so "what changed" compares the same hidden cases.
  let fixed = options;
  const gradeAndCompare = async (): Promise<void> => {
    const { report } = await gradeOnce(fixed);
    if (fixed.seed === undefined) fixed = { ...fixed, seed: report.seed };
    if (previous) io.stdout(describeChanges(previous, report, lang));
    previous = report;
    io.stdout(`${t('report.watch.waiting', { dir: folder }, lang)}\n`);
  };
  const schedule = (): void => {
    if (stop.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await gradeAndCompare();
      } while (again && !stop.signal.aborted);
      running = null;
    })();
  };

  try {
    await gradeAndCompare();
    if (stop.signal.aborted) return;
    const watcher = watch(folder, { signal: stop.signal }, (_event, name) => {
      if (!name || !String(name).endsWith('.ts')) return;
      clearTimeout(timer);
      timer = setTimeout(schedule, w.debounceMs ?? 40);
    });
    watcher.on('error', () => stop.abort());
    await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    clearTimeout(timer);
    await running;
    w.signal?.removeEventListener('abort', onAbort);
    process.removeListener('SIGINT', onAbort);
  }
}

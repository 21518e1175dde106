/**
 * Batch progress for people watching, on stderr so stdout stays clean: a cli-progress bar on a TTY
 * (done/total, rate, ETA, what is running and for how long), plain lines otherwise (CI logs, pipes).
 *
 * The ETA counts the submissions in flight, not only the finished ones: remaining work is the
 * queued submissions at the mean duration so far, plus what the running ones still need at that
 * mean, spread over the jobs. A running submission past the mean (a timeout in the making) makes
 * the ETA unknown ("?") rather than a number that stays wrong for seconds; the bar names it and
 * its age, so the wait explains itself.
 */
import cliProgress from 'cli-progress';
import { t, type Lang } from '../messages/index';
import { sanitizeLine } from '../reporters/escape';
import type { BatchProgressEvent } from './run';
import { formatPoints } from './summary';

/** Whole seconds as "1m05s" or "42s"; "?" for an unknown (non-finite) time. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export interface ProgressSink {
  (event: BatchProgressEvent): void;
}

/** What is known at one instant: counts, rate, ETA and the running submissions (oldest first). */
export interface ProgressSnapshot {
  done: number;
  toGrade: number;
  /** Submissions finished per second since the start. */
  rate: number;
  /** Seconds; Infinity when unknown (nothing finished yet, or a running submission is overdue). */
  etaSeconds: number;
  running: { id: string; seconds: number }[];
}

/**
 * Tracks a batch's submissions from their `begin` to their `done` events. `now` returns
 * milliseconds (injectable, so tests get exact ETAs).
 */
export class ProgressTracker {
  private start = 0;
  private jobs = 1;
  private toGrade = 0;
  private done = 0;
  private finishedMs = 0;
  private readonly running = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Feeds one event. */
  update(event: BatchProgressEvent): void {
    const now = this.now();
    switch (event.type) {
      case 'start':
        this.start = now;
        this.jobs = Math.max(1, event.jobs);
        this.toGrade = event.toGrade;
        return;
      case 'begin':
        this.running.set(event.id, now);
        return;
      case 'done': {
        const began = this.running.get(event.id);
        this.running.delete(event.id);
        this.done = event.done;
        this.finishedMs += began === undefined ? 0 : now - began;
        return;
      }
      case 'end':
        this.running.clear();
        return;
    }
  }

  /** The state now. */
  snapshot(): ProgressSnapshot {
    const now = this.now();
    const elapsed = (now - this.start) / 1000;
    const running = [...this.running.entries()].sort((a, b) => a[1] - b[1]).map(([id, began]) => ({ id, seconds: (now - began) / 1000 }));
    const queued = Math.max(0, this.toGrade - this.done - running.length);
    let etaSeconds = Infinity;
    if (this.done > 0) {
      const mean = this.finishedMs / 1000 / this.done;
      const overdue = running.some((r) => r.seconds > mean * 1.5 + 1);
      const work = queued * mean + running.reduce((s, r) => s + Math.max(0, mean - r.seconds), 0);
      const lanes = Math.max(1, Math.min(this.jobs, queued + running.length));
      etaSeconds = overdue ? Infinity : work / lanes;
    }
    return { done: this.done, toGrade: this.toGrade, rate: elapsed > 0 ? this.done / elapsed : 0, etaSeconds, running };
  }
}

/** "alice (12s), bob (3s)" — the running submissions, oldest first, ids made safe for a terminal line. */
export function runningText(running: ProgressSnapshot['running'], max = 3, width = 24): string {
  const shown = running.slice(0, max).map((r) => `${sanitizeLine(r.id).slice(0, width)} (${formatSeconds(r.seconds)})`);
  return running.length > max ? `${shown.join(', ')} +${running.length - max}` : shown.join(', ');
}

function startLine(event: Extract<BatchProgressEvent, { type: 'start' }>, lang: Lang): string {
  let line = t('batch.progress.start', { toGrade: event.toGrade, total: event.total, jobs: event.jobs, seed: event.seed }, lang);
  if (event.shard) line += t('batch.progress.shard', { shard: `${event.shard.index}/${event.shard.count}` }, lang);
  if (event.skipped > 0) line += t('batch.progress.resumed', { count: event.skipped }, lang);
  return `${line}\n`;
}

/**
 * Plain progress lines: "[ 3/200] alice 85/100 · 4.1/s · ETA 48s". `now` returns milliseconds
 * (injectable so tests get stable lines).
 */
export function plainProgress(write: (text: string) => void, now: () => number = () => performance.now(), lang: Lang = 'en'): ProgressSink {
  const tracker = new ProgressTracker(now);
  return (event) => {
    tracker.update(event);
    if (event.type === 'start') write(startLine(event, lang));
    if (event.type !== 'done') return;
    const s = tracker.snapshot();
    const width = String(event.toGrade).length;
    const line = t(
      event.errored ? 'batch.progress.line-errored' : 'batch.progress.line',
      {
        done: String(event.done).padStart(width),
        toGrade: event.toGrade,
        id: sanitizeLine(event.id),
        score: formatPoints(event.report.score),
        maxScore: formatPoints(event.report.maxScore),
        rate: s.rate.toFixed(1),
        eta: formatSeconds(s.etaSeconds),
      },
      lang,
    );
    write(`${line}\n`);
  };
}

/** A cli-progress bar on `stream` (a TTY), redrawn every second so running times tick. */
export function barProgress(stream: NodeJS.WriteStream, lang: Lang = 'en'): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `{bar} {value}/{total} · {rate}/s · ${t('batch.progress.eta', {}, lang)} {eta_text} · {running}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: false,
      // The line is ours to size: cli-progress would otherwise wrap a long one.
      linewrap: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const tracker = new ProgressTracker();
  let timer: NodeJS.Timeout | undefined;
  let active = false;
  const payload = () => {
    const s = tracker.snapshot();
    const running = runningText(s.running, 3, Math.max(8, Math.floor(((stream.columns ?? 100) - 60) / 3)));
    return { rate: s.rate.toFixed(1), eta_text: formatSeconds(s.etaSeconds), running: running ? t('batch.progress.running', { list: running }, lang) : '' };
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (active) bar.stop();
    active = false;
  };
  return (event) => {
    tracker.update(event);
    switch (event.type) {
      case 'start':
        stream.write(startLine(event, lang));
        bar.start(event.toGrade, 0, payload());
        active = true;
        timer = setInterval(() => active && bar.update(payload()), 1000);
        timer.unref();
        return;
      case 'begin':
        if (active) bar.update(payload());
        return;
      case 'done':
        if (active) bar.update(event.done, payload());
        return;
      case 'interrupt':
      case 'end':
        // Stopped before anything else is printed: no later message lands inside the bar's line.
        stop();
        return;
    }
  };
}

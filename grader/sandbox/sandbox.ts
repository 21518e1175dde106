/**
 * openSandbox: stage a submission, bundle it, and run its functions in a separate, walled child
 * process, one call at a time, each with its own time limit.
 *
 *   const sb = await openSandbox('path/to/submission', limits, { isolation: 'auto', trace: false });
 *   const outcome = await sb.call({ fn: 'sigmoidGradient', z: [[0]] });
 *   await sb.close();
 *
 * The pieces: isolation.ts (which walls), staging.ts (a copy of the student's files only),
 * bundle.ts (esbuild), child-process.ts with spawn-bwrap.ts / spawn-node.ts (the process and its
 * walls), channel.ts + codec.ts (framed packets with the session tag), limits.ts (caps on memory,
 * channel and text), cleanup.ts (nothing left behind).
 *
 * The child starts first, while the submission is staged and bundled (or earlier still: a spare
 * started ahead for this very plan, spare.ts). What it sends back is
 * hostile input: a reply must carry the session's tag, fit the channel's caps, decode, and pass
 * the CallOutcome schema (validate.ts) before anything compares it; its text is then capped.
 */
import { rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { KIT_LIB_DIR } from '../paths';
import type { StudentFunction } from '../parts/ids';
import { bundleSubmission, findLocations, type BundleResult } from './bundle';
import { ChannelClosedError, type ProtocolFault } from './channel';
import { startChild, type ChildExit, type SandboxChild } from './child-process';
import { onGraderExit } from './cleanup';
import type { HarnessConfig } from './harness';
import { bwrapFailureReason, IsolationUnavailableError, planIsolation, recordNamespaces, type FallbackReason, type IsolationPlan } from './isolation';
import { boundOutcome, resolveLimits, type ResolvedLimits } from './limits';
import {
  DEFAULT_LIMITS,
  DEFAULT_SANDBOX_OPTIONS,
  type CallError,
  type CallOptions,
  type CallOutcome,
  type FunctionLocation,
  type IsolationMode,
  type Sandbox,
  type SandboxLimits,
  type SandboxOptions,
  type SandboxRequest,
} from './protocol';
import { getRuntime, type Runtime } from './runtime';
import { newSandboxFolder, takeSpare, type Spare } from './spare';
import { stageSubmission, type LocatedSubmission } from './staging';
import { checkCallOutcome, loadStandaloneValidator } from './validate';

/** Output beyond the cap is dropped; a call whose output floods past this many dropped bytes is ended. */
const FLOOD_BYTES = 16 * 1024 * 1024;
/** V8's messages when the heap limit is reached. */
const OOM_PATTERN = /heap out of memory|Reached heap limit|Allocation failed - process out of memory|FATAL ERROR: .*(?:Allocation|heap)|Fatal process out of memory/i;

/**
 * Opens a sandbox on a submission: an exercises folder, or a repository that contains `exercises/`.
 * Never throws for a bad submission (missing, linked, oversized files and compile errors come back
 * from `call`). Throws IsolationUnavailableError when `isolation: 'strict'` cannot be honoured,
 * and other errors only when the grader itself is broken (e.g. the harness does not build).
 * @param limits per-call timeout, heap, memory, output and channel caps (defaults: DEFAULT_LIMITS)
 */
export async function openSandbox(submissionPath: string, limits?: Partial<SandboxLimits>, options?: Partial<SandboxOptions>): Promise<Sandbox> {
  const opts: SandboxOptions = { ...DEFAULT_SANDBOX_OPTIONS, ...options };
  const plan = planIsolation(opts.isolation);
  const runtime = await getRuntime();
  // ajv's standalone validator from the runtime: no ajv import or schema compile in this process.
  const validatorReady = loadStandaloneValidator(runtime.validator);
  const resolved = resolveLimits({ ...DEFAULT_LIMITS, ...limits });
  // A child started ahead for exactly this plan (spare.ts), else a new one in open().
  const spare = takeSpare({ plan, runtime, limits: resolved });
  const sandbox = new SubmissionSandbox(plan, runtime, resolved, opts, spare);
  try {
    await sandbox.open(submissionPath);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  await validatorReady;
  return sandbox.api();
}

/** The call in flight: how to end it early (timeout, output flood, protocol fault). */
interface Current {
  fn: StudentFunction;
  fail(error: CallError): void;
  droppedAtStart: number;
}

class SubmissionSandbox {
  private readonly dir: string;
  private readonly secret: Uint8Array;
  private child: SandboxChild | null = null;
  private sub: LocatedSubmission | undefined;
  private bundle: BundleResult | undefined;
  private config: HarnessConfig | undefined;
  private locations: Partial<Record<StudentFunction, FunctionLocation>> = {};
  private current: Current | null = null;
  /** A fault while no call was pending: reported by the next call. */
  private idleFault: ProtocolFault | null = null;
  private readonly outputChunks: Buffer[] = [];
  private outputBytes = 0;
  private droppedBytes = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly unregister: () => void;

  constructor(
    private plan: IsolationPlan,
    private readonly runtime: Runtime,
    private readonly limits: ResolvedLimits,
    private readonly options: SandboxOptions,
    spare?: Spare,
  ) {
    const { dir, secret } = spare ?? newSandboxFolder();
    this.dir = dir;
    this.secret = secret;
    this.unregister = onGraderExit(() => {
      this.child?.kill();
      rmSync(this.dir, { recursive: true, force: true });
    });
    if (spare) {
      const child = spare.child;
      this.child = child;
      spare.attach({ onOutput: (chunk, isStderr) => this.capture(child, chunk, isStderr), onFault: (fault) => this.onIdleFault(child, fault) });
    }
  }

  private get bundleDir(): string {
    return join(this.dir, 'bundle');
  }

  private get stageDir(): string {
    return join(this.dir, 'src');
  }

  /** Starts the child, stages and bundles meanwhile, then confirms the walls and sends the config. */
  async open(submissionPath: string): Promise<void> {
    this.child ??= this.startChild();
    this.sub = stageSubmission(submissionPath, this.stageDir);
    this.bundle = await bundleSubmission(this.sub, this.bundleDir, this.runtime);
    await this.confirmIsolation();
    const functions: HarnessConfig['functions'] = {};
    for (const [fn, chunk] of Object.entries(this.bundle.chunks) as [StudentFunction, string][]) {
      functions[fn] = { chunk, file: this.sub.files[fn].file };
    }
    this.config = {
      functions,
      submissionRoot: this.sub.boundary,
      displayRoot: this.sub.displayRoot,
      kitLibDir: KIT_LIB_DIR,
      trace: this.options.trace,
      isolation: this.plan.mode,
      memoryMb: this.limits.memoryMb,
    };
    if (Object.keys(functions).length === 0) this.child?.kill();
    else this.sendInit(this.child as SandboxChild);
    this.locations = findLocations(this.sub);
  }

  private startChild(): SandboxChild {
    const child: SandboxChild = startChild({
      plan: this.plan,
      runtime: this.runtime,
      bundleDir: this.bundleDir,
      limits: this.limits,
      secret: this.secret,
      onOutput: (chunk, isStderr) => this.capture(child, chunk, isStderr),
      onFault: (fault) => this.onIdleFault(child, fault),
    });
    return child;
  }

  /** A protocol fault while no call was pending: the next call reports it. */
  private onIdleFault(child: SandboxChild, fault: ProtocolFault): void {
    if (!this.current && this.child === child) this.idleFault = fault;
  }

  private sendInit(child: SandboxChild): void {
    child.channel.notify('init', { config: this.config, maxReplyBytes: this.limits.maxReplyBytes });
  }

  /**
   * Waits for the first child's handshake. A bwrap child that ends before it means namespaces do
   * not work here: recorded for the process, then `strict` refuses and `auto` falls back.
   */
  private async confirmIsolation(): Promise<void> {
    const child = this.child as SandboxChild;
    if (await isReady(child)) {
      if (this.plan.mode === 'namespaces') recordNamespaces({ works: true });
      return;
    }
    const exit = await child.exited;
    if (this.plan.mode !== 'namespaces') throw childDidNotStart(exit, child.stderrTail());
    const reason: FallbackReason = exit.spawnError ? 'bwrap-missing' : bwrapFailureReason(child.stderrTail());
    recordNamespaces({ works: false, reason });
    if (this.options.isolation === 'strict') throw new IsolationUnavailableError(reason);
    this.plan = { mode: 'permission-model', reason };
    const fallback = this.startChild();
    this.child = fallback;
    if (!(await isReady(fallback))) throw childDidNotStart(await fallback.exited, fallback.stderrTail());
  }

  /** Keeps the child's output (capped); ends the call in flight when it floods. */
  private capture(child: SandboxChild, chunk: Buffer, _isStderr: boolean): void {
    if (child !== this.child) return;
    const room = this.limits.outputCapBytes - this.outputBytes;
    if (room > 0) {
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.outputChunks.push(kept);
      this.outputBytes += kept.length;
      this.droppedBytes += chunk.length - kept.length;
    } else {
      this.droppedBytes += chunk.length;
    }
    const current = this.current;
    if (current && this.droppedBytes - current.droppedAtStart > FLOOD_BYTES) {
      const mb = Math.round(FLOOD_BYTES / 1024 / 1024);
      current.fail({ code: 'output-limit', message: `printed more than ${mb} MB of output during the call; remove the print statements from the loop`, params: { fn: current.fn, mb } });
    }
  }

  private ensureChild(): SandboxChild {
    if (this.child?.alive) return this.child;
    const child = this.startChild();
    this.child = child;
    // Pipelined: hello, init and the call go out at once; the child handles them in order.
    this.sendInit(child);
    return child;
  }

  private problemOf(fn: StudentFunction): CallError | undefined {
    if (!this.sub?.files[fn]) return { code: 'crashed', message: `unknown function ${String(fn)}` };
    return this.bundle?.problems[fn];
  }

  private run(request: SandboxRequest, callOptions: CallOptions = {}): Promise<CallOutcome> {
    const fn = request.fn;
    const problem = this.problemOf(fn);
    if (problem) return Promise.resolve({ ok: false, error: problem, durationMs: 0 });
    if (this.closed) return Promise.resolve({ ok: false, error: { code: 'crashed', message: 'the sandbox is closed' }, durationMs: 0 });
    if (this.idleFault) {
      const fault = this.idleFault;
      this.idleFault = null;
      this.child?.kill();
      return Promise.resolve({ ok: false, error: protocolError(fn, fault), durationMs: 0 });
    }
    const timeoutMs = callOptions.timeoutMs ?? this.limits.timeoutMs;
    const child = this.ensureChild();
    return new Promise<CallOutcome>((resolve, reject) => {
      const started = performance.now();
      const settle = (outcome: CallOutcome): void => {
        if (this.current !== current) return;
        this.current = null;
        clearTimeout(timer);
        resolve({ ...outcome, durationMs: performance.now() - started });
      };
      const fail = (error: CallError, kill = true): void => {
        if (kill) child.kill();
        settle({ ok: false, error, durationMs: 0 });
      };
      const current: Current = { fn, fail, droppedAtStart: this.droppedBytes };
      this.current = current;
      const timer = setTimeout(() => fail(timeoutError(fn, timeoutMs)), timeoutMs);
      child.channel.request(request).then(
        (body) => {
          const invalid = checkCallOutcome(body);
          if (invalid) fail(protocolError(fn, { reason: 'malformed', detail: `a malformed result (${invalid})` }));
          else settle(boundOutcome(body as CallOutcome));
        },
        async (error: unknown) => {
          if (!(error instanceof ChannelClosedError)) {
            // The grader's own mistake (a request over maxRequestBytes): it throws, like any grader bug.
            this.current = null;
            clearTimeout(timer);
            return reject(error);
          }
          if (error.fault) return fail(protocolError(fn, error.fault, this.limits));
          const exit = await child.exited;
          fail(exitError(fn, exit, child, this.limits), false);
        },
      );
    }).then((outcome) => {
      // A fatal outcome killed the child; start its replacement now so the next call does not wait.
      if (!this.closed && !this.child?.alive && this.config && Object.keys(this.config.functions).length) this.ensureChild();
      return outcome;
    });
  }

  output(): string {
    const text = Buffer.concat(this.outputChunks).toString('utf8');
    return this.droppedBytes > 0 ? `${text}\n[… ${this.droppedBytes} more bytes of output were dropped]` : text;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    const child = this.child;
    if (child) {
      child.kill();
      // A ref'd timer (the child is unref'd, and the caller awaits this close), cleared once the
      // child is gone: left pending, it kept every CLI grade alive for a further second.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([child.exited, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
      clearTimeout(timer);
    }
    this.unregister();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The Sandbox the rest of the grader sees. */
  api(): Sandbox {
    const self = this;
    return {
      get isolation(): IsolationMode {
        return self.plan.mode;
      },
      get fallbackReason(): FallbackReason | undefined {
        return self.plan.mode === 'permission-model' ? self.plan.reason : undefined;
      },
      call(request, callOptions) {
        // Calls run one at a time, each with its own timeout, whatever the caller's concurrency.
        const result = self.queue.then(() => self.run(request, callOptions));
        self.queue = result.catch(() => undefined);
        return result;
      },
      locations: () => ({ ...self.locations }),
      output: () => self.output(),
      close: () => self.close(),
    };
  }
}

/** How long a child may take to answer the handshake (a loaded CI machine is slow, never this slow). */
const STARTUP_TIMEOUT_MS = 30_000;

/**
 * True once the child answered the handshake; false if it ended first or took longer than
 * STARTUP_TIMEOUT_MS (then it is killed). The timer is ref'd: the child is not, and this waits on it.
 */
async function isReady(child: SandboxChild): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      child.kill();
      resolve(false);
    }, STARTUP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([child.channel.ready.then(() => true), timedOut]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function childDidNotStart(exit: ChildExit, stderr: string): Error {
  const how = exit.spawnError ?? (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`);
  return new Error(`the sandbox process did not start (${how}): ${stderr.trim().slice(-1000)}`);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function timeoutError(fn: StudentFunction, timeoutMs: number): CallError {
  return {
    code: 'timeout',
    message: `${fn} did not finish within ${formatSeconds(timeoutMs)} (an infinite loop, or far too much work?)`,
    params: { fn, seconds: timeoutMs / 1000 },
  };
}

function protocolError(fn: StudentFunction, fault: ProtocolFault, limits?: ResolvedLimits): CallError {
  const bytes = fault.limitBytes ?? limits?.maxReplyBytes ?? 0;
  const mb = Math.round((bytes / 1024 / 1024) * 10) / 10;
  return { code: 'protocol-error', message: `the submission's process broke the grader's protocol: ${fault.detail}`, params: { fn, reason: fault.reason, mb } };
}

/** A signal's name from bwrap's exit code (bwrap exits with 128 + the signal that killed its command). */
function signalFromCode(code: number | null): string | null {
  if (code === null || code <= 128 || code > 128 + 64) return null;
  const entry = Object.entries(osConstants.signals).find(([, n]) => n === code - 128);
  return entry ? entry[0] : null;
}

/** Why a call's child ended: out of memory (V8's message), a signal, or an exit. */
function exitError(fn: StudentFunction, exit: ChildExit, child: SandboxChild, limits: ResolvedLimits): CallError {
  if (OOM_PATTERN.test(child.stderrTail())) {
    return { code: 'out-of-memory', message: `ran out of memory (the limit is ${limits.heapMb} MB); look for an array or matrix that grows without bound`, params: { fn, mb: limits.heapMb } };
  }
  const signal = exit.signal ?? (child.mode === 'namespaces' ? signalFromCode(exit.code) : null);
  if (signal || exit.spawnError) {
    const what = signal ?? exit.spawnError ?? '?';
    return { code: 'crashed', message: `the submission's process crashed (signal ${what})`, params: { fn, signal: what } };
  }
  const exitCode = exit.code ?? '?';
  return {
    code: 'exited',
    message: `the submission's process exited (exit code ${exitCode}) during the call; a graded function must return its result, not end the process`,
    params: { fn, exitCode },
  };
}

/**
 * openSandbox: bundle a submission and run its functions in a separate, locked-down Node process.
 *
 *   const sb = await openSandbox('path/to/submission');
 *   const outcome = await sb.call({ fn: 'sigmoidGradient', z: [[0]] });
 *   await sb.close();
 *
 * The child runs under Node's permission model (reads only of its own temp folder and the shared,
 * prebuilt runtime's folder; no writes, child processes or workers; the harness also takes the
 * network away), with a heap limit, a per-call wall-clock timeout and captured output.
 * Replies come back over IPC (advanced serialization: NaN, Infinity and typed arrays survive), must
 * carry the session's secret tag and are validated with ajv before anyone compares them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KIT_LIB_DIR } from '../paths';
import type { StudentFunction } from '../parts/ids';
import { SECRET_ENV } from './boot';
import { bundleSubmission, findLocations, locateSubmission, type BundleResult } from './bundle';
import type { HarnessConfig } from './harness';
import { DEFAULT_LIMITS, DEFAULT_SANDBOX_OPTIONS, type CallError, type CallOptions, type CallOutcome, type Sandbox, type SandboxLimits, type SandboxOptions, type SandboxRequest } from './protocol';
import { getRuntime } from './runtime';
import { checkCallOutcome, loadStandaloneValidator } from './validate';

export type * from './protocol';
export { DEFAULT_LIMITS, DEFAULT_SANDBOX_OPTIONS } from './protocol';
export { evaluateKnownFunction, knownFunctionGradient, knownFunctionSize, KNOWN_FUNCTIONS, type KnownFunctionParams } from './functions';
export { checkCallOutcome, CALL_OUTCOME_SCHEMA } from './validate';

/** Node ≥ 22.13 / 23.5 calls the permission model `--permission`; Node 20 `--experimental-permission`. */
export function permissionFlag(version = process.versions.node): string {
  const [major, minor] = version.split('.').map(Number);
  const stable = major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13);
  return stable ? '--permission' : '--experimental-permission';
}

/** Output beyond the cap is dropped; a call whose output floods past this many dropped bytes is ended. */
const FLOOD_BYTES = 16 * 1024 * 1024;
/** V8's messages when the heap limit is reached. */
const OOM_PATTERN = /heap out of memory|Reached heap limit|Allocation failed - process out of memory|FATAL ERROR: .*(?:Allocation|heap)/i;

/** Cleanups of the sandboxes still open, run if the grader exits without closing them (one listener for all). */
const openSandboxes = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const cleanup of openSandboxes) cleanup();
  });
}

interface Pending {
  id: number;
  resolve: (outcome: CallOutcome) => void;
  started: number;
  timer: NodeJS.Timeout;
  /** Bytes dropped past the output cap since the call began (flood detection). */
  droppedAtStart: number;
}

/** One child process; replaced by a fresh one after a fatal outcome. */
interface Child {
  proc: ChildProcess;
  alive: boolean;
  /** The last few KB of stderr, to recognise V8's out-of-memory message. */
  stderrTail: string;
}

/**
 * Opens a sandbox on a submission: an exercises folder, or a repository that contains `exercises/`.
 * Never throws for a bad submission (missing files and compile errors come back from `call`); it
 * throws only when the grader itself is broken (e.g. the harness does not build).
 * @param limits per-call timeout, heap and output cap (defaults: DEFAULT_LIMITS)
 */
export async function openSandbox(submissionPath: string, limits?: Partial<SandboxLimits>, options?: Partial<SandboxOptions>): Promise<Sandbox> {
  const lim: SandboxLimits = { ...DEFAULT_LIMITS, ...limits };
  const opts: SandboxOptions = { ...DEFAULT_SANDBOX_OPTIONS, ...options };
  // Namespaces (bubblewrap) come with the sandbox v2 work; until then only the permission model.
  if (opts.isolation === 'strict') throw new Error('isolation "strict" needs OS namespaces (bubblewrap), which this sandbox does not use yet');
  installExitHook();
  const sub = locateSubmission(submissionPath);
  // Built once per grader process (or found in the disk cache): usually already resolved here.
  const runtime = await getRuntime();
  // ajv's standalone validator from the runtime: no ajv import or schema compile in this process.
  const validatorReady = loadStandaloneValidator(runtime.validator);
  // Real path: the permission model compares real paths (os.tmpdir() may be a symlink, e.g. on macOS).
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'backprop-grader-sandbox-')));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const harnessUrl = pathToFileURL(runtime.harness).href;
  const secret = randomBytes(24).toString('hex');

  const outputChunks: Buffer[] = [];
  let outputBytes = 0;
  let droppedBytes = 0;
  let child: Child | null = null;
  let pending: Pending | null = null;
  let nextId = 1;
  let closed = false;
  let bundle: BundleResult | undefined;
  let config: HarnessConfig | undefined;

  const capture = (c: Child, chunk: Buffer, isStderr: boolean): void => {
    if (isStderr) c.stderrTail = (c.stderrTail + chunk.toString('utf8')).slice(-4096);
    const room = lim.outputCapBytes - outputBytes;
    if (room > 0) {
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      outputChunks.push(kept);
      outputBytes += kept.length;
      droppedBytes += chunk.length - kept.length;
    } else {
      droppedBytes += chunk.length;
    }
    if (pending && droppedBytes - pending.droppedAtStart > FLOOD_BYTES) {
      finish(c, { code: 'output-limit', message: `printed more than ${Math.round(FLOOD_BYTES / 1024 / 1024)} MB of output during the call; remove the print statements from the loop` });
    }
  };

  /** Ends the pending call with an error and kills the child (which is then replaced). */
  const finish = (c: Child, error: CallError): void => {
    kill(c);
    resolvePending({ ok: false, error, durationMs: 0 });
  };

  const resolvePending = (outcome: CallOutcome): void => {
    const p = pending;
    if (!p) return;
    pending = null;
    clearTimeout(p.timer);
    p.resolve({ ...outcome, durationMs: performance.now() - p.started });
  };

  const kill = (c: Child): void => {
    if (!c.alive) return;
    c.alive = false;
    if (child === c) child = null;
    c.proc.kill('SIGKILL');
  };

  const spawnChild = (): Child => {
    const proc = spawn(
      process.execPath,
      [
        permissionFlag(),
        `--allow-fs-read=${dir}`,
        // The shared runtime (harness, ml-matrix, the kit's helpers): readable, never writable.
        `--allow-fs-read=${runtime.dir}`,
        `--max-old-space-size=${lim.heapMb}`,
        // Only the student's chunks carry source maps (small); the runtime has none to parse.
        '--enable-source-maps',
        '--disable-warning=ExperimentalWarning',
        runtime.boot,
        harnessUrl,
      ],
      {
        cwd: dir,
        // Only the secret: the grader's environment (CI tokens, NODE_OPTIONS) is not the submission's business.
        env: { [SECRET_ENV]: secret },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'advanced',
      },
    );
    const c: Child = { proc, alive: true, stderrTail: '' };
    proc.stdout?.on('data', (chunk: Buffer) => capture(c, chunk, false));
    proc.stderr?.on('data', (chunk: Buffer) => capture(c, chunk, true));
    proc.on('message', (msg: unknown) => onMessage(c, msg));
    proc.on('error', () => {
      /* reported through 'close' */
    });
    // 'close' (not 'exit'): stderr has been read to the end, so V8's OOM message is in the tail.
    proc.on('close', (code, signal) => onClose(c, code, signal));
    // The child must never keep the grader alive on its own (a pending call holds a timer instead).
    proc.unref();
    (proc.channel as { unref?: () => void } | undefined)?.unref?.();
    (proc.stdout as { unref?: () => void } | null)?.unref?.();
    (proc.stderr as { unref?: () => void } | null)?.unref?.();
    if (config) proc.send({ type: 'init', entry: harnessUrl, config });
    return c;
  };

  const onMessage = (c: Child, msg: unknown): void => {
    const p = pending;
    if (!p || child !== c || typeof msg !== 'object' || msg === null) return;
    const m = msg as { type?: unknown; id?: unknown; tag?: unknown; outcome?: unknown };
    // Anything without this call's tag (a student's own process.send, a stale reply) is ignored.
    if (m.type !== 'reply' || m.id !== p.id || m.tag !== `${secret}:${p.id}`) return;
    const invalid = checkCallOutcome(m.outcome);
    if (invalid) {
      resolvePending({ ok: false, error: { code: 'crashed', message: `the submission's process sent back a malformed result (${invalid})` }, durationMs: 0 });
      return;
    }
    resolvePending(m.outcome as CallOutcome);
  };

  const onClose = (c: Child, code: number | null, signal: NodeJS.Signals | null): void => {
    const wasCurrent = c.alive;
    c.alive = false;
    if (child === c) child = null;
    if (!wasCurrent || !pending) return;
    let error: CallError;
    if (OOM_PATTERN.test(c.stderrTail)) {
      error = { code: 'out-of-memory', message: `ran out of memory (the limit is ${lim.heapMb} MB); look for an array or matrix that grows without bound` };
    } else if (signal) {
      error = { code: 'crashed', message: `the submission's process crashed (signal ${signal})` };
    } else {
      error = { code: 'exited', message: `the submission's process exited (exit code ${code ?? '?'}) during the call; a graded function must return its result, not end the process` };
    }
    resolvePending({ ok: false, error, durationMs: 0 });
  };

  const ensureChild = (): Child => {
    if (child && child.alive) return child;
    child = spawnChild();
    return child;
  };

  const problemOf = (fn: StudentFunction): CallError | undefined => {
    const located = sub.files[fn];
    if (!located) return { code: 'crashed', message: `unknown function ${String(fn)}` };
    return bundle?.problems[fn];
  };

  const run = (request: SandboxRequest, callOptions: CallOptions = {}): Promise<CallOutcome> => {
    const timeoutMs = callOptions.timeoutMs ?? lim.timeoutMs;
    const problem = problemOf(request.fn);
    if (problem) return Promise.resolve({ ok: false, error: problem, durationMs: 0 });
    if (closed) return Promise.resolve({ ok: false, error: { code: 'crashed', message: 'the sandbox is closed' }, durationMs: 0 });
    const c = ensureChild();
    const id = nextId++;
    return new Promise<CallOutcome>((resolve) => {
      const timer = setTimeout(() => {
        finish(c, {
          code: 'timeout',
          message: `${request.fn} did not finish within ${formatSeconds(timeoutMs)} (an infinite loop, or far too much work?)`,
          params: { fn: request.fn, seconds: timeoutMs / 1000 },
        });
      }, timeoutMs);
      pending = { id, resolve, started: performance.now(), timer, droppedAtStart: droppedBytes };
      try {
        c.proc.send({ type: 'call', id, request });
      } catch (error) {
        finish(c, { code: 'crashed', message: `could not send the call to the submission's process: ${String(error)}` });
      }
    }).then((outcome) => {
      // A fatal outcome killed the child; start its replacement now so the next call does not wait.
      if (!closed && !child && bundle && Object.keys(bundle.chunks).length) ensureChild();
      return outcome;
    });
  };

  // Start the child while esbuild bundles: both take tens of milliseconds.
  child = spawnChild();
  const onExit = (): void => {
    if (child) kill(child);
    cleanup();
  };
  openSandboxes.add(onExit);
  try {
    bundle = await bundleSubmission(sub, join(dir, 'bundle'), runtime);
  } catch (error) {
    onExit();
    openSandboxes.delete(onExit);
    throw error;
  }
  const functions: HarnessConfig['functions'] = {};
  for (const [fn, chunk] of Object.entries(bundle.chunks) as [StudentFunction, string][]) {
    functions[fn] = { chunk, file: sub.files[fn].file };
  }
  config = { functions, submissionRoot: sub.boundary, displayRoot: sub.displayRoot, kitLibDir: KIT_LIB_DIR, trace: opts.trace };
  if (Object.keys(functions).length === 0) {
    if (child) kill(child);
  } else if (child?.alive) {
    child.proc.send({ type: 'init', entry: harnessUrl, config });
  }
  const locations = findLocations(sub);
  await validatorReady;

  let queue: Promise<unknown> = Promise.resolve();
  return {
    isolation: 'permission-model',
    call(request, callOptions) {
      // Calls run one at a time, each with its own timeout, whatever the caller's concurrency.
      const result = queue.then(() => run(request, callOptions));
      queue = result.catch(() => undefined);
      return result;
    },
    locations: () => ({ ...locations }),
    output() {
      const text = Buffer.concat(outputChunks).toString('utf8');
      return droppedBytes > 0 ? `${text}\n[… ${droppedBytes} more bytes of output were dropped]` : text;
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      const c = child;
      if (c) {
        // A ref'd timer: the child is unref'd, and the caller awaits this close.
        const gone = new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          c.proc.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        kill(c);
        await gone;
      }
      openSandboxes.delete(onExit);
      cleanup();
    },
  };
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

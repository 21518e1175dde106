/**
 * One sandbox child process and its channel: started under the planned walls (bwrap, or the
 * hardened permission model), its output handed to the owner, its end observed. The owner
 * (sandbox.ts) decides what a death means for the pending call.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { ChannelClosedError, createChannel, type Channel, type ProtocolFault } from './channel';
import { REPLY_FD, REQUEST_FD } from './codec';
import type { IsolationPlan } from './isolation';
import type { ResolvedLimits } from './limits';
import type { IsolationMode } from './protocol';
import type { Runtime } from './runtime';
import { bwrapArgs, bwrapEnv } from './spawn-bwrap';
import { nodeCommand, ownProcessGroup, spawnSandboxProcess, withKernelLimits } from './spawn-node';

/** How a child ended: its exit code or signal, and whether it had answered the handshake. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  ready: boolean;
  /** The spawn itself failed (e.g. ENOENT). */
  spawnError?: string;
}

export interface ChildSpec {
  plan: IsolationPlan;
  runtime: Runtime;
  /** The folder of the submission's bundle (bound/readable; the child's working directory). */
  bundleDir: string;
  limits: ResolvedLimits;
  secret: Uint8Array;
  /** Every chunk the child prints. */
  onOutput(chunk: Buffer, isStderr: boolean): void;
  /** A protocol fault (the child is already being killed). */
  onFault(fault: ProtocolFault): void;
}

export interface SandboxChild {
  readonly mode: IsolationMode;
  readonly channel: Channel;
  /** False once killed or exited. */
  readonly alive: boolean;
  /** The last few KB of stderr (V8's out-of-memory message, bwrap's own errors). */
  stderrTail(): string;
  /** Settles when the process and its pipes have closed. */
  readonly exited: Promise<ChildExit>;
  /** SIGKILL (bwrap takes its whole PID namespace with it). Idempotent. */
  kill(): void;
}

/** Starts a child under `spec.plan`; never throws (a failed spawn shows in `exited`). */
export function startChild(spec: ChildSpec): SandboxChild {
  const { plan, runtime, limits } = spec;
  const node = nodeCommand({ readable: [runtime.dir, spec.bundleDir], heapMb: limits.heapMb, boot: runtime.boot, harnessUrl: pathToFileURL(runtime.harness).href, isolation: plan.mode });
  const command =
    plan.mode === 'namespaces'
      ? withKernelLimits([plan.bwrap, ...bwrapArgs(node, { readOnly: [runtime.dir, spec.bundleDir], cwd: spec.bundleDir })], limits.memoryMb, false)
      : withKernelLimits(node, limits.memoryMb, true);
  // bwrap's --new-session gives the namespaced child a session of its own; the fallback's gets one here.
  const proc = plan.mode === 'namespaces' ? spawnSandboxProcess(command, spec.bundleDir, bwrapEnv()) : spawnSandboxProcess(command, spec.bundleDir, {}, ownProcessGroup());
  let alive = true;
  let tail = '';
  let ready = false;
  let spawnError: string | undefined;
  // Output before the handshake is Node's or bwrap's own (no student code runs before it): kept
  // back, handed over once the child is ready, dropped if it never is (a bwrap that failed).
  let early: Array<[Buffer, boolean]> | null = [];
  let earlyBytes = 0;
  const emit = (chunk: Buffer, isStderr: boolean): void => {
    if (!early) return spec.onOutput(chunk, isStderr);
    if (earlyBytes < limits.outputCapBytes) early.push([chunk, isStderr]);
    earlyBytes += chunk.length;
  };
  const requests = proc.stdio[REQUEST_FD] as Writable;
  const replies = proc.stdio[REPLY_FD] as Readable;

  const kill = (): void => {
    if (!alive) return;
    alive = false;
    if (plan.mode === 'namespaces') killNamespaceInit(proc);
    proc.kill('SIGKILL');
  };
  const channel = createChannel({
    secret: spec.secret,
    maxReplyBytes: limits.maxReplyBytes,
    maxReplyBytesPerCall: limits.maxReplyBytesPerCall,
    maxRequestBytes: limits.maxRequestBytes,
    write: (frame) => void requests.write(frame),
    onFault: (fault) => {
      kill();
      spec.onFault(fault);
    },
  });
  channel.ready.then(
    () => {
      ready = true;
      const held = early ?? [];
      early = null;
      for (const [chunk, isStderr] of held) spec.onOutput(chunk, isStderr);
    },
    () => undefined,
  );
  replies.on('data', (chunk: Buffer) => channel.readFromChild(chunk));
  proc.stdout?.on('data', (chunk: Buffer) => emit(chunk, false));
  proc.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
    emit(chunk, true);
  });
  // A dead child's pipes report EPIPE and the like; its end is reported through 'close'.
  for (const stream of [requests, replies, proc.stdout, proc.stderr]) stream?.on('error', () => undefined);
  proc.on('error', (error) => void (spawnError = error.message));
  const exited = new Promise<ChildExit>((resolve) => {
    // 'close' (not 'exit'): stderr has been read to the end, so V8's OOM message is in the tail.
    proc.on('close', (code, signal) => {
      alive = false;
      channel.close(new ChannelClosedError('the sandbox process ended'));
      resolve({ code, signal, ready, ...(spawnError ? { spawnError } : {}) });
    });
  });
  unrefAll(proc);
  return {
    mode: plan.mode,
    channel,
    get alive() {
      return alive;
    },
    stderrTail: () => tail,
    exited,
    kill,
  };
}

/**
 * Kills bwrap's child (its PID namespace's init, and with it everything in the namespace) besides
 * bwrap itself. Needed while bwrap is still setting up: its child then waits on an eventfd for a
 * word from bwrap that never comes if bwrap dies first, and has not yet asked to die with it
 * (bubblewrap 0.8 sets --die-with-parent only after setup), so it would stay forever, holding
 * the pipes. Read from /proc/<pid>/task/<pid>/children, and only while bwrap is not reaped (its
 * pid cannot have been reused).
 */
function killNamespaceInit(proc: ChildProcess): void {
  const pid = proc.pid;
  if (pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  let children: string;
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    return; // no such file on this kernel: bwrap's own --die-with-parent is all there is
  }
  for (const child of children.split(' ')) {
    if (!/^\d+$/.test(child)) continue;
    try {
      process.kill(Number(child), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The child never keeps the grader alive on its own (a pending call holds a timer instead). */
function unrefAll(proc: ChildProcess): void {
  proc.unref();
  for (const stream of proc.stdio) (stream as { unref?: () => void } | null)?.unref?.();
}

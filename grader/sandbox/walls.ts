/**
 * The walls the harness builds inside the child, before any student module loads. Each replaces
 * an entry point with a function that throws; the originals are not kept anywhere (no closure
 * refers to them), so student code has nothing to restore.
 *
 * - disableNetwork (every mode): the public network APIs, with a message a student understands.
 *   Under namespaces the kernel's empty network namespace is the real wall; this is the friendly one.
 * - blockHeapSnapshots (every mode): a heap snapshot would show the boot script's memory.
 * - sealByteViews (every mode): the typed arrays' size accessors stay Node's own, so a getter a
 *   submission puts on them never sees the reply frames (they carry the session secret).
 * - hardenInternals (the permission-model fallback only): what Node 20's permission model leaves
 *   open and namespaces would close: sending signals (process.kill and process._debugProcess: the
 *   grader, its esbuild service, classmates), renicing other processes, and Node's internal socket handles (a TCP or
 *   pipe handle's constructor reached through `net._createServerHandle` or `process.stdout._handle`
 *   connects anywhere), and the process handle inside every `new ChildProcess()`: never spawned,
 *   its pid is 0, so its `kill(sig)` is kill(0, sig), the whole process group. Best effort at the
 *   JavaScript level, which is why namespaces are preferred (and why the fallback child has its
 *   own process group where it can: spawn-node.ts).
 */
import { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import v8 from 'node:v8';
import { kitError } from '../../exercises/lib/errors';

/** What a student sees when their code touches the network. */
export const NO_NETWORK_MESSAGE = "the grader's sandbox has no network";

/**
 * A replacement that throws `message` with Node's `code`, and the catalogue's `kind` of it as the
 * kit's errors carry theirs (`error.kit`), so the student reads it in their language.
 */
function refusing(message: string, code: string, kind: string): () => never {
  return function refused(): never {
    throw kitError(Object.assign(new Error(message), { code }), kind);
  };
}

/** Replaces `keys` of `target` with `value`, non-writable and non-configurable where possible. */
function replace(target: object | null | undefined, keys: string[], value: unknown): void {
  if (!target) return;
  for (const key of keys) {
    try {
      Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
    } catch {
      // already non-configurable: nothing reachable to replace
    }
  }
}

const DNS_METHODS = ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'resolvePtr', 'resolveNaptr', 'resolveSoa', 'resolveCaa', 'reverse'];

/**
 * Takes the network away from student code. Node 20's permission model restricts files, child
 * processes and workers, not sockets. Everything that opens a connection goes through these:
 * net.connect/createConnection and tls/http/https/http2 (net.Socket.prototype.connect), fetch
 * (undici builds its sockets with net.connect), UDP (dgram), DNS lookups (a query is itself a way
 * out), and servers (listen). The caller runs syncBuiltinESMExports() afterwards.
 */
export function disableNetwork(): void {
  const refuse = refusing(NO_NETWORK_MESSAGE, 'ERR_SANDBOX_NO_NETWORK', 'sandbox-network');
  replace(net.Socket.prototype, ['connect'], refuse);
  replace(net.Server.prototype, ['listen'], refuse);
  replace(net, ['connect', 'createConnection'], refuse);
  replace(dgram.Socket.prototype, ['send', 'bind', 'connect', 'addMembership', 'addSourceSpecificMembership'], refuse);
  replace(dns, DNS_METHODS, refuse);
  replace(dns.promises, DNS_METHODS, refuse);
  replace(dns.Resolver.prototype, ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse'], refuse);
  replace(dns.promises.Resolver.prototype, ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse'], refuse);
  // fetch and WebSocket (when present) would reach the network through undici's own paths; as
  // globals they are replaced outright (the getter Node installs loads undici lazily).
  for (const key of ['fetch', 'WebSocket', 'EventSource']) replace(globalThis, [key], refuse);
}

/** No heap snapshots: they would show memory that is not the submission's (the channel's state). */
export function blockHeapSnapshots(): void {
  replace(v8, ['getHeapSnapshot', 'writeHeapSnapshot', 'setHeapSnapshotNearHeapLimit'], refusing("the grader's sandbox does not allow heap snapshots", 'ERR_ACCESS_DENIED', 'sandbox-heap-snapshot'));
}

/**
 * Pins `length`, `byteLength`, `byteOffset` and `buffer` of every Uint8Array (Buffers included) to
 * V8's own getters, non-configurable, where a submission could otherwise put or shadow them, and
 * Uint8Array's `constructor` and `Symbol.species` (which subarray consults for its view).
 * Each reply frame carries the session secret in its bytes, and the boot script's writeAll and
 * fs.writeSync read the frame's size through these accessors: a getter of the submission's once
 * read the secret out of `this` at the first reply, so its forged frames passed the tag check.
 */
export function sealByteViews(): void {
  const typedArray = Object.getPrototypeOf(Uint8Array.prototype) as object;
  for (const key of ['length', 'byteLength', 'byteOffset', 'buffer']) {
    const own = Object.getOwnPropertyDescriptor(typedArray, key);
    if (!own?.get) continue;
    for (const proto of [typedArray, Uint8Array.prototype, Buffer.prototype]) {
      try {
        Object.defineProperty(proto, key, { get: own.get, set: undefined, configurable: false, enumerable: false });
      } catch {
        // already non-configurable: nothing to shadow or replace
      }
    }
  }
  // The views subarray and slice make come from `constructor[Symbol.species]`: pinned to V8's too.
  const TypedArray = Object.getPrototypeOf(Uint8Array) as object;
  const species = Object.getOwnPropertyDescriptor(TypedArray, Symbol.species);
  for (const target of [TypedArray, Uint8Array]) {
    try {
      if (species?.get) Object.defineProperty(target, Symbol.species, { get: species.get, set: undefined, configurable: false, enumerable: false });
    } catch {
      // already non-configurable
    }
  }
  try {
    Object.defineProperty(Uint8Array.prototype, 'constructor', { value: Uint8Array, writable: false, configurable: false, enumerable: false });
  } catch {
    // already non-configurable
  }
}

/** The prototypes of Node's internal TCP, pipe and UDP handles, reached the way an attacker would. */
function handlePrototypes(): object[] {
  const protos = new Set<object>();
  const add = (handle: unknown): void => {
    if (handle && typeof handle === 'object') protos.add(Object.getPrototypeOf(handle) as object);
  };
  for (const stream of [process.stdout, process.stderr] as unknown as Array<{ _handle?: unknown }>) add(stream?._handle);
  for (const h of (process as unknown as { _getActiveHandles?: () => Array<{ _handle?: unknown }> })._getActiveHandles?.() ?? []) add(h?._handle);
  // A TCP handle without a connection: Socket.connect makes one before it looks the host up, and
  // this lookup never answers, so nothing is sent anywhere.
  try {
    const socket = new net.Socket();
    socket.connect({ port: 9, host: 'sandbox.invalid', lookup: () => undefined });
    add((socket as unknown as { _handle?: unknown })._handle);
    socket.destroy();
  } catch {
    // no TCP handle to be had this way
  }
  try {
    const udp = dgram.createSocket('udp4');
    for (const sym of Object.getOwnPropertySymbols(udp)) add((udp as unknown as Record<symbol, { handle?: unknown }>)[sym]?.handle);
    udp.close();
  } catch {
    // no UDP handle to be had this way
  }
  return [...protos];
}

/**
 * The permission-model fallback's extra walls (see the module comment). Must run before
 * disableNetwork replaces net.Socket.prototype.connect (it uses it once to find the TCP handle).
 */
export function hardenInternals(): void {
  const noSignals = refusing("the grader's sandbox does not allow sending signals", 'ERR_ACCESS_DENIED', 'sandbox-signals');
  // process._debugProcess(pid) is kill(pid, SIGUSR1): it opened the grader's inspector on
  // 127.0.0.1:9229 (code execution for anyone local) and ends any process that does not catch it.
  replace(process, ['kill', '_kill', '_debugProcess'], noSignals);
  // An unspawned ChildProcess's handle: kill() would signal process group 0 (the grader's, when
  // the child shares it), spawn() is the permission model's to refuse but costs nothing to close.
  try {
    const handle = (new ChildProcess() as unknown as { _handle?: object })._handle;
    if (handle) replace(Object.getPrototypeOf(handle) as object, ['kill', 'spawn'], noSignals);
  } catch {
    // no process handle to be had this way
  }
  replace(os, ['setPriority'], refusing("the grader's sandbox does not allow changing process priorities", 'ERR_ACCESS_DENIED', 'sandbox-priority'));
  const noHandles = refusing(NO_NETWORK_MESSAGE, 'ERR_SANDBOX_NO_NETWORK', 'sandbox-network');
  for (const proto of handlePrototypes()) {
    replace(proto, ['connect', 'connect6', 'bind', 'bind6', 'listen', 'send', 'send6', 'open'], noHandles);
  }
  replace(net, ['_createServerHandle'], noHandles);
}

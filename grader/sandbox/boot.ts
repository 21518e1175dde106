/**
 * The child's end of the sandbox channel: the entry point of the sandbox's child process (built
 * into the prebuilt runtime as boot.mjs, runtime.ts). It runs before any student code and
 * exists before the submission's bundle does, so the child can start while esbuild is still
 * bundling the student's files.
 *
 *   argv[2]   the runtime harness's URL, imported at once (preloaded while the grader bundles)
 *   argv[3]   the isolation mode the child runs under: its walls are built once the harness loads
 *   fd 3      packets from the grader (hello, init, call), read as a stream
 *   fd 4      packets to the grader (ready, reply), written synchronously
 *
 * The hello packet carries the session secret; it is copied, byte by byte, into a buffer this
 * module keeps to itself, before any student module is imported, and every frame written to fd 4
 * starts with it (codec.ts). Student code can write to fd 4 too, but without the secret the
 * grader takes its bytes for what they are: a protocol error of that submission.
 *
 * Everything used after student code has run is captured here first (fs.writeSync, the codec's
 * own captures), so a submission that patches globals changes its own answers at most.
 */
import fs from 'node:fs';
import net from 'node:net';
import { decodeBody, encodeFrame, FRAME_HEADER_BYTES, PROTOCOL_VERSION, readU32, REPLY_FD, REQUEST_FD, splitBody, TAG_BYTES } from './codec';
import type { Harness, HarnessConfig } from './harness';
import type { CallOutcome } from './protocol';

const writeSync = fs.writeSync;
const realExit = process.exit.bind(process);
const on = process.on.bind(process);
const U8 = Uint8Array;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const wait = Atomics.wait;

const secret = new U8(TAG_BYTES);
let haveSecret = false;
let harness: Promise<Harness> | null = null;
let maxReplyBytes = 8 * 1024 * 1024;
let queue: Promise<void> = Promise.resolve();

// Preload the harness (and ml-matrix, the kit) and build the walls for the isolation mode this
// child was started under, while the grader bundles the submission (no student code exists yet).
const harnessModule = import(process.argv[2]) as Promise<{ createHarness(config: HarnessConfig): Harness; buildWalls(isolation: HarnessConfig['isolation']): void }>;
harnessModule.then(
  (m) => {
    const mode = process.argv[3];
    if (mode === 'namespaces' || mode === 'permission-model') m.buildWalls(mode);
  },
  () => undefined,
);
// A student's stray async rejection must not kill the process between calls.
on('unhandledRejection', () => undefined);

/** Writes all of `frame` to the reply pipe, waiting out a full pipe (EAGAIN) if someone made it non-blocking. */
function writeAll(frame: Uint8Array): void {
  let at = 0;
  while (at < frame.length) {
    try {
      at += writeSync(REPLY_FD, frame, at, frame.length - at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return realExit(70);
      wait(sleeper, 0, 0, 1);
    }
  }
}

function send(packet: unknown): void {
  writeAll(encodeFrame(packet, secret));
}

/** The reply to call `id`: the outcome, or, when it is larger than the grader accepts, an error saying so. */
function reply(id: number, outcome: CallOutcome): void {
  let frame: Uint8Array;
  try {
    frame = encodeFrame({ t: 'reply', id, body: outcome }, secret);
  } catch (error) {
    frame = encodeFrame({ t: 'reply', id, body: failure('crashed', `the result could not be encoded: ${String((error as Error)?.message)}`) }, secret);
  }
  if (frame.length - 4 > maxReplyBytes) {
    const mb = Math.round((maxReplyBytes / 1024 / 1024) * 10) / 10;
    frame = encodeFrame(
      { t: 'reply', id, body: failure('protocol-error', `the result is ${frame.length - 4} bytes, more than the ${maxReplyBytes} the grader accepts`, { reason: 'too-large', mb }) },
      secret,
    );
  }
  writeAll(frame);
}

function failure(code: 'crashed' | 'protocol-error', message: string, params?: Record<string, string | number>): CallOutcome {
  return { ok: false, error: { code, message, ...(params ? { params } : {}) }, durationMs: 0 };
}

function onPacket(packet: { t?: unknown; [key: string]: unknown }, body: Uint8Array): void {
  if (packet.t === 'hello' && !haveSecret) {
    // The secret is the hello's binary part: raw bytes, never a JS string (not even in a heap snapshot).
    const binary = splitBody(body).binary;
    for (let i = 0; i < TAG_BYTES; i++) secret[i] = binary[i];
    haveSecret = true;
    send({ t: 'ready', v: PROTOCOL_VERSION });
    return;
  }
  if (packet.t === 'init' && harness === null) {
    const config = packet.config as HarnessConfig;
    if (typeof packet.maxReplyBytes === 'number') maxReplyBytes = packet.maxReplyBytes;
    harness = harnessModule.then((m) => m.createHarness(config));
    harness.catch(() => undefined);
    return;
  }
  if (packet.t !== 'call' || harness === null || typeof packet.id !== 'number') return;
  const id = packet.id;
  const request = packet.body;
  const ready = harness;
  queue = queue.then(async () => {
    let outcome: CallOutcome;
    try {
      outcome = await (await ready).call(request as Parameters<Harness['call']>[0]);
    } catch (error) {
      outcome = failure('crashed', `the sandbox harness failed: ${describe(error)}`);
    }
    reply(id, outcome);
  });
}

function describe(error: unknown): string {
  try {
    return String((error as Error)?.stack ?? error).slice(0, 2000);
  } catch {
    return 'unknown error';
  }
}

// Frames from the grader (trusted: its own packets). Chunks are kept in a list and joined once per
// frame, so a 16 MB request arriving in 64 KB chunks is copied once, not 256 times.
let chunks: Uint8Array[] = [];
let buffered = 0;
function onData(chunk: Uint8Array): void {
  chunks.push(chunk);
  buffered += chunk.length;
  while (buffered >= 4) {
    const head = chunks[0].length >= 4 ? chunks[0] : join();
    const n = readU32(head, 0);
    if (buffered < 4 + n) return;
    const all = chunks.length === 1 ? chunks[0] : join();
    const body = all.subarray(FRAME_HEADER_BYTES, 4 + n);
    const rest = all.subarray(4 + n);
    chunks = rest.length ? [rest] : [];
    buffered = rest.length;
    try {
      onPacket(decodeBody(body) as { t?: unknown }, body);
    } catch {
      realExit(70);
    }
  }
}

function join(): Uint8Array {
  const out = new U8(buffered);
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i], at);
    at += chunks[i].length;
  }
  chunks = [out];
  return out;
}

const input = new net.Socket({ fd: REQUEST_FD, readable: true, writable: false });
input.on('data', onData);
// The grader closed the channel (or died): nothing more will come.
input.on('end', () => realExit(0));
input.on('error', () => realExit(0));

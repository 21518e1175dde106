/**
 * The grader's end of the sandbox channel: framed packets (codec.ts) over two pipes, in the shape
 * of esbuild's createChannel (lib/shared/common.ts): no transport of its own (the owner feeds it
 * the bytes read from the child and gives it a write function), an id map of pending requests, a
 * version handshake, and every pending request failed when the channel closes.
 *
 *   grader -> child   hello {v} + the session secret   (first, before any student code exists)
 *                     init {config}                    (once the bundle is ready)
 *                     call {id, body}                  (one per request)
 *   child -> grader   ready {v}                        (answers hello)
 *                     reply {id, body}                 (answers call id)
 *
 * Every frame from the child must carry the session secret as its tag; the child's boot script
 * received it in the hello packet before any student module loaded, and student code has no way
 * to read it. The child is hostile: a frame that is oversized (per frame, or in total while one
 * call is pending), malformed, untagged or unexpected is a protocol fault. The channel then stops
 * reading, tells its owner once (who kills the child) and fails every pending request with it;
 * nothing the child sends can throw in the grader.
 *
 * Generic over request kinds: it never looks inside a request's or a reply's body.
 */
import { CodecError, decodeBody, encodeFrame, FRAME_HEADER_BYTES, PROTOCOL_VERSION, readU32, sameTag, TAG_BYTES } from './codec';

/** Why the child's bytes were refused. */
export type ProtocolFaultReason = 'oversized' | 'malformed' | 'forged' | 'unexpected' | 'version';

/** A fault in what the child sent: the reason (language-neutral) and an English detail for logs. */
export interface ProtocolFault {
  reason: ProtocolFaultReason;
  detail: string;
  /** For `oversized`: the cap that was exceeded, in bytes. */
  limitBytes?: number;
}

/** Caps on what the child may send. */
export interface ChannelLimits {
  /** Largest frame (tag + body) the child may send, in bytes. */
  maxReplyBytes: number;
  /** Most bytes the child may send while one request is pending (all its frames together). */
  maxReplyBytesPerCall: number;
}

/** Why a request got no reply. */
export class ChannelClosedError extends Error {
  constructor(
    message: string,
    /** Set when the child broke the protocol (else the child exited or the owner closed the channel). */
    readonly fault?: ProtocolFault,
  ) {
    super(message);
    this.name = 'ChannelClosedError';
  }
}

/** A request larger than ChannelOptions.maxRequestBytes: the grader's own mistake, not the child's. */
export class RequestTooLargeError extends Error {
  constructor(readonly bytes: number, readonly limitBytes: number) {
    super(`a request of ${bytes} bytes is larger than the sandbox's limit of ${limitBytes} (SandboxLimits.maxRequestBytes)`);
    this.name = 'RequestTooLargeError';
  }
}

export interface ChannelOptions extends ChannelLimits {
  /** Largest frame the grader sends (bytes); a larger request is refused with RequestTooLargeError. */
  maxRequestBytes: number;
  /** Writes a frame to the child's request pipe. */
  write(frame: Uint8Array): void;
  /** The session secret (TAG_BYTES random bytes). */
  secret: Uint8Array;
  /** Called once, on the first protocol fault (the owner kills the child). */
  onFault(fault: ProtocolFault): void;
}

export interface Channel {
  /** Bytes read from the child's reply pipe, in order. Never throws. */
  readFromChild(chunk: Uint8Array): void;
  /** Resolves when the child answered the hello with this grader's protocol version; rejects if the channel closes first. */
  readonly ready: Promise<void>;
  /** Sends a packet that gets no answer. */
  notify(type: string, fields: Record<string, unknown>): void;
  /** Sends a request; resolves with the reply's body, rejects with ChannelClosedError (or RequestTooLargeError, sending nothing). */
  request(body: unknown): Promise<unknown>;
  /** Fails every pending request (and every later one) with `error`; idempotent. */
  close(error: ChannelClosedError): void;
  /** True once closed. */
  readonly closed: boolean;
}

interface Pending {
  resolve: (body: unknown) => void;
  reject: (error: ChannelClosedError) => void;
}

/** Sends hello at once; see the module comment for the packets. */
export function createChannel(options: ChannelOptions): Channel {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closedWith: ChannelClosedError | undefined;
  let isReady = false;
  // Reassembly: chunks of the frame being read, without concatenating on every chunk.
  let chunks: Uint8Array[] = [];
  let buffered = 0;
  let bytesThisCall = 0;
  let markReady!: () => void;
  let failReady!: (error: ChannelClosedError) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined);

  const close = (error: ChannelClosedError): void => {
    if (closedWith) return;
    closedWith = error;
    chunks = [];
    buffered = 0;
    failReady(error);
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const fault = (f: ProtocolFault): void => {
    if (closedWith) return;
    close(new ChannelClosedError(`protocol error: ${f.detail}`, f));
    options.onFault(f);
  };

  const send = (frame: Uint8Array): void => {
    try {
      options.write(frame);
    } catch (error) {
      close(new ChannelClosedError(`could not write to the child: ${(error as Error).message}`));
    }
  };

  const onPacket = (packet: unknown): void => {
    const p = packet as { t?: unknown; v?: unknown; id?: unknown; body?: unknown } | null;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return fault({ reason: 'malformed', detail: 'a packet that is not an object' });
    if (!isReady) {
      if (p.t !== 'ready') return fault({ reason: 'unexpected', detail: `a "${String(p.t).slice(0, 20)}" packet before the handshake` });
      if (p.v !== PROTOCOL_VERSION) return fault({ reason: 'version', detail: `protocol version ${String(p.v).slice(0, 20)}, expected ${PROTOCOL_VERSION}` });
      isReady = true;
      markReady();
      return;
    }
    if (p.t !== 'reply' || typeof p.id !== 'number') return fault({ reason: 'unexpected', detail: `an unexpected "${String(p.t).slice(0, 20)}" packet` });
    const waiting = pending.get(p.id);
    if (!waiting) return fault({ reason: 'unexpected', detail: `a reply to request ${p.id}, which is not pending` });
    pending.delete(p.id);
    waiting.resolve(p.body);
  };

  /** Handles every complete frame in the buffer. */
  const drain = (): void => {
    while (!closedWith && buffered >= 4) {
      const head = chunks[0].length >= 4 ? chunks[0] : concat(chunks, buffered);
      const n = readU32(head, 0);
      // Checked before buffering the rest: a child announcing 400 MB gets no further.
      if (n > options.maxReplyBytes) return fault({ reason: 'oversized', detail: `a frame of ${n} bytes (the limit is ${options.maxReplyBytes})`, limitBytes: options.maxReplyBytes });
      if (n < TAG_BYTES + 4) return fault({ reason: 'malformed', detail: `a frame of ${n} bytes is too short` });
      if (buffered < 4 + n) return;
      const all = chunks.length === 1 ? chunks[0] : concat(chunks, buffered);
      const frame = all.subarray(0, 4 + n);
      const rest = all.subarray(4 + n);
      chunks = rest.length ? [rest] : [];
      buffered = rest.length;
      if (!sameTag(frame.subarray(4, 4 + TAG_BYTES), options.secret)) return fault({ reason: 'forged', detail: 'a frame without the session tag' });
      let packet: unknown;
      try {
        packet = decodeBody(frame.subarray(FRAME_HEADER_BYTES));
      } catch (error) {
        return fault({ reason: 'malformed', detail: error instanceof CodecError ? error.message : 'an undecodable frame' });
      }
      onPacket(packet);
    }
  };

  send(encodeFrame({ t: 'hello', v: PROTOCOL_VERSION }, null, options.secret));

  return {
    ready,
    get closed() {
      return closedWith !== undefined;
    },
    readFromChild(chunk) {
      if (closedWith || chunk.length === 0) return;
      bytesThisCall += chunk.length;
      if (pending.size > 0 && bytesThisCall > options.maxReplyBytesPerCall) {
        return fault({ reason: 'oversized', detail: `more than ${options.maxReplyBytesPerCall} bytes during one call`, limitBytes: options.maxReplyBytesPerCall });
      }
      if (isReady && pending.size === 0) return fault({ reason: 'unexpected', detail: 'bytes while no call was pending' });
      chunks.push(chunk);
      buffered += chunk.length;
      drain();
    },
    notify(type, fields) {
      if (!closedWith) send(encodeFrame({ ...fields, t: type }, null));
    },
    request(body) {
      if (closedWith) return Promise.reject(closedWith);
      const id = nextId++;
      const frame = encodeFrame({ t: 'call', id, body }, null);
      if (frame.length - 4 > options.maxRequestBytes) return Promise.reject(new RequestTooLargeError(frame.length - 4, options.maxRequestBytes));
      if (pending.size === 0) bytesThisCall = 0;
      const promise = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
      send(frame);
      return promise;
    },
    close,
  };
}

/** The first `total` bytes of `chunks` as one array (one copy). */
function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

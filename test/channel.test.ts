/**
 * The sandbox channel (grader/sandbox/channel.ts, codec.ts) without a process: the packet format
 * keeps every number exactly, and everything a hostile child can send (oversized, malformed,
 * untagged, unexpected) becomes a fault, never an exception in the grader.
 */
import { describe, expect, it } from 'vitest';
import { ChannelClosedError, createChannel, type ProtocolFault } from '../grader/sandbox/channel';
import { CodecError, decodeBody, encodeFrame, FRAME_HEADER_BYTES, PROTOCOL_VERSION, TAG_BYTES } from '../grader/sandbox/codec';

const SECRET = new Uint8Array(TAG_BYTES).map((_, i) => 200 - i);

function roundTrip(value: unknown): unknown {
  const frame = encodeFrame(value, SECRET);
  expect(new DataView(frame.buffer, frame.byteOffset).getUint32(0, true)).toBe(frame.length - 4);
  return decodeBody(frame.subarray(FRAME_HEADER_BYTES));
}

/** A frame as a hostile child would write it: length, tag, JSON length, JSON, then `binary`. */
function rawFrame(json: string, tag: Uint8Array = SECRET, binary = new Uint8Array(0)): Uint8Array {
  const text = new TextEncoder().encode(json);
  const pad = (8 - ((FRAME_HEADER_BYTES + 4 + text.length) % 8)) % 8;
  const out = new Uint8Array(FRAME_HEADER_BYTES + 4 + text.length + pad + binary.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length - 4, true);
  out.set(tag, 4);
  view.setUint32(FRAME_HEADER_BYTES, text.length, true);
  out.set(text, FRAME_HEADER_BYTES + 4);
  out.set(binary, FRAME_HEADER_BYTES + 4 + text.length + pad);
  return out;
}

describe('codec', () => {
  it('keeps NaN, ±Infinity and -0 exactly, inline and in binary attachments', () => {
    const specials = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -1.7976931348623157e308, 1 / 3];
    const out = roundTrip({ inline: specials.slice(0, 4), big: [...specials, ...specials], one: -0, nan: NaN }) as Record<string, number[] | number>;
    expect(out.inline).toEqual([NaN, Infinity, -Infinity, -0]);
    expect(Object.is((out.inline as number[])[3], -0)).toBe(true);
    expect(out.big).toEqual([...specials, ...specials]);
    expect(Object.is((out.big as number[])[3], -0)).toBe(true);
    expect(Object.is(out.one, -0)).toBe(true);
    expect(out.nan).toBeNaN();
  });

  it('carries Float64Array as Float64Array, number[] as arrays, and matrices as rows', () => {
    const f = new Float64Array([1, NaN, -0, 4]);
    const rows = Array.from({ length: 3 }, (_, i) => Array.from({ length: 4 }, (_, j) => i * 4 + j - 0.5));
    const out = roundTrip({ f, rows, ragged: [[1, 2], [3]], short: [1, 2], strings: ['a', 'b'] }) as Record<string, unknown>;
    expect(out.f).toBeInstanceOf(Float64Array);
    expect(Array.from(out.f as Float64Array)).toEqual([1, NaN, -0, 4]);
    expect(out.rows).toEqual(rows);
    expect(out.ragged).toEqual([[1, 2], [3]]);
    expect(out.short).toEqual([1, 2]);
    expect(out.strings).toEqual(['a', 'b']);
  });

  it('a 5000×400 matrix travels in one frame of 16 MB plus a few bytes', () => {
    const X = Array.from({ length: 5000 }, (_, i) => Array.from({ length: 400 }, (_, j) => Math.sin(i * 400 + j)));
    const frame = encodeFrame({ t: 'call', id: 1, body: { fn: 'x', X } }, null);
    expect(frame.length).toBeLessThan(5000 * 400 * 8 + 200);
    const back = decodeBody(frame.subarray(FRAME_HEADER_BYTES)) as { body: { X: number[][] } };
    expect(back.body.X.length).toBe(5000);
    expect(back.body.X[4999][399]).toBe(X[4999][399]);
  });

  it('data cannot pose as a reference: keys starting with $ are escaped', () => {
    expect(roundTrip({ $a: [0, 1], $$b: 2, n: { $n: 'NaN' } })).toEqual({ $a: [0, 1], $$b: 2, n: { $n: 'NaN' } });
  });

  it('refuses malformed bodies with CodecError only', () => {
    const bad: Array<[string, Uint8Array]> = [
      ['not JSON', rawFrame('{"t":')],
      ['a reference out of bounds', rawFrame('{"$a":[0,1000]}')],
      ['a misaligned reference', rawFrame('{"$f64":[3,1]}', SECRET, new Uint8Array(16))],
      ['an unknown reference', rawFrame('{"$evil":1}')],
      ['an unknown $ key among others', rawFrame('{"$x":1,"y":2}')],
      ['__proto__', rawFrame('{"__proto__":{"polluted":1},"a":1}')],
      ['deep nesting', rawFrame(`${'['.repeat(100)}${']'.repeat(100)}`)],
      ['a bad number', rawFrame('{"$n":"NAN"}')],
      ['a negative count', rawFrame('{"$m":[0,-1,2]}')],
    ];
    for (const [what, frame] of bad) {
      expect(() => decodeBody(frame.subarray(FRAME_HEADER_BYTES)), what).toThrow(CodecError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => decodeBody(new Uint8Array([1, 2]))).toThrow(CodecError);
    expect(() => encodeFrame({ f: () => 1 }, null)).toThrow(CodecError);
  });
});

/** A channel wired to nothing: what it writes, the faults it reports. */
function harnessChannel(limits: { maxReplyBytes: number; maxReplyBytesPerCall: number; maxRequestBytes?: number } = { maxReplyBytes: 1024, maxReplyBytesPerCall: 4096 }) {
  const written: Uint8Array[] = [];
  const faults: ProtocolFault[] = [];
  const channel = createChannel({ maxRequestBytes: 1 << 20, ...limits, secret: SECRET, write: (f) => void written.push(f), onFault: (f) => void faults.push(f) });
  const ready = () => channel.readFromChild(encodeFrame({ t: 'ready', v: PROTOCOL_VERSION }, SECRET));
  return { channel, written, faults, ready };
}

describe('channel', () => {
  it('sends hello with the secret first, answers requests by id, and splits frames across chunks', async () => {
    const { channel, written, ready } = harnessChannel();
    expect(decodeBody(written[0].subarray(FRAME_HEADER_BYTES))).toEqual({ t: 'hello', v: PROTOCOL_VERSION });
    expect(Array.from(written[0].subarray(written[0].length - TAG_BYTES))).toEqual(Array.from(SECRET));
    ready();
    await channel.ready;
    const a = channel.request({ q: 1 });
    const b = channel.request({ q: 2 });
    const reply = (id: number, body: unknown) => encodeFrame({ t: 'reply', id, body }, SECRET);
    const both = new Uint8Array([...reply(2, 'two'), ...reply(1, [NaN])]);
    // One byte at a time: reassembly never depends on chunk boundaries.
    for (let i = 0; i < both.length; i++) channel.readFromChild(both.subarray(i, i + 1));
    expect(await b).toBe('two');
    expect(await a).toEqual([NaN]);
  });

  it('an oversized frame is a fault from its length alone, and pending calls fail with it', async () => {
    const { channel, faults, ready } = harnessChannel();
    ready();
    const pending = channel.request({});
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, 400 * 1024 * 1024, true);
    channel.readFromChild(header);
    const error = (await pending.catch((e: unknown) => e)) as ChannelClosedError;
    expect(error).toBeInstanceOf(ChannelClosedError);
    expect(error.fault).toMatchObject({ reason: 'oversized', limitBytes: 1024 });
    expect(faults).toHaveLength(1);
    // Closed: later bytes are ignored and later requests fail at once.
    channel.readFromChild(new Uint8Array(10));
    await expect(channel.request({})).rejects.toBeInstanceOf(ChannelClosedError);
    expect(faults).toHaveLength(1);
  });

  it('refuses untagged, unexpected, malformed and over-the-call-cap bytes', async () => {
    const cases: Array<[string, (c: ReturnType<typeof harnessChannel>) => void, ProtocolFault['reason']]> = [
      ['a wrong tag', (c) => c.channel.readFromChild(encodeFrame({ t: 'reply', id: 1, body: 1 }, new Uint8Array(TAG_BYTES))), 'forged'],
      ['a reply to nothing', (c) => c.channel.readFromChild(encodeFrame({ t: 'reply', id: 99, body: 1 }, SECRET)), 'unexpected'],
      ['a packet of another type', (c) => c.channel.readFromChild(encodeFrame({ t: 'ready', v: PROTOCOL_VERSION }, SECRET)), 'unexpected'],
      ['garbage JSON', (c) => c.channel.readFromChild(rawFrame('{{{')), 'malformed'],
      ['a too short frame', (c) => c.channel.readFromChild(new Uint8Array([3, 0, 0, 0, 1, 2, 3])), 'malformed'],
    ];
    for (const [what, send, reason] of cases) {
      const c = harnessChannel();
      c.ready();
      await c.channel.ready;
      const pending = c.channel.request({}).catch((e: ChannelClosedError) => e);
      send(c);
      expect(((await pending) as ChannelClosedError).fault?.reason, what).toBe(reason);
      expect(c.faults, what).toHaveLength(1);
    }
  });

  it('counts every byte of a call against the per-call cap, even before a frame is complete', async () => {
    const c = harnessChannel({ maxReplyBytes: 4096, maxReplyBytesPerCall: 1024 });
    c.ready();
    await c.channel.ready;
    const pending = c.channel.request({}).catch((e: ChannelClosedError) => e);
    const frame = encodeFrame({ t: 'reply', id: 1, body: 'x'.repeat(2000) }, SECRET);
    for (let at = 0; at < frame.length; at += 100) c.channel.readFromChild(frame.subarray(at, at + 100));
    expect(((await pending) as ChannelClosedError).fault).toMatchObject({ reason: 'oversized', limitBytes: 1024 });
  });

  it('before the handshake only a ready of this version is accepted; bytes while idle are a fault', async () => {
    const early = harnessChannel();
    early.channel.readFromChild(encodeFrame({ t: 'reply', id: 1, body: 1 }, SECRET));
    await expect(early.channel.ready).rejects.toMatchObject({ fault: { reason: 'unexpected' } });
    const old = harnessChannel();
    old.channel.readFromChild(encodeFrame({ t: 'ready', v: PROTOCOL_VERSION - 1 }, SECRET));
    await expect(old.channel.ready).rejects.toMatchObject({ fault: { reason: 'version' } });
    const idle = harnessChannel();
    idle.ready();
    await idle.channel.ready;
    idle.channel.readFromChild(new Uint8Array([1]));
    expect(idle.faults.map((f) => f.reason)).toEqual(['unexpected']);
  });

  it('a request over the grader\'s own cap is refused without sending anything', async () => {
    const { channel, written, ready } = harnessChannel({ maxReplyBytes: 1024, maxReplyBytesPerCall: 4096, maxRequestBytes: 100 });
    ready();
    await expect(channel.request({ X: Array.from({ length: 20 }, () => 1) })).rejects.toThrow('a request of 228 bytes is larger than the sandbox\'s limit of 100 (SandboxLimits.maxRequestBytes)');
    expect(written).toHaveLength(1); // the hello only
    expect(channel.closed).toBe(false);
  });

  it('close fails every pending request with the given reason', async () => {
    const { channel, ready } = harnessChannel();
    ready();
    const calls = [channel.request(1), channel.request(2)].map((p) => p.catch((e: Error) => e.message));
    channel.close(new ChannelClosedError('the sandbox process ended'));
    expect(await Promise.all(calls)).toEqual(['the sandbox process ended', 'the sandbox process ended']);
  });
});

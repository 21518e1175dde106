/**
 * The sandbox channel's packet format, shared by the grader (channel.ts) and the child's boot
 * script (child.ts, bundled into the prebuilt runtime). Plain JSON for structure, raw float64
 * attachments for numbers, so NaN, ±Infinity and -0 survive exactly and a 5000×400 matrix costs
 * one memcpy instead of 40 MB of decimal text.
 *
 * A frame on the wire:
 *
 *   u32 LE   n         bytes that follow (tag + body); checked against the receiver's cap first
 *   16 B     tag       child -> grader: the session secret (grader/sandbox/channel.ts);
 *                      grader -> child: zeros
 *   u32 LE   j         bytes of JSON
 *   j B      JSON      UTF-8; the packet, with attachment references (below)
 *   0-7 B    padding   so the binary part starts at a multiple of 8 from the frame's start
 *   ...      binary    float64 values (platform byte order: both ends run on the same machine)
 *
 * References inside the JSON (an object with exactly one key):
 *   {"$a":[offset,count]}          a number[] of `count` values at byte `offset` of the binary part
 *   {"$m":[offset,rows,columns]}   a number[][] (rows of equal length), row-major
 *   {"$f64":[offset,count]}        a Float64Array
 *   {"$n":"NaN"|"Infinity"|"-Infinity"|"-0"}   a number JSON cannot spell
 * Object keys that start with `$` are sent as `$$…`, so data can never pose as a reference.
 *
 * Decoding is defensive (the child is hostile): every reference is bounds-checked, nesting is
 * limited, `__proto__` keys are refused, and any fault throws CodecError, which the channel turns
 * into the submission's `protocol-error`.
 *
 * Why hand-written rather than v8.serialize (what Node's IPC used): the grader must parse bytes a
 * student can write; JSON.parse plus bounds-checked copies has no code path that allocates more
 * than the frame's size, and nothing here can throw anything but CodecError.
 */

// Captured when the module loads: in the child that is before any student code runs, so a
// submission that patches these globals cannot change how the harness's replies are encoded.
const isArray = Array.isArray;
const objectKeys = Object.keys;
const F64 = Float64Array;
const U8 = Uint8Array;
const stringify = JSON.stringify;
const parse = JSON.parse;
const apply = Reflect.apply;
const u8Set = Uint8Array.prototype.set;
const u8Subarray = Uint8Array.prototype.subarray;
// A frame that carries the session secret is never handed to anything a submission can reach:
// subarray would ask `frame.constructor[Symbol.species]` for the new view (a submission's class
// then receives the frame's buffer), so the encoder makes its views with the constructor itself
// and reads sizes through V8's own getters.
const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const bufferOf = Object.getOwnPropertyDescriptor(typedArrayProto, 'buffer')?.get as (this: Uint8Array) => ArrayBuffer;
const lengthOf = Object.getOwnPropertyDescriptor(typedArrayProto, 'length')?.get as (this: Uint8Array) => number;
/** Bytes [start, end) of a fresh frame (byteOffset 0), without species lookups. */
function frameView(frame: Uint8Array, start: number, end: number): Uint8Array {
  return new U8(apply(bufferOf, frame, []) as ArrayBuffer, start, end - start);
}
const encoder = new TextEncoder();
const encodeInto = TextEncoder.prototype.encodeInto;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const decodeUtf8 = TextDecoder.prototype.decode;
const isInteger = Number.isInteger;

/** The channel's protocol version, exchanged in the hello/ready handshake (channel.ts). */
export const PROTOCOL_VERSION = 2;
/** The child's file descriptor that carries the grader's packets (requests). */
export const REQUEST_FD = 3;
/** The child's file descriptor that carries the child's packets (replies). */
export const REPLY_FD = 4;

/** Bytes of the tag that follows each frame's length. */
export const TAG_BYTES = 16;
/** Bytes before a frame's body: the length and the tag. */
export const FRAME_HEADER_BYTES = 4 + TAG_BYTES;
/** Arrays of at least this many numbers travel as binary attachments (shorter ones inline). */
const BINARY_MIN = 8;
/** Deepest nesting a decoded packet may have (the harness's outcomes are about 4 deep). */
const MAX_DEPTH = 64;

/** A malformed packet: the receiver treats the sender as broken (the child's: `protocol-error`). */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

type Attachment = { kind: 'numbers'; values: ArrayLike<number> } | { kind: 'rows'; rows: number[][]; columns: number };

interface EncodeState {
  attachments: Attachment[];
  /** Bytes of binary so far (always a multiple of 8). */
  binaryBytes: number;
}

function specialNumber(x: number): string | null {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0 && 1 / x < 0) return '-0';
  return null;
}

function allNumbers(values: unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') return false;
  return true;
}

/** Columns when `value` is a non-empty array of equally long number arrays, else -1. */
function rowsShape(value: unknown[]): number {
  if (value.length === 0 || !isArray(value[0])) return -1;
  const columns = (value[0] as unknown[]).length;
  if (columns === 0) return -1;
  for (let i = 0; i < value.length; i++) {
    const row = value[i];
    if (!isArray(row) || row.length !== columns || !allNumbers(row)) return -1;
  }
  return columns;
}

function attach(state: EncodeState, attachment: Attachment, count: number): number {
  const offset = state.binaryBytes;
  state.attachments[state.attachments.length] = attachment;
  state.binaryBytes += count * 8;
  return offset;
}

/** The JSON skeleton of `value`, with binary parts moved to `state`. */
function skeleton(value: unknown, state: EncodeState, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new CodecError('value nested too deeply');
  if (typeof value === 'number') {
    const special = specialNumber(value);
    return special === null ? value : { $n: special };
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof F64) return { $f64: [attach(state, { kind: 'numbers', values: value }, value.length), value.length] };
  if (isArray(value)) {
    if (value.length >= BINARY_MIN && allNumbers(value)) {
      return { $a: [attach(state, { kind: 'numbers', values: value as number[] }, value.length), value.length] };
    }
    const columns = value.length >= 2 ? rowsShape(value) : -1;
    if (columns > 0 && value.length * columns >= BINARY_MIN) {
      return { $m: [attach(state, { kind: 'rows', rows: value as number[][], columns }, value.length * columns), value.length, columns] };
    }
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out[i] = skeleton(value[i], state, depth + 1);
    return out;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const keys = objectKeys(value as object);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === '__proto__') throw new CodecError('cannot encode a __proto__ key');
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      out[key.charCodeAt(0) === 36 /* $ */ ? `$${key}` : key] = skeleton(v, state, depth + 1);
    }
    return out;
  }
  if (value === undefined) return null;
  throw new CodecError(`cannot encode a ${typeof value}`);
}

function writeU32(buf: Uint8Array, at: number, n: number): void {
  buf[at] = n & 0xff;
  buf[at + 1] = (n >>> 8) & 0xff;
  buf[at + 2] = (n >>> 16) & 0xff;
  buf[at + 3] = (n >>> 24) & 0xff;
}

/** Reads a little-endian u32 at `at` (the caller checked that 4 bytes are there). */
export function readU32(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16)) + buf[at + 3] * 0x1000000;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Encodes `packet` as one complete frame (length, tag, body).
 * @param tag TAG_BYTES bytes, or null for zeros
 * @param binary extra raw bytes appended to the binary part (the hello packet's secret); default none
 * @throws CodecError for values JSON cannot carry (functions, symbols, bigints, cycles too deep)
 */
export function encodeFrame(packet: unknown, tag: Uint8Array | null, binary?: Uint8Array): Uint8Array {
  const state: EncodeState = { attachments: [], binaryBytes: 0 };
  const json = stringify(skeleton(packet, state, 0));
  // UTF-8 needs at most 3 bytes per UTF-16 unit; encodeInto writes the exact count, and the frame
  // is trimmed to what was used.
  const jsonMax = json.length * 3;
  const extra = binary ? binary.length : 0;
  const frame = new U8(binaryStart(jsonMax) + state.binaryBytes + extra);
  if (tag) for (let i = 0; i < TAG_BYTES; i++) frame[4 + i] = tag[i];
  const jsonAt = FRAME_HEADER_BYTES + 4;
  const { written } = apply(encodeInto, encoder, [json, frameView(frame, jsonAt, jsonAt + jsonMax)]) as { written: number };
  writeU32(frame, FRAME_HEADER_BYTES, written);
  const start = binaryStart(written);
  // The frame is a fresh buffer and `start` a multiple of 8: the values are written in place.
  const values = new F64(apply(bufferOf, frame, []) as ArrayBuffer, start, state.binaryBytes / 8);
  let at = 0;
  for (let k = 0; k < state.attachments.length; k++) {
    const a = state.attachments[k];
    if (a.kind === 'numbers') {
      for (let i = 0; i < a.values.length; i++) values[at++] = a.values[i];
    } else {
      for (let r = 0; r < a.rows.length; r++) {
        const row = a.rows[r];
        for (let c = 0; c < a.columns; c++) values[at++] = row[c];
      }
    }
  }
  if (binary) apply(u8Set, frame, [binary, start + state.binaryBytes]);
  const used = start + state.binaryBytes + extra;
  writeU32(frame, 0, used - 4);
  return used === (apply(lengthOf, frame, []) as number) ? frame : frameView(frame, 0, used);
}

/** Where a frame's binary part starts (from the frame's start) after `jsonBytes` of JSON. */
function binaryStart(jsonBytes: number): number {
  return align8(FRAME_HEADER_BYTES + 4 + jsonBytes);
}

interface DecodeState {
  binary: Uint8Array;
}

function f64At(state: DecodeState, offset: unknown, count: unknown): Float64Array {
  if (!isInteger(offset) || !isInteger(count) || (offset as number) < 0 || (count as number) < 0 || (offset as number) % 8 !== 0) {
    throw new CodecError('bad attachment reference');
  }
  const start = offset as number;
  const end = start + (count as number) * 8;
  if (end > state.binary.length) throw new CodecError('attachment reference out of bounds');
  const out = new F64(count as number);
  apply(u8Set, new U8(out.buffer), [apply(u8Subarray, state.binary, [start, end])]);
  return out;
}

function plainNumbers(values: Float64Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out[i - from] = values[i];
  return out;
}

function reference(key: string, arg: unknown, state: DecodeState): unknown {
  if (key === '$n') {
    if (arg === 'NaN') return NaN;
    if (arg === 'Infinity') return Infinity;
    if (arg === '-Infinity') return -Infinity;
    if (arg === '-0') return -0;
    throw new CodecError('bad number reference');
  }
  if (!isArray(arg)) throw new CodecError('bad attachment reference');
  if (key === '$f64' && arg.length === 2) return f64At(state, arg[0], arg[1]);
  if (key === '$a' && arg.length === 2) {
    const values = f64At(state, arg[0], arg[1]);
    return plainNumbers(values, 0, values.length);
  }
  if (key === '$m' && arg.length === 3) {
    const offset = arg[0];
    const rows = arg[1];
    const columns = arg[2];
    if (!isInteger(rows) || !isInteger(columns) || (rows as number) < 0 || (columns as number) < 0) throw new CodecError('bad matrix reference');
    const values = f64At(state, offset, (rows as number) * (columns as number));
    const out: number[][] = [];
    for (let r = 0; r < (rows as number); r++) out[r] = plainNumbers(values, r * (columns as number), (r + 1) * (columns as number));
    return out;
  }
  throw new CodecError(`unknown reference ${key}`);
}

/** Replaces references by their values, in place where possible. */
function revive(value: unknown, state: DecodeState, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw new CodecError('packet nested too deeply');
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i], state, depth + 1);
    return value;
  }
  const keys = objectKeys(value);
  if (keys.length === 1 && keys[0].charCodeAt(0) === 36 && keys[0].charCodeAt(1) !== 36) {
    return reference(keys[0], (value as Record<string, unknown>)[keys[0]], state);
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === '__proto__') throw new CodecError('forbidden key __proto__');
    let name = key;
    if (key.charCodeAt(0) === 36) {
      if (key.charCodeAt(1) !== 36) throw new CodecError(`unexpected key ${key.slice(0, 32)}`);
      name = key.slice(1);
    }
    out[name] = revive((value as Record<string, unknown>)[key], state, depth + 1);
  }
  return out;
}

/** A frame's body split into its JSON text and its binary part. */
export interface FrameBody {
  json: string;
  binary: Uint8Array;
}

/** Splits a body (the bytes after the tag) into JSON text and binary part; throws CodecError. */
export function splitBody(body: Uint8Array): FrameBody {
  if (body.length < 4) throw new CodecError('frame too short');
  const j = readU32(body, 0);
  if (4 + j > body.length) throw new CodecError('JSON length beyond the frame');
  let json: string;
  try {
    json = apply(decodeUtf8, utf8, [apply(u8Subarray, body, [4, 4 + j])]) as string;
  } catch {
    throw new CodecError('JSON is not valid UTF-8');
  }
  // The binary part is aligned from the frame's start, which is FRAME_HEADER_BYTES before the body.
  const start = binaryStart(j) - FRAME_HEADER_BYTES;
  return { json, binary: start <= body.length ? (apply(u8Subarray, body, [start, body.length]) as Uint8Array) : new U8(0) };
}

/** Decodes a body (the bytes after the tag) into the packet; throws CodecError for anything malformed. */
export function decodeBody(body: Uint8Array): unknown {
  const { json, binary } = splitBody(body);
  let parsed: unknown;
  try {
    parsed = parse(json);
  } catch {
    throw new CodecError('JSON does not parse');
  }
  try {
    return revive(parsed, { binary }, 0);
  } catch (error) {
    // A stack overflow on hostile nesting is a malformed packet too.
    throw error instanceof CodecError ? error : new CodecError('packet could not be decoded');
  }
}

/** True when the two tags are equal (both TAG_BYTES long). Not constant-time: the child cannot time it. */
export function sameTag(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < TAG_BYTES; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

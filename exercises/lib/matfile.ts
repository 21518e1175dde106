/**
 * A small reader for MAT-file level 5 (what Octave's `save -v6` / `save -v7` and MATLAB's
 * `save -v6` / `-v7` write), enough for the exercise's ex4data1.mat and ex4weights.mat.
 *
 * Supported: little- and big-endian files; miCOMPRESSED elements (zlib); real numeric matrices of
 * any class (double, single, int8..uint64, logical) whose data is stored in any numeric type
 * (Octave and MATLAB store doubles as smaller integer types when the values fit); the small data
 * element format; 2-D arrays (trailing singleton dimensions allowed). Data is column-major.
 * Not supported: complex, sparse, cell, struct, object and char arrays, N-D arrays, level 4,
 * v7.3 (HDF5) and Octave's text format. Those, and corrupt files, raise `MatFileError`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Matrix } from 'ml-matrix';

/**
 * Why a MAT-file cannot be read, for tools that say it in the reader's language (the walkthrough):
 * the file is missing or unreadable, in another format, or damaged (`corrupt`: the message says where).
 */
export type MatFileProblem = 'not-found' | 'unreadable' | 'hdf5' | 'v7.3' | 'octave-text' | 'too-short' | 'not-level-5' | 'corrupt';

/** A MAT-file that cannot be read; the message names the file and what was wrong. */
export class MatFileError extends Error {
  readonly code = 'MAT_FILE' as const;
  /** The file as given by the caller. */
  readonly file: string;
  /** What kind of problem it is (the message has the detail). */
  readonly problem: MatFileProblem;
  /** The message without the file's name. */
  readonly detail: string;
  constructor(file: string, detail: string, options?: { cause?: unknown; problem?: MatFileProblem }) {
    super(`${basename(file)}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MatFileError';
    this.file = file;
    this.problem = options?.problem ?? 'corrupt';
    this.detail = detail;
  }
}

/** What to do with variables this reader cannot represent as a Matrix. */
export interface ReadMatOptions {
  /** 'throw' (default): raise MatFileError; 'skip': leave them out and list them in `skipped`. */
  unsupported?: 'throw' | 'skip';
}

/** Result of readMatFileDetailed: the numeric variables and the ones left out. */
export interface MatFileContents {
  /** name -> rows×columns matrix (values converted to double). */
  variables: Record<string, Matrix>;
  /** Variables left out with unsupported: 'skip', with the reason (e.g. `char array`). */
  skipped: { name: string; reason: string }[];
}

/**
 * Reads the numeric matrices of a MAT-file level 5.
 * @returns name -> Matrix (rows×columns, as in Octave's `size`).
 * @throws MatFileError for unreadable, corrupt or unsupported files.
 */
export function readMatFile(path: string, options: ReadMatOptions = {}): Record<string, Matrix> {
  return readMatFileDetailed(path, options).variables;
}

/** Like readMatFile, also reporting the variables skipped with `unsupported: 'skip'`. */
export function readMatFileDetailed(path: string, options: ReadMatOptions = {}): MatFileContents {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const problem = code === 'ENOENT' ? 'not-found' : 'unreadable';
    throw new MatFileError(path, code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(error)})`, { cause: error, problem });
  }
  return parseMatFile(bytes, path, options);
}

// Data types (the tag's type field).
const miINT8 = 1, miUINT8 = 2, miINT16 = 3, miUINT16 = 4, miINT32 = 5, miUINT32 = 6;
const miSINGLE = 7, miDOUBLE = 9, miINT64 = 12, miUINT64 = 13, miMATRIX = 14, miCOMPRESSED = 15;
const miUTF8 = 16, miUTF16 = 17, miUTF32 = 18;

const TYPE_NAMES: Record<number, string> = {
  [miINT8]: 'miINT8', [miUINT8]: 'miUINT8', [miINT16]: 'miINT16', [miUINT16]: 'miUINT16',
  [miINT32]: 'miINT32', [miUINT32]: 'miUINT32', [miSINGLE]: 'miSINGLE', [miDOUBLE]: 'miDOUBLE',
  [miINT64]: 'miINT64', [miUINT64]: 'miUINT64', [miMATRIX]: 'miMATRIX', [miCOMPRESSED]: 'miCOMPRESSED',
  [miUTF8]: 'miUTF8', [miUTF16]: 'miUTF16', [miUTF32]: 'miUTF32',
};
const TYPE_SIZES: Record<number, number> = {
  [miINT8]: 1, [miUINT8]: 1, [miINT16]: 2, [miUINT16]: 2, [miINT32]: 4, [miUINT32]: 4,
  [miSINGLE]: 4, [miDOUBLE]: 8, [miINT64]: 8, [miUINT64]: 8,
};

// Array classes (low byte of the array flags).
const CLASS_NAMES: Record<number, string> = {
  1: 'cell array', 2: 'struct', 3: 'object', 4: 'char array', 5: 'sparse matrix',
  6: 'double', 7: 'single', 8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16',
  12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const FLAG_COMPLEX = 0x0800;

interface Ctx {
  file: string;
  le: boolean;
  unsupported: 'throw' | 'skip';
  out: MatFileContents;
}

/** A data element: its type, its payload, and where it sits (for messages). */
interface Element {
  type: number;
  data: Uint8Array;
  at: string;
}

/**
 * Parses a MAT-file already in memory. `file` is only used in messages.
 * @throws MatFileError
 */
export function parseMatFile(bytes: Uint8Array, file: string, options: ReadMatOptions = {}): MatFileContents {
  const ctx: Ctx = { file, le: true, unsupported: options.unsupported ?? 'throw', out: { variables: {}, skipped: [] } };
  checkHeader(bytes, ctx);
  readElements(bytes, 128, ctx, (offset) => `byte ${offset}`, (el) => topLevel(el, ctx));
  return ctx.out;
}

function fail(ctx: Ctx, detail: string, cause?: unknown, problem: MatFileProblem = 'corrupt'): never {
  throw new MatFileError(ctx.file, detail, { cause, problem });
}

function checkHeader(bytes: Uint8Array, ctx: Ctx): void {
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (bytes.length >= 8 && ascii(0, 8) === '\x89HDF\r\n\x1a\n') {
    fail(ctx, 'is an HDF5 file; this reader needs MAT-file level 5 (in Octave: save -v7 FILE vars)', undefined, 'hdf5');
  }
  const head = ascii(0, Math.min(bytes.length, 116));
  if (head.startsWith('MATLAB 7.3')) {
    fail(ctx, 'is a MATLAB v7.3 (HDF5) file; save it with -v7 or -v6 instead', undefined, 'v7.3');
  }
  if (head.startsWith('# Created by Octave') || head.startsWith('# name:')) {
    fail(ctx, "is an Octave text file; save it as MAT-file level 5 instead (in Octave: save -v7 FILE vars)", undefined, 'octave-text');
  }
  if (bytes.length < 128) fail(ctx, `is too short for a MAT-file (${bytes.length} bytes; the header alone is 128)`, undefined, 'too-short');
  const endian = ascii(126, 128);
  if (endian === 'IM') ctx.le = true;
  else if (endian === 'MI') ctx.le = false;
  else fail(ctx, 'is not a MAT-file level 5 (no MI/IM endian indicator at byte 126; level 4 files are not supported)', undefined, 'not-level-5');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(124, ctx.le);
  if (version !== 0x0100) fail(ctx, `has unsupported MAT-file version 0x${version.toString(16)} (expected 0x0100, level 5)`);
}

/**
 * Reads consecutive data elements of bytes[start..end) and hands each to visit.
 * `where(offset)` describes an offset for messages (nested buffers say where they come from).
 */
function readElements(
  bytes: Uint8Array,
  start: number,
  ctx: Ctx,
  where: (offset: number) => string,
  visit: (el: Element) => void,
  end = bytes.length,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  while (pos < end) {
    if (end - pos < 8) fail(ctx, `truncated element tag at ${where(pos)}: ${end - pos} bytes where 8 are needed`);
    const first = view.getUint32(pos, ctx.le);
    // Small data element format: the upper 16 bits of the first word hold the byte count and the
    // data sits in the tag's second word.
    const small = first >>> 16;
    if (small !== 0) {
      const type = first & 0xffff;
      if (small > 4) fail(ctx, `element at ${where(pos)} uses the small format but claims ${small} bytes (at most 4)`);
      visit({ type, data: bytes.subarray(pos + 4, pos + 4 + small), at: where(pos) });
      pos += 8;
      continue;
    }
    const type = first;
    const size = view.getUint32(pos + 4, ctx.le);
    const remain = end - pos - 8;
    if (size > remain) {
      fail(ctx, `element at ${where(pos)} claims ${size} bytes but only ${remain} remain`);
    }
    visit({ type, data: bytes.subarray(pos + 8, pos + 8 + size), at: where(pos) });
    // Elements are padded to 8 bytes, except compressed ones (the stream is its own length).
    const padded = type === miCOMPRESSED ? size : Math.ceil(size / 8) * 8;
    pos += 8 + Math.min(padded, remain);
  }
}

function topLevel(el: Element, ctx: Ctx): void {
  if (el.type === miCOMPRESSED) {
    let inflated: Buffer;
    try {
      inflated = inflateSync(el.data);
    } catch (error) {
      fail(ctx, `compressed element at ${el.at} does not inflate (${(error as Error).message})`, error);
    }
    readElements(inflated, 0, ctx, (o) => `byte ${o} of the compressed element at ${el.at}`, (inner) => topLevel(inner, ctx));
    return;
  }
  if (el.type === miMATRIX) {
    readMatrix(el, ctx);
    return;
  }
  fail(ctx, `unexpected top-level element of type ${typeName(el.type)} at ${el.at} (expected miMATRIX or miCOMPRESSED)`);
}

function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `#${type}`;
}

function readMatrix(el: Element, ctx: Ctx): void {
  if (el.data.length === 0) return; // an empty miMATRIX is allowed and holds nothing
  const parts: Element[] = [];
  readElements(el.data, 0, ctx, (o) => `byte ${o} of the matrix at ${el.at}`, (sub) => parts.push(sub));
  const [flagsEl, dimsEl, nameEl, realEl, imagEl] = parts;
  if (!flagsEl || !dimsEl || !nameEl) fail(ctx, `matrix at ${el.at} lacks its array flags, dimensions or name`);
  if (flagsEl.type !== miUINT32 || flagsEl.data.length < 8) fail(ctx, `matrix at ${el.at} has malformed array flags`);
  const flags = readNumbers(flagsEl, ctx);
  const cls = flags[0] & 0xff;
  const name = nameEl.data.length === 0 ? '' : Buffer.from(nameEl.data).toString('latin1');
  const label = name ? `variable "${name}"` : `unnamed matrix at ${el.at}`;
  if (dimsEl.type !== miINT32) fail(ctx, `${label} has dimensions of type ${typeName(dimsEl.type)} (expected miINT32)`);
  const dims = readNumbers(dimsEl, ctx);

  const unsupported = (reason: string) => {
    if (ctx.unsupported === 'skip') ctx.out.skipped.push({ name, reason });
    else fail(ctx, `${label} is a ${reason}, which is not supported (only real numeric matrices are)`);
  };
  if (cls < 6 || cls > 15) {
    unsupported(CLASS_NAMES[cls] ?? `array of unknown class ${cls}`);
    return;
  }
  if (flags[0] & FLAG_COMPLEX || imagEl) {
    unsupported(`complex ${CLASS_NAMES[cls]} matrix`);
    return;
  }
  if (dims.length < 2 || dims.slice(2).some((d) => d !== 1)) {
    unsupported(`${dims.join('×')} array (only 2-D)`);
    return;
  }
  const [rows, columns] = dims;
  if (rows < 0 || columns < 0) fail(ctx, `${label} has negative dimensions ${rows}×${columns}`);
  const count = rows * columns;
  if (!realEl) {
    if (count === 0) {
      ctx.out.variables[name] = new Matrix(rows, columns);
      return;
    }
    fail(ctx, `${label} (${rows}×${columns}) has no data`);
  }
  const values = readNumbers(realEl, ctx);
  if (values.length !== count) {
    fail(ctx, `${label} is ${rows}×${columns} (${count} values) but its data holds ${values.length} values`);
  }
  // Column-major (Octave) -> ml-matrix rows.
  const M = new Matrix(rows, columns);
  for (let j = 0, k = 0; j < columns; j++) {
    for (let i = 0; i < rows; i++, k++) M.set(i, j, values[k]);
  }
  if (Object.prototype.hasOwnProperty.call(ctx.out.variables, name)) fail(ctx, `variable "${name}" appears twice`);
  ctx.out.variables[name] = M;
}

/** Decodes a numeric element into doubles. */
function readNumbers(el: Element, ctx: Ctx): Float64Array {
  const size = TYPE_SIZES[el.type];
  if (!size) fail(ctx, `element at ${el.at} has type ${typeName(el.type)} where numbers were expected`);
  if (el.data.length % size !== 0) {
    fail(ctx, `element at ${el.at} holds ${el.data.length} bytes, not a whole number of ${typeName(el.type)} values (${size} bytes each)`);
  }
  const n = el.data.length / size;
  const out = new Float64Array(n);
  const v = new DataView(el.data.buffer, el.data.byteOffset, el.data.byteLength);
  const le = ctx.le;
  switch (el.type) {
    case miDOUBLE: for (let i = 0; i < n; i++) out[i] = v.getFloat64(i * 8, le); break;
    case miSINGLE: for (let i = 0; i < n; i++) out[i] = v.getFloat32(i * 4, le); break;
    case miINT8: for (let i = 0; i < n; i++) out[i] = v.getInt8(i); break;
    case miUINT8: for (let i = 0; i < n; i++) out[i] = v.getUint8(i); break;
    case miINT16: for (let i = 0; i < n; i++) out[i] = v.getInt16(i * 2, le); break;
    case miUINT16: for (let i = 0; i < n; i++) out[i] = v.getUint16(i * 2, le); break;
    case miINT32: for (let i = 0; i < n; i++) out[i] = v.getInt32(i * 4, le); break;
    case miUINT32: for (let i = 0; i < n; i++) out[i] = v.getUint32(i * 4, le); break;
    case miINT64: for (let i = 0; i < n; i++) out[i] = Number(v.getBigInt64(i * 8, le)); break;
    case miUINT64: for (let i = 0; i < n; i++) out[i] = Number(v.getBigUint64(i * 8, le)); break;
  }
  return out;
}

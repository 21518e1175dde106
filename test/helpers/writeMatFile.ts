/**
 * TESTS ONLY: builds small MAT-file level 5 images so the reader's tests need no external files.
 * Mirrors what Octave writes: a 128-byte header, one miMATRIX per variable (optionally wrapped in
 * miCOMPRESSED), array flags, int32 dimensions, an int8 name, the real part in a chosen storage type.
 */
import { deflateSync } from 'node:zlib';

export type StorageType = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

const STORAGE: Record<StorageType, { mi: number; size: number }> = {
  int8: { mi: 1, size: 1 }, uint8: { mi: 2, size: 1 }, int16: { mi: 3, size: 2 }, uint16: { mi: 4, size: 2 },
  int32: { mi: 5, size: 4 }, uint32: { mi: 6, size: 4 }, single: { mi: 7, size: 4 }, double: { mi: 9, size: 8 },
  int64: { mi: 12, size: 8 }, uint64: { mi: 13, size: 8 },
};

export interface TestVariable {
  name: string;
  rows: number;
  columns: number;
  /** Column-major values (length rows·columns). */
  data: number[];
  /** How the values are stored; default 'double'. */
  storage?: StorageType;
  /** Array class byte; default 6 (mxDOUBLE). 4 = char, 1 = cell, 5 = sparse... */
  arrayClass?: number;
  /** Set the complex flag and append an imaginary part equal to the real part. */
  complex?: boolean;
  /** Extra dimensions after rows, columns (e.g. [2] for a 3-D array). */
  extraDims?: number[];
}

export interface WriteOptions {
  compressed?: boolean;
  bigEndian?: boolean;
  /** Use the small data element format for short elements (Octave does for names <= 4 chars). */
  smallElements?: boolean;
}

class Writer {
  private chunks: Buffer[] = [];
  constructor(private le: boolean) {}
  u32(v: number): this {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    this.chunks.push(b);
    return this;
  }
  bytes(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function encode(values: number[], storage: StorageType, le: boolean): Buffer {
  const { size } = STORAGE[storage];
  const b = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    const o = i * size;
    switch (storage) {
      case 'double': le ? b.writeDoubleLE(v, o) : b.writeDoubleBE(v, o); break;
      case 'single': le ? b.writeFloatLE(v, o) : b.writeFloatBE(v, o); break;
      case 'int8': b.writeInt8(v, o); break;
      case 'uint8': b.writeUInt8(v, o); break;
      case 'int16': le ? b.writeInt16LE(v, o) : b.writeInt16BE(v, o); break;
      case 'uint16': le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o); break;
      case 'int32': le ? b.writeInt32LE(v, o) : b.writeInt32BE(v, o); break;
      case 'uint32': le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o); break;
      case 'int64': le ? b.writeBigInt64LE(BigInt(v), o) : b.writeBigInt64BE(BigInt(v), o); break;
      case 'uint64': le ? b.writeBigUInt64LE(BigInt(v), o) : b.writeBigUInt64BE(BigInt(v), o); break;
    }
  });
  return b;
}

/** One data element: tag + payload + padding to 8 bytes (or the 4-byte small format). */
function element(type: number, payload: Buffer, le: boolean, small: boolean): Buffer {
  if (small && payload.length <= 4) {
    const w = new Writer(le).u32(((payload.length << 16) | type) >>> 0);
    return Buffer.concat([w.toBuffer(), payload, Buffer.alloc(4 - payload.length)]);
  }
  const pad = (8 - (payload.length % 8)) % 8;
  return Buffer.concat([new Writer(le).u32(type).u32(payload.length).toBuffer(), payload, Buffer.alloc(pad)]);
}

/** The miMATRIX element of one variable. */
export function matrixElement(v: TestVariable, le = true, small = false): Buffer {
  const storage = v.storage ?? 'double';
  const flags = new Writer(le).u32((v.arrayClass ?? 6) | (v.complex ? 0x0800 : 0)).u32(0).toBuffer();
  const dims = [v.rows, v.columns, ...(v.extraDims ?? [])];
  const dimsBuf = new Writer(le);
  for (const d of dims) dimsBuf.u32(d);
  const real = encode(v.data, storage, le);
  const parts = [
    element(6, flags, le, false),
    element(5, dimsBuf.toBuffer(), le, false),
    element(1, Buffer.from(v.name, 'latin1'), le, small),
    element(STORAGE[storage].mi, real, le, small),
  ];
  if (v.complex) parts.push(element(STORAGE[storage].mi, real, le, small));
  return element(14, Buffer.concat(parts), le, false);
}

/** The 128-byte header. */
export function header(le = true): Buffer {
  const h = Buffer.alloc(128, 0x20);
  h.write('MATLAB 5.0 MAT-file, written by backprop-grader tests', 0, 'latin1');
  h.fill(0, 116, 124); // subsystem data offset
  if (le) h.writeUInt16LE(0x0100, 124);
  else h.writeUInt16BE(0x0100, 124);
  h.write(le ? 'IM' : 'MI', 126, 'latin1');
  return h;
}

/** A whole MAT-file holding `vars`, as a Buffer. */
export function writeMatFile(vars: TestVariable[], options: WriteOptions = {}): Buffer {
  const le = !options.bigEndian;
  const elements = vars.map((v) => {
    const m = matrixElement(v, le, options.smallElements ?? false);
    if (!options.compressed) return m;
    const z = deflateSync(m);
    return Buffer.concat([new Writer(le).u32(15).u32(z.length).toBuffer(), z]);
  });
  return Buffer.concat([header(le), ...elements]);
}

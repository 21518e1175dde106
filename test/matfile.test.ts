import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MatFileError, parseMatFile, readMatFile, readMatFileDetailed } from '../exercises/lib/matfile';
import { header, writeMatFile, type StorageType, type TestVariable } from './helpers/writeMatFile';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const WEIGHTS = join(repoRoot, '..', 'shared', 'octave-ex4', 'ex4weights.mat');

const dir = mkdtempSync(join(tmpdir(), 'matfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, bytes: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Octave's [1 4; 2 5; 3 6] stored column-major. */
const A: TestVariable = { name: 'A', rows: 3, columns: 2, data: [1, 2, 3, 4, 5, 6] };

function errorOf(fn: () => unknown): MatFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MatFileError);
    return error as MatFileError;
  }
  throw new Error('expected a MatFileError');
}

describe('readMatFile on files the tests build', () => {
  for (const compressed of [false, true]) {
    for (const bigEndian of [false, true]) {
      it(`reads a double matrix column-major (${compressed ? 'compressed' : 'uncompressed'}, ${bigEndian ? 'big' : 'little'}-endian)`, () => {
        const file = save(`a-${compressed}-${bigEndian}.mat`, writeMatFile([A], { compressed, bigEndian }));
        const vars = readMatFile(file);
        expect(Object.keys(vars)).toEqual(['A']);
        expect(vars.A.to2DArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
      });
    }
  }

  const storages: [StorageType, number[]][] = [
    ['double', [0.5, -1.25, 1e-300, 3.141592653589793]],
    ['single', [0.5, -1.25, 2.5, 1024]],
    ['int8', [-128, 127, 0, -1]],
    ['uint8', [0, 255, 7, 1]],
    ['int16', [-32768, 32767, -2, 3]],
    ['uint16', [0, 65535, 2, 3]],
    ['int32', [-2147483648, 2147483647, -5, 6]],
    ['uint32', [0, 4294967295, 5, 6]],
    ['int64', [-(2 ** 53), 2 ** 53, -7, 8]],
    ['uint64', [0, 2 ** 53, 7, 8]],
  ];
  for (const [storage, data] of storages) {
    it(`converts ${storage} storage of a double matrix to doubles (what Octave's save does for small integers)`, () => {
      for (const compressed of [false, true]) {
        const bytes = writeMatFile([{ name: 'v', rows: 2, columns: 2, data, storage }], { compressed });
        const { variables } = parseMatFile(bytes, 'v.mat');
        expect(Array.from(variables.v.to1DArray())).toEqual([data[0], data[2], data[1], data[3]]);
      }
    });
  }

  it('reads several variables with their names, and the small data element format', () => {
    const vars: TestVariable[] = [
      { name: 'X', rows: 2, columns: 3, data: [1, 2, 3, 4, 5, 6], storage: 'uint8' },
      { name: 'y', rows: 3, columns: 1, data: [10, 1, 2], storage: 'uint8' }, // 3 bytes of data: small format
      { name: 'Theta1', rows: 1, columns: 2, data: [-0.5, 0.25] },
    ];
    for (const compressed of [false, true]) {
      const out = parseMatFile(writeMatFile(vars, { compressed, smallElements: true }), 'many.mat');
      expect(Object.keys(out.variables)).toEqual(['X', 'y', 'Theta1']);
      expect(out.variables.X.to2DArray()).toEqual([[1, 3, 5], [2, 4, 6]]);
      expect(out.variables.y.getColumn(0)).toEqual([10, 1, 2]);
      expect(out.variables.Theta1.getRow(0)).toEqual([-0.5, 0.25]);
    }
  });

  it('reads empty matrices and integer classes (uint8 class)', () => {
    const out = parseMatFile(
      writeMatFile([
        { name: 'E', rows: 0, columns: 0, data: [] },
        { name: 'u', rows: 1, columns: 2, data: [3, 4], storage: 'uint8', arrayClass: 9 },
      ]),
      'e.mat',
    );
    expect([out.variables.E.rows, out.variables.E.columns]).toEqual([0, 0]);
    expect(out.variables.u.getRow(0)).toEqual([3, 4]);
  });
});

describe('readMatFile errors name the file and the problem', () => {
  it('missing file', () => {
    expect(errorOf(() => readMatFile(join(dir, 'nope.mat'))).message).toBe('nope.mat: file not found');
  });

  it('too short, not a MAT-file, Octave text, HDF5', () => {
    expect(errorOf(() => parseMatFile(Buffer.from('hello'), 'x.mat')).message).toBe(
      'x.mat: is too short for a MAT-file (5 bytes; the header alone is 128)',
    );
    expect(errorOf(() => parseMatFile(Buffer.alloc(200, 0x41), 'x.mat')).message).toMatch(/^x\.mat: is not a MAT-file level 5/);
    expect(errorOf(() => parseMatFile(Buffer.from('# Created by Octave 8.4.0\n# name: X\n'), 'x.mat')).message).toMatch(
      /^x\.mat: is an Octave text file; save it as MAT-file level 5/,
    );
    const hdf5 = Buffer.concat([Buffer.from('MATLAB 7.3 MAT-file'), Buffer.alloc(600)]);
    expect(errorOf(() => parseMatFile(hdf5, 'x.mat')).message).toMatch(/^x\.mat: is a MATLAB v7\.3 \(HDF5\) file/);
  });

  it('an element claiming more bytes than remain (truncated file)', () => {
    const bytes = writeMatFile([{ name: 'X', rows: 10, columns: 10, data: Array.from({ length: 100 }, (_, i) => i) }]);
    const cut = bytes.subarray(0, 128 + 200);
    const e = errorOf(() => readMatFile(save('cut.mat', cut)));
    expect(e.message).toBe(`cut.mat: element at byte 128 claims ${bytes.length - 136} bytes but only 192 remain`);
    expect(e.file).toBe(join(dir, 'cut.mat'));
    expect(errorOf(() => parseMatFile(bytes.subarray(0, 131), 't.mat')).message).toBe(
      't.mat: truncated element tag at byte 128: 3 bytes where 8 are needed',
    );
  });

  it('a compressed element that does not inflate', () => {
    const bytes = writeMatFile([A], { compressed: true });
    const broken = Buffer.from(bytes);
    broken.fill(0x55, 136 + 2, 136 + 10);
    expect(errorOf(() => parseMatFile(broken, 'z.mat')).message).toMatch(/^z\.mat: compressed element at byte 128 does not inflate \(/);
  });

  it('data that does not match the dimensions', () => {
    const bytes = writeMatFile([{ name: 'B', rows: 3, columns: 3, data: [1, 2, 3, 4] }]);
    expect(errorOf(() => parseMatFile(bytes, 'b.mat')).message).toBe('b.mat: variable "B" is 3×3 (9 values) but its data holds 4 values');
  });

  it('unsupported classes and complex numbers, or skipped on request', () => {
    const charVar: TestVariable = { name: 'txt', rows: 1, columns: 2, data: [104, 105], storage: 'uint16', arrayClass: 4 };
    const cases: [TestVariable, string][] = [
      [charVar, 'c.mat: variable "txt" is a char array, which is not supported (only real numeric matrices are)'],
      [{ ...A, name: 'C', arrayClass: 1 }, 'c.mat: variable "C" is a cell array, which is not supported (only real numeric matrices are)'],
      [{ ...A, name: 'S', arrayClass: 2 }, 'c.mat: variable "S" is a struct, which is not supported (only real numeric matrices are)'],
      [{ ...A, name: 'P', arrayClass: 5 }, 'c.mat: variable "P" is a sparse matrix, which is not supported (only real numeric matrices are)'],
      [{ ...A, name: 'Z', complex: true }, 'c.mat: variable "Z" is a complex double matrix, which is not supported (only real numeric matrices are)'],
      [{ ...A, name: 'N', rows: 1, columns: 3, extraDims: [2] }, 'c.mat: variable "N" is a 1×3×2 array (only 2-D), which is not supported (only real numeric matrices are)'],
    ];
    for (const [v, message] of cases) {
      for (const compressed of [false, true]) {
        expect(errorOf(() => parseMatFile(writeMatFile([v], { compressed }), 'c.mat')).message).toBe(message);
      }
    }
    const file = save('mixed.mat', writeMatFile([charVar, A], { compressed: true }));
    const out = readMatFileDetailed(file, { unsupported: 'skip' });
    expect(Object.keys(out.variables)).toEqual(['A']);
    expect(out.skipped).toEqual([{ name: 'txt', reason: 'char array' }]);
  });

  it('a top-level element that is not a matrix', () => {
    const bytes = Buffer.concat([header(), Buffer.from([9, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])]);
    expect(errorOf(() => parseMatFile(bytes, 'd.mat')).message).toBe(
      'd.mat: unexpected top-level element of type miDOUBLE at byte 128 (expected miMATRIX or miCOMPRESSED)',
    );
    // a miMATRIX whose flags are missing
    const bare = Buffer.concat([header(), Buffer.from([14, 0, 0, 0, 8, 0, 0, 0]), Buffer.from([5, 0, 4, 0, 1, 0, 0, 0])]);
    expect(errorOf(() => parseMatFile(bare, 'd.mat')).message).toBe('d.mat: matrix at byte 128 lacks its array flags, dimensions or name');
  });
});

describe.skipIf(!existsSync(WEIGHTS))('the exercise\'s ex4weights.mat (from ../shared)', () => {
  it('holds Theta1 25×401 and Theta2 10×26 with the known sums', () => {
    const vars = readMatFile(WEIGHTS);
    expect(Object.keys(vars).sort()).toEqual(['Theta1', 'Theta2']);
    expect([vars.Theta1.rows, vars.Theta1.columns]).toEqual([25, 401]);
    expect([vars.Theta2.rows, vars.Theta2.columns]).toEqual([10, 26]);
    for (const M of [vars.Theta1, vars.Theta2]) expect(M.to1DArray().every(Number.isFinite)).toBe(true);
    // Sums computed once with this reader and cross-checked with an independent Python decode.
    expect(vars.Theta1.sum()).toBeCloseTo(9.2426439281, 9);
    expect(vars.Theta2.sum()).toBeCloseTo(-100.0834438493, 9);
    expect(vars.Theta1.get(0, 0)).toBe(-0.022562389859934213);
    expect(vars.Theta2.get(9, 25)).toBe(-1.3275204189639918);
  });

  it('agrees with a hand-parse of the file (two compressed miMATRIX of miDOUBLE, column-major)', () => {
    const bytes = readFileSync(WEIGHTS);
    const vars = readMatFile(WEIGHTS);
    let pos = 128;
    const seen: string[] = [];
    while (pos < bytes.length) {
      expect(bytes.readUInt32LE(pos)).toBe(15); // miCOMPRESSED
      const size = bytes.readUInt32LE(pos + 4);
      const m = inflateSync(bytes.subarray(pos + 8, pos + 8 + size));
      pos += 8 + size;
      expect(m.readUInt32LE(0)).toBe(14); // miMATRIX
      const rows = m.readInt32LE(8 + 16 + 8);
      const cols = m.readInt32LE(8 + 16 + 12);
      const name = m.subarray(8 + 32 + 8, 8 + 32 + 8 + m.readUInt32LE(8 + 32 + 4)).toString('latin1');
      const dataTag = 8 + 32 + 16;
      expect(m.readUInt32LE(dataTag)).toBe(9); // miDOUBLE
      const M = vars[name];
      for (let j = 0; j < cols; j++) {
        for (let i = 0; i < rows; i++) expect(M.get(i, j)).toBe(m.readDoubleLE(dataTag + 8 + 8 * (j * rows + i)));
      }
      seen.push(`${name} ${rows}x${cols}`);
    }
    expect(seen).toEqual(['Theta1 25x401', 'Theta2 10x26']);
  });
});

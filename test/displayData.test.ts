import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from 'ml-matrix';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { displayData } from '../exercises/lib/displayData';
import { loadDigits } from '../exercises/lib/digits';

const dir = mkdtempSync(join(tmpdir(), 'display-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gray(png: PNG, x: number, y: number): number {
  return png.data[(y * png.width + x) * 4];
}

describe('displayData', () => {
  it('draws 100 digits as a 10×10 grid of 20×20 tiles, 3x scaled, in a folder it creates', () => {
    const { X } = loadDigits();
    const rows = Array.from({ length: 100 }, (_, i) => i * 50);
    const file = join(dir, 'nested', 'digits.png');
    const result = displayData(X.selection(rows, Array.from({ length: 400 }, (_, j) => j)), file);
    const side = (1 + 10 * 21) * 3; // pad + 10 × (20 + pad), times the scale
    expect(result).toEqual({ width: side, height: side, displayRows: 10, displayCols: 10 });
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([side, side]);
    expect(gray(png, 0, 0)).toBe(0); // padding is -1: black
    expect(gray(png, 3 + 1, 3 + 1)).toBe(128); // a blank corner pixel of the first digit is 0: mid-gray
  });

  it('reshapes each row column-major and scales it by its largest absolute value', () => {
    // One 2×2 example [a c; b d] stored column-major as [a b c d].
    const X = new Matrix([[-2, 0, 1, 2]]);
    const file = join(dir, 'one.png');
    const result = displayData(X, file, { scale: 1 });
    expect([result.width, result.height]).toEqual([4, 4]); // 1 + 1·(2 + 1)
    const png = PNG.sync.read(readFileSync(file));
    expect(gray(png, 1, 1)).toBe(0); // -2/2 = -1: black (row 0, col 0)
    expect(gray(png, 1, 2)).toBe(128); // 0 (row 1, col 0)
    expect(gray(png, 2, 1)).toBe(191); // 1/2 (row 0, col 1)
    expect(gray(png, 2, 2)).toBe(255); // 2/2 = 1: white (row 1, col 1)
    expect(gray(png, 3, 3)).toBe(0);
  });

  it('draws hidden-unit weights (25 rows of 400) as a 5×5 grid', () => {
    const W = Matrix.rand(25, 400).sub(0.5);
    const file = join(dir, 'hidden.png');
    const result = displayData(W, file, { scale: 2 });
    expect(result).toMatchObject({ width: 106 * 2, height: 106 * 2, displayRows: 5, displayCols: 5 });
    expect(PNG.sync.read(readFileSync(file)).width).toBe(212);
  });

  it('leaves an incomplete last row of tiles as background, and rejects bad shapes', () => {
    const file = join(dir, 'three.png');
    const r = displayData(Matrix.ones(3, 4), file, { scale: 1 });
    expect([r.displayRows, r.displayCols]).toEqual([1, 3]);
    expect(() => displayData(new Matrix(2, 0), file)).toThrow('displayData: X is 2×0; nothing to draw');
    expect(() => displayData(Matrix.ones(1, 10), file, { exampleWidth: 3 })).toThrow('displayData: 10 features do not make images 3 pixels wide');
  });
});

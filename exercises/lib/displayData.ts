/**
 * displayData: draws rows of X as a grid of small gray images and saves it as a PNG, like the
 * exercise's displayData.m (which shows it in a figure window).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Matrix } from 'ml-matrix';
import { PNG } from 'pngjs';

/** Options of displayData; every field is optional. */
export interface DisplayDataOptions {
  /** Width of one example in pixels; default round(sqrt(n)) like displayData.m. */
  exampleWidth?: number;
  /** Screen pixels per data pixel; default 3 so that 20×20 digits are visible. */
  scale?: number;
  /** Data pixels of padding between tiles (and around the grid); default 1. */
  pad?: number;
}

/** Size of the written image in pixels, and of the grid in tiles. */
export interface DisplayDataResult {
  width: number;
  height: number;
  displayRows: number;
  displayCols: number;
}

/**
 * Renders the m rows of X (m×n) as a grid of images and writes it to `file` (PNG); the folder
 * is created if needed.
 *
 * Follows displayData.m: each row is reshaped COLUMN-major to exampleHeight×exampleWidth
 * (exampleWidth = round(sqrt(n)), exampleHeight = n / exampleWidth), divided by its largest
 * absolute value, and laid out on floor(sqrt(m)) rows × ceil(m / rows) columns of tiles with
 * `pad` pixels of background (-1) between them; values -1..1 map to black..white (gray colormap).
 * Works for digits (n = 400) and hidden-unit weights (Theta1 without its bias column, h×400).
 */
export function displayData(X: Matrix, file: string, opts: DisplayDataOptions = {}): DisplayDataResult {
  const m = X.rows;
  const n = X.columns;
  if (m === 0 || n === 0) throw new Error(`displayData: X is ${m}×${n}; nothing to draw`);
  const ew = opts.exampleWidth ?? Math.round(Math.sqrt(n));
  const eh = n / ew;
  if (!Number.isInteger(eh)) throw new Error(`displayData: ${n} features do not make images ${ew} pixels wide`);
  const scale = opts.scale ?? 3;
  const pad = opts.pad ?? 1;
  const displayRows = Math.floor(Math.sqrt(m));
  const displayCols = Math.ceil(m / displayRows);
  const gridH = pad + displayRows * (eh + pad);
  const gridW = pad + displayCols * (ew + pad);

  const grid = new Float64Array(gridH * gridW).fill(-1); // row-major, background -1 (black)
  for (let ex = 0; ex < m; ex++) {
    const tileRow = Math.floor(ex / displayCols);
    const tileCol = ex % displayCols;
    if (tileRow >= displayRows) break;
    let maxAbs = 0;
    for (let k = 0; k < n; k++) maxAbs = Math.max(maxAbs, Math.abs(X.get(ex, k)));
    // displayData.m divides by 0 for an all-zero example (NaN); draw it as mid-gray instead.
    const div = maxAbs > 0 && Number.isFinite(maxAbs) ? maxAbs : 1;
    const top = pad + tileRow * (eh + pad);
    const left = pad + tileCol * (ew + pad);
    for (let k = 0; k < n; k++) {
      const r = k % eh; // column-major: feature k is pixel (k mod h, floor(k / h))
      const c = Math.floor(k / eh);
      grid[(top + r) * gridW + left + c] = X.get(ex, k) / div;
    }
  }

  const width = gridW * scale;
  const height = gridH * scale;
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    const gy = Math.floor(y / scale);
    for (let x = 0; x < width; x++) {
      const v = grid[gy * gridW + Math.floor(x / scale)];
      const gray = Number.isFinite(v) ? Math.round(((Math.max(-1, Math.min(1, v)) + 1) / 2) * 255) : 0;
      const o = (y * width + x) * 4;
      png.data[o] = gray;
      png.data[o + 1] = gray;
      png.data[o + 2] = gray;
      png.data[o + 3] = 255;
    }
  }
  mkdirSync(dirname(file), { recursive: true });
  // An 8-bit grayscale PNG (the picture is gray anyway), each row filtered against the one above
  // (rows repeat `scale` times): half the time of RGBA with every filter tried, a file ~100× smaller.
  writeFileSync(file, PNG.sync.write(png, { colorType: 0, filterType: 2 }));
  return { width, height, displayRows, displayCols };
}

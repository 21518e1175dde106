/**
 * Stored variant outputs, so that diagnosis also works in a student release (no solutions/): for
 * every stored case of the families the variants are compared on, the output of each SINGLE variant
 * (pairs and estimated steps need the live reference). The public cases' outputs are stored in the
 * clear here (grader/fixtures/public.json); the hidden pool's are sealed like its expected outputs
 * (grader/reference/seal-build.ts).
 *
 * Size: a J is stored as a number; vectors as base64 of little-endian floats — Float32 for grad and
 * g (relative rounding 6e-8, inside the grader's default rtol of 1e-6), Float64 for numgrad (its
 * part's tolerance is 1e-10 relative), and only the five most common wrong steps. The numerical-check families are not stored: their cases are
 * a second opinion, the nn cases already carry every variant.
 */
import type { GradingCase } from '../cases/types';
import type { Reference } from '../reference/load';
import type { VariantSource } from './source';
import { COST_DATA, COST_REG, GRAD_DATA, GRAD_REG, NUMGRAD_STORED, SIGMOID, type Variant, type VariantQuantity } from './variants';

/** case id -> "quantity:variant key" -> J (number) or a vector ("f4:" / "f8:" + base64). */
export type VariantFixtures = Record<string, Record<string, number | string>>;

/** The single variants stored per case family, by quantity (in the clear for public cases, sealed for the pool). */
export const VARIANT_PLAN: Partial<Record<GradingCase['family'], [VariantQuantity, readonly Variant[]][]>> = {
  'nn-unreg': [
    ['J', COST_DATA],
    ['grad', GRAD_DATA],
  ],
  'nn-reg': [
    ['J', [...COST_DATA, ...COST_REG]],
    ['grad', [...GRAD_DATA, ...GRAD_REG]],
  ],
  sigmoid: [['g', SIGMOID]],
  numgrad: [['numgrad', NUMGRAD_STORED]],
};

function encode(values: readonly number[], width: 4 | 8): string {
  const buf = Buffer.alloc(values.length * width);
  values.forEach((v, i) => (width === 4 ? buf.writeFloatLE(v, i * width) : buf.writeDoubleLE(v, i * width)));
  return `f${width}:${buf.toString('base64')}`;
}

/** A stored entry back as numbers. */
export function decodeVariantOutput(entry: number | string): number[] {
  if (typeof entry === 'number') return [entry];
  const width = entry.startsWith('f4:') ? 4 : 8;
  const buf = Buffer.from(entry.slice(3), 'base64');
  const out = new Array<number>(buf.length / width);
  for (let i = 0; i < out.length; i++) out[i] = width === 4 ? buf.readFloatLE(i * width) : buf.readDoubleLE(i * width);
  return out;
}

/**
 * The variant outputs to store for these cases (the fixtures' public cases and pool), computed
 * from the live reference.
 */
export async function variantFixtures(ref: Reference, cases: readonly GradingCase[]): Promise<VariantFixtures> {
  const { liveSource } = await import('./source');
  const source: VariantSource = await liveSource(ref);
  const out: VariantFixtures = {};
  for (const c of cases) {
    const plan = VARIANT_PLAN[c.family];
    if (!plan) continue;
    const entry: Record<string, number | string> = {};
    for (const [q, variants] of plan) {
      for (const v of variants) {
        const values = source.output(c, q, v);
        if (!values || (q === 'J' && !Number.isFinite(values[0]))) continue; // JSON has no NaN
        entry[`${q}:${v.key}`] = q === 'J' ? values[0] : encode(values, q === 'numgrad' ? 8 : 4);
      }
    }
    out[c.id] = entry;
  }
  return out;
}

/** JSON text of stored variants, one case per line (readable diffs, still compact). */
export function formatVariantFixtures(v: VariantFixtures, indent = '  '): string {
  const lines = Object.entries(v).map(([id, entry]) => `${indent}  ${JSON.stringify(id)}: ${JSON.stringify(entry)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

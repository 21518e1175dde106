/**
 * The hidden cases' randomness: one seeded generator (pure-rand's xoroshiro128+) per case family,
 * so the same seed always gives the same cases and asking for more cases of one part never shifts
 * the cases of another.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform in [a, b). */
  uniform(a: number, b: number): number;
  /** Uniform integer in [a, b] (both included). */
  int(a: number, b: number): number;
  /** Log-uniform in [a, b] (for scales: 0.1 is as likely a pick as 5). */
  logUniform(a: number, b: number): number;
  /** A new 31-bit seed (for seeds handed to the student, e.g. randInitializeWeights). */
  seed(): number;
}

/** FNV-1a of a family name, mixed into the seed so families get independent streams. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** A seeded generator for one case family. */
export function familyRng(seed: number, family: string): Rng {
  const g = xoroshiro128plus((seed ^ hashName(family)) | 0);
  const float = () => uniformFloat64(g);
  return {
    float,
    uniform: (a, b) => a + (b - a) * float(),
    int: (a, b) => uniformInt(g, a, b),
    logUniform: (a, b) => Math.exp(Math.log(a) + (Math.log(b) - Math.log(a)) * float()),
    seed: () => uniformInt(g, 1, 0x7fffffff),
  };
}

/** Rounds generated inputs to 4 decimals: exact in the JSON fixtures, readable in reports. */
export function r4(x: number): number {
  const v = Math.round(x * 1e4) / 1e4;
  return v === 0 ? 0 : v; // never -0 (it would not survive JSON)
}

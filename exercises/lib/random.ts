/**
 * A seeded source of uniform numbers, so that random initialisation, the grader's hidden cases and
 * the walkthrough are reproducible from a printed seed.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * `seededRandom(seed)`: a function returning uniform numbers in [0, 1) (multiples of 2^-53), the
 * same sequence for the same seed. Drop-in replacement for `Math.random`.
 * @param seed any integer (it is truncated to 32 bits, like pure-rand does)
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new RangeError(`seededRandom: seed must be a finite number, got ${seed}`);
  // xoroshiro128+ is pure-rand's fast, well-distributed generator; its instance advances in place.
  const rng = xoroshiro128plus(seed | 0);
  return () => uniformFloat64(rng);
}

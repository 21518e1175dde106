/**
 * Pairs of submissions whose fingerprints overlap, with the shared regions to look at. See
 * fingerprint.ts for how a submission is fingerprinted; this module only compares sets.
 *
 * Score of a pair: shared fingerprints / the smaller set's size, in [0, 1] (MOSS reports the
 * same overlap from each side; the smaller side is what a copier's extra code cannot dilute).
 */
import { compareIds } from '../batch/discover';
import { K, W, type SourceFingerprints, type Token } from './fingerprint';

/** Pairs at or above this score are flagged (see test/similarity.test.ts for where it sits between copies and independent work). */
export const DEFAULT_THRESHOLD = 0.5;
/** Submissions with fewer fingerprints than this (beyond the stubs) are not compared: too little own code to judge. */
export const MIN_FINGERPRINTS = 8;
/** Shared regions listed per pair, largest first. */
export const MAX_REGIONS = 5;

/** A stretch of one submission's code: its file and 1-based line range. */
export interface CodeRange {
  file: string;
  startLine: number;
  endLine: number;
}

/** A run of code found in both submissions of a pair. */
export interface SharedRegion {
  a: CodeRange;
  b: CodeRange;
  /** Normalised tokens the region spans in `a`. */
  tokens: number;
  /** The region's source lines on each side (added where the sources are at hand; capped). */
  excerpt?: { a: string; b: string };
}

/** Two submissions with overlapping fingerprints. `a` < `b` in id order. */
export interface SimilarityPair {
  a: string;
  b: string;
  /** shared / min(aFingerprints, bFingerprints), rounded to 3 decimals. */
  score: number;
  shared: number;
  aFingerprints: number;
  bFingerprints: number;
  /** Largest first, at most MAX_REGIONS. */
  regions: SharedRegion[];
}

/** The batch's similarity result (what similarity.json holds). */
export interface SimilarityResult {
  params: { k: number; w: number; threshold: number; minFingerprints: number };
  /** Submissions compared (enough own code), and those skipped for too little. */
  compared: string[];
  skipped: string[];
  /** Pairs at or above the threshold, highest score first (then by ids). */
  pairs: SimilarityPair[];
}

function range(tokens: readonly Token[], from: number, to: number): CodeRange {
  return { file: tokens[from].file, startLine: tokens[from].line, endLine: tokens[to].line };
}

/**
 * Shared regions of a pair: matched k-grams (a position in `a` and one in `b` with the same hash)
 * chained while both sides advance together within one file, each chain widened to the tokens
 * its k-grams cover.
 */
export function sharedRegions(a: SourceFingerprints, b: SourceFingerprints): SharedRegion[] {
  const inB = new Map<number, number[]>();
  for (const fp of b.fingerprints) inB.set(fp.hash, [...(inB.get(fp.hash) ?? []), fp.at]);
  const matches: [number, number][] = [];
  for (const fp of a.fingerprints) for (const at of inB.get(fp.hash) ?? []) matches.push([fp.at, at]);
  matches.sort((x, y) => x[0] - y[0] || x[1] - y[1]);

  const chains: { a0: number; a1: number; b0: number; b1: number }[] = [];
  for (const [pa, pb] of matches) {
    const c = chains.find(
      (ch) =>
        pa >= ch.a0 &&
        pa - ch.a1 <= 2 * K &&
        pb - ch.b1 >= 0 &&
        pb - ch.b1 <= 2 * K &&
        a.tokens[pa].file === a.tokens[ch.a0].file &&
        b.tokens[pb].file === b.tokens[ch.b0].file,
    );
    if (c) {
      c.a1 = Math.max(c.a1, pa);
      c.b1 = Math.max(c.b1, pb);
    } else chains.push({ a0: pa, a1: pa, b0: pb, b1: pb });
  }
  const spans = chains
    .map((c) => ({ a0: c.a0, a1: Math.min(a.tokens.length - 1, c.a1 + K - 1), b0: c.b0, b1: Math.min(b.tokens.length - 1, c.b1 + K - 1) }))
    .sort((x, y) => y.a1 - y.a0 - (x.a1 - x.a0) || x.a0 - y.a0 || x.b0 - y.b0);
  // A repeated k-gram also matches inside a larger region: keep only regions disjoint on both sides.
  const kept: typeof spans = [];
  for (const sp of spans) {
    if (kept.some((k) => (sp.a0 <= k.a1 && k.a0 <= sp.a1) || (sp.b0 <= k.b1 && k.b0 <= sp.b1))) continue;
    kept.push(sp);
    if (kept.length === MAX_REGIONS) break;
  }
  return kept.map((sp) => ({ a: range(a.tokens, sp.a0, sp.a1), b: range(b.tokens, sp.b0, sp.b1), tokens: sp.a1 - sp.a0 + 1 }));
}

/**
 * Compares every pair of submissions (ids sorted, so the result is the same whatever the input
 * order, and shards merged give the same bytes). Quadratic in the class size on small sets:
 * 300 students are 45,000 set intersections of a few hundred hashes each.
 */
export function compareSubmissions(
  submissions: ReadonlyMap<string, SourceFingerprints>,
  threshold = DEFAULT_THRESHOLD,
): SimilarityResult {
  const ids = [...submissions.keys()].sort(compareIds);
  const sets = new Map(ids.map((id) => [id, new Set(submissions.get(id)!.fingerprints.map((f) => f.hash))]));
  const compared = ids.filter((id) => sets.get(id)!.size >= MIN_FINGERPRINTS);
  const skipped = ids.filter((id) => sets.get(id)!.size < MIN_FINGERPRINTS);
  const pairs: SimilarityPair[] = [];
  for (let i = 0; i < compared.length; i++) {
    for (let j = i + 1; j < compared.length; j++) {
      const A = sets.get(compared[i])!;
      const B = sets.get(compared[j])!;
      const [small, large] = A.size <= B.size ? [A, B] : [B, A];
      let shared = 0;
      for (const h of small) if (large.has(h)) shared++;
      const score = Math.round((shared / small.size) * 1000) / 1000;
      if (score < threshold) continue;
      pairs.push({
        a: compared[i],
        b: compared[j],
        score,
        shared,
        aFingerprints: A.size,
        bFingerprints: B.size,
        regions: sharedRegions(submissions.get(compared[i])!, submissions.get(compared[j])!),
      });
    }
  }
  pairs.sort((x, y) => y.score - x.score || compareIds(x.a, y.a) || compareIds(x.b, y.b));
  return { params: { k: K, w: W, threshold, minFingerprints: MIN_FINGERPRINTS }, compared, skipped, pairs };
}

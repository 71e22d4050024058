/**
 * The density suite's request stream: which model each request asks for. Popularity
 * follows Zipf's law — a few models get most requests, a long tail gets a few — with a
 * seeded generator, so every run asks for the same mix.
 */
import type { Random } from '@slipway/modelkit';

/** Draws ranks 0…n−1 with P(k) ∝ 1 / (k + 1)^s. */
export function zipfSampler(n: number, s: number, random: Random): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cdf[k] = total += (k + 1) ** -s;
  return () => {
    const u = random.next() * total;
    let [lo, hi] = [0, n - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** A seeded Fisher–Yates shuffle: which item gets which popularity rank. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A fixed log-bucket histogram for durations in milliseconds: buckets grow by 2^(1/8)
 * (≈ 9 %), so any quantile read back is within ≈ 4.5 % of the true value, and histograms
 * of different minutes, versions or servers merge by adding counts. Operational metrics
 * store it sparse (`{bucket: count}`) per window.
 */

/** Values at or below this (10 µs) share bucket 0. */
const FLOOR_MS = 0.01;
const PER_OCTAVE = 8;
/** Values above ≈ 2^30 × FLOOR (≈ 3 h) share the last bucket. */
const MAX_BUCKET = 30 * PER_OCTAVE;

export type SparseHistogram = Record<number, number>;

export function histogramBucket(ms: number): number {
  if (!(ms > FLOOR_MS)) return 0;
  return Math.min(MAX_BUCKET, Math.ceil(Math.log2(ms / FLOOR_MS) * PER_OCTAVE));
}

/** The value a bucket stands for: the geometric middle of its bounds. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return FLOOR_MS;
  return FLOOR_MS * 2 ** ((bucket - 0.5) / PER_OCTAVE);
}

export function addToHistogram(h: SparseHistogram, ms: number, count = 1): void {
  const b = histogramBucket(ms);
  h[b] = (h[b] ?? 0) + count;
}

export function mergeHistograms(into: SparseHistogram, from: Readonly<SparseHistogram>): SparseHistogram {
  for (const [b, n] of Object.entries(from)) into[Number(b)] = (into[Number(b)] ?? 0) + n;
  return into;
}

/** The q-quantile (0..1), the nearest-rank value of the bucket holding it; 0 for an empty histogram. */
export function histogramQuantile(h: Readonly<SparseHistogram>, q: number): number {
  const buckets = Object.entries(h)
    .map(([b, n]) => [Number(b), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  for (const [, n] of buckets) total += n;
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [b, n] of buckets) {
    seen += n;
    if (seen >= rank) return bucketValue(b);
  }
  return bucketValue(buckets[buckets.length - 1]?.[0] ?? 0);
}

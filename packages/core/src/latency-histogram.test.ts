import { describe, expect, it } from 'vitest';
import { addToHistogram, bucketValue, histogramBucket, histogramQuantile, mergeHistograms, type SparseHistogram } from './latency-histogram.js';

describe('latency histogram', () => {
  it.each([0.02, 0.5, 1, 3.7, 42, 999, 60_000])('reads %d ms back within 4.5 %', (ms) => {
    expect(Math.abs(bucketValue(histogramBucket(ms)) / ms - 1)).toBeLessThan(0.045);
  });

  it.each([
    [0, 0],
    [-1, 0],
    [Number.NaN, 0],
    [0.01, 0],
    [1e12, 240],
  ])('clamps %d ms to bucket %d', (ms, bucket) => {
    expect(histogramBucket(ms)).toBe(bucket);
  });

  it('answers nearest-rank quantiles, and the same after splitting and merging', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 0.1 * (i + 1)); // 0.1 … 100 ms
    const whole: SparseHistogram = {};
    for (const v of values) addToHistogram(whole, v);
    for (const [q, exact] of [[0.5, 50], [0.9, 90], [0.99, 99]] as const) {
      expect(Math.abs(histogramQuantile(whole, q) / exact - 1)).toBeLessThan(0.045);
    }
    const a: SparseHistogram = {};
    const b: SparseHistogram = {};
    values.forEach((v, i) => addToHistogram(i % 3 === 0 ? a : b, v));
    const merged = mergeHistograms(mergeHistograms({}, a), b);
    expect(merged).toEqual(whole);
    expect(histogramQuantile({}, 0.99)).toBe(0);
  });
});

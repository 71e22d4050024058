import { describe, expect, it } from 'vitest';
import { countersSince, servingCounters, sumSamples } from './prometheus.js';

const scrape = (hits: number, rowsSum: number) => `# HELP slipway_model_cache_hits_total Runs whose version was already loaded
# TYPE slipway_model_cache_hits_total counter
slipway_model_cache_hits_total{pipeline="a"} ${hits}
slipway_model_cache_hits_total{pipeline="b"} 5
slipway_model_cache_misses_total{pipeline="a"} 2
slipway_batch_rows_bucket{le="+Inf",pipeline="a"} 10
slipway_batch_rows_sum{pipeline="a"} ${rowsSum}
slipway_batch_rows_count{pipeline="a"} 10
slipway_model_memory_used_bytes 1.5e+6
`;

describe('sumSamples', () => {
  it('sums one metric over label sets, optionally filtered, never a longer name that starts the same', () => {
    const text = scrape(3, 40);
    expect(sumSamples(text, 'slipway_model_cache_hits_total')).toBe(8);
    expect(sumSamples(text, 'slipway_model_cache_hits_total', { pipeline: 'b' })).toBe(5);
    expect(sumSamples(text, 'slipway_batch_rows')).toBe(0);
    expect(sumSamples(text, 'slipway_model_memory_used_bytes')).toBe(1_500_000);
    expect(sumSamples(text, 'slipway_model_cache_hits_total', { pipeline: 'zzz' })).toBe(0);
  });
});

describe('servingCounters', () => {
  it('reads a pipeline’s counters and what changed between two scrapes', () => {
    const delta = countersSince(servingCounters(scrape(3, 40), 'a'), servingCounters(scrape(13, 100), 'a'));
    expect(delta).toMatchObject({ cacheHits: 10, cacheMisses: 0, batchRowsSum: 60, batchRowsCount: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { histogramQuantile, parsePrometheus, pipelineHealth } from './prometheus.js';

const TEXT = `# HELP slipway_runs_total Model runs
# TYPE slipway_runs_total counter
slipway_runs_total{pipeline="credit-risk",outcome="ok"} 98
slipway_runs_total{pipeline="credit-risk",outcome="invalid_input"} 2
slipway_runs_total{pipeline="sensor-mlp",outcome="ok"} 5
slipway_run_compute_seconds_bucket{le="0.001",pipeline="credit-risk"} 50
slipway_run_compute_seconds_bucket{le="0.005",pipeline="credit-risk"} 97
slipway_run_compute_seconds_bucket{le="0.01",pipeline="credit-risk"} 100
slipway_run_compute_seconds_bucket{le="+Inf",pipeline="credit-risk"} 100
slipway_model_cache_hits_total{pipeline="credit-risk"} 99
slipway_model_cache_misses_total{pipeline="credit-risk"} 1
slipway_batch_rows_sum{pipeline="credit-risk"} 300
slipway_batch_rows_count{pipeline="credit-risk"} 40
weird_label{path="a \\"quoted\\" value"} 1
`;

describe('parsePrometheus', () => {
  it('reads names, labels (with escapes) and values, skipping comments', () => {
    const samples = parsePrometheus(TEXT);
    expect(samples).toHaveLength(12);
    expect(samples[0]).toEqual({ name: 'slipway_runs_total', labels: { pipeline: 'credit-risk', outcome: 'ok' }, value: 98 });
    expect(samples.at(-1)?.labels.path).toBe('a "quoted" value');
    expect(samples.find((s) => s.labels.le === '+Inf')?.value).toBe(100);
  });
});

describe('histogramQuantile', () => {
  it.each([
    { q: 0.5, expected: 0.001 },
    { q: 0.97, expected: 0.005 },
    { q: 0.99, expected: 0.01 },
  ])('q=$q → $expected', ({ q, expected }) => {
    expect(histogramQuantile([{ le: 0.01, count: 100 }, { le: 0.001, count: 50 }, { le: 0.005, count: 97 }, { le: Infinity, count: 100 }], q)).toBe(expected);
  });
  it('answers null without observations and the last finite bound past it', () => {
    expect(histogramQuantile([{ le: 1, count: 0 }, { le: Infinity, count: 0 }], 0.99)).toBeNull();
    expect(histogramQuantile([{ le: 1, count: 1 }, { le: Infinity, count: 10 }], 0.99)).toBe(1);
  });
});

describe('pipelineHealth', () => {
  it.each([
    { pipeline: 'credit-risk', expected: { runs: 100, errors: 2, errorRate: 0.02, computeP99Ms: 10, cacheHits: 99, cacheMisses: 1, meanBatchRows: 7.5 } },
    { pipeline: 'sensor-mlp', expected: { runs: 5, errors: 0, errorRate: 0, computeP99Ms: null, cacheHits: 0, cacheMisses: 0, meanBatchRows: null } },
    { pipeline: 'unknown', expected: { runs: 0, errors: 0, errorRate: null, computeP99Ms: null, cacheHits: 0, cacheMisses: 0, meanBatchRows: null } },
  ])('$pipeline', ({ pipeline, expected }) => {
    expect(pipelineHealth(parsePrometheus(TEXT), pipeline)).toEqual(expected);
  });
});

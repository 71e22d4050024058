import { describe, expect, it } from 'vitest';
import { accuracySeries, disparateImpact, driftStatistics, histogramSeries } from './monitoring-series.js';

describe('monitoring series', () => {
  it('draws each feature statistic per window, one x per start, null where missing', () => {
    const s = driftStatistics([
      { start: 600_000, features: { age: { statistic: 0.4 }, income: { statistic: 0.5 } } },
      { start: 300_000, features: { age: { statistic: 0.1 } } },
    ]);
    expect(s).toEqual({ x: [300, 600], series: [{ label: 'age', values: [0.1, 0.4] }, { label: 'income', values: [null, 0.5] }] });
  });

  it('puts realized and estimated accuracy on the same windows', () => {
    const s = accuracySeries([{ start: 0, metrics: { accuracy: 0.9 } }], [{ start: 0, metrics: { accuracy: { value: 0.88, lower: 0.85, upper: 0.91 } } }, { start: 300_000, metrics: { accuracy: { value: 0.7, lower: 0.65, upper: 0.75 } } }]);
    expect(s.x).toEqual([0, 300]);
    expect(s.series.map((x) => x.values)).toEqual([
      [0.9, null],
      [0.88, 0.7],
      [0.85, 0.65],
      [0.91, 0.75],
    ]);
  });

  it('reads disparate impact per attribute', () => {
    expect(disparateImpact([{ start: 0, selection: { sex: { disparateImpact: 0.7 }, age: { disparateImpact: null } } }]).series).toEqual([
      { label: 'sex', values: [0.7] },
      { label: 'age', values: [null] },
    ]);
  });

  it.each([
    { h: { kind: 'numeric' as const, boundaries: [10, 20], reference: [1, 2, 1], current: [0, 0, 4] }, labels: ['< 10', '10–20', '≥ 20'], reference: [0.25, 0.5, 0.25], current: [0, 0, 1] },
    { h: { kind: 'categorical' as const, categories: ['a', 'b'], reference: [0, 0], current: [3, 1] }, labels: ['a', 'b'], reference: [0, 0], current: [0.75, 0.25] },
  ])('histogram as proportions: $labels', ({ h, labels, reference, current }) => {
    expect(histogramSeries(h)).toEqual({ labels, reference, current });
  });
});

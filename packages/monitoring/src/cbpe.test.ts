import { describe, expect, it } from 'vitest';
import { addExpectedRow, calibrate, estimateFromConfusion, estimatePerformance, fitCbpe, fitIsotonic } from './cbpe.js';
import { expectClose, fixtures } from './testing/fixtures.js';

describe('CBPE against scikit-learn', () => {
  const f = fixtures.cbpe;
  const reference = fitCbpe(f.referenceScores, f.referenceLabels);
  const estimate = estimatePerformance(reference, f.windowScores);

  it('isotonic calibration equals IsotonicRegression(out_of_bounds="clip")', () => {
    f.windowScores.forEach((s, i) => expectClose(calibrate(reference.calibrator, s), f.calibrated[i]!, 1e-12));
  });

  it('expected confusion matrix', () => {
    for (const k of ['tp', 'fp', 'tn', 'fn'] as const) expectClose(estimate.expectedConfusion[k], f.expectedConfusion[k], 1e-12);
  });

  it('estimated metrics (ROC AUC as the weighted AUC of rows counted as p positive, 1 − p negative)', () => {
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc'] as const) expectClose(estimate.metrics[k]!.value, f.estimates[k], 1e-12);
  });

  it('band half-width is 3σ of the reference chunks scaled to the window size', () => {
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc'] as const) {
      expectClose(reference.chunkStd[k], f.chunkStd[k], 1e-12);
      const m = estimate.metrics[k]!;
      expectClose(m.upper - m.value, 3 * f.chunkStd[k] * Math.sqrt(100 / f.windowScores.length), 1e-9);
    }
  });

  it('the band covers the realized values once labels arrive', () => {
    for (const k of ['accuracy', 'rocAuc'] as const) {
      expect(estimate.metrics[k]!.lower).toBeLessThanOrEqual(f.realized[k]);
      expect(estimate.metrics[k]!.upper).toBeGreaterThanOrEqual(f.realized[k]);
    }
  });
});

describe('isotonic fit', () => {
  it.each([
    ['already increasing', [1, 2, 3], [0, 0.5, 1], { x: [1, 2, 3], y: [0, 0.5, 1] }],
    ['a violation is pooled', [1, 2, 3], [1, 0, 1], { x: [1, 2, 3], y: [0.5, 0.5, 1] }],
    ['a plateau keeps only its ends', [1, 2, 3, 4], [1, 0, 0.5, 1], { x: [1, 3, 4], y: [0.5, 0.5, 1] }],
    ['tied scores are averaged first', [1, 1, 2], [0, 1, 1], { x: [1, 2], y: [0.5, 1] }],
  ])('%s', (_, x, y, expected) => expect(fitIsotonic(x, y)).toEqual(expected));

  it('clips outside the fitted range and interpolates inside it', () => {
    const cal = { x: [0.2, 0.8], y: [0.1, 0.7] };
    expect([calibrate(cal, 0), calibrate(cal, 0.5), calibrate(cal, 1)].map((v) => Number(v.toFixed(12)))).toEqual([0.1, 0.4, 0.7]);
  });

  it('refuses a reference too small for its chunks', () => {
    expect(() => fitCbpe([0.1, 0.9], [0, 1])).toThrow(/referenceChunks/);
  });
});

describe('CBPE from a mergeable expected confusion matrix', () => {
  const f = fixtures.cbpe;
  const reference = fitCbpe(f.referenceScores, f.referenceLabels);

  it('row by row, split into two windows and added, equals the estimate from the scores', () => {
    const halves = [f.windowScores.slice(0, 40), f.windowScores.slice(40)].map((scores) => {
      const cm = { tp: 0, fp: 0, tn: 0, fn: 0 };
      for (const s of scores) addExpectedRow(reference, cm, s);
      return cm;
    });
    const merged = { tp: halves[0]!.tp + halves[1]!.tp, fp: halves[0]!.fp + halves[1]!.fp, tn: halves[0]!.tn + halves[1]!.tn, fn: halves[0]!.fn + halves[1]!.fn };
    const estimate = estimateFromConfusion(reference, merged);
    for (const k of ['accuracy', 'precision', 'recall', 'f1'] as const) expectClose(estimate.metrics[k]!.value, f.estimates[k], 1e-12);
    expectClose(estimate.metrics.accuracy!.upper - estimate.metrics.accuracy!.value, 3 * f.chunkStd.accuracy * Math.sqrt(100 / f.windowScores.length), 1e-9);
    expect(estimate.metrics.rocAuc).toBeNull();
    expect(estimate.count).toBe(f.windowScores.length);
  });

  it('an empty window estimates nothing', () => {
    expect(estimateFromConfusion(reference, { tp: 0, fp: 0, tn: 0, fn: 0 }).metrics.accuracy).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { binaryClassificationMetrics, rocAuc, thresholdMetrics } from './classification-metrics.js';
import { expectClose, fixtures } from './testing/fixtures.js';

describe('binary classification against scikit-learn', () => {
  const f = fixtures.classification;
  const m = binaryClassificationMetrics(f.labels, f.scores);

  it('confusion matrix and threshold metrics', () => {
    expect(m.confusion).toEqual(f.confusion);
    expectClose(m.accuracy, f.accuracy, 1e-12);
    expectClose(m.precision, f.precision, 1e-12);
    expectClose(m.recall, f.recall, 1e-12);
    expectClose(m.f1, f.f1, 1e-12);
  });

  it('ROC AUC with tied scores', () => expectClose(m.rocAuc, f.rocAuc, 1e-12));
  it('log loss', () => expectClose(m.logLoss, f.logLoss, 1e-12));

  it('calibration curve and expected calibration error', () => {
    expect(m.calibration.bins.map((b) => b.count)).toEqual(f.calibration.counts);
    m.calibration.bins.forEach((b, i) => {
      expectClose(b.fractionPositive, f.calibration.fractionPositive[i]!, 1e-12);
      expectClose(b.meanPredicted, f.calibration.meanPredicted[i]!, 1e-12);
    });
    expectClose(m.calibration.expectedCalibrationError, f.calibration.ece, 1e-12);
  });
});

describe('edge cases', () => {
  it.each([
    ['nothing predicted positive', { tp: 0, fp: 0, tn: 5, fn: 5 }, { accuracy: 0.5, precision: 0, recall: 0, f1: 0 }],
    ['perfect', { tp: 3, fp: 0, tn: 2, fn: 0 }, { accuracy: 1, precision: 1, recall: 1, f1: 1 }],
  ])('%s', (_, cm, expected) => expect(thresholdMetrics(cm)).toEqual(expected));

  it.each([
    ['one class only', [1, 1, 1], [0.2, 0.5, 0.9], null],
    ['all scores tied', [0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5],
    ['perfect ranking', [0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], 1],
  ])('ROC AUC: %s', (_, labels, scores, expected) => expect(rocAuc(labels, scores)).toBe(expected));

  it('refuses misaligned inputs', () => expect(() => rocAuc([0, 1], [0.5])).toThrow(/scores: has 1 values for 2 labels/));
});

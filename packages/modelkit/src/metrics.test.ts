import { describe, expect, it } from 'vitest';
import { accuracy, argmaxRows, logLoss, rocAuc } from './metrics.js';

describe('metrics', () => {
  it('takes the first most probable class per row', () => {
    expect(Array.from(argmaxRows([0.2, 0.8, 0.5, 0.5, 0.1, 0.2, 0.7, 0], 2))).toEqual([1, 0, 1, 0]);
  });

  it('computes accuracy and log loss from probability rows', () => {
    const probs = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
    expect(accuracy(probs, [0, 1, 1], 2)).toBeCloseTo(2 / 3);
    expect(logLoss(probs, [0, 1, 1], 2)).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3);
    expect(Number.isFinite(logLoss([1, 0], [1], 2))).toBe(true);
  });

  it('computes ROC AUC with ties counting half', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75);
    expect(rocAuc([0.9, 0.1], [0, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5], [1, 0, 1])).toBe(0.5);
    expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrow(/both/);
  });
});

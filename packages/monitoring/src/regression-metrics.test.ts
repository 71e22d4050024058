import { describe, expect, it } from 'vitest';
import { regressionMetrics } from './regression-metrics.js';
import { expectClose, fixtures } from './testing/fixtures.js';

describe('regression metrics', () => {
  it('match scikit-learn', () => {
    const f = fixtures.regression;
    const m = regressionMetrics(f.actual, f.predicted);
    expectClose(m.mae, f.mae, 1e-12);
    expectClose(m.rmse, f.rmse, 1e-12);
    expectClose(m.mape, f.mape, 1e-12);
    expectClose(m.r2, f.r2, 1e-12);
  });

  it.each([
    ['constant target, perfect', [2, 2], [2, 2], 1],
    ['constant target, imperfect', [2, 2], [1, 3], 0],
  ])('R² of a %s is scikit-learn’s', (_, actual, predicted, r2) => expect(regressionMetrics(actual, predicted).r2).toBe(r2));

  it('MAPE floors |y| at machine epsilon instead of dividing by zero', () => {
    expect(regressionMetrics([0], [1]).mape).toBe(1 / Number.EPSILON);
  });
});

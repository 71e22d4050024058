/**
 * Realized performance of a regression model on a labelled window: MAE, RMSE, MAPE and
 * R², with scikit-learn's definitions (MAPE as a fraction, |y| floored at machine
 * epsilon; R² of a constant target 1 when perfect, else 0).
 */
import { InvalidInputError } from '@slipway/core';

export interface RegressionMetrics {
  count: number;
  mae: number;
  rmse: number;
  /** Mean absolute percentage error as a fraction (0.1 = 10 %). */
  mape: number;
  r2: number;
}

export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  if (actual.length !== predicted.length) {
    throw new InvalidInputError([{ path: 'predicted', message: `has ${predicted.length} values for ${actual.length} actual values; give one per row` }]);
  }
  const n = actual.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i]!;
  mean /= n;
  let absolute = 0;
  let squared = 0;
  let percentage = 0;
  let totalSquares = 0;
  for (let i = 0; i < n; i++) {
    const y = actual[i]!;
    const error = y - predicted[i]!;
    absolute += Math.abs(error);
    squared += error * error;
    percentage += Math.abs(error) / Math.max(Math.abs(y), Number.EPSILON);
    totalSquares += (y - mean) * (y - mean);
  }
  const r2 = totalSquares === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / totalSquares;
  return { count: n, mae: absolute / n, rmse: Math.sqrt(squared / n), mape: percentage / n, r2 };
}

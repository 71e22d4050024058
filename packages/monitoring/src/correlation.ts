/**
 * Correlation between a business KPI and a model metric over aligned windows: Pearson
 * for linear co-movement, Spearman (Pearson of average ranks) for any monotone one.
 */
import { InvalidInputError } from '@slipway/core';
import { averageRanks } from './ranks.js';

/** Pearson's r; null when there are fewer than two pairs or either side is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  if (x.length !== y.length) throw new InvalidInputError([{ path: 'y', message: `has ${y.length} values for ${x.length} in x; correlate aligned series` }]);
  const n = x.length;
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Spearman's ρ with ties given their average rank (scipy `spearmanr`). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  if (x.length !== y.length) throw new InvalidInputError([{ path: 'y', message: `has ${y.length} values for ${x.length} in x; correlate aligned series` }]);
  return pearson(averageRanks(x), averageRanks(y));
}

/** One window's value of a series, keyed by the window's start (ISO time or epoch ms). */
export interface WindowValue {
  window: string | number;
  value: number;
}

export interface WindowCorrelation {
  /** Windows present in both series with finite values. */
  windows: number;
  pearson: number | null;
  spearman: number | null;
}

/** Correlates two windowed series on the windows they share. */
export function correlateWindows(a: readonly WindowValue[], b: readonly WindowValue[]): WindowCorrelation {
  const byWindow = new Map<string | number, number>(b.map((w) => [w.window, w.value]));
  const x: number[] = [];
  const y: number[] = [];
  for (const w of a) {
    const other = byWindow.get(w.window);
    if (other !== undefined && Number.isFinite(other) && Number.isFinite(w.value)) {
      x.push(w.value);
      y.push(other);
    }
  }
  return { windows: x.length, pearson: pearson(x, y), spearman: spearman(x, y) };
}

/**
 * Confidence-based performance estimation (CBPE, as NannyML) for binary classifiers:
 * estimates accuracy, precision, recall, F1 and ROC AUC of a window before its labels
 * arrive. Scores are calibrated on the labelled reference set with isotonic regression
 * (pool-adjacent-violators, then linear interpolation between the fitted points, clipped
 * at the ends — scikit-learn's `IsotonicRegression(out_of_bounds="clip")`), chosen over
 * histogram binning because it needs no bin count and keeps the score order. A calibrated
 * score p is the chance the row is positive, so the window's expected confusion matrix
 * sums p and 1 − p over predicted positives and negatives.
 *
 * The band: each metric's realized value is computed on consecutive reference chunks;
 * their (population) standard deviation σ at chunk size c scales to a window of n rows as
 * σ·√(c/n), and the band is the estimate ± `sigmas` of that, clipped to [0, 1].
 *
 * Unlike NannyML, ROC AUC ranks rows by the raw score (calibrated probabilities only weight
 * them): isotonic steps would otherwise tie rows the model tells apart.
 */
import { InvalidInputError } from '@slipway/core';
import { type ConfusionMatrix, thresholdMetrics, weightedRocAuc, binaryClassificationMetrics } from './classification-metrics.js';

/** A fitted isotonic calibrator: increasing knots, linear in between, flat outside. */
export interface IsotonicCalibrator {
  x: number[];
  y: number[];
}

/** Fits an increasing isotonic regression of 0/1 labels (or any targets) on scores. */
export function fitIsotonic(scores: ArrayLike<number>, targets: ArrayLike<number>): IsotonicCalibrator {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || targets[a]! - targets[b]!);
  // Tied scores become one point: the mean target, weighted by how many rows tied.
  const xs: number[] = [];
  const sums: number[] = [];
  const weights: number[] = [];
  for (const i of order) {
    const last = xs.length - 1;
    if (last >= 0 && xs[last] === scores[i]) {
      sums[last]! += targets[i]!;
      weights[last]!++;
    } else {
      xs.push(scores[i]!);
      sums.push(targets[i]!);
      weights.push(1);
    }
  }
  // Pool adjacent violators over blocks [start, end) with running sums.
  const blockStart: number[] = [];
  const blockSum: number[] = [];
  const blockWeight: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    blockStart.push(i);
    blockSum.push(sums[i]!);
    blockWeight.push(weights[i]!);
    let top = blockStart.length - 1;
    while (top > 0 && blockSum[top - 1]! / blockWeight[top - 1]! >= blockSum[top]! / blockWeight[top]!) {
      blockSum[top - 1]! += blockSum[top]!;
      blockWeight[top - 1]! += blockWeight[top]!;
      blockStart.pop();
      blockSum.pop();
      blockWeight.pop();
      top--;
    }
  }
  const fitted = new Array<number>(xs.length);
  blockStart.forEach((start, b) => {
    const end = blockStart[b + 1] ?? xs.length;
    for (let i = start; i < end; i++) fitted[i] = blockSum[b]! / blockWeight[b]!;
  });
  // Keep only each plateau's ends: the interpolated function is unchanged.
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (i > 0 && i < xs.length - 1 && fitted[i] === fitted[i - 1] && fitted[i] === fitted[i + 1]) continue;
    x.push(xs[i]!);
    y.push(fitted[i]!);
  }
  return { x, y };
}

/** The calibrated probability of one score. */
export function calibrate(calibrator: IsotonicCalibrator, score: number): number {
  const { x, y } = calibrator;
  if (score <= x[0]!) return y[0]!;
  const last = x.length - 1;
  if (score >= x[last]!) return y[last]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! <= score) lo = mid;
    else hi = mid;
  }
  return y[lo]! + ((y[hi]! - y[lo]!) * (score - x[lo]!)) / (x[hi]! - x[lo]!);
}

export const CbpeMetric = { accuracy: 'accuracy', precision: 'precision', recall: 'recall', f1: 'f1', rocAuc: 'rocAuc' } as const;
export type CbpeMetric = (typeof CbpeMetric)[keyof typeof CbpeMetric];
const METRICS = Object.values(CbpeMetric);

export interface CbpeOptions {
  /** Score at or above which a row is predicted positive. Default 0.5. */
  threshold?: number;
  /** Consecutive reference chunks the band's σ is measured over. Default 10. */
  referenceChunks?: number;
  /** Half-width of the band in standard errors. Default 3. */
  sigmas?: number;
}

/** Everything CBPE keeps from the reference set: plain data, stored with the version. */
export interface CbpeReference {
  threshold: number;
  calibrator: IsotonicCalibrator;
  chunkSize: number;
  sigmas: number;
  /** Standard deviation of each realized metric over the reference chunks. */
  chunkStd: Record<CbpeMetric, number>;
}

export interface MetricEstimate {
  value: number;
  lower: number;
  upper: number;
}

export interface CbpeEstimate {
  count: number;
  /** Fractional: Σ p over predicted positives is the expected true positives, and so on. */
  expectedConfusion: ConfusionMatrix;
  /** null for a metric that cannot be estimated (ROC AUC when every p is 0 or every p is 1). */
  metrics: Record<CbpeMetric, MetricEstimate | null>;
}

function populationStd(values: readonly number[]): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) * (v - mean), 0) / values.length);
}

/** Calibrates on the labelled reference and measures the chunk-to-chunk spread of each metric. */
export function fitCbpe(referenceScores: ArrayLike<number>, referenceLabels: ArrayLike<number>, options: CbpeOptions = {}): CbpeReference {
  const n = referenceScores.length;
  const chunks = options.referenceChunks ?? 10;
  const chunkSize = Math.floor(n / chunks);
  const issues = [];
  if (referenceLabels.length !== n) issues.push({ path: 'referenceLabels', message: `has ${referenceLabels.length} values for ${n} scores` });
  if (chunks < 2 || chunkSize < 10) issues.push({ path: 'referenceChunks', message: `(${chunks}) must be ≥ 2 and leave ≥ 10 rows per chunk of the ${n} reference rows` });
  if (issues.length > 0) throw new InvalidInputError(issues);
  const threshold = options.threshold ?? 0.5;
  const perChunk: Record<CbpeMetric, number[]> = { accuracy: [], precision: [], recall: [], f1: [], rocAuc: [] };
  for (let c = 0; c < chunks; c++) {
    const labels = Array.from({ length: chunkSize }, (_, i) => referenceLabels[c * chunkSize + i]!);
    const scores = Array.from({ length: chunkSize }, (_, i) => referenceScores[c * chunkSize + i]!);
    const m = binaryClassificationMetrics(labels, scores, { threshold });
    for (const metric of METRICS) {
      const v = m[metric];
      if (v !== null) perChunk[metric].push(v);
    }
  }
  const chunkStd = Object.fromEntries(METRICS.map((metric) => [metric, perChunk[metric].length < 2 ? 0 : populationStd(perChunk[metric])])) as Record<CbpeMetric, number>;
  return { threshold, calibrator: fitIsotonic(referenceScores, referenceLabels), chunkSize, sigmas: options.sigmas ?? 3, chunkStd };
}

/** Adds one scored row to a window's expected confusion matrix (mergeable by addition). */
export function addExpectedRow(reference: CbpeReference, cm: ConfusionMatrix, score: number): void {
  const p = calibrate(reference.calibrator, score);
  if (score >= reference.threshold) {
    cm.tp += p;
    cm.fp += 1 - p;
  } else {
    cm.fn += p;
    cm.tn += 1 - p;
  }
}

function withBands(reference: CbpeReference, values: Record<CbpeMetric, number | null>, n: number): Record<CbpeMetric, MetricEstimate | null> {
  const scale = Math.sqrt(reference.chunkSize / n);
  return Object.fromEntries(
    METRICS.map((metric) => {
      const value = values[metric];
      if (value === null) return [metric, null];
      const half = reference.sigmas * reference.chunkStd[metric] * scale;
      return [metric, { value, lower: Math.max(0, value - half), upper: Math.min(1, value + half) }];
    }),
  ) as Record<CbpeMetric, MetricEstimate | null>;
}

/**
 * The estimate from a window's expected confusion matrix alone (what a rolled-up window
 * keeps): accuracy, precision, recall and F1 with their bands; ROC AUC needs the scores
 * and is null here.
 */
export function estimateFromConfusion(reference: CbpeReference, cm: ConfusionMatrix): CbpeEstimate {
  const n = cm.tp + cm.fp + cm.tn + cm.fn;
  const values: Record<CbpeMetric, number | null> = n === 0 ? { accuracy: null, precision: null, recall: null, f1: null, rocAuc: null } : { ...thresholdMetrics(cm), rocAuc: null };
  return { count: Math.round(n), expectedConfusion: { ...cm }, metrics: withBands(reference, values, n) };
}

/** Estimated performance of a window of scores whose labels have not arrived. */
export function estimatePerformance(reference: CbpeReference, scores: ArrayLike<number>): CbpeEstimate {
  const n = scores.length;
  const p = Float64Array.from({ length: n }, (_, i) => calibrate(reference.calibrator, scores[i]!));
  const cm: ConfusionMatrix = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < n; i++) {
    if (scores[i]! >= reference.threshold) {
      cm.tp += p[i]!;
      cm.fp += 1 - p[i]!;
    } else {
      cm.fn += p[i]!;
      cm.tn += 1 - p[i]!;
    }
  }
  const values: Record<CbpeMetric, number | null> = { ...thresholdMetrics(cm), rocAuc: weightedRocAuc(scores, p, p.map((v) => 1 - v)) };
  return { count: n, expectedConfusion: cm, metrics: withBands(reference, values, n) };
}

/**
 * Realized performance of a binary classifier on a window whose labels have arrived:
 * confusion matrix, accuracy, precision, recall, F1, ROC AUC, log loss and calibration.
 * Definitions follow scikit-learn (zero_division → 0, AUC with ties counted as half,
 * `calibration_curve`'s uniform bins) so numbers agree with a notebook.
 */
import { InvalidInputError } from '@slipway/core';
import { ascendingOrder } from './ranks.js';

export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ThresholdMetrics {
  accuracy: number;
  /** 0 when nothing was predicted positive (scikit-learn's zero_division default). */
  precision: number;
  /** 0 when there are no positives. */
  recall: number;
  f1: number;
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  fractionPositive: number;
}

export interface CalibrationReport {
  /** Non-empty bins only, as scikit-learn's `calibration_curve` returns them. */
  bins: CalibrationBin[];
  /** Σ (bin count / n)·|fraction positive − mean predicted|. */
  expectedCalibrationError: number;
}

export interface BinaryClassificationOptions {
  /** Score at or above which a row is predicted positive. Default 0.5. */
  threshold?: number;
  /** Uniform reliability bins over [0, 1]. Default 10. */
  calibrationBins?: number;
  /** Probabilities are clipped to [ε, 1 − ε] for log loss. Default machine epsilon (scikit-learn's `eps="auto"`). */
  logLossEpsilon?: number;
}

export interface BinaryClassificationMetrics extends ThresholdMetrics {
  count: number;
  positives: number;
  confusion: ConfusionMatrix;
  /** null when the window holds only one class. */
  rocAuc: number | null;
  logLoss: number;
  calibration: CalibrationReport;
}

function checkAligned(name: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new InvalidInputError([{ path: name, message: `has ${b.length} values for ${a.length} labels; give one per row` }]);
}

/** Counts of a 0/1 label vector against 0/1 predictions. */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>): ConfusionMatrix {
  checkAligned('predictions', labels, predictions);
  const cm = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    if (predictions[i] === 1) {
      if (labels[i] === 1) cm.tp++;
      else cm.fp++;
    } else if (labels[i] === 1) cm.fn++;
    else cm.tn++;
  }
  return cm;
}

/** Accuracy, precision, recall and F1 of a (possibly expected, fractional) confusion matrix. */
export function thresholdMetrics(cm: ConfusionMatrix): ThresholdMetrics {
  const n = cm.tp + cm.fp + cm.tn + cm.fn;
  const f1Denominator = 2 * cm.tp + cm.fp + cm.fn;
  return {
    accuracy: n === 0 ? 0 : (cm.tp + cm.tn) / n,
    precision: cm.tp + cm.fp === 0 ? 0 : cm.tp / (cm.tp + cm.fp),
    recall: cm.tp + cm.fn === 0 ? 0 : cm.tp / (cm.tp + cm.fn),
    f1: f1Denominator === 0 ? 0 : (2 * cm.tp) / f1Denominator,
  };
}

/**
 * ROC AUC where each row carries a positive and a negative weight: the probability that
 * a random positive outscores a random negative, tied scores counting half. With 0/1
 * labels this is scikit-learn's `roc_auc_score`; CBPE passes calibrated probabilities as
 * fractional weights. null when either total weight is 0.
 */
export function weightedRocAuc(scores: ArrayLike<number>, positiveWeights: ArrayLike<number>, negativeWeights: ArrayLike<number>): number | null {
  const order = ascendingOrder(scores);
  let negativesBelow = 0;
  let positives = 0;
  let area = 0;
  let start = 0;
  while (start < order.length) {
    let pos = 0;
    let neg = 0;
    let end = start;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) {
      pos += positiveWeights[order[end]!]!;
      neg += negativeWeights[order[end]!]!;
      end++;
    }
    area += pos * (negativesBelow + neg / 2);
    negativesBelow += neg;
    positives += pos;
    start = end;
  }
  return positives === 0 || negativesBelow === 0 ? null : area / (positives * negativesBelow);
}

/** ROC AUC of scores against 0/1 labels. */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  checkAligned('scores', labels, scores);
  const positive = Float64Array.from({ length: labels.length }, (_, i) => (labels[i] === 1 ? 1 : 0));
  return weightedRocAuc(scores, positive, positive.map((p) => 1 - p));
}

/** Mean negative log-likelihood of 0/1 labels under predicted probabilities of class 1. */
export function logLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>, epsilon = Number.EPSILON): number {
  checkAligned('probabilities', labels, probabilities);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - epsilon, Math.max(epsilon, probabilities[i]!));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/**
 * Reliability bins over [0, 1]: a probability on an inner edge falls in the lower bin,
 * as numpy's `searchsorted` places it in scikit-learn's `calibration_curve`.
 */
export function calibrationCurve(labels: ArrayLike<number>, probabilities: ArrayLike<number>, bins = 10): CalibrationReport {
  checkAligned('probabilities', labels, probabilities);
  const step = 1 / bins; // numpy's linspace computes edge i as i·step
  const count = new Float64Array(bins);
  const predicted = new Float64Array(bins);
  const positive = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i]!;
    let b = 0;
    while (b < bins - 1 && (b + 1) * step < p) b++;
    count[b]!++;
    predicted[b]! += p;
    if (labels[i] === 1) positive[b]!++;
  }
  const result: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const c = count[b]!;
    if (c === 0) continue;
    const meanPredicted = predicted[b]! / c;
    const fractionPositive = positive[b]! / c;
    result.push({ lower: b * step, upper: b === bins - 1 ? 1 : (b + 1) * step, count: c, meanPredicted, fractionPositive });
    ece += (c / labels.length) * Math.abs(fractionPositive - meanPredicted);
  }
  return { bins: result, expectedCalibrationError: ece };
}

/** Every metric of a labelled window of binary scores. */
export function binaryClassificationMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, options: BinaryClassificationOptions = {}): BinaryClassificationMetrics {
  checkAligned('scores', labels, scores);
  const threshold = options.threshold ?? 0.5;
  const predictions = Float64Array.from({ length: scores.length }, (_, i) => (scores[i]! >= threshold ? 1 : 0));
  const confusion = confusionMatrix(labels, predictions);
  return {
    count: labels.length,
    positives: confusion.tp + confusion.fn,
    confusion,
    ...thresholdMetrics(confusion),
    rocAuc: rocAuc(labels, scores),
    logLoss: logLoss(labels, scores, options.logLossEpsilon),
    calibration: calibrationCurve(labels, scores, options.calibrationBins),
  };
}

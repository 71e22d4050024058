/**
 * Realized performance per window once labels have arrived: the prediction log's rows
 * joined to their feedback, grouped by the window of the prediction (not of the label),
 * scored with scikit-learn's definitions; fairness with TPR/FPR gaps from the same rows.
 */
import type { FairnessSummary } from '@slipway/core';
import { type CalibrationReport, binaryClassificationMetrics } from './classification-metrics.js';
import { type FairnessTally, fairnessFromTally, tallyRow } from './fairness.js';
import { type MonitoringContext, labelBit, labelClass, positiveScore, selected } from './monitoring-context.js';
import { attributeGroup, privilegedGroups } from './protected-groups.js';
import { fairnessSummary } from './reference-profile.js';
import { regressionMetrics } from './regression-metrics.js';
import type { FeatureValue, PredictionValue } from './run-rows.js';
import { windowStart } from './window-state.js';

/** A logged prediction with its true label (the prediction log's `LabelledPrediction` fits). */
export interface LabelledRow {
  at: number;
  features: Record<string, FeatureValue>;
  prediction: PredictionValue | null;
  label: string | number;
}

export interface RealizedWindow {
  start: number;
  /** Labelled predictions in the window. */
  labelled: number;
  /** accuracy, precision, recall, f1, rocAuc, logLoss, calibrationError (binary); accuracy (multi-class); mae, rmse, mape, r2 (regression). */
  metrics: Record<string, number | null>;
  calibration: CalibrationReport | null;
  /** With TPR and FPR gaps, per protected attribute (binary classifiers). */
  fairness: Record<string, FairnessSummary>;
}

function score(context: MonitoringContext, rows: readonly LabelledRow[]): Omit<RealizedWindow, 'start'> {
  const usable = rows.filter((r) => r.prediction !== null);
  if (context.positiveClass !== null) {
    const bits = usable.map((r) => labelBit(context, r.label)!);
    const scores = usable.map((r) => positiveScore(context, r.prediction) ?? (selected(context, r.prediction) ? 1 : 0));
    const m = binaryClassificationMetrics(bits, scores);
    const fairness: Record<string, FairnessSummary> = {};
    for (const attribute of context.protectedAttributes) {
      const tally: FairnessTally = {};
      usable.forEach((r, i) => tallyRow(tally, attributeGroup(attribute, r.features[attribute.name]), selected(context, r.prediction) === true, bits[i]!));
      const privileged = privilegedGroups(attribute);
      fairness[attribute.name] = fairnessSummary(attribute.name, privileged, fairnessFromTally(tally, { privileged }, true));
    }
    return {
      labelled: usable.length,
      metrics: { accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1, rocAuc: m.rocAuc, logLoss: m.logLoss, calibrationError: m.calibration.expectedCalibrationError },
      calibration: m.calibration,
      fairness,
    };
  }
  if (context.classLabels !== null) {
    const correct = usable.filter((r) => r.prediction!.label === labelClass(context, r.label)).length;
    return { labelled: usable.length, metrics: { accuracy: correct / usable.length }, calibration: null, fairness: {} };
  }
  const numeric = usable.filter((r) => r.prediction!.value !== undefined && Number.isFinite(Number(r.label)));
  const m = regressionMetrics(
    numeric.map((r) => Number(r.label)),
    numeric.map((r) => r.prediction!.value!),
  );
  return { labelled: numeric.length, metrics: { mae: m.mae, rmse: m.rmse, mape: m.mape, r2: m.r2 }, calibration: null, fairness: {} };
}

/** Realized performance of each window of `windowMs` that has labelled predictions, oldest first. */
export function realizedPerformance(context: MonitoringContext, rows: readonly LabelledRow[], windowMs: number): RealizedWindow[] {
  const byWindow = new Map<number, LabelledRow[]>();
  for (const r of rows) {
    const start = windowStart(r.at, windowMs);
    let list = byWindow.get(start);
    if (list === undefined) byWindow.set(start, (list = []));
    list.push(r);
  }
  return [...byWindow]
    .sort((a, b) => a[0] - b[0])
    .map(([start, list]) => ({ start, ...score(context, list) }))
    .filter((w) => w.labelled > 0);
}

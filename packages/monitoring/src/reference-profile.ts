/**
 * The reference profile of a version: per-feature sketches of the reference rows, the
 * profile of the model's predictions on them, the CBPE calibration (binary classifiers
 * with labels) and the evaluation-set metrics and fairness the governance gate reads.
 * Pure: the caller parses the CSV and runs the model.
 */
import type { FairnessSummary, ReferenceEvaluation } from '@slipway/core';
import { type CbpeReference, fitCbpe } from './cbpe.js';
import { binaryClassificationMetrics } from './classification-metrics.js';
import { fairnessReport } from './fairness.js';
import { type MonitoringContext, labelBit, labelClass, positiveScore, selected } from './monitoring-context.js';
import { type ColumnSpec, type DatasetProfile, type ProfileOptions, createReferenceProfile } from './profile.js';
import { attributeGroup, privilegedGroups } from './protected-groups.js';
import type { ReferenceRows } from './reference-csv.js';
import { regressionMetrics } from './regression-metrics.js';
import type { PredictionValue } from './run-rows.js';

export interface ReferenceProfile {
  rows: number;
  features: DatasetProfile;
  /** Columns `score` (P(positive), binary), `label` (predicted class) or `value` (regression). */
  prediction: DatasetProfile | null;
  cbpe: CbpeReference | null;
  positiveClass: string | null;
  evaluation: ReferenceEvaluation | null;
}

/** Labelled rows CBPE needs: 10 reference chunks of at least 10 rows. */
const CBPE_MIN_ROWS = 100;

/** The prediction columns of a set of predictions, as profile column data. */
export function predictionColumns(context: MonitoringContext, predictions: readonly (PredictionValue | null)[]): { specs: ColumnSpec[]; columns: Record<string, unknown[]> } {
  const specs: ColumnSpec[] = [];
  const columns: Record<string, unknown[]> = {};
  if (predictions.some((p) => p?.score !== undefined) && context.positiveClass !== null) {
    specs.push({ name: 'score', type: 'numeric' });
    columns.score = predictions.map((p) => positiveScore(context, p));
  }
  if (predictions.some((p) => p?.label !== undefined)) {
    specs.push({ name: 'label', type: 'categorical' });
    columns.label = predictions.map((p) => p?.label ?? null);
  }
  if (predictions.some((p) => p?.value !== undefined)) {
    specs.push({ name: 'value', type: 'numeric' });
    columns.value = predictions.map((p) => p?.value ?? null);
  }
  return { specs, columns };
}

export function fairnessSummary(attribute: string, privileged: string[], report: ReturnType<typeof fairnessReport>): FairnessSummary {
  return {
    attribute,
    privileged,
    disparateImpact: report.disparateImpact,
    demographicParityDifference: report.demographicParityDifference,
    equalOpportunityDifference: report.equalOpportunityDifference,
    equalizedOddsDifference: report.equalizedOddsDifference,
    groups: report.groups.map(({ group, privileged: p, count, selectionRate, truePositiveRate, falsePositiveRate, small }) => ({ group, privileged: p, count, selectionRate, truePositiveRate, falsePositiveRate, small })),
  };
}

function evaluate(context: MonitoringContext, rows: ReferenceRows, predictions: readonly (PredictionValue | null)[]): { evaluation: ReferenceEvaluation | null; cbpe: CbpeReference | null } {
  if (rows.labels === null) return { evaluation: null, cbpe: null };
  const labelled = rows.labels.flatMap((l, i) => (l === null || predictions[i] === null ? [] : [i]));
  if (labelled.length === 0) return { evaluation: null, cbpe: null };
  if (context.positiveClass !== null) {
    const bits = labelled.map((i) => labelBit(context, rows.labels![i]!)!);
    const scores = labelled.map((i) => positiveScore(context, predictions[i]!) ?? (selected(context, predictions[i]!) ? 1 : 0));
    const m = binaryClassificationMetrics(bits, scores);
    const fairness: Record<string, FairnessSummary> = {};
    for (const attribute of context.protectedAttributes) {
      const privileged = privilegedGroups(attribute);
      const report = fairnessReport(
        { groups: labelled.map((i) => attributeGroup(attribute, rows.records[i]![attribute.name])), predictions: labelled.map((i) => (selected(context, predictions[i]!) ? 1 : 0)), labels: bits },
        { privileged },
      );
      fairness[attribute.name] = fairnessSummary(attribute.name, privileged, report);
    }
    const cbpe = labelled.length >= CBPE_MIN_ROWS ? fitCbpe(scores, bits) : null;
    return {
      evaluation: { labelled: labelled.length, metrics: { accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1, rocAuc: m.rocAuc, logLoss: m.logLoss }, fairness },
      cbpe,
    };
  }
  if (context.classLabels !== null) {
    const correct = labelled.filter((i) => predictions[i]!.label === labelClass(context, rows.labels![i]!)).length;
    return { evaluation: { labelled: labelled.length, metrics: { accuracy: correct / labelled.length }, fairness: {} }, cbpe: null };
  }
  const numeric = labelled.filter((i) => Number.isFinite(Number(rows.labels![i])) && predictions[i]!.value !== undefined);
  if (numeric.length === 0) return { evaluation: null, cbpe: null };
  const r = regressionMetrics(
    numeric.map((i) => Number(rows.labels![i])),
    numeric.map((i) => predictions[i]!.value!),
  );
  return { evaluation: { labelled: numeric.length, metrics: { mae: r.mae, rmse: r.rmse, mape: r.mape, r2: r.r2 }, fairness: {} }, cbpe: null };
}

/** Profiles reference rows and the model's predictions on them (one per row, null where it failed). */
export function buildReferenceProfile(context: MonitoringContext, rows: ReferenceRows, predictions: readonly (PredictionValue | null)[], options: ProfileOptions = {}): ReferenceProfile {
  const features = createReferenceProfile(
    context.features.map((f) => ({ name: f.name, type: f.type })),
    rows.columns,
    options,
  );
  const p = predictionColumns(context, predictions);
  const prediction = p.specs.length === 0 ? null : createReferenceProfile(p.specs, p.columns, options);
  const { evaluation, cbpe } = evaluate(context, rows, predictions);
  return { rows: rows.rows, features, prediction, cbpe, positiveClass: context.positiveClass, evaluation };
}

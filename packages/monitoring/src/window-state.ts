/**
 * A production window of one version as mergeable state: feature and prediction sketches
 * in the reference's layout, the expected confusion matrix CBPE reads, and the selection
 * tallies of each protected attribute. Every part adds, so a 5-minute window merges into
 * its hour and day without re-reading rows.
 */
import { addExpectedRow } from './cbpe.js';
import type { ConfusionMatrix } from './classification-metrics.js';
import { type FairnessTally, mergeFairnessTallies, tallyRow } from './fairness.js';
import { type MonitoringContext, selected } from './monitoring-context.js';
import { type DatasetProfile, emptyProfile, mergeProfiles, profileWindow } from './profile.js';
import { attributeGroup } from './protected-groups.js';
import { type ReferenceProfile, predictionColumns } from './reference-profile.js';
import type { RunRow } from './run-rows.js';

export interface WindowState {
  rows: number;
  /** Rows of failed runs (no prediction). */
  failed: number;
  features: DatasetProfile;
  prediction: DatasetProfile | null;
  /** CBPE's expected confusion matrix; null without a calibration. */
  expected: ConfusionMatrix | null;
  /** Selection tallies per protected attribute (labels join later, from the prediction log). */
  fairness: Record<string, FairnessTally>;
}

export function emptyWindowState(reference: ReferenceProfile): WindowState {
  return {
    rows: 0,
    failed: 0,
    features: emptyProfile(reference.features),
    prediction: reference.prediction === null ? null : emptyProfile(reference.prediction),
    expected: reference.cbpe === null ? null : { tp: 0, fp: 0, tn: 0, fn: 0 },
    fairness: {},
  };
}

/** Profiles a batch of rows of one version into a window state. */
export function profileRows(context: MonitoringContext, reference: ReferenceProfile, rows: readonly Pick<RunRow, 'features' | 'prediction'>[]): WindowState {
  const columns: Record<string, unknown[]> = {};
  for (const name of Object.keys(reference.features.columns)) columns[name] = rows.map((r) => r.features[name] ?? null);
  const predictions = rows.map((r) => r.prediction);
  let prediction: DatasetProfile | null = null;
  if (reference.prediction !== null) {
    const p = predictionColumns(context, predictions);
    const data = Object.fromEntries(Object.keys(reference.prediction.columns).map((name) => [name, p.columns[name] ?? rows.map(() => null)]));
    prediction = profileWindow(reference.prediction, data);
  }
  let expected: ConfusionMatrix | null = null;
  if (reference.cbpe !== null) {
    expected = { tp: 0, fp: 0, tn: 0, fn: 0 };
    for (const r of rows) {
      const score = r.prediction?.score;
      if (score !== undefined) addExpectedRow(reference.cbpe, expected, context.positiveClass === context.classLabels?.[1] ? score : 1 - score);
    }
  }
  const fairness: Record<string, FairnessTally> = {};
  for (const attribute of context.protectedAttributes) {
    const tally: FairnessTally = {};
    for (const r of rows) {
      const s = selected(context, r.prediction);
      if (s !== null) tallyRow(tally, attributeGroup(attribute, r.features[attribute.name]), s, null);
    }
    fairness[attribute.name] = tally;
  }
  return { rows: rows.length, failed: predictions.filter((p) => p === null).length, features: profileWindow(reference.features, columns), prediction, expected, fairness };
}

function addConfusion(a: ConfusionMatrix | null, b: ConfusionMatrix | null): ConfusionMatrix | null {
  if (a === null) return b;
  if (b === null) return a;
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, tn: a.tn + b.tn, fn: a.fn + b.fn };
}

/** Sum of two windows of one version: associative and commutative, `emptyWindowState` its identity. */
export function mergeWindowStates(a: WindowState, b: WindowState): WindowState {
  const fairness: Record<string, FairnessTally> = { ...a.fairness };
  for (const [name, tally] of Object.entries(b.fairness)) fairness[name] = mergeFairnessTallies(fairness[name] ?? {}, tally);
  return {
    rows: a.rows + b.rows,
    failed: a.failed + b.failed,
    features: mergeProfiles(a.features, b.features),
    prediction: a.prediction === null || b.prediction === null ? (a.prediction ?? b.prediction) : mergeProfiles(a.prediction, b.prediction),
    expected: addConfusion(a.expected, b.expected),
    fairness,
  };
}

/** The start of the window of length `windowMs` holding `at` (epoch ms, UTC-aligned). */
export function windowStart(at: number, windowMs: number): number {
  return Math.floor(at / windowMs) * windowMs;
}

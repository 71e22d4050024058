/**
 * What a window says, computed from its state and the reference: feature drift (with
 * the dataset-level share), prediction drift, the CBPE estimate and the selection-rate
 * fairness of each protected attribute.
 */
import type { FairnessSummary } from '@slipway/core';
import { type CbpeEstimate, estimateFromConfusion } from './cbpe.js';
import { type ColumnDrift, type DatasetDrift, columnDrift, datasetDrift } from './drift.js';
import { fairnessFromTally } from './fairness.js';
import type { MonitoringContext } from './monitoring-context.js';
import { privilegedGroups } from './protected-groups.js';
import { type ReferenceProfile, fairnessSummary } from './reference-profile.js';
import type { WindowState } from './window-state.js';

export interface WindowDrift extends DatasetDrift {
  /** Drift of the prediction columns (`score`, `label`, `value`); not part of the dataset share. */
  prediction: ColumnDrift[];
}

export function windowDrift(context: MonitoringContext, reference: ReferenceProfile, state: WindowState): WindowDrift {
  const features = datasetDrift(reference.features, state.features, context.drift);
  const prediction =
    reference.prediction === null || state.prediction === null
      ? []
      : Object.entries(reference.prediction.columns).map(([name, sketch]) => columnDrift(name, sketch, state.prediction!.columns[name]!));
  return { ...features, prediction };
}

export function windowEstimate(reference: ReferenceProfile, state: WindowState): CbpeEstimate | null {
  return reference.cbpe === null || state.expected === null ? null : estimateFromConfusion(reference.cbpe, state.expected);
}

export function windowFairness(context: MonitoringContext, state: WindowState): Record<string, FairnessSummary> {
  const out: Record<string, FairnessSummary> = {};
  for (const attribute of context.protectedAttributes) {
    const tally = state.fairness[attribute.name];
    if (tally === undefined || Object.keys(tally).length === 0) continue;
    const privileged = privilegedGroups(attribute);
    out[attribute.name] = fairnessSummary(attribute.name, privileged, fairnessFromTally(tally, { privileged }));
  }
  return out;
}

/**
 * What monitoring needs from a version's manifest, resolved once: its features, how to
 * read a prediction as a binary decision (positive class and its score), the protected
 * attributes, the drift options and the window length.
 */
import type { FeatureSpec, Manifest, ProtectedAttributeSpec } from '@slipway/core';
import type { DriftOptions } from './drift.js';
import type { PredictionValue } from './run-rows.js';

/** The shortest production window, and the roll-ups built from it. */
export const DEFAULT_WINDOW_MS = 5 * 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface MonitoringContext {
  features: readonly FeatureSpec[];
  classLabels: readonly string[] | null;
  /** Set for binary classifiers: the class counted as ŷ = 1. */
  positiveClass: string | null;
  protectedAttributes: readonly ProtectedAttributeSpec[];
  drift: DriftOptions;
  /** The base window; roll-ups are hours and days. */
  windowMs: number;
}

export function monitoringContext(manifest: Manifest): MonitoringContext {
  const m = manifest.monitoring ?? {};
  const classLabels = manifest.outputs?.classLabels ?? null;
  const binary = classLabels !== null && classLabels.length === 2;
  const methods: Record<string, NonNullable<DriftOptions['methods']>[string]> = {};
  const columnThresholds: Record<string, number> = {};
  const features = manifest.tabular?.features ?? [];
  for (const f of features) {
    const override = m.drift?.features?.[f.name];
    const method = override?.method ?? m.drift?.method;
    if (method !== undefined) methods[f.name] = method;
    // The global threshold belongs to the global method: a feature with its own method keeps that method's default.
    const threshold = override?.threshold ?? (method === m.drift?.method ? m.drift?.threshold : undefined);
    if (threshold !== undefined) columnThresholds[f.name] = threshold;
  }
  return {
    features,
    classLabels,
    positiveClass: binary ? (m.positiveClass ?? classLabels[1]!) : null,
    protectedAttributes: m.protectedAttributes ?? [],
    drift: { methods, columnThresholds, ...(m.drift?.driftShare === undefined ? {} : { driftShare: m.drift.driftShare }) },
    windowMs: (m.windowMinutes ?? DEFAULT_WINDOW_MS / 60_000) * 60_000,
  };
}

/**
 * P(positive class) of a binary prediction. The prediction log's score is the
 * probability of the last class, so a first-class positive flips it.
 */
export function positiveScore(context: MonitoringContext, prediction: PredictionValue | null): number | null {
  if (context.positiveClass === null || prediction?.score === undefined) return null;
  return context.positiveClass === context.classLabels![1] ? prediction.score : 1 - prediction.score;
}

/** Whether the decision is the positive class (ŷ = 1); null without a binary label. */
export function selected(context: MonitoringContext, prediction: PredictionValue | null): boolean | null {
  if (context.positiveClass === null || prediction?.label === undefined) return null;
  return prediction.label === context.positiveClass;
}

/**
 * A true label as a class: a class label as is, or its index into `classLabels`
 * (`0`/`1` in a CSV of a `[repaid, default]` model).
 */
export function labelClass(context: MonitoringContext, label: string | number): string {
  const text = String(label);
  const labels = context.classLabels;
  if (labels === null || labels.includes(text)) return text;
  const index = Number(text);
  return Number.isInteger(index) && index >= 0 && index < labels.length ? labels[index]! : text;
}

/** 0/1 of a true label for a binary classifier; null for other models. */
export function labelBit(context: MonitoringContext, label: string | number): number | null {
  return context.positiveClass === null ? null : labelClass(context, label) === context.positiveClass ? 1 : 0;
}

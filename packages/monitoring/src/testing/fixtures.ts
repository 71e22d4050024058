/**
 * The committed scipy / scikit-learn reference values (fixtures/fixtures.json, made by
 * fixtures/make_fixtures.py) and a relative-tolerance comparison for them.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

interface Counts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface Fixtures {
  special: {
    chi2_sf: { x: number; df: number; sf: number }[];
    norm_sf: { z: number; sf: number }[];
    kstwobign_sf: { x: number; sf: number }[];
  };
  raw: { name: string; reference: number[]; current: number[]; statistic: number; pValue: number; wasserstein: number; referenceStd: number }[];
  histograms: {
    name: string;
    reference: number[];
    current: number[];
    boundaries: number[];
    referenceSums: number[];
    currentSums: number[];
    psi: number;
    jensenShannon: number;
    /** "Infinity" where a bucket holds current values only (JSON has no Infinity). */
    chiSquare: { statistic: number | 'Infinity'; pValue: number; df: number };
    ks: { statistic: number; pValue: number };
    wasserstein: number;
  }[];
  zTests: { args: [number, number, number, number]; statistic: number; pValue: number }[];
  profile: {
    reference: number[];
    current: number[];
    bins: number;
    edges: number[];
    referenceCounts: number[];
    currentCounts: number[];
    referenceMean: number;
    referenceStd: number;
    currentMean: number;
    currentStd: number;
  };
  classification: {
    labels: number[];
    scores: number[];
    accuracy: number;
    precision: number;
    recall: number;
    f1: number;
    rocAuc: number;
    logLoss: number;
    calibration: { fractionPositive: number[]; meanPredicted: number[]; counts: number[]; ece: number };
    confusion: Counts;
  };
  regression: { actual: number[]; predicted: number[]; mae: number; rmse: number; mape: number; r2: number };
  correlation: { name: string; x: number[]; y: number[]; pearson: number; spearman: number }[];
  fairness: {
    groups: string[];
    labels: number[];
    predictions: number[];
    privileged: string[];
    perGroup: Record<string, { count: number; selectionRate: number; truePositiveRate: number; falsePositiveRate: number }>;
    disparateImpact: number;
    demographicParityDifference: number;
    equalOpportunityDifference: number;
    equalizedOddsDifference: number;
  };
  cbpe: {
    referenceScores: number[];
    referenceLabels: number[];
    windowScores: number[];
    windowLabels: number[];
    calibrated: number[];
    expectedConfusion: Counts;
    estimates: Record<'accuracy' | 'precision' | 'recall' | 'f1' | 'rocAuc', number>;
    chunkStd: Record<'accuracy' | 'precision' | 'recall' | 'f1' | 'rocAuc', number>;
    realized: { accuracy: number; rocAuc: number };
  };
}

export const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/fixtures.json', import.meta.url), 'utf8')) as Fixtures;

/** |actual − expected| ≤ relative·|expected| (absolute when expected is 0). */
export function expectClose(actual: number | null | undefined, expected: number, relative = 1e-9): void {
  expect(actual).toBeTypeOf('number');
  const error = Math.abs((actual as number) - expected);
  if (error > relative * (expected === 0 ? 1 : Math.abs(expected))) {
    expect.fail(`${actual} differs from ${expected} by ${error} (relative tolerance ${relative})`);
  }
}

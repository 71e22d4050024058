/**
 * Storage of monitoring profiles: the reference profile computed once per version at push
 * (or by `slipway profile`), and the production windows that roll up 5 min → hour → day.
 * The profile bodies are plain JSON built by @slipway/monitoring; core only names the parts
 * other features read (the evaluation-set fairness that the governance gate checks).
 */

/** Fairness of one protected attribute on a labelled evaluation set or a window. */
export interface FairnessSummary {
  attribute: string;
  /** The privileged group names (category values, or a range's name such as "age ≥ 25"). */
  privileged: string[];
  /** Unprivileged selection rate / privileged one; null when a pool is empty or the privileged rate is 0. */
  disparateImpact: number | null;
  demographicParityDifference: number;
  equalOpportunityDifference: number | null;
  equalizedOddsDifference: number | null;
  groups: {
    group: string;
    privileged: boolean;
    count: number;
    selectionRate: number;
    truePositiveRate: number | null;
    falsePositiveRate: number | null;
    small: boolean;
  }[];
}

/** Model quality on the labelled reference rows, computed at push. */
export interface ReferenceEvaluation {
  /** Reference rows with a label. */
  labelled: number;
  /** accuracy, precision, recall, f1, rocAuc, logLoss (classification) or mae, rmse, mape, r2 (regression). */
  metrics: Record<string, number | null>;
  /** By protected attribute name. */
  fairness: Record<string, FairnessSummary>;
}

export interface ReferenceProfileRecord {
  pipeline: string;
  version: number;
  /** Where the rows came from: the package's CSV path or an uploaded file's name. */
  source: string;
  rows: number;
  createdAt: string;
  /** A `DatasetProfile` of the features (@slipway/monitoring). */
  features: unknown;
  /** A `DatasetProfile` of the predictions (`score`, `label` or `value` columns). */
  prediction: unknown;
  /** The CBPE calibration (`CbpeReference`), for binary classifiers with labels. */
  cbpe: unknown;
  /** The class counted as positive, for binary classifiers. */
  positiveClass: string | null;
  /** null when the reference has no labels. */
  evaluation: ReferenceEvaluation | null;
}

/** One production window of one version, as persisted: mergeable state plus the drift computed from it. */
export interface ProfileWindowRecord {
  pipeline: string;
  version: number;
  /** 300000 (5 min), 3600000 (hour) or 86400000 (day) by default. */
  windowMs: number;
  /** Epoch ms, a multiple of `windowMs`. */
  start: number;
  rows: number;
  /** The window's mergeable sketches (`WindowState` of @slipway/monitoring). */
  state: unknown;
  /** Drift against the version's reference profile (`DatasetDrift`), null without a reference. */
  drift: unknown;
  updatedAt: string;
}

export interface ProfilesStore {
  /** Stores (or replaces) a version's reference profile. */
  putReferenceProfile(record: ReferenceProfileRecord): Promise<void>;
  getReferenceProfile(pipeline: string, version: number): Promise<ReferenceProfileRecord | undefined>;
  getProfileWindow(q: { pipeline: string; version: number; windowMs: number; start: number }): Promise<ProfileWindowRecord | undefined>;
  /** Stores (or replaces) one window. */
  putProfileWindow(record: ProfileWindowRecord): Promise<void>;
  /** Windows with from ≤ start < to, oldest first (then by version). */
  listProfileWindows(q: { pipeline: string; version?: number; windowMs: number; from: number; to: number }): Promise<ProfileWindowRecord[]>;
}

/**
 * Group fairness of binary decisions for one protected attribute: per group the count,
 * selection rate P(ŷ=1 | A=a) and, when labels exist, TPR and FPR; across groups the
 * disparate impact (pooled unprivileged selection rate / pooled privileged one — the
 * four-fifths rule reads DI ≥ 0.8), demographic parity difference (max − min selection
 * rate), equal opportunity difference (max − min TPR) and equalized odds difference
 * (the larger of the TPR and FPR gaps). Small groups are reported, not hidden: their
 * rates are noisy, so the report names them with their counts.
 */
import { InvalidInputError } from '@slipway/core';
import { categoryLabel } from './profile.js';

export interface FairnessOptions {
  /** Group values treated as privileged (the denominator of disparate impact). */
  privileged: readonly string[];
  /** Groups with fewer rows are flagged `small`. Default 30. */
  minGroupSize?: number;
}

export interface FairnessInput {
  /** The protected attribute per row; null, undefined and NaN form the group "(missing)". */
  groups: ArrayLike<unknown>;
  /** 0/1 decisions. */
  predictions: ArrayLike<number>;
  /** 0/1 ground truth, when it has arrived. */
  labels?: ArrayLike<number>;
}

export interface GroupFairness {
  group: string;
  privileged: boolean;
  count: number;
  selected: number;
  selectionRate: number;
  /** Labelled positives in the group; null without labels. */
  positives: number | null;
  /** null without labels or without positives (negatives for FPR) in the group. */
  truePositiveRate: number | null;
  falsePositiveRate: number | null;
  /** Fewer rows than `minGroupSize`. */
  small: boolean;
}

export interface FairnessReport {
  groups: GroupFairness[];
  /** null when either pool is empty or the privileged selection rate is 0. */
  disparateImpact: number | null;
  demographicParityDifference: number;
  /** null without labels or with fewer than two groups that have positives. */
  equalOpportunityDifference: number | null;
  equalizedOddsDifference: number | null;
  smallGroups: { group: string; count: number }[];
}

const MISSING_GROUP = '(missing)';

function gap(values: readonly (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length < 2 ? null : Math.max(...defined) - Math.min(...defined);
}

/** Per-group counts behind a report; mergeable by addition, so windows roll up. */
export interface GroupTally {
  count: number;
  selected: number;
  /** Labelled rows only: positives, and true/false positives among the selected. */
  labelled: number;
  positives: number;
  truePositives: number;
  falsePositives: number;
}

export type FairnessTally = Record<string, GroupTally>;

const emptyTally = (): GroupTally => ({ count: 0, selected: 0, labelled: 0, positives: 0, truePositives: 0, falsePositives: 0 });

/** The group a value belongs to: its category label, or "(missing)". */
export function groupKey(value: unknown): string {
  return categoryLabel(value) ?? MISSING_GROUP;
}

/** Counts one row into a tally; `label` is 0/1, or null while it has not arrived. */
export function tallyRow(tally: FairnessTally, group: string, selected: boolean, label: number | null): void {
  const t = (tally[group] ??= emptyTally());
  t.count++;
  if (selected) t.selected++;
  if (label !== null) {
    t.labelled++;
    if (label === 1) {
      t.positives++;
      if (selected) t.truePositives++;
    } else if (selected) t.falsePositives++;
  }
}

/** Sum of two tallies (windows of one attribute). */
export function mergeFairnessTallies(a: FairnessTally, b: FairnessTally): FairnessTally {
  const out: FairnessTally = {};
  for (const side of [a, b]) {
    for (const [group, t] of Object.entries(side)) {
      const o = (out[group] ??= emptyTally());
      o.count += t.count;
      o.selected += t.selected;
      o.labelled += t.labelled;
      o.positives += t.positives;
      o.truePositives += t.truePositives;
      o.falsePositives += t.falsePositives;
    }
  }
  return out;
}

export function fairnessReport(input: FairnessInput, options: FairnessOptions): FairnessReport {
  const { groups, predictions, labels } = input;
  const issues = [];
  if (predictions.length !== groups.length) issues.push({ path: 'predictions', message: `has ${predictions.length} values for ${groups.length} rows` });
  if (labels !== undefined && labels.length !== groups.length) issues.push({ path: 'labels', message: `has ${labels.length} values for ${groups.length} rows` });
  if (issues.length > 0) throw new InvalidInputError(issues);
  const tally: FairnessTally = {};
  for (let i = 0; i < groups.length; i++) tallyRow(tally, groupKey(groups[i]), predictions[i] === 1, labels === undefined ? null : labels[i] === 1 ? 1 : 0);
  return fairnessFromTally(tally, options, labels !== undefined);
}

/**
 * The report of a tally. With `labelled`, TPR and FPR are computed over the labelled rows
 * of each group (all of them for `fairnessReport`; in a window, those whose labels arrived).
 */
export function fairnessFromTally(tally: FairnessTally, options: FairnessOptions, labelled = Object.values(tally).some((t) => t.labelled > 0)): FairnessReport {
  const privileged = new Set(options.privileged);
  const minGroupSize = options.minGroupSize ?? 30;
  const report: GroupFairness[] = Object.entries(tally)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([group, t]) => {
      const negatives = t.labelled - t.positives;
      return {
        group,
        privileged: privileged.has(group),
        count: t.count,
        selected: t.selected,
        selectionRate: t.count === 0 ? 0 : t.selected / t.count,
        positives: labelled ? t.positives : null,
        truePositiveRate: !labelled || t.positives === 0 ? null : t.truePositives / t.positives,
        falsePositiveRate: !labelled || negatives === 0 ? null : t.falsePositives / negatives,
        small: t.count < minGroupSize,
      };
    });

  const pool = (isPrivileged: boolean) => {
    const members = report.filter((g) => g.privileged === isPrivileged);
    const count = members.reduce((s, g) => s + g.count, 0);
    return count === 0 ? null : members.reduce((s, g) => s + g.selected, 0) / count;
  };
  const privilegedRate = pool(true);
  const unprivilegedRate = pool(false);
  const tprGap = gap(report.map((g) => g.truePositiveRate));
  const fprGap = gap(report.map((g) => g.falsePositiveRate));
  return {
    groups: report,
    disparateImpact: privilegedRate === null || unprivilegedRate === null || privilegedRate === 0 ? null : unprivilegedRate / privilegedRate,
    demographicParityDifference: gap(report.map((g) => g.selectionRate)) ?? 0,
    equalOpportunityDifference: tprGap,
    equalizedOddsDifference: tprGap === null && fprGap === null ? null : Math.max(tprGap ?? 0, fprGap ?? 0),
    smallGroups: report.filter((g) => g.small).map(({ group, count }) => ({ group, count })),
  };
}

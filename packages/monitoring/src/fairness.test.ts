import { describe, expect, it } from 'vitest';
import { fairnessReport } from './fairness.js';
import { expectClose, fixtures } from './testing/fixtures.js';

describe('fairness against scikit-learn confusion matrices per group', () => {
  const f = fixtures.fairness;
  const report = fairnessReport({ groups: f.groups, predictions: f.predictions, labels: f.labels }, { privileged: f.privileged });

  it('per group rates', () => {
    expect(report.groups.map((g) => g.group)).toEqual(Object.keys(f.perGroup).sort());
    for (const g of report.groups) {
      const expected = f.perGroup[g.group]!;
      expect(g.count).toBe(expected.count);
      expectClose(g.selectionRate, expected.selectionRate, 1e-12);
      expectClose(g.truePositiveRate, expected.truePositiveRate, 1e-12);
      expectClose(g.falsePositiveRate, expected.falsePositiveRate, 1e-12);
    }
  });

  it('disparities', () => {
    expectClose(report.disparateImpact, f.disparateImpact, 1e-12);
    expectClose(report.demographicParityDifference, f.demographicParityDifference, 1e-12);
    expectClose(report.equalOpportunityDifference, f.equalOpportunityDifference, 1e-12);
    expectClose(report.equalizedOddsDifference, f.equalizedOddsDifference, 1e-12);
  });

  it('small groups are named with their counts', () => {
    expect(report.smallGroups).toEqual([{ group: 'd', count: f.perGroup.d!.count }]);
  });
});

describe('fairness tables', () => {
  it.each([
    ['four-fifths rule breached', ['m', 'm', 'm', 'm', 'f', 'f', 'f', 'f'], [1, 1, 1, 0, 1, 0, 0, 0], 1 / 3, 0.5],
    ['parity', ['m', 'm', 'f', 'f'], [1, 0, 1, 0], 1, 0],
  ])('%s', (_, groups, predictions, di, dpd) => {
    const report = fairnessReport({ groups, predictions }, { privileged: ['m'], minGroupSize: 1 });
    expect(report.disparateImpact).toBeCloseTo(di, 12);
    expect(report.demographicParityDifference).toBe(dpd);
    expect(report.equalOpportunityDifference).toBeNull();
    expect(report.equalizedOddsDifference).toBeNull();
  });

  it('no privileged selections: disparate impact is undefined, not infinite', () => {
    expect(fairnessReport({ groups: ['m', 'f'], predictions: [0, 1] }, { privileged: ['m'] }).disparateImpact).toBeNull();
  });

  it('missing attribute values form their own group', () => {
    expect(fairnessReport({ groups: [null, 'a'], predictions: [1, 0] }, { privileged: ['a'] }).groups.map((g) => g.group)).toEqual(['(missing)', 'a']);
  });
});

import { describe, expect, it } from 'vitest';
import { type FairnessTally, fairnessFromTally, fairnessReport, groupKey, mergeFairnessTallies, tallyRow } from './fairness.js';
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

describe('fairness from mergeable tallies', () => {
  const f = fixtures.fairness;
  it('two tallied halves, merged, give the same report as the rows', () => {
    const half = Math.floor(f.groups.length / 2);
    const tallies = [0, 1].map((h) => {
      const tally: FairnessTally = {};
      for (let i = h * half; i < (h === 0 ? half : f.groups.length); i++) tallyRow(tally, groupKey(f.groups[i]), f.predictions[i] === 1, f.labels[i]!);
      return tally;
    });
    const merged = fairnessFromTally(mergeFairnessTallies(tallies[0]!, tallies[1]!), { privileged: f.privileged });
    expect(merged).toEqual(fairnessReport({ groups: f.groups, predictions: f.predictions, labels: f.labels }, { privileged: f.privileged }));
  });

  it('rows without labels count toward selection rates only', () => {
    const tally: FairnessTally = {};
    tallyRow(tally, 'a', true, null);
    tallyRow(tally, 'a', false, 1);
    tallyRow(tally, 'b', true, null);
    const r = fairnessFromTally(tally, { privileged: ['a'] });
    expect(r.groups.map((g) => [g.group, g.count, g.selectionRate, g.truePositiveRate])).toEqual([
      ['a', 2, 0.5, 0],
      ['b', 1, 1, null],
    ]);
    expect(r.disparateImpact).toBe(2);
  });
});

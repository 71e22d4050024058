import { parseManifest } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { monitoringContext, labelClass, positiveScore } from './monitoring-context.js';
import { attributeGroup, privilegedGroups } from './protected-groups.js';
import { realizedPerformance } from './realized-performance.js';
import { buildReferenceProfile } from './reference-profile.js';
import type { RunRow } from './run-rows.js';
import { windowDrift, windowEstimate, windowFairness } from './window-report.js';
import { emptyWindowState, mergeWindowStates, profileRows, windowStart } from './window-state.js';

const manifest = parseManifest(`name: m
tabular:
  features:
    - { name: age, type: numeric }
    - { name: sex, type: categorical, categories: [female, male] }
outputs: { probabilities: p, classLabels: [repaid, default] }
monitoring:
  label: y
  protectedAttributes: [{ name: sex, privileged: [male] }, { name: age, privileged: { min: 25 } }]
`);
const context = monitoringContext(manifest);

/** Deterministic rows: the score rises with age; label 1 for the older half, mostly. */
function rows(n: number, ageShift = 0): RunRow[] {
  return Array.from({ length: n }, (_, i) => {
    const age = 18 + ((i * 37) % 60) + ageShift;
    const score = Math.min(0.99, Math.max(0.01, (age - 18) / 70));
    return { row: i, features: { age, sex: i % 3 === 0 ? 'female' : 'male' }, prediction: { label: score >= 0.5 ? 'default' : 'repaid', score } };
  });
}

function reference(n = 400) {
  const r = rows(n);
  const labels = r.map((row, i) => String((row.prediction!.score! > 0.5) !== (i % 10 === 0) ? 1 : 0));
  return buildReferenceProfile(
    context,
    { columns: { age: r.map((x) => x.features.age!), sex: r.map((x) => x.features.sex!) }, records: r.map((x) => x.features), labels, rows: n },
    r.map((x) => x.prediction),
  );
}

describe('monitoring context', () => {
  it('reads positives, scores and index labels', () => {
    expect(context.positiveClass).toBe('default');
    expect(positiveScore(context, { label: 'default', score: 0.8 })).toBe(0.8);
    const flipped = monitoringContext({ ...manifest, monitoring: { ...manifest.monitoring, positiveClass: 'repaid' } });
    expect(positiveScore(flipped, { label: 'default', score: 0.8 })).toBeCloseTo(0.2, 12);
    expect([labelClass(context, '1'), labelClass(context, 0), labelClass(context, 'repaid')]).toEqual(['default', 'repaid', 'repaid']);
    expect(context.windowMs).toBe(300_000);
  });

  it.each([
    [{ name: 'age', privileged: { min: 25 } }, 30, 'age ≥ 25'],
    [{ name: 'age', privileged: { min: 25 } }, 20, 'age < 25'],
    [{ name: 'age', privileged: { max: 65 } }, 70, 'age ≥ 65'],
    [{ name: 'age', privileged: { min: 25, max: 65 } }, 70, 'not 25 ≤ age < 65'],
    [{ name: 'age', privileged: { min: 25 } }, null, '(missing)'],
    [{ name: 'sex', privileged: ['male'] }, 'female', 'female'],
  ])('%j groups %j as %s', (attribute, value, group) => {
    expect(attributeGroup(attribute, value)).toBe(group);
    expect(privilegedGroups(attribute)).toHaveLength(Array.isArray(attribute.privileged) ? attribute.privileged.length : 1);
  });
});

describe('reference profile and windows', () => {
  const ref = reference();

  it('profiles features, predictions, CBPE and evaluation fairness', () => {
    expect(Object.keys(ref.features.columns)).toEqual(['age', 'sex']);
    expect(Object.keys(ref.prediction!.columns)).toEqual(['score', 'label']);
    expect(ref.cbpe).not.toBeNull();
    expect(ref.evaluation!.labelled).toBe(400);
    expect(ref.evaluation!.metrics.accuracy).toBeCloseTo(0.9, 1);
    expect(Object.keys(ref.evaluation!.fairness)).toEqual(['sex', 'age']);
    expect(ref.evaluation!.fairness.age!.groups.map((g) => [g.group, g.privileged])).toEqual([
      ['age < 25', false],
      ['age ≥ 25', true],
    ]);
  });

  it('windows merge to the profile of all their rows (roll-up = one window of everything)', () => {
    const all = rows(300);
    const whole = profileRows(context, ref, all);
    const merged = [all.slice(0, 100), all.slice(100, 250), all.slice(250)].map((part) => profileRows(context, ref, part)).reduce(mergeWindowStates, emptyWindowState(ref));
    expect(merged.rows).toBe(300);
    // Counts are exact; float sums differ only in the order of addition.
    const counts = (p: typeof whole.features | null) => Object.values(p!.columns).map((c) => [c.counts, c.count, c.missing]);
    expect(counts(merged.features)).toEqual(counts(whole.features));
    expect(counts(merged.prediction)).toEqual(counts(whole.prediction));
    expect(merged.fairness).toEqual(whole.fairness);
    for (const k of ['tp', 'fp', 'tn', 'fn'] as const) expect(merged.expected![k]).toBeCloseTo(whole.expected![k], 9);
  });

  it('drift flags the shifted feature only; the estimate and fairness come from the state', () => {
    const same = profileRows(context, ref, rows(400));
    expect(windowDrift(context, ref, same).columns.filter((c) => c.drifted)).toEqual([]);
    const shifted = profileRows(context, ref, rows(400, 15));
    const drift = windowDrift(context, ref, shifted);
    expect(drift.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual(['age']);
    expect(drift.prediction.find((c) => c.column === 'score')!.drifted).toBe(true);
    expect(windowEstimate(ref, shifted)!.count).toBe(400);
    expect(windowFairness(context, shifted).sex!.groups.map((g) => g.count)).toEqual([134, 266]);
  });

  it('realized performance groups labelled rows by the window of the prediction', () => {
    const base = Date.UTC(2026, 0, 1);
    const labelled = rows(40).map((r, i) => ({ at: base + (i < 20 ? 0 : 300_000), features: r.features, prediction: r.prediction, label: i < 20 ? (r.prediction!.label === 'default' ? 1 : 0) : 'repaid' }));
    const windows = realizedPerformance(context, labelled, 300_000);
    expect(windows.map((w) => [w.start - base, w.labelled, w.metrics.accuracy])).toEqual([
      [0, 20, 1],
      [300_000, 20, windows[1]!.metrics.accuracy],
    ]);
    expect(windows[1]!.metrics.accuracy).toBeLessThan(1);
    expect(windows[0]!.fairness.sex!.equalOpportunityDifference).not.toBeUndefined();
    expect(windowStart(base + 299_999, 300_000)).toBe(base);
  });

  it('manifest drift overrides pick the method and threshold per feature', () => {
    const custom = monitoringContext({ ...manifest, monitoring: { ...manifest.monitoring, drift: { method: 'psi', threshold: 0.3, features: { age: { method: 'wasserstein', threshold: 5 } } } } });
    const drift = windowDrift(custom, ref, profileRows(custom, ref, rows(400, 15)));
    expect(drift.columns.map((c) => [c.column, c.method, c.threshold])).toEqual([
      ['age', 'wasserstein', 5],
      ['sex', 'psi', 0.3],
    ]);
    expect(drift.columns.find((c) => c.column === 'age')!.drifted).toBe(false);
    // A feature with its own method keeps that method's default, not the global method's threshold.
    const own = monitoringContext({ ...manifest, monitoring: { ...manifest.monitoring, drift: { method: 'psi', threshold: 0.3, features: { age: { method: 'wasserstein' } } } } });
    expect(windowDrift(own, ref, profileRows(own, ref, rows(400, 15))).columns.map((c) => c.threshold)).toEqual([0.1, 0.3]);
  });
});

describe('realized performance of a regression model', () => {
  it('scores MAE, RMSE, MAPE and R² per window', () => {
    const regression = monitoringContext(parseManifest('name: r\ntabular: { features: [{ name: x, type: numeric }] }\n'));
    const rowsOf = [1, 2, 3, 4].map((y, i) => ({ at: 0, features: { x: i }, prediction: { value: y + (i % 2 ? 1 : -1) }, label: y }));
    const [w] = realizedPerformance(regression, rowsOf, 300_000);
    expect(w!.metrics).toMatchObject({ mae: 1, rmse: 1 });
    expect(w!.metrics.r2).toBeCloseTo(1 - 4 / 5, 12);
  });
});

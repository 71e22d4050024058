import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EvalSnapshot, type MetricPoint, evaluateRule, judge } from './alert-evaluation.js';
import { type AlertRuleInput, parseAlertRule } from './alert-rules.js';

const MIN = 60_000;
const rule = (patch: Partial<AlertRuleInput> = {}) =>
  parseAlertRule({ name: 'r', pipeline: 'credit-risk', metric: 'error_rate', threshold: { op: '>', value: 0.1 }, window: '1m', ...patch });
/** One point per minute ending at minute `end`, values in order. */
const series = (values: number[], end = values.length - 1): MetricPoint[] => values.map((value, i) => ({ start: (end - (values.length - 1) + i) * MIN, value }));

describe('judge', () => {
  it.each([
    ['> breaches strictly above', { op: '>', value: 0.1 }, 0.1, false],
    ['> breaches above', { op: '>', value: 0.1 }, 0.11, true],
    ['>= breaches at the bound', { op: '>=', value: 0.1 }, 0.1, true],
    ['< breaches below', { op: '<', value: 0.8 }, 0.79, true],
    ['<= breaches at the bound', { op: '<=', value: 0.8 }, 0.8, true],
    ['< holds above', { op: '<', value: 0.8 }, 0.9, false],
  ] as const)('threshold: %s', (_name, threshold, value, breach) => {
    expect(judge(rule({ threshold }), series([value]), 0)?.breach).toBe(breach);
  });

  it('clears only past the margin (default 10 % of the bound)', () => {
    const r = rule();
    expect(judge(r, series([0.095]), 0)).toMatchObject({ breach: false, clear: false });
    expect(judge(r, series([0.089]), 0)).toMatchObject({ breach: false, clear: true });
    expect(judge(rule({ hysteresis: { margin: 0 } }), series([0.1]), 0)).toMatchObject({ breach: false, clear: true });
  });

  it('compares a change against the mean of the baseline windows before the current one', () => {
    const drop = rule({ metric: 'request_rate', threshold: undefined, change: { direction: 'decrease', percent: 50, baseline: '3m' } });
    expect(judge(drop, series([100, 100, 100, 40]), 3 * MIN)).toMatchObject({ bound: 50, breach: true });
    expect(judge(drop, series([100, 100, 100, 60]), 3 * MIN)).toMatchObject({ bound: 50, breach: false });
    // Windows older than the baseline (the 1000) are left out.
    expect(judge(drop, series([1000, 80, 80, 80, 30]), 4 * MIN)).toMatchObject({ bound: 40, breach: true });
    expect(judge(drop, series([40]), 0)).toBeUndefined();
  });

  it('flags values outside mean ± kσ of the reference windows', () => {
    const anomaly = rule({ metric: 'latency_p99', threshold: undefined, anomaly: { k: 3, referenceWindows: 4 } });
    // reference 10, 12, 10, 12: mean 11, σ ≈ 1.155 → bounds ≈ 7.54 and 14.46
    expect(judge(anomaly, series([10, 12, 10, 12, 15]), 4 * MIN)).toMatchObject({ breach: true });
    expect(judge(anomaly, series([10, 12, 10, 12, 14]), 4 * MIN)).toMatchObject({ breach: false });
    expect(judge(anomaly, series([10, 12, 10, 12, 7]), 4 * MIN)).toMatchObject({ breach: true });
    expect(judge(anomaly, series([10, 12, 15]), 2 * MIN)).toBeUndefined();
  });

  it('ignores a newest window older than two windows (no data)', () => {
    expect(judge(rule(), series([0.5], 0), 5 * MIN)).toBeUndefined();
  });
});

describe('evaluateRule', () => {
  const step = (r: ReturnType<typeof rule>, value: number | undefined, prev: EvalSnapshot | undefined, minute: number) =>
    evaluateRule(r, value === undefined ? [] : series([value], minute), prev, minute * MIN);

  it.each([
    // [previous status, since, value, for, next status, transition]
    ['inactive', 0, 0.5, '0s', 'firing', 'fired'],
    ['inactive', 0, 0.05, '0s', 'inactive', null],
    ['inactive', 0, 0.5, '2m', 'pending', null],
    ['pending', 9 * MIN, 0.5, '2m', 'pending', null],
    ['pending', 8 * MIN, 0.5, '2m', 'firing', 'fired'],
    ['pending', 8 * MIN, 0.05, '2m', 'inactive', null],
    ['firing', 0, 0.5, '0s', 'firing', null],
    ['firing', 0, 0.095, '0s', 'firing', null],
    ['firing', 0, undefined, '0s', 'firing', null],
    ['resolved', 0, 0.5, '0s', 'firing', 'fired'],
    ['resolved', 0, 0.01, '0s', 'resolved', null],
  ] as const)('%s since %i, value %s, for %s → %s', (status, since, value, forText, next, transition) => {
    const e = step(rule({ for: forText }), value, { status, since, clearStreak: 0 }, 10);
    expect(e.next.status).toBe(next);
    expect(e.transition).toBe(transition);
  });

  it('resolves after clearAfter consecutive clear evaluations, and a breach in between restarts the count', () => {
    const r = rule({ hysteresis: { clearAfter: 3 } });
    let s = step(r, 0.5, undefined, 0).next;
    s = step(r, 0.01, s, 1).next;
    s = step(r, 0.01, s, 2).next;
    expect(s).toMatchObject({ status: 'firing', clearStreak: 2 });
    s = step(r, 0.2, s, 3).next;
    expect(s.clearStreak).toBe(0);
    for (const m of [4, 5]) s = step(r, 0.01, s, m).next;
    const last = step(r, 0.01, s, 6);
    expect(last).toMatchObject({ transition: 'resolved', next: { status: 'resolved', since: 6 * MIN } });
  });

  it('resolves what a disabled rule was firing', () => {
    const e = step(rule({ enabled: false }), 0.9, { status: 'firing', since: 0, clearStreak: 0 }, 1);
    expect(e.transition).toBe('resolved');
  });

  it('fires once for a metric oscillating around its threshold', () => {
    const r = rule();
    let s: EvalSnapshot | undefined;
    let fired = 0;
    for (let m = 0; m < 200; m += 1) {
      const e = step(r, m % 2 === 0 ? 0.104 : 0.097, s, m);
      s = e.next;
      if (e.transition === 'fired') fired += 1;
    }
    expect(fired).toBe(1);
    expect(s?.status).toBe('firing');
  });

  it('property: never fires more often than the value clearly recovers for clearAfter evaluations in a row, plus one', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.05, max: 0.15, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 4 }), (values, clearAfter) => {
        const r = rule({ hysteresis: { clearAfter } });
        let s: EvalSnapshot | undefined;
        let fired = 0;
        let recoveries = 0;
        let run = 0;
        values.forEach((v, m) => {
          const e = step(r, v, s, m);
          s = e.next;
          if (e.transition === 'fired') fired += 1;
          run = v < 0.09 ? run + 1 : 0;
          if (run === clearAfter) recoveries += 1;
          // Firing exactly when the last value breached, or while not yet clearly recovered.
          if (v > 0.1) expect(s.status).toBe('firing');
        });
        expect(fired).toBeLessThanOrEqual(recoveries + 1);
      }),
      { numRuns: 300 },
    );
  });
});

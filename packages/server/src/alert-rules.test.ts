import { parseManifest } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { ALERT_METRIC_NAMES, type AlertMetric, defaultAlertRules, describeCondition, durationMs, parseAlertRules } from './alert-rules.js';

const all = new Set<AlertMetric>(ALERT_METRIC_NAMES);

describe('durationMs', () => {
  it.each([
    ['0s', 0],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s → %i ms', (text, ms) => expect(durationMs(text)).toBe(ms));
  it.each(['', '5', '5 m', '1.5h', '-1m', 'soon'])('refuses %j', (text) => expect(durationMs(text)).toBeUndefined());
});

describe('parseAlertRules', () => {
  it('reads YAML with defaults filled in', () => {
    const [rule] = parseAlertRules('rules:\n  - name: p99\n    pipeline: credit-risk\n    metric: latency_p99\n    threshold: { op: ">", value: 800 }\n');
    expect(rule).toEqual({
      name: 'p99',
      pipeline: 'credit-risk',
      metric: 'latency_p99',
      labels: {},
      threshold: { op: '>', value: 800 },
      window: '5m',
      for: '0s',
      severity: 'warning',
      areas: [],
      hysteresis: { clearAfter: 2 },
      actions: [],
      enabled: true,
    });
    expect(describeCondition(rule!)).toBe('latency_p99 > 800 over 5m');
  });

  it('reports every problem of every rule at once, with its path', () => {
    const run = () =>
      parseAlertRules({
        rules: [
          { name: 'a', pipeline: 'p', metric: 'error_rate' },
          { name: 'b', pipeline: 'p', metric: 'error_rate', threshold: { op: '>', value: 1 }, anomaly: { k: 3 } },
          { name: 'c', pipeline: 'p', metric: 'kpi', threshold: { op: '=', value: 1 }, actions: [{ command: { argv: [] } }] },
          { name: 'a', pipeline: 'p', metric: 'error_rate', threshold: { op: '>', value: 1 } },
          { name: 'a', pipeline: 'p', metric: 'error_rate', threshold: { op: '>', value: 2 } },
        ],
      });
    expect(run).toThrow(/rules\[0\]: needs exactly one condition of threshold, change or anomaly \(got none\)/);
    expect(run).toThrow(/rules\[1\]: needs exactly one condition .*\(got threshold and anomaly\)/);
    expect(run).toThrow(/rules\[2\]\.threshold\.op/);
    expect(run).toThrow(/rules\[2\]\.actions\[0\]/);
    expect(run).toThrow(/rule "a" of pipeline "p" is given twice/);
  });

  it('refuses a document that is not {rules: [...]}, and YAML syntax errors', () => {
    expect(() => parseAlertRules({ rule: [] })).toThrow(/expected \{rules: \[/);
    expect(() => parseAlertRules('rules: [')).toThrow(/^rules: YAML syntax/);
  });
});

describe('defaultAlertRules', () => {
  const manifest = (extra = '') =>
    parseManifest(`name: loans
model: m.onnx
tabular:
  input: x
  features:
    - { name: age, type: numeric }
    - { name: sex, type: categorical, categories: [f, m] }
outputs: { probabilities: p, classLabels: [repaid, default] }
${extra}`);

  it('gives a classifier error rate, p99, dataset drift, accuracy drop and disparate impact per protected attribute', () => {
    const rules = defaultAlertRules(manifest('monitoring:\n  protectedAttributes:\n    - { name: sex, privileged: [m] }\n    - { name: age, privileged: { min: 25 } }\n  drift: { driftShare: 0.3 }\n'), all);
    expect(rules.map((r) => [r.name, describeCondition(r), r.severity])).toEqual([
      ['error-rate', 'error_rate > 0.05 over 5m for 5m', 'critical'],
      ['latency-p99', 'latency_p99 > 1000 over 5m for 10m', 'warning'],
      ['dataset-drift', 'dataset_drift_share >= 0.3 over 5m', 'warning'],
      ['accuracy-drop', 'accuracy decreases 10% vs 1d baseline over 1h', 'warning'],
      ['disparate-impact-sex', 'disparate_impact{attribute=sex} < 0.8 over 1h', 'warning'],
      ['disparate-impact-age', 'disparate_impact{attribute=age} < 0.8 over 1h', 'warning'],
    ]);
  });

  it('bases the accuracy drop on the trained accuracy when lineage has it, and leaves out what cannot be measured', () => {
    const rules = defaultAlertRules(manifest('lineage:\n  metrics: { accuracy: 0.876 }\n'), new Set<AlertMetric>(['error_rate', 'accuracy']));
    expect(rules.map((r) => describeCondition(r))).toEqual(['error_rate > 0.05 over 5m for 5m', 'accuracy < 0.788 over 1h']);
  });
});

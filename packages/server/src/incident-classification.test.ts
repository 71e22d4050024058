import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFICATION, classifyAlert, parseClassificationRules } from './incident-classification.js';

const alert = (metric: string, patch: Partial<Parameters<typeof classifyAlert>[0]> = {}) => ({ metric, ruleName: 'r', labels: {}, hints: [], ...patch });

describe('classifyAlert with the default rules', () => {
  it.each([
    ['latency_p99', ['technical_operations', 'users']],
    ['latency_p50', ['technical_operations']],
    ['error_rate', ['technical_operations', 'users']],
    ['request_rate', ['technical_operations']],
    ['queue_p99', ['technical_operations']],
    ['feature_drift', ['data_operations']],
    ['dataset_drift_share', ['data_operations']],
    ['accuracy', ['business']],
    ['estimated_accuracy', ['business']],
    ['kpi', ['business']],
    ['disparate_impact', ['business']],
    ['something_else', []],
  ])('%s → %j', (metric, areas) => {
    expect(classifyAlert(alert(metric), DEFAULT_CLASSIFICATION).areas).toEqual(areas);
  });

  it('adds the alert rule’s own hints and says why', () => {
    const result = classifyAlert(alert('disparate_impact', { hints: ['users'] }), DEFAULT_CLASSIFICATION);
    expect(result.areas).toEqual(['business', 'users']);
    expect(result.reasons).toEqual(['rule "r" names users', 'fairness violation (compliance) → business']);
  });
});

describe('user-edited classification rules', () => {
  it('match on rule names and labels', () => {
    const rules = parseClassificationRules([
      { rules: ['income-drift'], areas: ['business'], reason: 'income feeds pricing' },
      { metrics: ['feature_*'], labels: { feature: 'age' }, areas: ['users'], reason: 'age drift hurts applicants' },
    ]);
    expect(classifyAlert(alert('feature_drift', { ruleName: 'income-drift', labels: { feature: 'income' } }), rules).areas).toEqual(['business']);
    expect(classifyAlert(alert('feature_drift', { labels: { feature: 'age' } }), rules).areas).toEqual(['users']);
    expect(classifyAlert(alert('feature_drift', { labels: { feature: 'debt' } }), rules).areas).toEqual([]);
  });

  it('refuse bad rules, naming each field', () => {
    expect(() => parseClassificationRules([{ areas: ['business'], reason: 'x' }, { metrics: ['a'], areas: ['finance'], reason: 'x' }])).toThrow(
      /rules\[0\]: needs at least one of metrics, rules or labels.*rules\[1\]\.areas\[0\]/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidPackageError } from './errors.js';
import { parseManifest } from './manifest.js';

const BASE = [
  'name: credit',
  'tabular:',
  '  features:',
  '    - { name: age, type: numeric }',
  '    - { name: sex, type: categorical, categories: [female, male] }',
  '    - { name: owner, type: boolean }',
  'outputs: { probabilities: p, classLabels: [repaid, default] }',
];

function issuesOf(monitoring: string[]): string[] {
  try {
    parseManifest([...BASE, 'monitoring:', ...monitoring.map((l) => `  ${l}`)].join('\n'));
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPackageError);
    return (err as InvalidPackageError).issues.map((i) => `${i.path} ${i.message}`);
  }
  return [];
}

describe('manifest monitoring section', () => {
  it('accepts a full section, numeric groups included', () => {
    const m = parseManifest(
      [
        ...BASE,
        'monitoring:',
        '  sampleRate: 0.5',
        '  reference: data/holdout.csv',
        '  label: default_flag',
        '  positiveClass: default',
        '  windowMinutes: 5',
        '  protectedAttributes:',
        '    - { name: sex, privileged: [male] }',
        '    - { name: age, privileged: { min: 25 } }',
        '    - { name: owner, privileged: [true] }',
        '  drift: { method: psi, threshold: 0.2, driftShare: 0.3, features: { age: { method: ks, threshold: 0.01 } } }',
      ].join('\n'),
    );
    expect(m.monitoring?.protectedAttributes).toEqual([
      { name: 'sex', privileged: ['male'] },
      { name: 'age', privileged: { min: 25 } },
      { name: 'owner', privileged: ['true'] },
    ]);
    expect(m.monitoring?.drift?.features?.age).toEqual({ method: 'ks', threshold: 0.01 });
  });

  it.each([
    [['sampleRate: 1.5'], 'slipway.yaml: monitoring.sampleRate'],
    [['reference: ../x.csv'], 'slipway.yaml: monitoring.reference'],
    [['positiveClass: maybe'], 'slipway.yaml: monitoring.positiveClass "maybe" is not one of outputs.classLabels'],
    [['label: age'], 'slipway.yaml: monitoring.label "age" is a feature'],
    [['protectedAttributes: [{ name: race, privileged: [a] }]'], 'slipway.yaml: monitoring.protectedAttributes[0].name "race" is not a tabular feature; features are age, sex, owner'],
    [['protectedAttributes: [{ name: age, privileged: [old] }]'], 'slipway.yaml: monitoring.protectedAttributes[0].privileged "age" is numeric'],
    [['protectedAttributes: [{ name: sex, privileged: { min: 1 } }]'], 'slipway.yaml: monitoring.protectedAttributes[0].privileged "sex" is categorical'],
    [['protectedAttributes: [{ name: sex, privileged: [other] }]'], 'slipway.yaml: monitoring.protectedAttributes[0].privileged[0] "other" is not a value of "sex"'],
    [['protectedAttributes: [{ name: age, privileged: {} }]'], 'slipway.yaml: monitoring.protectedAttributes[0].privileged'],
    [['drift: { features: { incme: { method: ks } } }'], 'slipway.yaml: monitoring.drift.features.incme "incme" is not a tabular feature'],
    [['drift: { method: magic }'], 'slipway.yaml: monitoring.drift.method'],
    [['windowMinutes: 0'], 'slipway.yaml: monitoring.windowMinutes'],
    [['drift: { threshold: 0.2 }'], 'slipway.yaml: monitoring.drift.threshold needs a method'],
    [['drift: { features: { age: { threshold: 0.2 } } }'], 'slipway.yaml: monitoring.drift.features.age.threshold needs a method'],
  ])('reports %j at its path', (lines, expected) => {
    const issues = issuesOf(lines);
    expect(issues.some((i) => i.startsWith(expected)), issues.join('\n')).toBe(true);
  });

  it('reports every monitoring problem at once', () => {
    const issues = issuesOf(['positiveClass: maybe', 'protectedAttributes: [{ name: race, privileged: [a] }]', 'drift: { features: { incme: {} } }']);
    expect(issues).toHaveLength(3);
  });

  it('needs tabular features for a reference profile', () => {
    expect(() => parseManifest('name: x\nmonitoring: { reference: ref.csv }')).toThrow(/monitoring: needs a tabular section/);
  });
});

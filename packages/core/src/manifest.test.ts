import { describe, expect, it } from 'vitest';
import { InvalidPackageError } from './errors.js';
import { parseManifest } from './manifest.js';

describe('parseManifest', () => {
  it('applies defaults', () => {
    expect(parseManifest('name: credit-risk\n')).toEqual({ name: 'credit-risk', runtime: 'onnx', model: 'model.onnx' });
  });

  it('reports every problem at once, each naming its field', () => {
    const text = [
      'name: Credit Risk',
      'runtime: pytorch',
      'model: ../model.onnx',
      'tabular:',
      '  features:',
      '    - { name: age, type: numeric }',
      '    - { name: sex, type: categorical }',
      '    - { name: age, type: numeric, categories: [a] }',
      'lineage: { metrics: { auc: high } }',
      'extra: 1',
    ].join('\n');
    try {
      parseManifest(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidPackageError);
      const paths = (err as InvalidPackageError).issues.map((i) => i.path).sort();
      expect(paths).toEqual(
        [
          'slipway.yaml: (root)',
          'slipway.yaml: lineage.metrics.auc',
          'slipway.yaml: model',
          'slipway.yaml: name',
          'slipway.yaml: runtime',
          'slipway.yaml: tabular.features[1].categories',
          'slipway.yaml: tabular.features[2].categories',
          'slipway.yaml: tabular.features[2].name',
        ].sort(),
      );
    }
  });

  it('reports YAML syntax errors', () => {
    expect(() => parseManifest('name: [oops')).toThrow(/YAML syntax/);
  });
});

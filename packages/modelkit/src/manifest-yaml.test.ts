import { type Manifest, parseManifest } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { renderManifest } from './manifest-yaml.js';

const manifest: Manifest = {
  name: 'demo',
  description: 'A long description that has to be folded over several lines, because nobody wants to scroll sideways: it goes on.',
  runtime: 'onnx',
  model: 'model.onnx',
  tabular: { features: [{ name: 'colour', type: 'categorical', categories: ['red', 'a, b', 'true'] }, { name: 'x', type: 'numeric' }] },
  outputs: { probabilities: 'p', classLabels: ['no', 'yes'] },
  lineage: { parameters: { seed: 1, rate: 0.001, flag: true, version: '1.0', text: 'a: b # c' }, metrics: {} },
  tags: { example: 'true' },
};

describe('renderManifest', () => {
  it('writes YAML that parses back to the same manifest, keys in the given order', () => {
    const text = renderManifest(manifest, ['Generated.']);
    expect(parseManifest(text)).toEqual(manifest);
    expect(text.split('\n').slice(0, 4)).toEqual(['# Generated.', 'name: demo', 'description: >-', '  A long description that has to be folded over several lines, because nobody wants to']);
  });

  it('quotes strings YAML would read as something else', () => {
    const text = renderManifest(manifest);
    expect(text).toContain('categories: [red, "a, b", "true"]');
    expect(text).toContain('version: "1.0"');
    expect(text).toContain('text: "a: b # c"');
    expect(text).toContain('example: "true"');
    expect(text).toContain('metrics: {}');
  });

  it('refuses an invalid manifest', () => {
    expect(() => renderManifest({ ...manifest, name: 'Not Valid' })).toThrow(/name/);
  });
});

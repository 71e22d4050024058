import { MANIFEST_FILE, parseManifest } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { packageTemplate, pipelineNameFor } from './package-template.js';

describe('pipelineNameFor', () => {
  it.each([
    ['credit-risk', 'credit-risk'],
    ['My Model (v2)', 'my-model-v2'],
    ['_private.model', 'private.model'],
    ['***', 'my-pipeline'],
    ['x'.repeat(80), 'x'.repeat(63)],
  ])('%s → %s', (folder, name) => {
    expect(pipelineNameFor(folder)).toBe(name);
  });
});

describe('packageTemplate', () => {
  const manifest = packageTemplate('credit-risk')[MANIFEST_FILE] ?? '';

  it('writes a manifest that is valid as it stands', () => {
    expect(parseManifest(manifest)).toMatchObject({ name: 'credit-risk', runtime: 'onnx', model: 'model.onnx' });
  });

  it('keeps the optional sections valid once uncommented', () => {
    // Example lines are the section keys (`# tabular:`) and the indented lines under them.
    const uncommented = manifest.replace(/^# ((?:tabular|outputs|lineage|tags):|\s)/gm, '$1');
    const parsed = parseManifest(uncommented);
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(['tabular', 'outputs', 'lineage', 'tags']));
    expect(parsed.tabular?.features.map((f) => f.name)).toEqual(['age', 'owns_home', 'region']);
  });

  it('explains every manifest field in the README', () => {
    const readme = packageTemplate('credit-risk')['README.md'] ?? '';
    for (const field of ['name', 'description', 'runtime', 'model', 'tabular.input', 'tabular.features', 'outputs.probabilities', 'outputs.label', 'outputs.classLabels', 'lineage.codeCommit', 'lineage.dataset.uri', 'lineage.parameters', 'lineage.metrics', 'tags']) {
      expect(readme).toContain(`| \`${field}\` |`);
    }
  });
});

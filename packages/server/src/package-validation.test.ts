import { type Manifest, type ModelSignature, validateManifest } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { checkManifestAgainstSignature } from './package-validation.js';

const signature = (inputShape: number[], inputs = ['features'], probsShape = [-1, 2]): ModelSignature => ({
  inputs: inputs.map((name) => ({ name, datatype: 'FP32', shape: inputShape })),
  outputs: [
    { name: 'probabilities', datatype: 'FP32', shape: probsShape },
    { name: 'label', datatype: 'INT64', shape: [-1] },
  ],
});
const manifest = (extra: object): Manifest => validateManifest({ name: 'm', ...extra });
const features = [
  { name: 'a', type: 'numeric' },
  { name: 'c', type: 'categorical', categories: ['x', 'y', 'z'] },
];

describe('checkManifestAgainstSignature', () => {
  it.each<[string, Manifest, ModelSignature, RegExp[]]>([
    ['fits: 1 numeric + 3 one-hot = 4 columns', manifest({ tabular: { features } }), signature([-1, 4]), []],
    ['fits a dynamic feature dimension', manifest({ tabular: { features } }), signature([-1, -1]), []],
    ['too few columns', manifest({ tabular: { features } }), signature([-1, 5]), [/expand to 4 columns .* has 5/]],
    ['unknown input name', manifest({ tabular: { input: 'nope', features } }), signature([-1, 4]), [/"nope" is not a model input/]],
    ['several inputs, none named', manifest({ tabular: { features } }), signature([-1, 4], ['a', 'b']), [/must name the model input/]],
    ['a 3-D input', manifest({ tabular: { features } }), signature([-1, 4, 1]), [/2-D/]],
    ['declared outputs exist', manifest({ outputs: { probabilities: 'probabilities', label: 'label', classLabels: ['no', 'yes'] } }), signature([-1, 4]), []],
    ['unknown outputs', manifest({ outputs: { probabilities: 'p', label: 'l' } }), signature([-1, 4]), [/"p" is not a model output/, /"l" is not a model output/]],
    ['class count mismatch', manifest({ outputs: { probabilities: 'probabilities', classLabels: ['a', 'b', 'c'] } }), signature([-1, 4]), [/lists 3 classes but output "probabilities" has 2/]],
    ['batching on a dynamic batch dimension', manifest({ batching: { maxBatchSize: 8 } }), signature([-1, 4]), []],
    ['batching on a fixed batch dimension', manifest({ batching: { maxBatchSize: 8 } }), signature([1, 4]), [/batching: needs a dynamic first \(batch\) dimension .*"features" is \[1, 4\]/]],
    ['classLabels without probabilities', manifest({ outputs: { classLabels: ['a', 'b'] } }), signature([-1, 4]), [/outputs\.probabilities: is required/]],
  ])('%s', (_name, m, s, expected) => {
    const issues = checkManifestAgainstSignature(m, s);
    expect(issues).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(`${issues[i]?.path}: ${issues[i]?.message}`).toMatch(re));
  });
});

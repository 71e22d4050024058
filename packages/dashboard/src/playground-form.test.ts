import type { VersionRecord } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { initialValues, playgroundFields, runInputs } from './playground-form.js';

const tabular = {
  manifest: {
    tabular: {
      input: 'features',
      features: [
        { name: 'age', type: 'numeric', description: 'Age in years' },
        { name: 'owner', type: 'boolean' },
        { name: 'sex', type: 'categorical', categories: ['female', 'male'] },
      ],
    },
  },
  signature: { inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }], outputs: [] },
} as unknown as Pick<VersionRecord, 'manifest' | 'signature'>;

const tensors = {
  manifest: {},
  signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3], symbolicDims: { 0: 'batch' } }], outputs: [] },
} as unknown as Pick<VersionRecord, 'manifest' | 'signature'>;

describe('playgroundFields', () => {
  it('makes one control per tabular feature', () => {
    expect(playgroundFields(tabular)).toEqual([
      { kind: 'numeric', name: 'age', description: 'Age in years' },
      { kind: 'boolean', name: 'owner' },
      { kind: 'categorical', name: 'sex', options: ['female', 'male'] },
    ]);
  });
  it('makes one JSON box per model input without tabular features, one example deep', () => {
    const fields = playgroundFields(tensors);
    expect(fields).toEqual([{ kind: 'tensor', name: 'x', shape: [1, 3], description: 'FP32 [batch, 3] as nested JSON arrays' }]);
    expect(initialValues(fields)).toEqual({ x: '[[0,0,0]]' });
  });
});

describe('runInputs', () => {
  const fields = playgroundFields(tabular);
  it.each([
    { values: { age: '42', owner: 'true', sex: 'male' }, expected: { ok: true, inputs: { age: 42, owner: true, sex: 'male' } } },
    { values: initialValues(fields), expected: { ok: true, inputs: { age: 0, owner: false, sex: 'female' } } },
    {
      values: { age: 'old', owner: 'false', sex: 'other' },
      expected: {
        ok: false,
        issues: [
          { field: 'age', message: 'age must be a number, e.g. 42 or 0.5' },
          { field: 'sex', message: 'sex must be one of female, male' },
        ],
      },
    },
    { values: { age: '', owner: 'false', sex: 'male' }, expected: { ok: false, issues: [{ field: 'age', message: 'age must be a number, e.g. 42 or 0.5' }] } },
  ])('$values', ({ values, expected }) => {
    expect(runInputs(fields, values)).toEqual(expected);
  });
  it('parses tensor boxes as JSON and names a bad one', () => {
    const t = playgroundFields(tensors);
    expect(runInputs(t, { x: '[[1,2,3]]' })).toEqual({ ok: true, inputs: { x: [[1, 2, 3]] } });
    expect(runInputs(t, { x: '[[1,2' })).toEqual({ ok: false, issues: [{ field: 'x', message: 'x must be JSON arrays of numbers, e.g. [[0,0,0]]' }] });
  });
});

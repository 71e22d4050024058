import { describe, expect, it } from 'vitest';
import { decodeClassPredictions, encodeRecords, featureWidth } from './tabular.js';
import type { FeatureSpec } from './manifest.js';

const features: FeatureSpec[] = [
  { name: 'income', type: 'numeric' },
  { name: 'owner', type: 'boolean' },
  { name: 'status', type: 'categorical', categories: ['single', 'married', 'divorced'] },
];

describe('tabular encoding', () => {
  it('packs features in order with one-hot categoricals', () => {
    expect(featureWidth(features)).toBe(5);
    const t = encodeRecords(features, [
      { income: 10, owner: true, status: 'married' },
      { income: -1.5, owner: false, status: 'divorced' },
    ]);
    expect(t.shape).toEqual([2, 5]);
    expect(Array.from(t.data as Float32Array)).toEqual([10, 1, 0, 1, 0, -1.5, 0, 0, 0, 1]);
  });

  it('reports every bad field of every record', () => {
    expect(() => encodeRecords(features, [{ income: 'x', owner: true, status: 'widowed' }, { owner: 1, status: 'single', zip: 1 }, 7])).toThrow(
      /inputs\[0\]\.income: is "x"; expected a finite number; inputs\[0\]\.status: is "widowed"; expected one of "single", "married", "divorced"; inputs\[1\]\.zip: is not a feature.*inputs\[1\]\.income: is missing.*inputs\[1\]\.owner: is 1; expected true or false; inputs\[2\]: must be an object/,
    );
  });

  it('labels the most probable class', () => {
    const preds = decodeClassPredictions({ datatype: 'FP32', shape: [2, 2], data: new Float32Array([0.9, 0.1, 0.25, 0.75]) }, ['no', 'yes']);
    expect(preds).toEqual([
      { label: 'no', probabilities: { no: expect.closeTo(0.9, 6) as number, yes: expect.closeTo(0.1, 6) as number } },
      { label: 'yes', probabilities: { no: 0.25, yes: 0.75 } },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import type { ModelSignature } from '@slipway/core';
import { sampleInputs } from './sample-inputs.js';

describe('sampleInputs', () => {
  it('sets dynamic dims to 1 and fills zeros, false and empty strings of each input datatype', () => {
    const signature: ModelSignature = {
      inputs: [
        { name: 'features', datatype: 'FP32', shape: [-1, 3], symbolicDims: { 0: 'batch' } },
        { name: 'mask', datatype: 'BOOL', shape: [2, -1] },
        { name: 'ids', datatype: 'INT64', shape: [-1] },
        { name: 'text', datatype: 'BYTES', shape: [-1, 2] },
        { name: 'scalar', datatype: 'FP16', shape: [] },
      ],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
    };
    expect([...sampleInputs(signature)]).toEqual([
      ['features', { datatype: 'FP32', shape: [1, 3], data: new Float32Array(3) }],
      ['mask', { datatype: 'BOOL', shape: [2, 1], data: new Uint8Array(2) }],
      ['ids', { datatype: 'INT64', shape: [1], data: new BigInt64Array(1) }],
      ['text', { datatype: 'BYTES', shape: [1, 2], data: ['', ''] }],
      ['scalar', { datatype: 'FP16', shape: [], data: new Uint16Array(1) }],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { checkInputs, decodeTensor, encodeTensor } from './tensor-codec.js';

describe('decodeTensor', () => {
  it('decodes flat and nested data row-major into typed storage', () => {
    const flat = decodeTensor({ name: 'x', shape: [2, 2], datatype: 'INT64', data: [1, -2, 3, 4] }, 'inputs[0]');
    expect(flat.tensor.data).toEqual(new BigInt64Array([1n, -2n, 3n, 4n]));
    const nested = decodeTensor({ name: 'x', shape: [2, 2], datatype: 'FP32', data: [[1, 2], [3, 4]] }, 'inputs[0]');
    expect(nested.tensor.data).toEqual(new Float32Array([1, 2, 3, 4]));
  });

  it('stores FP16 as half-precision bits and reads them back', () => {
    const { tensor } = decodeTensor({ name: 'h', shape: [3], datatype: 'FP16', data: [1, -2, 0.5] }, 'i');
    expect(Array.from(tensor.data as Uint16Array)).toEqual([0x3c00, 0xc000, 0x3800]);
    expect(encodeTensor('h', tensor).data).toEqual([1, -2, 0.5]);
  });

  it.each([
    ['INT8', 128, /inputs\[0\]\.data\[0\]: must be an integer in \[-128, 127\] for datatype INT8, got 128/],
    ['UINT8', -1, /must be an integer in \[0, 255\]/],
    ['INT32', 1.5, /must be an integer/],
    ['BOOL', 1, /must be true or false/],
    ['BYTES', 5, /must be a string/],
    ['FP32', 'x', /must be a number/],
  ])('rejects a bad %s element, naming its index', (datatype, value, pattern) => {
    expect(() => decodeTensor({ name: 'x', shape: [1], datatype, data: [value] }, 'inputs[0]')).toThrow(pattern);
  });

  it('reports every structural problem of a tensor at once', () => {
    try {
      decodeTensor({ name: '', shape: [-1], datatype: 'FLOAT', data: 'abc' }, 'inputs[2]');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).issues.map((i) => i.path)).toEqual(['inputs[2].name', 'inputs[2].shape', 'inputs[2].datatype', 'inputs[2].data']);
    }
  });

  it('checks the element count against the shape', () => {
    expect(() => decodeTensor({ name: 'x', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3] }, 'in')).toThrow(/has 3 elements but shape \[2, 3\] needs 6/);
  });
});

describe('checkInputs', () => {
  const specs = [{ name: 'x', datatype: 'FP32' as const, shape: [-1, 3] }];
  const one = (shape: number[], datatype: 'FP32' | 'INT32' = 'FP32') =>
    new Map([['x', { path: 'inputs[0]', tensor: { datatype, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) } }]]);

  it('accepts any size for dynamic dimensions', () => {
    expect(() => checkInputs(one([5, 3]), specs)).not.toThrow();
  });
  it('reports datatype and shape problems together', () => {
    expect(() => checkInputs(one([5, 4], 'INT32'), specs)).toThrow(/datatype: is INT32 .*; inputs\[0\]\.shape: is \[5, 4\] but input "x" needs \[-1, 3\]/);
  });
  it('reports unknown and missing inputs', () => {
    const wrong = new Map([['y', { path: 'inputs[0]', tensor: { datatype: 'FP32' as const, shape: [1, 3], data: new Float32Array(3) } }]]);
    expect(() => checkInputs(wrong, specs)).toThrow(/unknown input "y".*missing input "x"/);
  });
});

import { describe, expect, it } from 'vitest';
import { DATATYPES, InvalidInputError, SlipwayError, type Tensor } from '@slipway/core';
import { batchShape, chunkRows, concatRows, rowsOf, splitRows } from './tensor-batch.js';
import { edgeTensor, exactly } from './testing/edge-tensors.js';

function expectBitIdentical(actual: ReadonlyMap<string, Tensor>, expected: ReadonlyMap<string, Tensor>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  expect(exactly(actual)).toEqual(exactly(expected));
}

describe.each(DATATYPES)('%s', (datatype) => {
  const requests = [1, 3, 0, 2].map((rows, i) => new Map([['x', edgeTensor(datatype, rows, [3], i * 10)]]));

  it('concatenates requests along the first dimension and splits them back bit-identical', () => {
    const batch = concatRows(requests);
    const x = batch.get('x') as Tensor;
    expect(x.shape).toEqual([6, 3]);
    expect(x.datatype).toBe(datatype);
    expect(x.data.length).toBe(18);
    const parts = splitRows(batch, [1, 3, 0, 2]);
    parts.forEach((part, i) => expectBitIdentical(part, requests[i] as Map<string, Tensor>));
  });

  it('chunks a large request into views of at most maxRows rows and joins them back bit-identical', () => {
    const large = new Map([['x', edgeTensor(datatype, 7, [2, 2])]]);
    const chunks = chunkRows(large, 7, 3);
    expect(chunks.map(rowsOf)).toEqual([3, 3, 1]);
    expectBitIdentical(concatRows(chunks), large);
  });
});

describe('splitRows', () => {
  it('hands out views of the batch, not copies', () => {
    const batch = new Map([['y', edgeTensor('FP32', 4, [2])]]);
    const [first, second] = splitRows(batch, [1, 3]);
    const data = (batch.get('y') as Tensor).data as Float32Array;
    expect(((first?.get('y') as Tensor).data as Float32Array).buffer).toBe(data.buffer);
    expect(((second?.get('y') as Tensor).data as Float32Array).byteOffset).toBe(2 * 4);
  });

  it('refuses an output without one row per input row, instead of handing out mixed rows', () => {
    const batch = new Map([['mean', { datatype: 'FP32' as const, shape: [3], data: new Float32Array(3) }]]);
    expect(() => splitRows(batch, [2, 2])).toThrow(SlipwayError);
    expect(() => splitRows(batch, [2, 2])).toThrow(expect.objectContaining({ code: 'pipeline_error', message: expect.stringMatching(/output "mean" has shape \[3\] for a batch of 4 rows/) as string }));
  });

  it('splits every output of a multi-output batch', () => {
    const batch = new Map([
      ['p', edgeTensor('FP32', 3, [2])],
      ['label', edgeTensor('INT64', 3, [])],
    ]);
    const parts = splitRows(batch, [2, 1]);
    expect(parts.map((p) => [...p.values()].map((t) => t.shape))).toEqual([
      [[2, 2], [2]],
      [[1, 2], [1]],
    ]);
  });
});

describe('batchShape', () => {
  const request = (entries: [string, Tensor][]) => new Map(entries);

  it('gives the rows and a key that ignores input order', () => {
    const a = batchShape(request([['x', edgeTensor('FP32', 2, [3])], ['ids', edgeTensor('INT64', 2, [4])]]));
    const b = batchShape(request([['ids', edgeTensor('INT64', 5, [4])], ['x', edgeTensor('FP32', 5, [3])]]));
    expect(a.rows).toBe(2);
    expect(b.rows).toBe(5);
    expect(a.key).toBe(b.key);
  });

  it('keys apart requests that differ in a datatype, a trailing dimension or the inputs named', () => {
    const key = (entries: [string, Tensor][]) => batchShape(request(entries)).key;
    const base = key([['x', edgeTensor('FP32', 1, [3])]]);
    expect(key([['x', edgeTensor('FP64', 1, [3])]])).not.toBe(base);
    expect(key([['x', edgeTensor('FP32', 1, [4])]])).not.toBe(base);
    expect(key([['x', edgeTensor('FP32', 1, [3, 1])]])).not.toBe(base);
    expect(key([['y', edgeTensor('FP32', 1, [3])]])).not.toBe(base);
    expect(key([['x', edgeTensor('FP32', 1, [3])], ['z', edgeTensor('FP32', 1, [3])]])).not.toBe(base);
  });

  it('cannot be fooled by names that look like the key format', () => {
    const one = batchShape(request([['a","FP32",3],["b', edgeTensor('FP32', 1, [3])]])).key;
    const two = batchShape(request([['a', edgeTensor('FP32', 1, [3])], ['b', edgeTensor('FP32', 1, [3])]])).key;
    expect(one).not.toBe(two);
  });

  it('names every input that cannot be batched', () => {
    const bad = request([
      ['x', edgeTensor('FP32', 2, [3])],
      ['y', edgeTensor('FP32', 3, [3])],
      ['s', { datatype: 'FP32', shape: [], data: Float32Array.of(1) }],
      ['z', { datatype: 'FP32', shape: [2, 3], data: new Float32Array(5) }],
    ]);
    expect(() => batchShape(bad)).toThrow(InvalidInputError);
    expect(() => batchShape(bad)).toThrow(
      /inputs\.y\.shape\[0\]: \(3\) must equal the rows of the other inputs \(2\).*inputs\.s\.shape: is a scalar.*inputs\.z\.data: has 5 elements, but shape \[2, 3\] holds 6/,
    );
    expect(() => batchShape(new Map())).toThrow(/inputs: are empty/);
  });
});

describe('rowsOf', () => {
  it('reads the first dimension of the first input, 1 for a scalar or no input', () => {
    expect(rowsOf(new Map([['x', edgeTensor('FP32', 4)]]))).toBe(4);
    expect(rowsOf(new Map([['s', { datatype: 'FP32' as const, shape: [], data: Float32Array.of(1) }]]))).toBe(1);
    expect(rowsOf(new Map())).toBe(1);
  });
});

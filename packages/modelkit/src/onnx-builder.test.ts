import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { InvalidInputError } from '@slipway/core';
import { buildOnnxModel, type GraphSpec } from './onnx-builder.js';

const { onnx } = onnxProto;
const { AttributeType } = onnx.AttributeProto;

/** Loads `bytes` in onnxruntime and runs it on float32 inputs; returns each output's data as numbers. */
async function run(bytes: Uint8Array, inputs: Record<string, { data: number[]; dims: number[] }>): Promise<Record<string, number[]>> {
  const session = await InferenceSession.create(bytes);
  try {
    const feeds = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, new OrtTensor('float32', Float32Array.from(t.data), t.dims)]));
    const results = await session.run(feeds);
    return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, Array.from(t.data as Float32Array, Number)]));
  } finally {
    await session.release();
  }
}

function expectClose(actual: number[] | undefined, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((v, i) => expect(actual?.[i]).toBeCloseTo(v, 5));
}

const logistic: GraphSpec = {
  name: 'logistic',
  inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', 2] }],
  outputs: [{ name: 'p', datatype: 'FP32', shape: ['batch', 1] }],
  initializers: [
    { name: 'w', datatype: 'FP32', dims: [2, 1], values: new Float32Array([2, -1]) },
    { name: 'b', datatype: 'FP32', dims: [1], values: [0.5] },
  ],
  nodes: [
    { op: 'MatMul', inputs: ['x', 'w'], outputs: ['z0'] },
    { op: 'Add', inputs: ['z0', 'b'], outputs: ['z'] },
    { op: 'Sigmoid', inputs: ['z'], outputs: ['p'] },
  ],
  metadata: { trained_by: 'test', dataset: 'none' },
};

function decode(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

function specError(spec: GraphSpec): InvalidInputError {
  try {
    buildOnnxModel(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected buildOnnxModel to throw');
}

describe('buildOnnxModel', () => {
  it('builds MatMul + Add + Sigmoid that onnxruntime computes as expected', async () => {
    const out = await run(buildOnnxModel(logistic), { x: { data: [1, 2, -1, 0.5, 0, 0], dims: [3, 2] } });
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    expectClose(out.p, [sigmoid(2 - 2 + 0.5), sigmoid(-2 - 0.5 + 0.5), sigmoid(0.5)]);
  });

  it('gives the same bytes for the same spec, whatever the key order of attributes and metadata', () => {
    const a = buildOnnxModel(logistic);
    expect(buildOnnxModel(logistic)).toEqual(a);
    expect(buildOnnxModel({ ...logistic, metadata: { dataset: 'none', trained_by: 'test' } })).toEqual(a);

    const node = (attributes: GraphSpec['nodes'][number]['attributes']): GraphSpec => ({
      name: 'g',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [3, 2] }],
      nodes: [{ op: 'Transpose', inputs: ['x'], outputs: ['y'], attributes }],
    });
    expect(buildOnnxModel(node({ perm: [1, 0], extra: 1 }))).toEqual(buildOnnxModel(node({ extra: 1, perm: [1, 0] })));
  });

  it('returns bytes that own their buffer', () => {
    const bytes = buildOnnxModel(logistic);
    expect(bytes.constructor).toBe(Uint8Array);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
  });

  it('writes the opset, a matching IR version, producer, doc string, metadata and symbolic dims', () => {
    const model = decode(buildOnnxModel({ ...logistic, opset: 13, producer: 'tests', docString: 'a doc' }));
    expect(model.opsetImport.map((o) => ({ domain: o.domain, version: Number(o.version) }))).toEqual([{ domain: '', version: 13 }]);
    expect(Number(model.irVersion)).toBe(7);
    expect(model.producerName).toBe('tests');
    expect(model.docString).toBe('a doc');
    expect(model.metadataProps.map((p) => [p.key, p.value])).toEqual([
      ['dataset', 'none'],
      ['trained_by', 'test'],
    ]);
    const dims = model.graph?.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 2]);
    expect(Number(decode(buildOnnxModel(logistic)).irVersion)).toBe(8);
  });

  it('infers attribute types: integers → INT(S), other numbers → FLOAT(S), strings → STRING(S), { float } forces FLOAT', () => {
    const model = decode(
      buildOnnxModel({
        name: 'attrs',
        inputs: [],
        outputs: [],
        nodes: [
          {
            op: 'Custom',
            domain: 'test.domain',
            inputs: [],
            outputs: [],
            attributes: { i: 3, f: 0.5, ints: [1, -2], floats: [1, 2.5], s: 'héllo', strings: ['a', 'b'], forced: { float: 1 }, forcedList: { float: [1, 2] }, empty: [] },
          },
        ],
        domainOpsets: { 'test.domain': 2 },
      }),
    );
    const attributes = model.graph?.node?.[0]?.attribute ?? [];
    const attr = (name: string) => attributes.find((a) => a.name === name);
    expect(attributes.map((a) => a.name)).toEqual(['empty', 'f', 'floats', 'forced', 'forcedList', 'i', 'ints', 's', 'strings']);
    expect(attr('i')?.type).toBe(AttributeType.INT);
    expect(Number(attr('i')?.i)).toBe(3);
    expect(attr('f')).toMatchObject({ type: AttributeType.FLOAT, f: 0.5 });
    expect(attr('ints')?.type).toBe(AttributeType.INTS);
    expect(attr('ints')?.ints?.map(Number)).toEqual([1, -2]);
    expect(attr('floats')).toMatchObject({ type: AttributeType.FLOATS, floats: [1, 2.5] });
    expect(attr('s')?.type).toBe(AttributeType.STRING);
    expect(new TextDecoder().decode(attr('s')?.s ?? undefined)).toBe('héllo');
    expect(attr('strings')?.strings?.map((s) => new TextDecoder().decode(s))).toEqual(['a', 'b']);
    expect(attr('forced')).toMatchObject({ type: AttributeType.FLOAT, f: 1 });
    expect(attr('forcedList')).toMatchObject({ type: AttributeType.FLOATS, floats: [1, 2] });
    expect(attr('empty')?.type).toBe(AttributeType.INTS);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', 17],
      ['test.domain', 2],
    ]);
  });

  it('writes INT, INTS, FLOAT and forced-FLOAT attributes that onnxruntime accepts', async () => {
    const bytes = buildOnnxModel({
      name: 'attrs_run',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [2, 3] },
        { name: 'b', datatype: 'FP32', shape: [2, 3] },
      ],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [2, 2] }],
      nodes: [
        { op: 'Gemm', inputs: ['a', 'b'], outputs: ['g'], attributes: { transB: 1, alpha: { float: 2 } } },
        { op: 'Transpose', inputs: ['g'], outputs: ['t'], attributes: { perm: [1, 0] } },
        { op: 'LeakyRelu', inputs: ['t'], outputs: ['y'], attributes: { alpha: 0.25 } },
      ],
    });
    // a · bᵀ = [[1, -1], [2, 0]]; doubled, transposed: [[2, 4], [-2, 0]]; leaky: [[2, 4], [-0.5, 0]].
    const out = await run(bytes, { a: { data: [1, 0, 0, 0, 1, 1], dims: [2, 3] }, b: { data: [1, 1, 1, -1, 0, 0], dims: [2, 3] } });
    expectClose(out.y, [2, 4, -0.5, 0]);
  });

  it('writes an ai.onnx.ml node with a STRING attribute, importing ai.onnx.ml 3 by default', async () => {
    const bytes = buildOnnxModel({
      name: 'normalize',
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', 2] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch', 2] }],
      nodes: [{ op: 'Normalizer', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['y'], attributes: { norm: 'L1' } }],
    });
    expect(decode(bytes).opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', 17],
      ['ai.onnx.ml', 3],
    ]);
    expectClose((await run(bytes, { x: { data: [1, 3, -2, 2], dims: [2, 2] } })).y, [0.25, 0.75, -0.5, 0.5]);
  });

  it('writes integer and boolean initializers as raw little-endian data', async () => {
    const bytes = buildOnnxModel({
      name: 'reshape',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [3, 2] }],
      initializers: [
        { name: 'shape', datatype: 'INT64', dims: [2], values: new BigInt64Array([3n, -1n]) },
        { name: 'keep', datatype: 'BOOL', dims: [3, 2], values: [1, 0, 1, 1, 0, 1] },
        { name: 'zero', datatype: 'FP32', dims: [], values: [0] },
      ],
      nodes: [
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
        { op: 'Where', inputs: ['keep', 'r', 'zero'], outputs: ['y'] },
      ],
    });
    expect(decode(bytes).graph?.initializer?.[0]?.rawData).toEqual(new Uint8Array([3, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]));
    expectClose((await run(bytes, { x: { data: [1, 2, 3, 4, 5, 6], dims: [2, 3] } })).y, [1, 0, 3, 4, 0, 6]);
  });

  it('reports every problem of a spec at once, each naming its field', () => {
    const error = specError({
      name: 'bad',
      opset: 0,
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, ''] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [1.5] }],
      initializers: [
        { name: 'a', datatype: 'FP32', dims: [2], values: [1, 2, 3] },
        { name: 'b', datatype: 'INT8', dims: [2], values: [1, 200] },
        { name: 'c', datatype: 'FP16', dims: [1], values: [1] },
        { name: 'd', datatype: 'INT32', dims: [1], values: [0.5] },
      ],
      nodes: [
        { op: 'Foo', domain: 'unknown.domain', inputs: [], outputs: [] },
        { op: 'Bar', inputs: [], outputs: [], attributes: { mixed: [1, 'a'] as unknown as number[] } },
      ],
    });
    expect(error.issues.map((i) => i.path)).toEqual([
      'opset',
      'nodes[0].domain',
      'nodes[1].attributes.mixed',
      'inputs[0].shape[0]',
      'inputs[0].shape[1]',
      'outputs[0].shape[0]',
      'initializers[0].values',
      'initializers[1].values[1]',
      'initializers[2].datatype',
      'initializers[3].values[0]',
    ]);
    expect(error.message).toMatch(/initializers\[0\]\.values: has 3 values but dims \[2\] need 2/);
    expect(error.message).toMatch(/initializers\[1\]\.values\[1\]: must be an integer in \[-128, 127\] for INT8, got 200/);
    expect(error.message).toMatch(/nodes\[0\]\.domain: uses domain "unknown\.domain"; add its opset to domainOpsets/);
  });
});

import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { InvalidInputError, InvalidPackageError, type Tensor } from '@slipway/core';
import { buildOnnxModel } from '@slipway/modelkit';
import { describeModelRuntimeContract } from './model-runtime.contract.js';
import { createOnnxRuntime } from './onnx-runtime.js';

const { onnx } = onnxProto;

describeModelRuntimeContract('onnx (cpu, defaults)', () => createOnnxRuntime());
describeModelRuntimeContract('onnx (1 thread, no graph optimization)', () =>
  createOnnxRuntime({ intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled' }),
);

const identity = buildOnnxModel({
  name: 'identity',
  inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', 2] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch', 2] }],
  nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
});

/** The identity model, edited at the protobuf level for types the builder does not write. */
function editedIdentity(edit: (graph: onnxProto.onnx.GraphProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(identity);
  edit(model.graph as onnxProto.onnx.GraphProto);
  return onnx.ModelProto.encode(model).finish();
}

async function loadError(bytes: Uint8Array): Promise<InvalidPackageError> {
  const error: unknown = await createOnnxRuntime()
    .load(bytes)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(InvalidPackageError);
  return error as InvalidPackageError;
}

describe('createOnnxRuntime', () => {
  it("is the 'onnx' runtime", () => {
    expect(createOnnxRuntime().kind).toBe('onnx');
  });

  it('refuses a bad thread count up front instead of blaming the first model', () => {
    expect(() => createOnnxRuntime({ intraOpNumThreads: -1 })).toThrow(InvalidInputError);
    expect(() => createOnnxRuntime({ interOpNumThreads: 1.5 })).toThrow(/interOpNumThreads: must be a non-negative integer/);
  });

  it('says what onnxruntime reported when bytes do not parse', async () => {
    const error = await loadError(new TextEncoder().encode('not a model'));
    expect(error.issues).toEqual([{ path: 'model', message: expect.stringContaining('onnxruntime reported: Failed to load model because protobuf parsing failed') as string }]);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('says an empty file is empty', async () => {
    expect((await loadError(new Uint8Array(0))).message).toMatch(/model: is empty \(0 bytes\)/);
  });

  it('names an output that is a sequence rather than a tensor', async () => {
    const bytes = editedIdentity((graph) => {
      graph.node[0]!.opType = 'SequenceConstruct';
      graph.output[0]!.type = onnx.TypeProto.create({ sequenceType: { elemType: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } } });
    });
    expect((await loadError(bytes)).message).toMatch(/output "y" is a sequence, map or optional value, not a tensor/);
  });

  it('names inputs and outputs whose element type Slipway cannot exchange', async () => {
    const bytes = editedIdentity((graph) => {
      graph.input.push(onnx.ValueInfoProto.create({ name: 'c', type: { tensorType: { elemType: onnx.TensorProto.DataType.COMPLEX64, shape: { dim: [{ dimValue: 2 }] } } } }));
      graph.output[0]!.type!.tensorType!.elemType = onnx.TensorProto.DataType.BFLOAT16;
    });
    const error = await loadError(bytes);
    expect(error.message).toMatch(/input "c" has element type complex64/);
    expect(error.message).toMatch(/output "y" has element type bfloat16/);
    expect(error.message).toMatch(/refused by onnxruntime: /);
  });

  it('reports an unnamed dynamic dim as -1 without a symbolic name', async () => {
    const bytes = editedIdentity((graph) => {
      graph.input[0]!.type!.tensorType!.shape!.dim![0] = onnx.TensorShapeProto.Dimension.create({});
    });
    const instance = await createOnnxRuntime().load(bytes);
    expect(instance.metadata().inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 2] }]);
    await instance.unload();
  });

  it('hands out a frozen signature, so callers cannot change what later runs see', async () => {
    const instance = await createOnnxRuntime().load(identity);
    const signature = instance.metadata();
    expect(Object.isFrozen(signature.inputs[0]?.shape)).toBe(true);
    expect(Object.isFrozen(signature.outputs)).toBe(true);
    await instance.unload();
  });

  it('treats an empty outputs list like no list: all outputs', async () => {
    const instance = await createOnnxRuntime().load(identity);
    const x: Tensor = { datatype: 'FP32', shape: [1, 2], data: Float32Array.of(1, 2) };
    expect([...(await instance.infer(new Map([['x', x]]), [])).keys()]).toEqual(['y']);
    await instance.unload();
  });

  it('refuses a string with a NUL, which onnxruntime would silently cut short', async () => {
    const instance = await createOnnxRuntime().load(
      buildOnnxModel({
        name: 'strings',
        inputs: [{ name: 's', datatype: 'BYTES', shape: [2] }],
        outputs: [{ name: 't', datatype: 'BYTES', shape: [2] }],
        nodes: [{ op: 'Identity', inputs: ['s'], outputs: ['t'] }],
      }),
    );
    const s: Tensor = { datatype: 'BYTES', shape: [2], data: ['fine', 'a\0b'] };
    const error: unknown = await instance.infer(new Map([['s', s]])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues[0]?.path).toBe('inputs.s.data[1]');
    await instance.unload();
  });

  it('passes the run error of onnxruntime through in the message', async () => {
    const instance = await createOnnxRuntime().load(identity);
    const x: Tensor = { datatype: 'FP32', shape: [3], data: Float32Array.of(1, 2, 3) };
    await expect(instance.infer(new Map([['x', x]]))).rejects.toThrow(/the model failed to run: .*Invalid rank for input: x/);
    await instance.unload();
  });
});

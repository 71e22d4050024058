/**
 * The contract every `ModelRuntime` passes: exact tensor round-trips for every datatype,
 * signature extraction, arithmetic, load failures, run failures and unloading. Models
 * are written by the modelkit ONNX builder, so the suite needs no binary fixtures.
 * Implementations call `describeModelRuntimeContract` from their own test file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DATATYPES,
  type Datatype,
  InvalidPackageError,
  type ModelInstance,
  type ModelRuntime,
  SlipwayError,
  type Tensor,
  type TensorValues,
} from '@slipway/core';
import { buildOnnxModel } from '@slipway/modelkit';

/** Six values per datatype, chosen at the edges: extremes, -0, NaN, subnormals, empty and non-ASCII strings. */
const SAMPLES: Readonly<Record<Datatype, TensorValues>> = {
  BOOL: Uint8Array.of(0, 1, 1, 0, 0, 1),
  UINT8: Uint8Array.of(0, 1, 127, 128, 254, 255),
  UINT16: Uint16Array.of(0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff),
  UINT32: Uint32Array.of(0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  UINT64: BigUint64Array.of(0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n),
  INT8: Int8Array.of(-128, -1, 0, 1, 126, 127),
  INT16: Int16Array.of(-0x8000, -1, 0, 1, 0x7ffe, 0x7fff),
  INT32: Int32Array.of(-0x80000000, -1, 0, 1, 0x7ffffffe, 0x7fffffff),
  INT64: BigInt64Array.of(-(2n ** 63n), -(2n ** 53n) - 1n, -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n),
  // Half-precision bits: 0, -0, 1, smallest subnormal, +Infinity, NaN.
  FP16: Uint16Array.of(0x0000, 0x8000, 0x3c00, 0x0001, 0x7c00, 0x7e00),
  FP32: Float32Array.of(0, -0, 1.5, -3.4028234663852886e38, 1.401298464324817e-45, NaN),
  FP64: Float64Array.of(0, -0, Math.PI, Number.MAX_VALUE, Number.MIN_VALUE, -Infinity),
  BYTES: ['', 'a', 'héllo', '日本語', '🙂 emoji', 'tab\there'],
};

function identityModel(datatype: Datatype): Uint8Array {
  return buildOnnxModel({
    name: `identity_${datatype.toLowerCase()}`,
    inputs: [{ name: 'x', datatype, shape: ['batch', 3] }],
    outputs: [{ name: 'y', datatype, shape: ['batch', 3] }],
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
  });
}

const W = [0.5, -1, 2, 0.25, -0.75, 1.5]; // [3, 2], row-major
const B = [0.1, -0.2];

/** y = sigmoid(x · W + B), with a dynamic batch dimension. */
function affineModel(): Uint8Array {
  return buildOnnxModel({
    name: 'affine_sigmoid',
    inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', 3] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch', 2] }],
    initializers: [
      { name: 'W', datatype: 'FP32', dims: [3, 2], values: W },
      { name: 'B', datatype: 'FP32', dims: [2], values: B },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'B'], outputs: ['logits'] },
      { op: 'Sigmoid', inputs: ['logits'], outputs: ['y'] },
    ],
  });
}

function expectedAffine(x: readonly number[]): number[] {
  const out: number[] = [];
  for (let row = 0; row < x.length / 3; row++) {
    for (let col = 0; col < 2; col++) {
      let z = B[col]!;
      for (let k = 0; k < 3; k++) z += x[row * 3 + k]! * W[k * 2 + col]!;
      out.push(1 / (1 + Math.exp(-z)));
    }
  }
  return out;
}

/** Three inputs of mixed dtypes and fixed/dynamic dims, three outputs. */
function multiModel(): Uint8Array {
  return buildOnnxModel({
    name: 'multi',
    inputs: [
      { name: 'features', datatype: 'FP32', shape: ['batch', 4] },
      { name: 'offset', datatype: 'FP32', shape: [4] },
      { name: 'ids', datatype: 'INT64', shape: ['batch'] },
    ],
    outputs: [
      { name: 'shifted', datatype: 'FP32', shape: ['batch', 4] },
      { name: 'above', datatype: 'BOOL', shape: ['batch', 4] },
      { name: 'ids_out', datatype: 'INT64', shape: ['batch'] },
    ],
    nodes: [
      { op: 'Add', inputs: ['features', 'offset'], outputs: ['shifted'] },
      { op: 'Greater', inputs: ['features', 'offset'], outputs: ['above'] },
      { op: 'Identity', inputs: ['ids'], outputs: ['ids_out'] },
    ],
  });
}

function multiInputs(rows: number): Map<string, Tensor> {
  const features = Float32Array.from({ length: rows * 4 }, (_, i) => i * 2 - 5);
  return new Map<string, Tensor>([
    ['features', { datatype: 'FP32', shape: [rows, 4], data: features }],
    ['offset', { datatype: 'FP32', shape: [4], data: Float32Array.of(1, 2, 3, 4) }],
    ['ids', { datatype: 'INT64', shape: [rows], data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i) * 10n) }],
  ]);
}

function tensor(result: Map<string, Tensor>, name: string): Tensor {
  const t = result.get(name);
  if (t === undefined) throw new Error(`output "${name}" missing; got ${[...result.keys()].join(', ')}`);
  return t;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** Deterministic noise, so a failing "random bytes" case can be reproduced. */
function noise(length: number): Uint8Array {
  let state = 0x2545f491;
  return Uint8Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state >>> 24;
  });
}

export function describeModelRuntimeContract(name: string, factory: () => ModelRuntime | Promise<ModelRuntime>): void {
  describe(`ModelRuntime contract: ${name}`, () => {
    let runtime: ModelRuntime;
    beforeAll(async () => {
      runtime = await factory();
    });

    async function withModel(bytes: Uint8Array, body: (instance: ModelInstance) => void | Promise<void>): Promise<void> {
      const instance = await runtime.load(bytes);
      try {
        await body(instance);
      } finally {
        await instance.unload();
      }
    }

    it('has a kind', () => {
      expect(runtime.kind).toMatch(/^[a-z][a-z0-9-]*$/);
    });

    describe('round-trips every datatype exactly through an Identity model', () => {
      it.each(DATATYPES)('%s', async (datatype) => {
        await withModel(identityModel(datatype), async (instance) => {
          const input: Tensor = { datatype, shape: [2, 3], data: SAMPLES[datatype] };
          const out = tensor(await instance.infer(new Map([['x', input]])), 'y');
          expect(out.datatype).toBe(datatype);
          expect(out.shape).toEqual([2, 3]);
          expect(out.data.constructor).toBe(input.data.constructor);
          // toEqual compares with Object.is: NaN matches NaN, -0 does not match 0.
          expect(out.data).toEqual(input.data);
        });
      });
    });

    it('extracts the signature: names, datatypes, fixed and dynamic dims', async () => {
      await withModel(multiModel(), (instance) => {
        expect(instance.metadata()).toEqual({
          inputs: [
            { name: 'features', datatype: 'FP32', shape: [-1, 4], symbolicDims: { 0: 'batch' } },
            { name: 'offset', datatype: 'FP32', shape: [4] },
            { name: 'ids', datatype: 'INT64', shape: [-1], symbolicDims: { 0: 'batch' } },
          ],
          outputs: [
            { name: 'shifted', datatype: 'FP32', shape: [-1, 4], symbolicDims: { 0: 'batch' } },
            { name: 'above', datatype: 'BOOL', shape: [-1, 4], symbolicDims: { 0: 'batch' } },
            { name: 'ids_out', datatype: 'INT64', shape: [-1], symbolicDims: { 0: 'batch' } },
          ],
        });
      });
    });

    it('computes MatMul + Add + Sigmoid for several batch sizes', async () => {
      await withModel(affineModel(), async (instance) => {
        for (const rows of [1, 4, 33]) {
          const x = Array.from({ length: rows * 3 }, (_, i) => ((i * 37) % 11) / 4 - 1.2);
          const out = tensor(await instance.infer(new Map([['x', { datatype: 'FP32', shape: [rows, 3], data: Float32Array.from(x) }]])), 'y');
          expect(out.shape).toEqual([rows, 2]);
          expect(out.data).toBeInstanceOf(Float32Array);
          const expected = expectedAffine(Array.from(Float32Array.from(x)));
          Array.from(out.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
        }
      });
    });

    it('runs a multi-input, multi-output model and computes only the requested outputs', async () => {
      await withModel(multiModel(), async (instance) => {
        const all = await instance.infer(multiInputs(2));
        expect([...all.keys()].sort()).toEqual(['above', 'ids_out', 'shifted']);
        expect(tensor(all, 'shifted')).toEqual({ datatype: 'FP32', shape: [2, 4], data: Float32Array.of(-4, -1, 2, 5, 4, 7, 10, 13) });
        expect(tensor(all, 'above')).toEqual({ datatype: 'BOOL', shape: [2, 4], data: Uint8Array.of(0, 0, 0, 0, 1, 1, 1, 1) });
        expect(tensor(all, 'ids_out')).toEqual({ datatype: 'INT64', shape: [2], data: BigInt64Array.of(0n, 10n) });

        const some = await instance.infer(multiInputs(2), ['ids_out']);
        expect([...some.keys()]).toEqual(['ids_out']);
      });
    });

    it('runs a batch of zero rows', async () => {
      await withModel(multiModel(), async (instance) => {
        const out = await instance.infer(multiInputs(0));
        expect(tensor(out, 'shifted')).toEqual({ datatype: 'FP32', shape: [0, 4], data: new Float32Array(0) });
      });
    });

    describe('refuses bytes that are not a loadable model with InvalidPackageError', () => {
      const valid = affineModel();
      it.each([
        ['empty bytes', new Uint8Array(0)],
        ['random bytes', noise(4096)],
        ['a truncated model', valid.subarray(0, Math.floor(valid.length * 0.6))],
        ['a text file', new TextEncoder().encode('name: churn\nmodel: model.onnx\n')],
      ])('%s', async (_, bytes) => {
        const error = await rejection(runtime.load(bytes));
        expect(error).toBeInstanceOf(InvalidPackageError);
        expect((error as InvalidPackageError).code).toBe('invalid_package');
        expect((error as InvalidPackageError).issues.length).toBeGreaterThan(0);
      });
    });

    it('maps a failing run to pipeline_error and keeps the instance usable', async () => {
      await withModel(affineModel(), async (instance) => {
        const wrongRank: Tensor = { datatype: 'FP32', shape: [3], data: Float32Array.of(1, 2, 3) };
        const error = await rejection(instance.infer(new Map([['x', wrongRank]])));
        expect(error).toBeInstanceOf(SlipwayError);
        expect((error as SlipwayError).code).toBe('pipeline_error');
        expect((error as SlipwayError).cause).toBeDefined();

        const out = tensor(await instance.infer(new Map([['x', { datatype: 'FP32', shape: [1, 3], data: Float32Array.of(1, 2, 3) }]])), 'y');
        expect(Array.from(out.data as Float32Array)[0]).toBeCloseTo(expectedAffine([1, 2, 3])[0]!, 6);
      });
    });

    it('fails infer after unload with unavailable, and unload twice is harmless', async () => {
      const instance = await runtime.load(affineModel());
      await instance.unload();
      await instance.unload();
      const error = await rejection(instance.infer(new Map([['x', { datatype: 'FP32', shape: [1, 3], data: Float32Array.of(1, 2, 3) }]])));
      expect(error).toBeInstanceOf(SlipwayError);
      expect((error as SlipwayError).code).toBe('unavailable');
    });

    it('lets runs already in flight finish when unload is called', async () => {
      const instance = await runtime.load(affineModel());
      const run = instance.infer(new Map([['x', { datatype: 'FP32', shape: [1, 3], data: Float32Array.of(1, 2, 3) }]]));
      const unloaded = instance.unload();
      const out = tensor(await run, 'y');
      await unloaded;
      expect(out.shape).toEqual([1, 2]);
    });

    it('loads and unloads the same model 200 times', async () => {
      const bytes = affineModel();
      for (let i = 0; i < 200; i++) {
        const instance = await runtime.load(bytes);
        await instance.unload();
      }
    });
  });
}

/**
 * Test models for hosts and the model cache, written with the model kit so their sizes are
 * real: a MatMul with an n×n FP32 weight is a 4n²-byte file that onnxruntime really holds.
 */
import { DATATYPES, type Tensor, type TensorValues, type VersionRecord } from '@slipway/core';
import { buildOnnxModel } from '@slipway/modelkit';

export const MiB = 2 ** 20;

/** `y = x · W` with `x: [batch, n]` and a deterministic n×n weight; the file is ≈ 4n² bytes. */
export function matmulModel(n: number): Uint8Array {
  const values = new Float32Array(n * n).map((_, i) => ((i % 13) - 6) / 64);
  return buildOnnxModel({
    name: `matmul_${n}`,
    inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', n] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch', n] }],
    initializers: [{ name: 'W', datatype: 'FP32', dims: [n, n], values }],
    nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }],
  });
}

/** The MatMul model whose file is closest to `bytes`. */
export const matmulModelOf = (bytes: number) => matmulModel(Math.round(Math.sqrt(bytes / 4)));

/** `layers` chained 512×512 MatMuls sharing one weight: a run of 64 rows takes tens of milliseconds. */
export function slowModel(layers = 48): Uint8Array {
  const n = 512;
  const values = new Float32Array(n * n).map((_, i) => ((i % 7) - 3) / (n * 4));
  return buildOnnxModel({
    name: 'slow',
    inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', n] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch', n] }],
    initializers: [{ name: 'W', datatype: 'FP32', dims: [n, n], values }],
    nodes: Array.from({ length: layers }, (_, i) => ({ op: 'MatMul', inputs: [i === 0 ? 'x' : `h${i}`, 'W'], outputs: [i === layers - 1 ? 'y' : `h${i + 1}`] })),
  });
}

/** Identity of every datatype: input `x_<datatype>` → output `y_<datatype>`, each `[batch, 3]`. */
export function everyDatatypeModel(): Uint8Array {
  return buildOnnxModel({
    name: 'every_datatype',
    inputs: DATATYPES.map((datatype) => ({ name: `x_${datatype}`, datatype, shape: ['batch', 3] })),
    outputs: DATATYPES.map((datatype) => ({ name: `y_${datatype}`, datatype, shape: ['batch', 3] })),
    nodes: DATATYPES.map((datatype) => ({ op: 'Identity', inputs: [`x_${datatype}`], outputs: [`y_${datatype}`] })),
  });
}

const SAMPLES: Record<(typeof DATATYPES)[number], () => TensorValues> = {
  BOOL: () => Uint8Array.of(0, 1, 1, 0, 0, 1),
  UINT8: () => Uint8Array.of(0, 1, 127, 128, 254, 255),
  UINT16: () => Uint16Array.of(0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff),
  UINT32: () => Uint32Array.of(0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  UINT64: () => BigUint64Array.of(0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n),
  INT8: () => Int8Array.of(-128, -1, 0, 1, 126, 127),
  INT16: () => Int16Array.of(-0x8000, -1, 0, 1, 0x7ffe, 0x7fff),
  INT32: () => Int32Array.of(-0x80000000, -1, 0, 1, 0x7ffffffe, 0x7fffffff),
  INT64: () => BigInt64Array.of(-(2n ** 63n), -1n, 0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n),
  FP16: () => Uint16Array.of(0x0000, 0x8000, 0x3c00, 0x0001, 0x7c00, 0x7e00),
  FP32: () => Float32Array.of(0, -0, 1.5, -3.4028234663852886e38, 1.401298464324817e-45, NaN),
  FP64: () => Float64Array.of(0, -0, Math.PI, Number.MAX_VALUE, Number.MIN_VALUE, -Infinity),
  BYTES: () => ['', 'a', 'héllo', '日本語', '🙂 emoji', 'tab\there'],
};

/** Fresh inputs for `everyDatatypeModel`, two rows each (fresh because a thread host may detach them). */
export function everyDatatypeInputs(): Map<string, Tensor> {
  return new Map(DATATYPES.map((datatype) => [`x_${datatype}`, { datatype, shape: [2, 3], data: SAMPLES[datatype]() }]));
}

/** `rows` rows of deterministic inputs for `matmulModel(n)` or `slowModel()` (n = 512). */
export function matmulInputs(n: number, rows = 1): Map<string, Tensor> {
  return new Map([['x', { datatype: 'FP32', shape: [rows, n], data: Float32Array.from({ length: rows * n }, (_, i) => ((i % 11) - 5) / 8) }]]);
}

/** A version record with only what the model cache reads. */
export const versionRecord = (pipeline: string, version: number) => ({ pipeline, version }) as VersionRecord;

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/**
 * Test tensors of every datatype filled with the values most likely to be mangled by a
 * copy: extremes, -0, NaN, subnormals, FP16 bit patterns and non-ASCII strings. Compared
 * with `bits`, so "equal" means byte for byte.
 */
import type { Datatype, Tensor, TensorValues } from '@slipway/core';

const EDGES: Readonly<Record<Datatype, (i: number) => unknown>> = {
  BOOL: (i) => i % 2,
  UINT8: (i) => [0, 1, 127, 128, 255][i % 5],
  UINT16: (i) => [0, 1, 0x7fff, 0x8000, 0xffff][i % 5],
  UINT32: (i) => [0, 1, 0x7fffffff, 0x80000000, 0xffffffff][i % 5],
  UINT64: (i) => [0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n][i % 5],
  INT8: (i) => [-128, -1, 0, 1, 127][i % 5],
  INT16: (i) => [-0x8000, -1, 0, 1, 0x7fff][i % 5],
  INT32: (i) => [-0x80000000, -1, 0, 1, 0x7fffffff][i % 5],
  INT64: (i) => [-(2n ** 63n), -(2n ** 53n) - 1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n][i % 5],
  // Half-precision bits: 0, -0, 1, the smallest subnormal, NaN.
  FP16: (i) => [0x0000, 0x8000, 0x3c00, 0x0001, 0x7e00][i % 5],
  FP32: (i) => [0, -0, 1.5, 1.401298464324817e-45, NaN, -Infinity, i][i % 7],
  FP64: (i) => [0, -0, Math.PI, Number.MIN_VALUE, NaN, Infinity, i][i % 7],
  BYTES: (i) => ['', 'a', 'héllo', '日本語', '🙂', `row ${i}`][i % 6],
};

const num = (values: unknown[]) => values as number[];
const big = (values: unknown[]) => values as bigint[];
const STORAGE: Readonly<Record<Datatype, (values: unknown[]) => TensorValues>> = {
  BOOL: (v) => Uint8Array.from(num(v)),
  UINT8: (v) => Uint8Array.from(num(v)),
  UINT16: (v) => Uint16Array.from(num(v)),
  UINT32: (v) => Uint32Array.from(num(v)),
  UINT64: (v) => BigUint64Array.from(big(v)),
  INT8: (v) => Int8Array.from(num(v)),
  INT16: (v) => Int16Array.from(num(v)),
  INT32: (v) => Int32Array.from(num(v)),
  INT64: (v) => BigInt64Array.from(big(v)),
  FP16: (v) => Uint16Array.from(num(v)),
  FP32: (v) => Float32Array.from(num(v)),
  FP64: (v) => Float64Array.from(num(v)),
  BYTES: (v) => v as string[],
};

/** A `[rows, ...trailing]` tensor whose elements start at `offset` in the datatype's edge values. */
export function edgeTensor(datatype: Datatype, rows: number, trailing: number[] = [3], offset = 0): Tensor {
  const shape = [rows, ...trailing];
  const n = shape.reduce((a, b) => a * b, 1);
  return { datatype, shape, data: STORAGE[datatype](Array.from({ length: n }, (_, i) => EDGES[datatype](offset + i))) };
}

/** The raw bytes of typed storage (so -0, NaN payloads and FP16 bits compare exactly); strings as they are. */
export function bits(data: TensorValues): Uint8Array | string[] {
  return Array.isArray(data) ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Datatype, shape and bytes of each tensor, to compare maps of tensors exactly with `toEqual`. */
export function exactly(tensors: ReadonlyMap<string, Tensor>): Record<string, { datatype: Datatype; shape: number[]; bits: Uint8Array | string[] }> {
  const out: Record<string, { datatype: Datatype; shape: number[]; bits: Uint8Array | string[] }> = {};
  for (const [name, t] of tensors) out[name] = { datatype: t.datatype, shape: t.shape, bits: bits(t.data) };
  return out;
}

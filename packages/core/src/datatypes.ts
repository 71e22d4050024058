/**
 * Open Inference Protocol tensor datatypes and their in-memory representation, shared
 * by the codec (JSON ↔ memory) and the runtimes (memory ↔ onnxruntime).
 */

export const Datatype = {
  BOOL: 'BOOL',
  UINT8: 'UINT8',
  UINT16: 'UINT16',
  UINT32: 'UINT32',
  UINT64: 'UINT64',
  INT8: 'INT8',
  INT16: 'INT16',
  INT32: 'INT32',
  INT64: 'INT64',
  FP16: 'FP16',
  FP32: 'FP32',
  FP64: 'FP64',
  BYTES: 'BYTES',
} as const;
export type Datatype = (typeof Datatype)[keyof typeof Datatype];

export const DATATYPES: readonly Datatype[] = Object.values(Datatype);

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value);
}

/**
 * How each datatype is held in memory. BOOL is one byte per element (0/1); FP16 holds
 * IEEE-754 half-precision bit patterns; BYTES holds strings.
 */
export interface TensorDataByType {
  BOOL: Uint8Array;
  UINT8: Uint8Array;
  UINT16: Uint16Array;
  UINT32: Uint32Array;
  UINT64: BigUint64Array;
  INT8: Int8Array;
  INT16: Int16Array;
  INT32: Int32Array;
  INT64: BigInt64Array;
  FP16: Uint16Array;
  FP32: Float32Array;
  FP64: Float64Array;
  BYTES: string[];
}

export type TensorValues = TensorDataByType[Datatype];

/** A tensor in memory: row-major `data` with `shape`. */
export interface Tensor {
  datatype: Datatype;
  shape: number[];
  data: TensorValues;
}

/** A dimension in a signature: a fixed size, or `-1` for a dynamic one. */
export type Dim = number;

export interface TensorSpec {
  name: string;
  datatype: Datatype;
  /** `-1` marks a dynamic dimension; `symbolic` keeps the model's name for it. */
  shape: Dim[];
  /** Names of dynamic dimensions as the model declares them (e.g. `batch`), by index. */
  symbolicDims?: Record<number, string>;
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Storage for `n` elements of a datatype: zeros, or empty strings for BYTES. */
export function allocateTensorData(datatype: Datatype, n: number): TensorValues {
  switch (datatype) {
    case 'BOOL':
    case 'UINT8':
      return new Uint8Array(n);
    case 'UINT16':
    case 'FP16':
      return new Uint16Array(n);
    case 'UINT32':
      return new Uint32Array(n);
    case 'UINT64':
      return new BigUint64Array(n);
    case 'INT8':
      return new Int8Array(n);
    case 'INT16':
      return new Int16Array(n);
    case 'INT32':
      return new Int32Array(n);
    case 'INT64':
      return new BigInt64Array(n);
    case 'FP32':
      return new Float32Array(n);
    case 'FP64':
      return new Float64Array(n);
    case 'BYTES':
      return new Array<string>(n).fill('');
  }
}

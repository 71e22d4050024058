/**
 * Converts tensors between Slipway's in-memory form and onnxruntime's. Both sides use the
 * same typed array per datatype (BOOL as 0/1 bytes, FP16 as half-precision bits, BYTES as
 * strings), so conversion wraps the data instead of copying it.
 */
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { type Datatype, InvalidInputError, type Tensor, type TensorValues } from '@slipway/core';

export const ORT_TYPE: Readonly<Record<Datatype, OrtTensor.Type>> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const DATATYPE: Readonly<Partial<Record<OrtTensor.Type, Datatype>>> = Object.fromEntries(
  Object.entries(ORT_TYPE).map(([datatype, type]) => [type, datatype]),
);

/** The Slipway datatype of an onnxruntime element type; undefined for types Slipway cannot carry (int4, uint4). */
export function datatypeOfOrt(type: OrtTensor.Type): Datatype | undefined {
  return DATATYPE[type];
}

/** Wraps an input for onnxruntime; `name` is only used to name a bad string. */
export function toOrtTensor(name: string, tensor: Tensor): OrtTensor {
  if (tensor.datatype === 'BYTES') {
    // onnxruntime-node silently cuts a string at its first NUL; refusing it beats a wrong answer.
    const index = (tensor.data as string[]).findIndex((s) => s.includes('\0'));
    if (index >= 0) {
      throw new InvalidInputError([
        { path: `inputs.${name}.data[${index}]`, message: 'contains a NUL character, which onnxruntime would cut the string at; remove it or encode the value (e.g. base64)' },
      ]);
    }
  }
  return new OrtTensor(ORT_TYPE[tensor.datatype], tensor.data, tensor.shape);
}

/** Converts an output of a loaded model; its element type was checked to be mappable at load. */
export function fromOrtTensor(tensor: OrtTensor): Tensor {
  const datatype = DATATYPE[tensor.type] as Datatype;
  let data: TensorValues = tensor.data;
  // Where the JS engine has a native Float16Array, onnxruntime hands one back; Slipway
  // keeps half-precision bits in a Uint16Array, which a view over the same bytes gives.
  if (datatype === 'FP16' && !(data instanceof Uint16Array)) {
    const half = data as unknown as ArrayBufferView;
    data = new Uint16Array(half.buffer, half.byteOffset, half.byteLength / 2);
  }
  // onnxruntime builds a fresh dims array for every output, so sharing it copies nothing anyone else holds.
  return { datatype, shape: tensor.dims as number[], data };
}

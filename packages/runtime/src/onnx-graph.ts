/**
 * Reads an ONNX model's graph inputs and outputs straight from its protobuf, for the one
 * thing onnxruntime does not tell: which of them declares an element type it refuses.
 * Only used after a load has failed, so it never costs a successful load anything.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX element types Slipway exchanges: FLOAT (1) to UINT64 (13), i.e. every Datatype. */
const FIRST_SUPPORTED = 1;
const LAST_SUPPORTED = 13;

/** Names of the element types past UINT64, for messages (onnx.proto `TensorProto.DataType`). */
const ELEMENT_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

/**
 * One message per graph input or output whose tensor element type Slipway cannot
 * exchange; empty when there are none or the bytes do not parse as a model.
 */
export function unsupportedValueTypes(model: Uint8Array): string[] {
  let graph: onnxProto.onnx.IGraphProto | null | undefined;
  try {
    graph = onnx.ModelProto.decode(model).graph;
  } catch {
    return [];
  }
  const messages: string[] = [];
  const check = (values: onnxProto.onnx.IValueInfoProto[] | null | undefined, kind: string) => {
    for (const value of values ?? []) {
      const elemType = value.type?.tensorType?.elemType;
      if (elemType === undefined || elemType === null || (elemType >= FIRST_SUPPORTED && elemType <= LAST_SUPPORTED)) continue;
      const typeName = ELEMENT_TYPE_NAMES[elemType] ?? String(elemType);
      messages.push(`${kind} "${value.name ?? ''}" has element type ${typeName}, which Slipway cannot exchange; cast it to a supported type in the model`);
    }
  };
  check(graph?.input, 'input');
  check(graph?.output, 'output');
  return messages;
}

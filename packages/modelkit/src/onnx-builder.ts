/**
 * Writes ONNX models from a plain description of their graph, so example models and test
 * fixtures are produced by TypeScript instead of checked-in binaries. Output is
 * deterministic: the same spec always gives the same bytes, so a model's digest only
 * changes when the model does.
 */
import onnxProto from 'onnx-proto';
import { type Datatype, type FieldIssue, InvalidInputError } from '@slipway/core';

const { onnx } = onnxProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

/** A graph input or output. A string dim is symbolic (dynamic), e.g. `'batch'`. */
export interface ValueInfo {
  name: string;
  datatype: Datatype;
  shape: (number | string)[];
}

/** Forces a FLOAT/FLOATS attribute for values that happen to be integers, e.g. `{ float: 1 }`. */
export interface FloatAttribute {
  float: number | number[];
}

/**
 * An attribute value. The type is inferred: a JS integer is written as INT and an array of
 * integers as INTS; any other number (or an array holding one) is FLOAT/FLOATS; strings
 * are STRING/STRINGS (UTF-8). An empty array is written as INTS. Wrap the value in
 * `{ float: ... }` when the operator expects floats that are whole numbers (Gemm
 * `alpha: { float: 1 }`).
 */
export type AttributeValue = number | number[] | string | string[] | FloatAttribute;

export interface NodeSpec {
  op: string;
  /** Value names; `''` skips an optional input. */
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
  /** Operator domain; default `''`, the standard operators (listed in `GraphSpec.opset`). */
  domain?: string;
  /** Default `<op>_<index in nodes>`. */
  name?: string;
}

/**
 * A constant tensor of the graph (weights). `values` are row-major and converted to
 * `datatype`; their count must equal the product of `dims`. BYTES and FP16 are not
 * supported: store FP32 and add a `Cast` node.
 */
export interface InitializerSpec {
  name: string;
  datatype: Datatype;
  dims: number[];
  values: Float32Array | Float64Array | Int32Array | BigInt64Array | number[];
}

export interface GraphSpec {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: NodeSpec[];
  initializers?: InitializerSpec[];
  /** Opset of the standard `ai.onnx` domain. Default 17. */
  opset?: number;
  /**
   * Opsets of the other domains the nodes use, e.g. `{ 'ai.onnx.ml': 3 }`. Default: 3 for
   * `ai.onnx.ml` (the version released with opset 17); any other domain must be listed.
   */
  domainOpsets?: Record<string, number>;
  /** Model `producer_name`. Default `slipway-modelkit`. */
  producer?: string;
  docString?: string;
  /** Model `metadata_props`, written sorted by key. */
  metadata?: Record<string, string>;
}

const DEFAULT_OPSET = 17;
const DEFAULT_DOMAIN_OPSETS: Readonly<Record<string, number>> = { 'ai.onnx.ml': 3 };
const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

const ELEM_TYPE: Record<Datatype, onnxProto.onnx.TensorProto.DataType> = {
  BOOL: DataType.BOOL,
  UINT8: DataType.UINT8,
  UINT16: DataType.UINT16,
  UINT32: DataType.UINT32,
  UINT64: DataType.UINT64,
  INT8: DataType.INT8,
  INT16: DataType.INT16,
  INT32: DataType.INT32,
  INT64: DataType.INT64,
  FP16: DataType.FLOAT16,
  FP32: DataType.FLOAT,
  FP64: DataType.DOUBLE,
  BYTES: DataType.STRING,
};

/** How one element of an initializer is checked and written as little-endian raw data. */
interface ElementWriter {
  size: number;
  expects: string;
  accepts(v: number | bigint): boolean;
  write(view: DataView, offset: number, v: number | bigint): void;
}

function integerWriter(size: number, min: bigint, max: bigint, write: (view: DataView, offset: number, v: bigint) => void): ElementWriter {
  return {
    size,
    expects: `an integer in [${min}, ${max}]`,
    accepts: (v) => (typeof v === 'bigint' || Number.isSafeInteger(v)) && BigInt(v) >= min && BigInt(v) <= max,
    write: (view, offset, v) => write(view, offset, BigInt(v)),
  };
}

function floatWriter(size: number, write: (view: DataView, offset: number, v: number) => void): ElementWriter {
  return { size, expects: 'a number', accepts: (v) => typeof v === 'number', write: (view, offset, v) => write(view, offset, Number(v)) };
}

const WRITERS: Partial<Record<Datatype, ElementWriter>> = {
  BOOL: { size: 1, expects: '0 or 1', accepts: (v) => v === 0 || v === 1, write: (view, o, v) => view.setUint8(o, Number(v)) },
  UINT8: integerWriter(1, 0n, 0xffn, (view, o, v) => view.setUint8(o, Number(v))),
  UINT16: integerWriter(2, 0n, 0xffffn, (view, o, v) => view.setUint16(o, Number(v), true)),
  UINT32: integerWriter(4, 0n, 0xffffffffn, (view, o, v) => view.setUint32(o, Number(v), true)),
  UINT64: integerWriter(8, 0n, 2n ** 64n - 1n, (view, o, v) => view.setBigUint64(o, v, true)),
  INT8: integerWriter(1, -0x80n, 0x7fn, (view, o, v) => view.setInt8(o, Number(v))),
  INT16: integerWriter(2, -0x8000n, 0x7fffn, (view, o, v) => view.setInt16(o, Number(v), true)),
  INT32: integerWriter(4, -0x80000000n, 0x7fffffffn, (view, o, v) => view.setInt32(o, Number(v), true)),
  INT64: integerWriter(8, -(2n ** 63n), 2n ** 63n - 1n, (view, o, v) => view.setBigInt64(o, v, true)),
  FP32: floatWriter(4, (view, o, v) => view.setFloat32(o, v, true)),
  FP64: floatWriter(8, (view, o, v) => view.setFloat64(o, v, true)),
};

/** Lowest IR version that may carry an `ai.onnx` opset (onnx/helper.py VERSION_TABLE). */
function irVersionFor(opset: number): number {
  if (opset <= 8) return 3;
  if (opset <= 11) return opset - 5;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

function isDim(d: number | string): boolean {
  return typeof d === 'string' ? d.length > 0 : Number.isSafeInteger(d) && d >= 0;
}

function valueInfo(v: ValueInfo, path: string, issues: FieldIssue[]): onnxProto.onnx.IValueInfoProto {
  v.shape.forEach((d, i) => {
    if (!isDim(d)) issues.push({ path: `${path}.shape[${i}]`, message: 'must be a non-negative integer or a non-empty symbolic name' });
  });
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE[v.datatype],
        shape: { dim: v.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue, path: string, issues: FieldIssue[]): AttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: AttributeType.INT, i: value } : { name, type: AttributeType.FLOAT, f: value };
  }
  if (!Array.isArray(value)) {
    return typeof value.float === 'number'
      ? { name, type: AttributeType.FLOAT, f: value.float }
      : { name, type: AttributeType.FLOATS, floats: value.float };
  }
  if (value.length > 0 && value.every((v) => typeof v === 'string')) {
    return { name, type: AttributeType.STRINGS, strings: value.map((v) => new TextEncoder().encode(v)) };
  }
  if (!value.every((v) => typeof v === 'number')) {
    issues.push({ path, message: 'must not mix numbers and strings' });
    return { name };
  }
  return value.every((v) => Number.isInteger(v))
    ? { name, type: AttributeType.INTS, ints: value }
    : { name, type: AttributeType.FLOATS, floats: value };
}

function initializer(spec: InitializerSpec, path: string, issues: FieldIssue[]): onnxProto.onnx.ITensorProto {
  const tensor = { name: spec.name, dataType: ELEM_TYPE[spec.datatype], dims: spec.dims };
  const writer = WRITERS[spec.datatype];
  if (writer === undefined) {
    issues.push({ path: `${path}.datatype`, message: `${spec.datatype} initializers are not supported; store FP32 and add a Cast node` });
    return tensor;
  }
  if (!spec.dims.every(isDim)) {
    issues.push({ path: `${path}.dims`, message: 'must be non-negative integers' });
    return tensor;
  }
  const count = spec.dims.reduce((n, d) => n * d, 1);
  if (spec.values.length !== count) {
    issues.push({ path: `${path}.values`, message: `has ${spec.values.length} values but dims [${spec.dims.join(', ')}] need ${count}` });
    return tensor;
  }
  const raw = new Uint8Array(count * writer.size);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < count; i++) {
    const v = spec.values[i] as number | bigint;
    if (!writer.accepts(v)) {
      issues.push({ path: `${path}.values[${i}]`, message: `must be ${writer.expects} for ${spec.datatype}, got ${String(v)}` });
      return tensor;
    }
    writer.write(view, i * writer.size, v);
  }
  return { ...tensor, rawData: raw };
}

function byKey<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Encodes `spec` as an ONNX model (protobuf bytes). Attributes and metadata are written
 * sorted by name, so key order in the spec does not change the bytes. Throws
 * `InvalidInputError` listing every problem with the spec; graph-level mistakes (an
 * unknown op, a dangling input) are left to the runtime that loads the model.
 */
export function buildOnnxModel(spec: GraphSpec): Uint8Array {
  const issues: FieldIssue[] = [];
  const opset = spec.opset ?? DEFAULT_OPSET;
  if (!Number.isSafeInteger(opset) || opset < 1) issues.push({ path: 'opset', message: 'must be a positive integer' });

  const domainOpsets = { ...DEFAULT_DOMAIN_OPSETS, ...spec.domainOpsets };
  const domains = new Set<string>();
  const nodes = spec.nodes.map((node, index): onnxProto.onnx.INodeProto => {
    const domain = node.domain ?? '';
    if (domain !== '') {
      domains.add(domain);
      if (domainOpsets[domain] === undefined) {
        issues.push({ path: `nodes[${index}].domain`, message: `uses domain "${domain}"; add its opset to domainOpsets` });
      }
    }
    return {
      name: node.name ?? `${node.op}_${index}`,
      opType: node.op,
      domain,
      input: node.inputs,
      output: node.outputs,
      attribute: byKey(node.attributes ?? {}).map(([name, value]) =>
        attribute(name, value, `nodes[${index}].attributes.${name}`, issues),
      ),
    };
  });

  const model: onnxProto.onnx.IModelProto = {
    irVersion: irVersionFor(opset),
    producerName: spec.producer ?? 'slipway-modelkit',
    opsetImport: [
      { domain: '', version: opset },
      ...[...domains].sort().map((domain) => ({ domain, version: domainOpsets[domain] ?? 0 })),
    ],
    graph: {
      name: spec.name,
      input: spec.inputs.map((v, i) => valueInfo(v, `inputs[${i}]`, issues)),
      output: spec.outputs.map((v, i) => valueInfo(v, `outputs[${i}]`, issues)),
      node: nodes,
      initializer: (spec.initializers ?? []).map((t, i) => initializer(t, `initializers[${i}]`, issues)),
    },
    metadataProps: byKey(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  if (spec.docString !== undefined) model.docString = spec.docString;
  if (issues.length > 0) throw new InvalidInputError(issues);

  // protobufjs hands back a Buffer that may share Node's pool; copy into bytes of our own.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}

/**
 * Converts Open Inference Protocol JSON tensors to in-memory tensors and back, checking
 * every element against its datatype. Errors name the exact field (`inputs[0].data[7]`)
 * so a caller can fix the request without reading our code.
 */
import { Float16Array } from '@petamoriken/float16';
import { type Datatype, type Tensor, type TensorSpec, type TensorValues, allocateTensorData, elementCount, isDatatype, DATATYPES } from './datatypes.js';
import { type FieldIssue, InvalidInputError } from './errors.js';

/** A tensor as it travels in OIP JSON: `data` row-major, flat or nested. */
export interface JsonTensor {
  name: string;
  shape: number[];
  datatype: Datatype;
  data: unknown[];
  parameters?: Record<string, unknown>;
}

const INT_RANGES: Partial<Record<Datatype, readonly [number, number]>> = {
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
  UINT32: [0, 0xffffffff],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  INT32: [-0x80000000, 0x7fffffff],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function flatten(data: unknown[]): unknown[] {
  if (data.length === 0 || !Array.isArray(data[0])) return data;
  return data.flat(Infinity);
}


/** Fills typed storage from JSON values; returns the index of the first bad element, or -1. */
function fill(datatype: Datatype, values: unknown[], out: TensorValues): number {
  const n = values.length;
  if (datatype === 'BYTES') {
    const s = out as string[];
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'string') return i;
      s[i] = v;
    }
    return -1;
  }
  if (datatype === 'BOOL') {
    const b = out as Uint8Array;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'boolean') return i;
      b[i] = v ? 1 : 0;
    }
    return -1;
  }
  if (datatype === 'FP32' || datatype === 'FP64') {
    const f = out as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number') return i;
      f[i] = v;
    }
    return -1;
  }
  if (datatype === 'FP16') {
    const half = new Float16Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number') return i;
      half[i] = v;
    }
    (out as Uint16Array).set(new Uint16Array(half.buffer));
    return -1;
  }
  const [lo, hi] = INT_RANGES[datatype] ?? [0, 0];
  const big = datatype === 'INT64' || datatype === 'UINT64';
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) return i;
    if (big) (out as BigInt64Array)[i] = BigInt(v);
    else (out as Int32Array)[i] = v;
  }
  return -1;
}

function expectation(datatype: Datatype): string {
  switch (datatype) {
    case 'BYTES':
      return 'a string';
    case 'BOOL':
      return 'true or false';
    case 'FP16':
    case 'FP32':
    case 'FP64':
      return 'a number';
    default: {
      const [lo, hi] = INT_RANGES[datatype] ?? [0, 0];
      return `an integer in [${lo}, ${hi}]`;
    }
  }
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((d) => Number.isInteger(d) && (d as number) >= 0);
}

/**
 * Decodes one OIP request tensor found at `path` (e.g. `inputs[0]`). Checks the shape
 * against the element count and every element against the datatype.
 */
export function decodeTensor(value: unknown, path: string): { name: string; tensor: Tensor } {
  const issues: FieldIssue[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError([{ path, message: 'must be a tensor object {name, shape, datatype, data}' }]);
  }
  const t = value as Record<string, unknown>;
  if (typeof t.name !== 'string' || t.name === '') issues.push({ path: `${path}.name`, message: 'must be a non-empty string' });
  if (!isShape(t.shape)) issues.push({ path: `${path}.shape`, message: 'must be an array of non-negative integers' });
  if (!isDatatype(t.datatype)) {
    issues.push({ path: `${path}.datatype`, message: `must be one of ${DATATYPES.join(', ')}` });
  }
  if (!Array.isArray(t.data)) issues.push({ path: `${path}.data`, message: 'must be an array (flat or nested, row-major)' });
  if (issues.length > 0) throw new InvalidInputError(issues);
  const name = t.name as string;
  const shape = t.shape as number[];
  const datatype = t.datatype as Datatype;
  const flat = flatten(t.data as unknown[]);
  const expected = elementCount(shape);
  if (flat.length !== expected) {
    throw new InvalidInputError([
      {
        path: `${path}.data`,
        message: `has ${flat.length} elements but shape [${shape.join(', ')}] needs ${expected}`,
      },
    ]);
  }
  const data = allocateTensorData(datatype, expected);
  const bad = fill(datatype, flat, data);
  if (bad >= 0) {
    throw new InvalidInputError([
      {
        path: `${path}.data[${bad}]`,
        message: `must be ${expectation(datatype)} for datatype ${datatype}, got ${JSON.stringify(flat[bad]) ?? 'undefined'}`,
      },
    ]);
  }
  return { name, tensor: { datatype, shape, data } };
}

/** Converts an in-memory tensor back to JSON-ready OIP form. */
export function encodeTensor(name: string, tensor: Tensor): JsonTensor {
  return { name, datatype: tensor.datatype, shape: tensor.shape, data: toJsonData(tensor) };
}

function toJsonData(tensor: Tensor): unknown[] {
  const d = tensor.data;
  switch (tensor.datatype) {
    case 'BYTES':
      return d as string[];
    case 'BOOL':
      return Array.from(d as Uint8Array, (v) => v !== 0);
    case 'FP16':
      return Array.from(new Float16Array((d as Uint16Array).slice().buffer));
    case 'INT64':
    case 'UINT64':
      return Array.from(d as BigInt64Array, (v) => Number(v));
    default:
      return Array.from(d as Float32Array);
  }
}

/**
 * Checks decoded inputs against a model signature: every input present, no unknown
 * ones, datatype equal, rank equal and fixed dimensions equal. Reports all problems.
 */
export function checkInputs(
  inputs: ReadonlyMap<string, { tensor: Tensor; path: string }>,
  specs: readonly TensorSpec[],
): void {
  const issues: FieldIssue[] = [];
  const known = new Set(specs.map((s) => s.name));
  for (const [name, { path }] of inputs) {
    if (!known.has(name)) {
      issues.push({ path: `${path}.name`, message: `unknown input "${name}"; the model's inputs are ${[...known].join(', ')}` });
    }
  }
  for (const spec of specs) {
    const got = inputs.get(spec.name);
    if (got === undefined) {
      issues.push({ path: 'inputs', message: `missing input "${spec.name}" (${spec.datatype} [${spec.shape.join(', ')}])` });
      continue;
    }
    const { tensor, path } = got;
    if (tensor.datatype !== spec.datatype) {
      issues.push({ path: `${path}.datatype`, message: `is ${tensor.datatype} but input "${spec.name}" needs ${spec.datatype}` });
    }
    const rankOk = tensor.shape.length === spec.shape.length;
    const dimsOk = rankOk && spec.shape.every((d, i) => d < 0 || d === tensor.shape[i]);
    if (!dimsOk) {
      issues.push({
        path: `${path}.shape`,
        message: `is [${tensor.shape.join(', ')}] but input "${spec.name}" needs [${spec.shape.map((d) => (d < 0 ? '-1' : String(d))).join(', ')}] (-1 = any size)`,
      });
    }
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
}

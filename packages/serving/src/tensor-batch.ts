/**
 * Moves rows between requests and batches: concatenates requests' inputs along the first
 * dimension, splits a batch's outputs back into each request's rows, and cuts a request
 * larger than a batch into chunks. Row-major storage makes all of it plain copies of
 * contiguous ranges, so results are bit-identical to running each request alone (as far
 * as the model itself computes rows independently).
 *
 * Splitting and chunking return views (`subarray`) over the batch's storage rather than
 * copies; BYTES are string arrays, whose ranges are sliced (strings are immutable).
 */
import {
  type Datatype,
  ErrorCode,
  type FieldIssue,
  InvalidInputError,
  SlipwayError,
  type Tensor,
  type TensorDataByType,
  type TensorValues,
  elementCount,
} from '@slipway/core';

type TypedDatatype = Exclude<Datatype, 'BYTES'>;

const TYPED_ARRAY: { readonly [D in TypedDatatype]: new (length: number) => TensorDataByType[D] } = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
};

/**
 * Rows of a request: the first dimension of its first input; 1 when that input is a scalar
 * or there is none. Unchecked, for reporting `batchRows` of a request that runs alone.
 */
export function rowsOf(inputs: ReadonlyMap<string, Tensor>): number {
  for (const tensor of inputs.values()) return tensor.shape[0] ?? 1;
  return 1;
}

/** What batching needs to know of a request. */
export interface BatchShape {
  /** The first dimension, shared by all its inputs. */
  rows: number;
  /**
   * The compatibility key: requests may share a batch exactly when their keys are equal,
   * that is when they have the same input names and, for each input, the same datatype and
   * the same dimensions after the first. Input order does not matter.
   */
  key: string;
}

/**
 * Checks that a request can be batched along its first dimension and describes it. Throws
 * `InvalidInputError` naming the input when one is a scalar, disagrees with the others on
 * the number of rows, or holds a different number of elements than its shape says.
 */
export function batchShape(inputs: ReadonlyMap<string, Tensor>): BatchShape {
  const issues: FieldIssue[] = [];
  const parts: (string | number)[][] = [];
  let rows: number | undefined;
  for (const [name, tensor] of inputs) {
    const [first, ...trailing] = tensor.shape;
    if (first === undefined) {
      issues.push({ path: `inputs.${name}.shape`, message: 'is a scalar ([]); a batched model takes inputs with a first (batch) dimension' });
      continue;
    }
    if (tensor.data.length !== elementCount(tensor.shape)) {
      issues.push({ path: `inputs.${name}.data`, message: `has ${tensor.data.length} elements, but shape [${tensor.shape.join(', ')}] holds ${elementCount(tensor.shape)}` });
    }
    rows ??= first;
    if (first !== rows) {
      issues.push({ path: `inputs.${name}.shape[0]`, message: `(${first}) must equal the rows of the other inputs (${rows}): requests are batched along the first dimension` });
    }
    parts.push([name, tensor.datatype, ...trailing]);
  }
  if (rows === undefined && issues.length === 0) issues.push({ path: 'inputs', message: 'are empty; a batched model needs at least one input to batch along' });
  if (issues.length > 0) throw new InvalidInputError(issues);
  // Sorted so that clients listing inputs in another order still share batches; JSON so
  // that no input name can make two different requests collide.
  parts.sort((a, b) => (a[0] === b[0] ? 0 : (a[0] as string) < (b[0] as string) ? -1 : 1));
  return { rows: rows as number, key: JSON.stringify(parts) };
}

/** Elements in one row of a tensor: the product of its dimensions after the first. */
function rowSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 1; i < shape.length; i++) n *= shape[i] as number;
  return n;
}

/** `data[begin, end)` without copying typed storage. */
function range(data: TensorValues, begin: number, end: number): TensorValues {
  return Array.isArray(data) ? data.slice(begin, end) : data.subarray(begin, end);
}

/**
 * Concatenates tensor maps along the first dimension, in order: requests' inputs into one
 * batch, or chunks' outputs back into one request's. Every part must have the same names,
 * datatypes and trailing dimensions (equal `batchShape` keys). One part's tensors are
 * reused, not copied.
 */
export function concatRows(parts: readonly ReadonlyMap<string, Tensor>[]): Map<string, Tensor> {
  const [first] = parts;
  if (first === undefined) throw new RangeError('concatRows needs at least one part');
  if (parts.length === 1) return new Map(first);
  const joined = new Map<string, Tensor>();
  for (const [name, head] of first) {
    const tensors = parts.map((part) => part.get(name) as Tensor);
    let rows = 0;
    let length = 0;
    for (const t of tensors) {
      rows += t.shape[0] as number;
      length += t.data.length;
    }
    let data: TensorValues;
    if (head.datatype === 'BYTES') {
      const strings: string[] = [];
      for (const t of tensors) for (const s of t.data as string[]) strings.push(s);
      data = strings;
    } else {
      const out = new TYPED_ARRAY[head.datatype](length);
      let offset = 0;
      for (const t of tensors) {
        // Every typed array shares %TypedArray%.prototype.set, a memcpy between arrays of
        // the same element type; the casts only spare TypeScript a twelve-way union.
        (out as Uint8Array).set(t.data as Uint8Array, offset);
        offset += t.data.length;
      }
      data = out;
    }
    joined.set(name, { datatype: head.datatype, shape: [rows, ...head.shape.slice(1)], data });
  }
  return joined;
}

/**
 * Splits a batch's outputs into consecutive parts of `rows[i]` rows each, as views. Throws
 * `pipeline_error` when an output does not have one row per input row: such a model mixes
 * rows, so its batched results would be wrong for everyone.
 */
export function splitRows(batch: ReadonlyMap<string, Tensor>, rows: readonly number[]): Map<string, Tensor>[] {
  let total = 0;
  for (const r of rows) total += r;
  const parts = rows.map(() => new Map<string, Tensor>());
  for (const [name, tensor] of batch) {
    if (tensor.shape[0] !== total) {
      throw new SlipwayError(
        ErrorCode.pipelineError,
        `output "${name}" has shape [${tensor.shape.join(', ')}] for a batch of ${total} rows: the model does not return one row per input row, so it cannot be batched; remove the batching section of its manifest`,
      );
    }
    const size = rowSize(tensor.shape);
    const trailing = tensor.shape.slice(1);
    let offset = 0;
    rows.forEach((r, i) => {
      (parts[i] as Map<string, Tensor>).set(name, { datatype: tensor.datatype, shape: [r, ...trailing], data: range(tensor.data, offset * size, (offset + r) * size) });
      offset += r;
    });
  }
  return parts;
}

/**
 * Cuts a request of `rows` rows (all inputs sharing that first dimension) into chunks of
 * at most `maxRows` rows, as views. A request that fits is returned as its only chunk.
 */
export function chunkRows(inputs: ReadonlyMap<string, Tensor>, rows: number, maxRows: number): ReadonlyMap<string, Tensor>[] {
  if (rows <= maxRows) return [inputs];
  const sizes: number[] = [];
  for (let left = rows; left > 0; left -= maxRows) sizes.push(Math.min(left, maxRows));
  return splitRows(inputs, sizes);
}

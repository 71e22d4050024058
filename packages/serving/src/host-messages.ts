/**
 * The messages between a thread host and its worker. Tensor and model buffers are
 * transferred rather than copied wherever that is safe: a run's inputs and outputs cross
 * the thread boundary for the price of a message, whatever their size.
 */
import { ErrorCode, isSlipwayError, SlipwayError, type Tensor } from '@slipway/core';
import type { OnnxRuntimeOptions } from '@slipway/runtime';
import type { LoadReport, VersionKey } from './types.js';

export type HostRequest =
  /** Answered as soon as the worker handles messages, i.e. once its modules (onnxruntime) are loaded. */
  | { id: number; op: 'ready' }
  | { id: number; op: 'load'; key: VersionKey; model: Uint8Array }
  | { id: number; op: 'infer'; key: VersionKey; inputs: [string, Tensor][]; outputs: readonly string[] | undefined }
  | { id: number; op: 'unload'; key: VersionKey }
  | { id: number; op: 'close' }
  /** Ends the thread between two runs; not answered. */
  | { id: number; op: 'exit' };

/** What a request's `op` answers with. */
export interface HostReplyValue {
  ready: undefined;
  load: LoadReport;
  infer: [string, Tensor][];
  unload: undefined;
  close: undefined;
}

export type HostReply = { id: number; ok: true; value: HostReplyValue[keyof HostReplyValue] } | { id: number; ok: false; error: WireError };

/** A `SlipwayError` as it crosses threads: class identity does not survive cloning, its fields do. */
export interface WireError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown> | undefined;
}

/** The worker's configuration, passed as `workerData`. */
export interface HostWorkerData {
  id: string;
  runtimeOptions: OnnxRuntimeOptions | undefined;
}

export function toWireError(error: unknown): WireError {
  if (isSlipwayError(error)) return { code: error.code, message: error.message, details: error.details };
  return { code: ErrorCode.internal, message: error instanceof Error ? error.message : String(error), details: undefined };
}

export function fromWireError(error: WireError): SlipwayError {
  return new SlipwayError(error.code, error.message, error.details === undefined ? {} : { details: error.details });
}

/**
 * `data` as it can be posted: a view of its whole, non-shared buffer is transferred (added
 * to `transfer`) as is; anything else is copied into a fresh buffer first, because
 * transferring a slice of a pooled Node `Buffer` or a `subarray` would detach memory the
 * caller still uses for other things. Empty views are copied too: that is free, and it
 * makes a view whose buffer was already transferred fail here, rather than be posted as a
 * message that never arrives.
 */
export function ownedView<T extends ArrayBufferView & { slice(): T }>(data: T, transfer: Set<ArrayBuffer>, what: string): T {
  const buffer = data.buffer;
  if (!(buffer instanceof ArrayBuffer)) return data; // shared memory is posted by reference
  if (data.byteLength > 0 && data.byteOffset === 0 && data.byteLength === buffer.byteLength && !transfer.has(buffer)) {
    transfer.add(buffer);
    return data;
  }
  let copy: T;
  try {
    copy = data.slice();
  } catch (error) {
    throw new SlipwayError(
      ErrorCode.internal,
      `${what} was already handed to a worker thread (its buffer is detached); tensors can be sent to a thread host once, so decode the request again to retry it`,
      { cause: error },
    );
  }
  transfer.add(copy.buffer as ArrayBuffer);
  return copy;
}

/** Tensors ready to post, and the buffers to transfer with them. BYTES tensors are string arrays and are cloned. */
export function transferable(tensors: Iterable<[string, Tensor]>): { tensors: [string, Tensor][]; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const out: [string, Tensor][] = [];
  for (const [name, tensor] of tensors) {
    const data = Array.isArray(tensor.data) ? tensor.data : ownedView(tensor.data, transfer, `tensor "${name}"`);
    out.push([name, { datatype: tensor.datatype, shape: tensor.shape, data }]);
  }
  return { tensors: out, transfer: [...transfer] };
}

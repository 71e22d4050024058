/**
 * What the baselines (bare-server.ts, cold-load.ts) share: onnxruntime with the session
 * options Slipway uses (CPU, all graph optimisations, default threads), and the Open
 * Inference Protocol tensors in and out of it, written as a data scientist would by hand.
 */
import type { Datatype, JsonTensor } from '@slipway/core';
import { type InferenceSession, Tensor } from 'onnxruntime-node';

export const SESSION_OPTIONS: InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };

const DATATYPES: Partial<Record<Tensor.Type, Datatype>> = {
  float32: 'FP32',
  float64: 'FP64',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  bool: 'BOOL',
};

/** A request's fault (answered 400), as opposed to the server's (500). */
export class BadRequest extends Error {}

function toOrt(input: JsonTensor): Tensor {
  if (input.datatype !== 'FP32') throw new BadRequest(`input "${input.name}": only FP32 is supported here, got ${input.datatype}`);
  return new Tensor('float32', Float32Array.from(input.data as number[]), input.shape);
}

function toJson(name: string, tensor: Tensor): JsonTensor {
  const datatype = DATATYPES[tensor.type];
  if (datatype === undefined) throw new Error(`output "${name}" has element type ${tensor.type}, which this baseline does not serialise`);
  const data = tensor.data as ArrayLike<number | bigint>;
  return { name, datatype, shape: [...tensor.dims], data: Array.from(data, Number) };
}

/** Runs `inputs` and serialises every output, in the session's output order. */
export async function runSession(session: InferenceSession, inputs: readonly JsonTensor[]): Promise<JsonTensor[]> {
  const feeds: Record<string, Tensor> = {};
  for (const input of inputs) feeds[input.name] = toOrt(input);
  const results = await session.run(feeds);
  return session.outputNames.map((name) => toJson(name, results[name] as Tensor));
}

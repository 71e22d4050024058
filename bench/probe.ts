/**
 * Before anything is measured, one request to each server: both must answer 200 with the
 * same outputs (names, shapes, values), or the comparison would not be like for like and
 * the harness stops with both answers in the message.
 */
import type { InferResponse, JsonTensor } from '@slipway/core';
import { postJson } from './http-client.js';

const TOLERANCE = 1e-6;

/** Equal output names, datatypes, shapes and values (within 1e-6, relative above 1). */
export function sameOutputs(a: readonly JsonTensor[], b: readonly JsonTensor[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => {
    const y = b.find((o) => o.name === x.name);
    return (
      y !== undefined &&
      x.datatype === y.datatype &&
      x.shape.join() === y.shape.join() &&
      x.data.length === y.data.length &&
      x.data.every((v, i) => Math.abs(Number(v) - Number(y.data[i])) <= TOLERANCE * Math.max(1, Math.abs(Number(v))))
    );
  });
}

/** Resolves when both endpoints answer 200 with equal outputs for `body`; throws otherwise. */
export async function probeSameAnswers(slipwayUrl: string, bareUrl: string, body: string, slipwayHeaders: Record<string, string> = {}): Promise<void> {
  const [{ answer: slipway }, { answer: bare }] = await Promise.all([postJson<InferResponse>(slipwayUrl, body, slipwayHeaders), postJson<InferResponse>(bareUrl, body)]);
  if (!sameOutputs(slipway.outputs, bare.outputs)) {
    throw new Error(
      `Slipway and the bare server disagree on the same request:\n  slipway: ${JSON.stringify(slipway.outputs)}\n  bare:    ${JSON.stringify(bare.outputs)}`,
    );
  }
}

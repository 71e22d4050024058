/**
 * Before anything is measured, one request to each server: both must answer 200 with the
 * same outputs (names, shapes, values), or the comparison would not be like for like and
 * the harness stops with both answers in the message.
 */
import type { InferResponse } from '@slipway/core';

const TOLERANCE = 1e-6;

async function infer(url: string, body: string): Promise<InferResponse> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as InferResponse;
}

function sameOutputs(a: InferResponse, b: InferResponse): boolean {
  if (a.outputs.length !== b.outputs.length) return false;
  return a.outputs.every((x) => {
    const y = b.outputs.find((o) => o.name === x.name);
    return (
      y !== undefined &&
      x.datatype === y.datatype &&
      x.shape.join() === y.shape.join() &&
      x.data.length === y.data.length &&
      x.data.every((v, i) => Math.abs(Number(v) - Number(y.data[i])) <= TOLERANCE)
    );
  });
}

/** Resolves when both endpoints answer 200 with equal outputs for `body`; throws otherwise. */
export async function probeSameAnswers(slipwayUrl: string, bareUrl: string, body: string): Promise<void> {
  const [slipway, bare] = await Promise.all([infer(slipwayUrl, body), infer(bareUrl, body)]);
  if (!sameOutputs(slipway, bare)) {
    throw new Error(
      `Slipway and the bare server disagree on the same request:\n  slipway: ${JSON.stringify(slipway.outputs)}\n  bare:    ${JSON.stringify(bare.outputs)}`,
    );
  }
}

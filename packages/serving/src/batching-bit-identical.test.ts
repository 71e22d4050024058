/**
 * Batching must not change results: with real onnxruntime, every request's outputs from a
 * batched execution equal, byte for byte, those of running it alone.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATATYPES, type ModelInstance, type Tensor } from '@slipway/core';
import { buildOnnxModel } from '@slipway/modelkit';
import { type OnnxRuntimeOptions, createOnnxRuntime } from '@slipway/runtime';
import { createDispatcher } from './dispatcher.js';
import { edgeTensor, exactly } from './testing/edge-tensors.js';
import type { RunInputs } from './types.js';

/**
 * Requests whose rows make only full batches of 4, one of them larger than a batch:
 * [1, 2, 1] · [3, 1] · [4 of the 6] · [2 of the 6, 2]. All are submitted in one tick, so
 * no batch goes before all have arrived.
 */
const ROWS = [1, 2, 1, 3, 1, 6, 2];

/** Submits `requests` to a batching dispatcher over `instance`; returns each one's outputs and the rows of every execution. */
async function runBatched(instance: ModelInstance, requests: RunInputs[], maxBatchSize: number) {
  const executions: number[] = [];
  const d = createDispatcher({
    name: 'bit-identical:v1',
    maxConcurrency: 2,
    maxQueue: 1000,
    queueTimeoutMs: 60_000,
    batching: { maxBatchSize, maxDelayMicros: 5000, preferredBatchSizes: [] },
    execute: (run) => {
      executions.push([...run.inputs.values()][0]?.shape[0] ?? 0);
      return instance.infer(run.inputs, run.outputs);
    },
  });
  const outputs = await Promise.all(requests.map(async (r) => (await d.submit(r)).outputs));
  return { outputs, executions };
}

describe.each(DATATYPES)('batched Identity %s', (datatype) => {
  let instance: ModelInstance;
  beforeAll(async () => {
    const model = buildOnnxModel({
      name: `identity_${datatype.toLowerCase()}`,
      inputs: [{ name: 'x', datatype, shape: ['batch', 3] }],
      outputs: [{ name: 'y', datatype, shape: ['batch', 3] }],
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    });
    instance = await createOnnxRuntime().load(model);
  });
  afterAll(() => instance.unload());

  it('gives every request exactly what running it alone gives', async () => {
    const requests = ROWS.map((rows, i) => ({ inputs: new Map([['x', edgeTensor(datatype, rows, [3], i * 7)]]) }));
    const { outputs, executions } = await runBatched(instance, requests, 4);
    expect(executions).toEqual([4, 4, 4, 4]);
    for (const [i, r] of requests.entries()) {
      const alone = await instance.infer(r.inputs);
      expect(exactly(outputs[i] as Map<string, Tensor>)).toEqual(exactly(alone));
      expect(exactly(alone).y?.bits).toEqual(exactly(r.inputs).x?.bits);
    }
  });
});

describe('batched sensor MLP (FP32 [batch, 16] → probabilities FP32 [batch, 3], label INT64 [batch])', () => {
  const model = new Uint8Array(readFileSync(new URL('../../../examples/sensor-mlp/model.onnx', import.meta.url)));
  const N = 256;
  // Signals in [-4, 4), from a fixed LCG so failures reproduce.
  let seed = 7;
  const signal = Float32Array.from({ length: N * 16 }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed / 2 ** 31) * 8 - 4;
  });
  const rowsOf = (first: number, count: number) => new Map([['signal', { datatype: 'FP32' as const, shape: [count, 16], data: signal.subarray(first * 16, (first + count) * 16) }]]);

  /** Every batch size 1..64, then larger ones: MLAS picks GEMM kernels by shape, so each size is its own case. */
  const SIZES = [...Array.from({ length: 64 }, (_, i) => i + 1), 96, 128, 255, 256];

  describe.each<[string, OnnxRuntimeOptions]>([
    ['default threads', {}],
    ['1 intra-op thread', { intraOpNumThreads: 1 }],
  ])('onnxruntime with %s', (_, options) => {
    let instance: ModelInstance;
    let alone: Map<string, Tensor>[];
    beforeAll(async () => {
      instance = await createOnnxRuntime(options).load(model);
      alone = [];
      for (let row = 0; row < N; row++) alone.push(await instance.infer(rowsOf(row, 1)));
    });
    afterAll(() => instance.unload());

    it('computes each row identically at every batch size', async () => {
      // Collected rather than asserted one by one, so a failure says which sizes differ and by how much.
      const differences: string[] = [];
      for (const size of SIZES) {
        let rows = 0;
        let maxUlps = 0;
        for (let first = 0; first + size <= N; first += size) {
          const batch = await instance.infer(rowsOf(first, size));
          const probabilities = batch.get('probabilities')?.data as Float32Array;
          const labels = batch.get('label')?.data as BigInt64Array;
          for (let r = 0; r < size; r++) {
            const own = alone[first + r] as Map<string, Tensor>;
            const p = own.get('probabilities')?.data as Float32Array;
            const batchBits = new Int32Array(probabilities.buffer, probabilities.byteOffset + r * 12, 3);
            const ownBits = new Int32Array(p.buffer, p.byteOffset, 3);
            const ulps = Math.max(...[0, 1, 2].map((k) => Math.abs((batchBits[k] as number) - (ownBits[k] as number))));
            if (ulps > 0 || labels[r] !== (own.get('label')?.data as BigInt64Array)[0]) rows++;
            maxUlps = Math.max(maxUlps, ulps);
          }
        }
        if (rows > 0) differences.push(`batch size ${size}: ${rows} rows differ, by up to ${maxUlps} ulp`);
      }
      expect(differences).toEqual([]);
    });

    it('gives every request through a batching dispatcher exactly its result alone', async () => {
      const counts = [1, 1, 3, 1, 2, 8, 1, 5, 1, 1, 40, 1, 7, 2];
      let first = 0;
      const requests = counts.map((count) => {
        const r = { first, inputs: rowsOf(first, count) };
        first += count;
        return r;
      });
      const { outputs, executions } = await runBatched(instance, requests, 16);
      expect(Math.max(...executions)).toBeLessThanOrEqual(16);
      expect(executions.length).toBeLessThan(requests.length);
      for (const [i, r] of requests.entries()) expect(exactly(outputs[i] as Map<string, Tensor>)).toEqual(exactly(await instance.infer(r.inputs)));
    });
  });
});

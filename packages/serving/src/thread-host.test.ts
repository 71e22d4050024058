import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, SlipwayError, type Tensor } from '@slipway/core';
import { createOnnxRuntime } from '@slipway/runtime';
import { createInlineHost } from './inline-host.js';
import { describeModelHostContract } from './model-host.contract.js';
import { everyDatatypeInputs, everyDatatypeModel, matmulInputs, matmulModel, rejection, slowModel } from './testing/host-models.js';
import { createThreadHost, type ThreadHost } from './thread-host.js';
import type { ModelHost, VersionKey } from './types.js';

describeModelHostContract('thread', () => createThreadHost({ id: 'thread-contract' }));

describe('createThreadHost', () => {
  let thread: ThreadHost;
  let inline: ModelHost;
  beforeAll(() => {
    thread = createThreadHost({ id: 'thread-1' });
    inline = createInlineHost(createOnnxRuntime());
  });
  afterAll(() => Promise.all([thread.close(), inline.close()]));

  it('computes exactly what the inline host computes', async () => {
    const model = matmulModel(256);
    // The thread host takes the model's buffer; the inline host gets its own copy.
    await Promise.all([thread.load('mm:1', model.slice()), inline.load('mm:1', model)]);
    const [fromThread, fromInline] = await Promise.all([thread.infer('mm:1', { inputs: matmulInputs(256, 7) }), inline.infer('mm:1', { inputs: matmulInputs(256, 7) })]);
    expect(fromThread).toEqual(fromInline);
    await Promise.all([thread.load('every:1', everyDatatypeModel()), inline.load('every:1', everyDatatypeModel())]);
    expect(await thread.infer('every:1', { inputs: everyDatatypeInputs() })).toEqual(await inline.infer('every:1', { inputs: everyDatatypeInputs() }));
  });

  it('transfers buffers a tensor owns, and copies views into a larger buffer', async () => {
    const owned = Float32Array.from({ length: 256 }, (_, i) => i / 256);
    const shared = new Float32Array(512).fill(0.5);
    const view = shared.subarray(256);
    const run = (data: Float32Array) => thread.infer('mm:1', { inputs: new Map<string, Tensor>([['x', { datatype: 'FP32', shape: [1, 256], data }]]) });
    await run(owned);
    expect(owned.byteLength).toBe(0); // detached: the worker has it now
    const fromView = await run(view);
    expect(shared.byteLength).toBe(512 * 4);
    expect(shared[0]).toBe(0.5);
    expect(fromView).toEqual(await inline.infer('mm:1', { inputs: new Map<string, Tensor>([['x', { datatype: 'FP32', shape: [1, 256], data: view }]]) }));
  });

  it('carries errors across with the same code, message and details', async () => {
    const bytes = new TextEncoder().encode('not a model');
    const [fromThread, fromInline] = await Promise.all([rejection(thread.load('bad:1', bytes.slice())), rejection(inline.load('bad:1', bytes))]);
    expect(fromThread).toBeInstanceOf(SlipwayError);
    const fields = (e: unknown) => ({ code: (e as SlipwayError).code, message: (e as SlipwayError).message, details: (e as SlipwayError).details });
    expect(fields(fromThread)).toEqual(fields(fromInline));
    expect(fields(fromThread).code).toBe('invalid_package');
  });

  it('refuses bad onnxruntime options up front instead of in every worker started', () => {
    expect(() => createThreadHost({ id: 'bad', runtimeOptions: { intraOpNumThreads: -1 } })).toThrow(InvalidInputError);
  });

  it('stops its worker between runs: the run executing finishes, queued calls reject, lost versions are reported, and the next call starts a new worker', async () => {
    const lostHere: VersionKey[][] = [];
    // One onnxruntime thread, so the run below takes long on any machine (about 50 GFLOP).
    const host = createThreadHost({ id: 'thread-stop', runtimeOptions: { intraOpNumThreads: 1 }, onLost: (keys) => lostHere.push(keys) });
    try {
      await host.load('slow:1', slowModel());
      await host.load('mm:1', matmulModel(256));
      const executing = host.infer('slow:1', { inputs: matmulInputs(512, 2048) });
      // Long enough for the worker to be inside the run, well short of its end.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const queued = rejection(host.infer('mm:1', { inputs: matmulInputs(256) }));
      await host.terminate();
      expect((await executing).get('y')?.shape).toEqual([2048, 512]);
      const error = (await queued) as SlipwayError;
      expect(error).toBeInstanceOf(SlipwayError);
      expect(error.code).toBe('unavailable');
      expect(error.message).toMatch(/the worker thread of model host "thread-stop" stopped \(exit code 0\); .* retry/);
      expect(lostHere).toEqual([expect.arrayContaining(['slow:1', 'mm:1']) as unknown]);
      expect(((await rejection(host.infer('mm:1', { inputs: matmulInputs(256) }))) as SlipwayError).code).toBe('unavailable');

      await host.load('mm:1', matmulModel(256));
      expect(await host.infer('mm:1', { inputs: matmulInputs(256, 2) })).toEqual(await inline.infer('mm:1', { inputs: matmulInputs(256, 2) }));
    } finally {
      await host.close();
    }
  });
});

/**
 * The inline host: versions loaded and run on the calling thread. The cheapest place for
 * small models (no thread hop); heavy ones go to a thread host, because onnxruntime-node
 * runs a session on the thread that calls it and would block HTTP meanwhile.
 */
import { ErrorCode, type ModelInstance, type ModelRuntime, SlipwayError, type Tensor } from '@slipway/core';
import { sampleInputs } from './sample-inputs.js';

const WARMUP_RUNS = 3;
import type { LoadReport, ModelHost, RunInputs, VersionKey } from './types.js';

export function createInlineHost(runtime: ModelRuntime, id = 'inline'): ModelHost {
  const instances = new Map<VersionKey, ModelInstance>();

  return {
    id,

    async load(key: VersionKey, model: Uint8Array): Promise<LoadReport> {
      if (instances.has(key)) {
        throw new SlipwayError(ErrorCode.conflict, `version ${key} is already loaded on model host "${id}"; unload it first`, { details: { version: key, host: id } });
      }
      const started = performance.now();
      const instance = await runtime.load(model);
      const loaded = performance.now();
      const signature = instance.metadata();
      try {
        // Several runs: onnxruntime settles its allocations over the first few, and the
        // first real request after a promotion should find them settled.
        const inputs = sampleInputs(signature);
        for (let i = 0; i < WARMUP_RUNS; i++) await instance.infer(inputs);
      } catch (error) {
        // A warm-up is an optimisation, not a test: a model may reject zeros at batch size 1
        // (a Reshape to a fixed row count, say) and still serve real requests. Anything other
        // than the model refusing its run is a real failure.
        if (!(error instanceof SlipwayError && error.code === ErrorCode.pipelineError)) {
          await instance.unload();
          throw error;
        }
      }
      instances.set(key, instance);
      return { signature, loadMs: loaded - started, warmupMs: performance.now() - loaded };
    },

    infer(key: VersionKey, run: RunInputs): Promise<Map<string, Tensor>> {
      const instance = instances.get(key);
      if (instance === undefined) {
        return Promise.reject(
          new SlipwayError(ErrorCode.unavailable, `version ${key} is not loaded on model host "${id}"; it was unloaded or evicted, retry to load it again`, {
            details: { version: key, host: id },
          }),
        );
      }
      return instance.infer(run.inputs, run.outputs);
    },

    async unload(key: VersionKey): Promise<void> {
      const instance = instances.get(key);
      if (instance === undefined) return;
      // Forgotten first so new runs fail fast; the instance itself lets started runs finish.
      instances.delete(key);
      await instance.unload();
    },

    async close(): Promise<void> {
      const all = [...instances.values()];
      instances.clear();
      await Promise.all(all.map((instance) => instance.unload()));
    },
  };
}

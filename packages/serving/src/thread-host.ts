/**
 * The thread host: versions loaded and run on a worker thread. onnxruntime-node runs a
 * session synchronously on the thread that calls it, so a heavy model run inline would stall
 * every other request; on a worker it stalls only that worker. Each version lives on one
 * host, so a model's memory is paid once, not once per thread.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ErrorCode, SlipwayError, type Tensor } from '@slipway/core';
import { createOnnxRuntime, type OnnxRuntimeOptions } from '@slipway/runtime';
import { fromWireError, type HostReply, type HostReplyValue, type HostRequest, type HostWorkerData, ownedView, transferable } from './host-messages.js';
import type { LoadReport, ModelHost, RunInputs, VersionKey } from './types.js';

export interface ThreadHostOptions {
  /** The host's id, as placement, metrics and errors name it. */
  id: string;
  /** The worker's onnxruntime options. Default: `createOnnxRuntime`'s defaults. */
  runtimeOptions?: OnnxRuntimeOptions;
  /**
   * Called when the worker died, with the versions it had loaded: they are gone with it, and
   * the model cache must forget them (`ModelCache.forget`). Default: nothing.
   */
  onLost?(keys: VersionKey[]): void;
}

export interface ThreadHost extends ModelHost {
  /**
   * Starts the worker if it is not running, and resolves once it is ready to load. The model
   * cache calls it before measuring a load, so that the thread's own memory (an isolate,
   * onnxruntime's binding: about 15 MiB for a process's first worker) is not charged to the
   * model. Rejects `unavailable` if the worker dies starting.
   */
  start(): Promise<void>;
  /**
   * Stops the worker as soon as the run it is executing (if any) returns; the calls still
   * queued reject `unavailable`, `onLost` reports its versions, and the next call starts a
   * fresh worker. A run is never cut short: `Worker.terminate()` during an onnxruntime call
   * aborts the whole process (onnxruntime-node 1.30 throws from native code as the thread
   * is torn down), so the worker is asked to exit between two runs instead.
   */
  terminate(): Promise<void>;
}

/** How to start the worker: the built JavaScript next to this file, or its TypeScript source when tests run sources. */
function workerEntry(): { filename: string | URL; eval: boolean } {
  const built = new URL('./host-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { filename: built, eval: false };
  // `execArgv: ['--import', 'tsx']` does not reach worker threads on Node 20 (tsx's loader
  // skips them and the worker refuses `.ts`), so the worker registers tsx's hooks itself
  // before importing its entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = new URL('./host-worker.ts', import.meta.url).href;
  return { filename: `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`, eval: true };
}

interface PendingCall {
  op: HostRequest['op'];
  resolve(value: unknown): void;
  reject(error: SlipwayError): void;
}

/**
 * Creates a thread host; its worker starts on first use (or `start`). Throws
 * `InvalidInputError` for bad `runtimeOptions`. `infer` hands the worker the buffers its
 * input tensors own whole (they read as empty afterwards) rather than copying them: copy
 * first what must outlive the call, and decode a request again to retry it.
 */
export function createThreadHost(options: ThreadHostOptions): ThreadHost {
  const { id, runtimeOptions } = options;
  // Checked here: in the worker, bad options would kill every worker started.
  createOnnxRuntime(runtimeOptions);
  const entry = workerEntry();
  const pending = new Map<number, PendingCall>();
  /** What the current worker holds; reported lost if it dies. */
  const loaded = new Set<VersionKey>();
  let worker: Worker | undefined;
  let nextCall = 0;
  let closed = false;

  function lost(reason: string): void {
    worker = undefined;
    const calls = [...pending.values()];
    const keys = [...loaded];
    pending.clear();
    loaded.clear();
    const error = new SlipwayError(
      ErrorCode.unavailable,
      `the worker thread of model host "${id}" stopped (${reason}); the versions it held are unloaded, retry to load them again`,
      { details: { host: id } },
    );
    // An unload's purpose, freeing the version's memory, was met when the thread died.
    for (const call of calls) if (call.op === 'unload') call.resolve(undefined);
    else call.reject(error);
    if (keys.length > 0) options.onLost?.(keys);
  }

  function spawn(): Worker {
    const started = new Worker(entry.filename, { eval: entry.eval, workerData: { id, runtimeOptions } satisfies HostWorkerData });
    let failure: string | undefined;
    started.on('message', (reply: HostReply) => {
      const call = pending.get(reply.id);
      if (call === undefined) return;
      pending.delete(reply.id);
      // An idle worker must not keep the process alive; one with calls in flight must.
      if (pending.size === 0) started.unref();
      if (reply.ok) call.resolve(reply.value);
      else call.reject(fromWireError(reply.error));
    });
    started.on('error', (error) => (failure = error.message));
    started.on('exit', (code) => lost(failure ?? `exit code ${code}`));
    started.unref();
    return started;
  }

  function call<Op extends keyof HostReplyValue>(request: Omit<Extract<HostRequest, { op: Op }>, 'id'>, transfer: ArrayBuffer[] = []): Promise<HostReplyValue[Op]> {
    // Nothing starts a worker again once closed.
    if (closed && request.op !== 'close') return Promise.reject(new SlipwayError(ErrorCode.unavailable, `model host "${id}" is closed`, { details: { host: id } }));
    const target = (worker ??= spawn());
    const callId = nextCall++;
    return new Promise((resolve, reject) => {
      pending.set(callId, { op: request.op, resolve, reject });
      target.ref();
      target.postMessage({ ...request, id: callId }, transfer);
    });
  }

  async function stop(): Promise<void> {
    const current = worker;
    if (current === undefined) return;
    const exited = once(current, 'exit');
    current.ref(); // an idle worker is unref'd, and its exit must still be waited for
    current.postMessage({ id: -1, op: 'exit' } satisfies HostRequest);
    await exited;
  }

  const notLoaded = (key: VersionKey) =>
    new SlipwayError(ErrorCode.unavailable, `version ${key} is not loaded on model host "${id}"; it was unloaded or evicted, retry to load it again`, {
      details: { version: key, host: id },
    });

  return {
    id,

    async load(key: VersionKey, model: Uint8Array): Promise<LoadReport> {
      const transfer = new Set<ArrayBuffer>();
      const report = await call<'load'>({ op: 'load', key, model: ownedView(model, transfer, `the model of ${key}`) }, [...transfer]);
      loaded.add(key);
      return report;
    },

    async infer(key: VersionKey, run: RunInputs): Promise<Map<string, Tensor>> {
      // Answered here so that a version lost with a dead worker does not start a new one.
      if (!loaded.has(key)) throw notLoaded(key);
      const { tensors, transfer } = transferable(run.inputs);
      return new Map(await call<'infer'>({ op: 'infer', key, inputs: tensors, outputs: run.outputs }, transfer));
    },

    async unload(key: VersionKey): Promise<void> {
      if (loaded.delete(key)) await call<'unload'>({ op: 'unload', key });
    },

    start: () => call<'ready'>({ op: 'ready' }),

    terminate: stop,

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (worker === undefined) return;
      loaded.clear();
      try {
        // Sessions are released in the worker before the thread goes.
        await call<'close'>({ op: 'close' });
      } finally {
        await stop();
      }
    },
  };
}

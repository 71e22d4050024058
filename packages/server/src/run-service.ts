/**
 * Async and streaming runs: submit (checked at once, so bad inputs are a 400 and not a
 * failed run), read, list and cancel run records; the executor that drains the durable
 * queue through the data plane; callbacks when a run finishes; and recovery on start
 * (queued runs and runs of a dead server run again, undelivered callbacks resume).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ErrorCode,
  FINISHED_RUN_STATES,
  InvalidInputError,
  type MetadataStore,
  type RunOutcome,
  type RunRecord,
  RunState,
  type RunStreamEvent,
  type RunStreamOutput,
  SlipwayError,
  parsePipelineRef,
  zodIssues,
} from '@slipway/core';
import { z } from 'zod';
import type { Inference, PreparedRun } from './inference.js';
import { type CallbackGuard, createCallbackGuard } from './run-callback-guard.js';
import { type CallbackDelivererOptions, createCallbackDeliverer } from './run-callbacks.js';
import { runErrorOf } from './run-error-class.js';
import { createRunExecutor } from './run-executor.js';
import { createStoreRunQueue, type RunQueue } from './run-queue.js';

export interface RunServiceSettings {
  /** HMAC key of callbacks (`SLIPWAY_CALLBACK_SECRET`, else generated and kept in the data directory). Default: random per process. */
  callbackSecret?: string;
  /** CIDR ranges callbacks may reach although private or loopback (`SLIPWAY_CALLBACK_ALLOW`). Default none. */
  callbackAllow?: readonly string[];
  /** Inputs or outputs over this many bytes of JSON are dropped from the record, flagged truncated. Default 1 MiB. */
  maxRecordBytes?: number;
  /** Async runs executing at once on this server. Default 4. */
  concurrency?: number;
  /** Lease of a claimed run in ms: how soon another server takes over the runs of a dead one. Default 30000. */
  leaseMs?: number;
  /** How often the executor looks for runs it was not told about, in ms. Default 500. */
  pollMs?: number;
  /** Callback retries: attempts, first delay and largest delay in ms. Defaults 5, 1000, 60000. */
  callbackRetry?: Pick<CallbackDelivererOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'timeoutMs'>;
  /** DNS resolution for the callback guard; tests pass their own. */
  resolveHost?: (host: string) => Promise<string[]>;
}

export interface RunServiceOptions extends RunServiceSettings {
  store: MetadataStore;
  inference: Inference;
  queue?: RunQueue;
  onError?: (error: unknown) => void;
}

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** Which deployment serves a run: the environment asked for and the caller's sticky key (see `deploymentSelector`). */
export interface RunRouting {
  environment?: string;
  callerKey?: string;
}

const routingOf = (run: RunRecord): RunRouting => ({
  ...(run.environment === null ? {} : { environment: run.environment }),
  ...(run.callerKey === null ? {} : { callerKey: run.callerKey }),
});
const MAX_LIST = 1000;

const submitSchema = z.strictObject({
  pipeline: z.string().min(1, 'must name a pipeline: name, name:vN or name@alias'),
  inputs: z.unknown().refine((v) => v !== undefined, 'is required'),
  mode: z.enum(['async', 'stream']),
  callbackUrl: z.string().min(1, 'must be an http(s) URL').optional(),
});

const listSchema = z.strictObject({
  pipeline: z.string().min(1).optional(),
  state: z.enum(Object.values(RunState) as [RunState, ...RunState[]], { message: `must be one of ${Object.values(RunState).join(', ')}` }).optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(MAX_LIST).default(50),
});

export type RunService = ReturnType<typeof createRunService>;

/** A streaming run once checked: its record so far and its events (`output`…, then `done` or `error`). */
export interface StreamingRun {
  id: string;
  events: AsyncGenerator<RunStreamEvent>;
}

export function createRunService(options: RunServiceOptions) {
  const { store, inference, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES } = options;
  const onError = options.onError ?? (() => {});
  const queue = options.queue ?? createStoreRunQueue(store);
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const guard: CallbackGuard = createCallbackGuard({ allow: options.callbackAllow ?? [], ...(options.resolveHost ? { resolve: options.resolveHost } : {}) });
  const callbacks = createCallbackDeliverer({
    store,
    guard,
    secret: options.callbackSecret ?? randomUUID(),
    ...options.callbackRetry,
    onError,
  });

  async function execute(run: RunRecord, signal: AbortSignal): Promise<RunOutcome> {
    const started = performance.now();
    let prepared: PreparedRun | undefined;
    const ended = (outcome: Pick<RunOutcome, 'state' | 'outputs' | 'error'>): RunOutcome => ({
      ...outcome,
      version: prepared?.record.version ?? null,
      finishedAt: new Date().toISOString(),
      computeMs: Math.round((performance.now() - started) * 1000) / 1000,
      maxRecordBytes,
    });
    try {
      const context = { requestId: run.id, runId: run.id, caller: run.createdBy, ...routingOf(run) };
      prepared = await inference.prepareRun(run.ref, run.inputs, context);
      const response = await inference.runPrepared(prepared, { signal }, context, started);
      return ended({ state: 'completed', outputs: { outputs: response.outputs, ...(response.predictions ? { predictions: response.predictions } : {}) }, error: null });
    } catch (error) {
      return ended({ state: 'failed', outputs: null, error: runErrorOf(error) });
    }
  }

  const executor = createRunExecutor({
    queue,
    owner,
    execute,
    onFinished: (run) => callbacks.deliver(run),
    onError,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  });

  function parseSubmit(body: unknown) {
    const parsed = submitSchema.safeParse(body);
    if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
    return parsed.data;
  }

  async function getOrThrow(id: string): Promise<RunRecord> {
    const run = await store.getRun(id);
    if (run === undefined) {
      throw new SlipwayError(ErrorCode.notFound, `run "${id}" not found; list runs with \`slipway runs ls\``, { details: { run: id } });
    }
    return run;
  }

  return {
    /** The pipeline a run body names, for access checks before anything else is parsed. */
    pipelineOf(body: unknown): string | undefined {
      const ref = typeof body === 'object' && body !== null ? (body as { pipeline?: unknown }).pipeline : undefined;
      if (typeof ref !== 'string') return undefined;
      try {
        return parsePipelineRef(ref, 'pipeline').name;
      } catch {
        return undefined;
      }
    },

    /** Checks an async run and queues it; answers its record (state `queued`). `routing` picks a deployment, now and when it runs. */
    async submit(body: unknown, createdBy: string, routing: RunRouting = {}): Promise<RunRecord> {
      const request = parseSubmit(body);
      if (request.mode !== 'async') throw new InvalidInputError([{ path: 'mode', message: 'must be "async" here' }]);
      const callbackUrl = request.callbackUrl === undefined ? null : (await guard.check(request.callbackUrl, 'callbackUrl')).toString();
      const prepared = await inference.prepareRun(request.pipeline, request.inputs, { requestId: 'submit', ...routing });
      const record = await queue.enqueue({
        id: randomUUID(),
        mode: 'async',
        state: 'queued',
        pipeline: prepared.record.pipeline,
        ref: request.pipeline,
        inputs: request.inputs,
        callbackUrl,
        createdBy,
        enqueuedAt: new Date().toISOString(),
        environment: routing.environment ?? null,
        callerKey: routing.callerKey ?? null,
      });
      executor.wake();
      return record;
    },

    /**
     * Checks a streaming run; throws before anything is sent when the request is bad.
     * Aborting `signal` (the client went away) stops the run between partials and frees
     * its place in the version's queue; the record then says `cancelled`.
     */
    async stream(body: unknown, createdBy: string, signal: AbortSignal, routing: RunRouting = {}): Promise<StreamingRun> {
      const request = parseSubmit(body);
      if (request.callbackUrl !== undefined) throw new InvalidInputError([{ path: 'callbackUrl', message: 'only async runs take a callback; drop it or use mode "async"' }]);
      const id = randomUUID();
      const context = { requestId: id, runId: id, caller: createdBy, ...routing };
      const prepared = await inference.prepareRun(request.pipeline, request.inputs, context);
      const enqueuedAt = new Date().toISOString();
      async function* events(): AsyncGenerator<RunStreamEvent> {
        const started = performance.now();
        const parts: RunStreamOutput[] = [];
        let outcome: Pick<RunOutcome, 'state' | 'error'> = { state: 'completed', error: null };
        try {
          for await (const part of inference.streamRun(prepared, { signal }, context)) {
            parts.push(part);
            yield { event: 'output', data: part };
          }
        } catch (error) {
          outcome = signal.aborted ? { state: 'cancelled', error: null } : { state: 'failed', error: runErrorOf(error) };
        }
        if (signal.aborted && outcome.state === 'completed' && parts.length === 0) outcome = { state: 'cancelled', error: null };
        await store.createRun({
          id,
          mode: 'stream',
          state: 'running',
          pipeline: prepared.record.pipeline,
          ref: request.pipeline,
          inputs: request.inputs,
          callbackUrl: null,
          createdBy,
          enqueuedAt,
          environment: routing.environment ?? null,
          callerKey: routing.callerKey ?? null,
        });
        const record = await store.finishRun(id, null, {
          ...outcome,
          version: prepared.record.version,
          outputs: parts.length > 0 ? parts : null,
          finishedAt: new Date().toISOString(),
          computeMs: Math.round((performance.now() - started) * 1000) / 1000,
          maxRecordBytes,
        });
        if (record === undefined) return;
        if (outcome.error !== null) yield { event: 'error', data: { code: outcome.error.code, message: outcome.error.message, run: record } };
        else yield { event: 'done', data: record };
      }
      return { id, events: events() };
    },

    get: getOrThrow,

    async list(query: unknown): Promise<RunRecord[]> {
      const parsed = listSchema.safeParse(query ?? {});
      if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
      const { pipeline, state, limit } = parsed.data;
      return store.listRuns({ limit, ...(pipeline === undefined ? {} : { pipeline }), ...(state === undefined ? {} : { state }) });
    },

    /**
     * Queued → cancelled at once. Running → cancelled at once in the record; its execution
     * is aborted here (or at the holder's next lease renewal on another server): a run
     * still waiting for the model leaves its queue, one already computing finishes but its
     * result is dropped. A finished run is a 409 naming its state.
     */
    async cancel(id: string): Promise<RunRecord> {
      const result = await store.cancelRun(id, new Date().toISOString());
      if (result === undefined) return getOrThrow(id);
      if (!result.cancelled) {
        throw new SlipwayError(ErrorCode.conflict, `run "${id}" is already ${result.record.state}; only queued or running runs can be cancelled`, {
          details: { run: id, state: result.record.state },
        });
      }
      executor.abort(id);
      callbacks.deliver(result.record);
      return result.record;
    },

    /** Starts the executor and resumes callbacks a stopped server left undelivered. */
    async start(): Promise<void> {
      executor.start();
      for (const run of await store.pendingCallbacks(MAX_LIST)) callbacks.deliver(run);
    },

    /** Stops claiming; runs in flight go back to the queue, deliveries in progress stay pending for the next start. */
    async close(): Promise<void> {
      await executor.close();
      await callbacks.close();
    },

    get inFlight(): number {
      return executor.inFlight;
    },

    /** Finished states, for callers that wait. */
    isFinished: (run: RunRecord) => FINISHED_RUN_STATES.includes(run.state),
  };
}

/**
 * The per-version dispatcher: admits requests into a bounded queue, groups them into
 * batches (when the version batches), runs at most `maxConcurrency` executions at once,
 * and refuses or abandons what cannot be served in time. Every limit is hard: no execution
 * has more than `maxBatchSize` rows, and no more than `maxQueue` requests ever wait, so
 * overload is answered with 429/503 instead of memory growth.
 *
 * Hot path: an unbatched version with a free slot and nobody waiting runs the request at
 * once: no timer, no queue entry, no promise but the one `submit` returns (`runAlone`).
 *
 * One timer at most: it wakes the dispatcher at the earliest of "a batch's delay is over"
 * and "a queued request's deadline or queue timeout passes". It may wake for nothing
 * (the request it was armed for has since started); waking then re-arms it.
 */
import { ErrorCode, type FieldIssue, InvalidInputError, SlipwayError, type Tensor, isSlipwayError } from '@slipway/core';
import { type BatchingConfig, type PendingRows, planBatch } from './batch-planner.js';
import { batchShape, chunkRows, concatRows, rowsOf, splitRows } from './tensor-batch.js';
import type { RunControls, RunInputs, RunResult, RunTimings } from './types.js';

export interface DispatcherOptions {
  /** For messages: `credit-risk:v3`. */
  name: string;
  /**
   * One model execution over (possibly batched) inputs. A batch of several requests is run
   * with no `outputs` list (all outputs), so that one request naming an output the model
   * lacks cannot fail the others; a lone request's list is passed through.
   */
  execute(run: RunInputs): Promise<Map<string, Tensor>>;
  /**
   * Absent: each request runs alone, whatever its rows. Present: only for models whose
   * inputs and outputs all have a dynamic first dimension (the caller checks that).
   */
  batching?: BatchingConfig;
  /** Executions (batches) running at once; ≥ 1. Manifest default 4. */
  maxConcurrency: number;
  /**
   * Requests waiting beyond those running; ≥ 0. When it is reached and no slot is free, a
   * new request is refused with `overloaded` (429). A full queue also stops a batch from
   * waiting for more requests. Manifest default 256.
   */
  maxQueue: number;
  /** Longest a request may wait in the queue before it is refused with `queue_timeout` (503). Manifest default 30000. */
  queueTimeoutMs: number;
  /** Injectable clock for tests, epoch ms. Default `performance.timeOrigin + performance.now()`. */
  now?: () => number;
}

export interface Dispatcher {
  /**
   * Runs one request. Rejects with a `SlipwayError`: `overloaded`, `queue_timeout`,
   * `deadline_exceeded` (the deadline passed before it started), `unavailable` (the signal
   * aborted while it waited), `invalid_input` (inputs that cannot be batched, an unknown
   * output) or the execution's error (`pipeline_error` for anything not a `SlipwayError`).
   */
  submit(run: RunInputs, controls?: RunControls): Promise<RunResult>;
  /**
   * Requests waiting, none of whose rows have started; what `maxQueue` bounds. A request
   * split into chunks counts once, until its first chunk starts.
   */
  readonly queued: number;
  /** Executions in flight. */
  readonly running: number;
  /** Resolves when nothing is queued or running (used before unloading a version). */
  idle(): Promise<void>;
}

/** A request admitted to the queue. */
interface Request {
  readonly run: RunInputs;
  /** Its compatibility key (`batchShape`); `''` for every request when not batching. */
  readonly key: string;
  readonly enqueuedAt: number;
  /** When it is abandoned if still waiting: its deadline or its queue timeout, whichever is first. */
  readonly expiresAt: number;
  readonly expiresByDeadline: boolean;
  readonly resolve: (result: RunResult) => void;
  readonly reject: (error: SlipwayError) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Chunks not yet started. */
  waiting: number;
  /** A chunk has started: the request no longer counts as queued. */
  started: boolean;
  /** Outputs of finished chunks, by chunk index. */
  readonly results: (Map<string, Tensor> | undefined)[];
  finished: number;
  settled: boolean;
  /** Over its chunks: the longest waits, the total compute, the largest execution. */
  readonly timings: RunTimings;
}

/** One chunk of a request in the queue: the whole request unless it is larger than a batch. */
interface Entry extends PendingRows {
  readonly request: Request;
  readonly index: number;
  readonly inputs: ReadonlyMap<string, Tensor>;
}

/** Queued entries that may share a batch (equal compatibility keys), in arrival order. */
interface Group {
  readonly key: string;
  entries: Entry[];
  /** Since when a slot was free and the planner chose to wait for this batch to fill. */
  formingSince: number | undefined;
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

// Read once: the getter costs as much as the clock read itself, and this is the hot path.
const timeOrigin = performance.timeOrigin;
const epochNow = (): number => timeOrigin + performance.now();

function checkOptions(o: DispatcherOptions): void {
  const issues: FieldIssue[] = [];
  const integer = (path: string, value: number, min: number, max = Infinity) => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      issues.push({ path, message: `must be an integer from ${min}${max === Infinity ? '' : ` to ${max}`}, got ${value}` });
    }
  };
  integer('serving.maxConcurrency', o.maxConcurrency, 1);
  integer('serving.maxQueue', o.maxQueue, 0);
  if (!(o.queueTimeoutMs > 0)) issues.push({ path: 'serving.queueTimeoutMs', message: `must be > 0, got ${o.queueTimeoutMs}` });
  if (o.batching) {
    const { maxBatchSize, maxDelayMicros, preferredBatchSizes } = o.batching;
    integer('batching.maxBatchSize', maxBatchSize, 1);
    if (!(maxDelayMicros >= 0 && maxDelayMicros < Infinity)) issues.push({ path: 'batching.maxDelayMicros', message: `must be ≥ 0 and finite, got ${maxDelayMicros}` });
    preferredBatchSizes.forEach((size, i) => integer(`batching.preferredBatchSizes[${i}]`, size, 1, maxBatchSize));
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  checkOptions(options);
  const { name, batching, maxConcurrency, maxQueue, queueTimeoutMs } = options;
  const now = options.now ?? epochNow;

  let running = 0;
  let queued = 0;
  const groups = new Map<string, Group>();
  const idleWaiters: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  /** A lower bound of the queued requests' `expiresAt`: requests that left are not subtracted. */
  let earliestExpiry = Infinity;

  const gone = () => new SlipwayError(ErrorCode.unavailable, 'the caller went away');
  const overloaded = () =>
    new SlipwayError(
      ErrorCode.overloaded,
      `${name} is overloaded: ${maxQueue} requests are already waiting (serving.maxQueue); retry later, or raise serving.maxQueue or serving.maxConcurrency`,
      { details: { maxQueue } },
    );
  const deadlinePassed = (waitedMs?: number) =>
    new SlipwayError(
      ErrorCode.deadlineExceeded,
      waitedMs === undefined
        ? `${name}: the request's deadline had already passed when it arrived`
        : `${name}: the request's deadline passed after ${Math.round(waitedMs)} ms in the queue, before it could run`,
    );
  const timedOut = () =>
    new SlipwayError(
      ErrorCode.queueTimeout,
      `${name}: the request waited ${queueTimeoutMs} ms in the queue without getting to run (serving.queueTimeoutMs); retry later, or raise serving.maxConcurrency or serving.queueTimeoutMs`,
      { details: { queueTimeoutMs } },
    );
  const asSlipwayError = (error: unknown): SlipwayError =>
    isSlipwayError(error)
      ? error
      : new SlipwayError(ErrorCode.pipelineError, `${name}: the model failed to run: ${error instanceof Error ? error.message : String(error)}`, { cause: error });

  /** The outputs the request asked for (all when it named none). */
  function select(outputs: Map<string, Tensor>, wanted: readonly string[] | undefined): Map<string, Tensor> {
    if (wanted === undefined || wanted.length === 0) return outputs;
    // A lone request's execution computed just what it named: no new map on the hot path.
    if (outputs.size === wanted.length && wanted.every((output) => outputs.has(output))) return outputs;
    const picked = new Map<string, Tensor>();
    for (const output of wanted) {
      const tensor = outputs.get(output);
      if (tensor === undefined) {
        throw new InvalidInputError([{ path: 'outputs', message: `"${output}" is not an output of ${name}; its outputs are ${[...outputs.keys()].join(', ')}` }]);
      }
      picked.set(output, tensor);
    }
    return picked;
  }

  function notifyIdle(): void {
    if (running === 0 && groups.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  /** The hot path: nothing queued, a slot free, no batching. */
  async function runAlone(run: RunInputs): Promise<RunResult> {
    running++;
    const startedAt = now();
    let outputs: Map<string, Tensor>;
    let endedAt: number;
    try {
      outputs = await options.execute(run);
      endedAt = now();
    } catch (error) {
      throw asSlipwayError(error);
    } finally {
      running--;
      if (groups.size > 0) pump(now());
      else notifyIdle();
    }
    return { outputs: select(outputs, run.outputs), timings: { queueMs: 0, batchWaitMs: 0, computeMs: endedAt - startedAt, batchRows: rowsOf(run.inputs) } };
  }

  /** Stops listening for the caller leaving once no chunk of the request is waiting. */
  function detach(request: Request): void {
    if (request.onAbort !== undefined) request.signal?.removeEventListener('abort', request.onAbort);
    request.onAbort = undefined;
  }

  /** Settles a request with an error, taking its waiting chunks out of the queue; the caller pumps. */
  function fail(request: Request, error: SlipwayError): void {
    if (request.settled) return;
    request.settled = true;
    detach(request);
    if (!request.started) queued--;
    if (request.waiting > 0) {
      request.waiting = 0;
      const group = groups.get(request.key);
      if (group !== undefined) {
        group.entries = group.entries.filter((e) => e.request !== request);
        if (group.entries.length === 0) groups.delete(group.key);
      }
    }
    request.reject(error);
  }

  function enqueue(run: RunInputs, controls: RunControls | undefined): Promise<RunResult> {
    if (running >= maxConcurrency && queued >= maxQueue) return Promise.reject(overloaded());
    // Whatever throws in here (inputs that cannot be batched) rejects before anything is queued.
    return new Promise<RunResult>((resolve, reject) => {
      let key = '';
      let chunks: readonly ReadonlyMap<string, Tensor>[] = [run.inputs];
      if (batching !== undefined) {
        const shape = batchShape(run.inputs);
        key = shape.key;
        chunks = chunkRows(run.inputs, shape.rows, batching.maxBatchSize);
      }
      const enqueuedAt = now();
      const deadline = controls?.deadline ?? Infinity;
      const timeoutAt = enqueuedAt + queueTimeoutMs;
      const request: Request = {
        run,
        key,
        enqueuedAt,
        expiresAt: Math.min(deadline, timeoutAt),
        expiresByDeadline: deadline <= timeoutAt,
        resolve,
        reject,
        signal: controls?.signal,
        onAbort: undefined,
        waiting: chunks.length,
        started: false,
        results: new Array<Map<string, Tensor> | undefined>(chunks.length),
        finished: 0,
        settled: false,
        timings: { queueMs: 0, batchWaitMs: 0, computeMs: 0, batchRows: 0 },
      };
      if (request.signal !== undefined) {
        request.onAbort = () => {
          fail(request, gone());
          notifyIdle();
          // Leaving can complete a preferred batch size for those behind.
          pump(now());
        };
        request.signal.addEventListener('abort', request.onAbort, { once: true });
      }
      const group = groups.get(key) ?? { key, entries: [], formingSince: undefined };
      groups.set(key, group);
      chunks.forEach((inputs, index) => group.entries.push({ request, index, inputs, rows: rowsOf(inputs), enqueuedAt }));
      queued++;
      earliestExpiry = Math.min(earliestExpiry, request.expiresAt);
      pump(enqueuedAt);
    });
  }

  /** Starts every batch that is ready while slots are free, then arms the timer for the next event. */
  function pump(t: number): void {
    // Abandon first, so that a request whose deadline passed while the thread was busy
    // (a long synchronous run delays every timer) is never started late.
    if (t >= earliestExpiry) {
      expire(t);
      notifyIdle();
    }
    let wakeAt = Infinity;
    while (running < maxConcurrency && groups.size > 0) {
      wakeAt = Infinity;
      const flush = queued >= maxQueue;
      let chosen: Group | undefined;
      let count = 0;
      for (const group of groups.values()) {
        const head = group.entries[0] as Entry;
        // The oldest ready batch goes first; a younger group need not even be planned.
        if (chosen !== undefined && head.enqueuedAt >= (chosen.entries[0] as Entry).enqueuedAt) continue;
        if (batching === undefined) {
          chosen = group;
          count = 1;
          continue;
        }
        const plan = planBatch({ pending: group.entries, config: batching, now: t, flush });
        if (plan.action === 'wait') {
          wakeAt = Math.min(wakeAt, plan.until);
        } else {
          chosen = group;
          count = plan.count;
        }
      }
      if (chosen === undefined) break;
      start(chosen, count, t);
    }
    if (running >= maxConcurrency) {
      // Waiting for a slot is queueing, not batching: a completion pumps again.
      wakeAt = Infinity;
      for (const group of groups.values()) group.formingSince = undefined;
    } else {
      for (const group of groups.values()) group.formingSince ??= t;
    }
    arm(Math.min(wakeAt, earliestExpiry), t);
  }

  function arm(at: number, t: number): void {
    if (groups.size === 0) {
      clearTimeout(timer);
      timer = undefined;
      timerAt = Infinity;
      earliestExpiry = Infinity;
      return;
    }
    // An earlier timer already set will wake us in time, and re-arm then.
    if (at >= timerAt) return;
    clearTimeout(timer);
    timerAt = at;
    // Capped: Node fires a longer timeout after 1 ms instead (a far deadline would spin).
    timer = setTimeout(onTimer, Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.ceil(at - t))));
  }

  function onTimer(): void {
    // Node timers may fire up to a millisecond before the high-resolution clock reaches
    // their time; acting as if it had avoids a second timer for that sliver.
    const t = Math.max(now(), timerAt);
    timer = undefined;
    timerAt = Infinity;
    pump(t);
  }

  function expire(t: number): void {
    const expired = new Set<Request>();
    let next = Infinity;
    for (const group of groups.values()) {
      for (const { request } of group.entries) {
        if (request.expiresAt <= t) expired.add(request);
        else next = Math.min(next, request.expiresAt);
      }
    }
    earliestExpiry = next;
    for (const request of expired) fail(request, request.expiresByDeadline ? deadlinePassed(t - request.enqueuedAt) : timedOut());
  }

  function start(group: Group, count: number, t: number): void {
    const entries = group.entries.splice(0, count);
    if (group.entries.length === 0) groups.delete(group.key);
    const formingSince = group.formingSince ?? t;
    group.formingSince = undefined;
    for (const { request } of entries) {
      if (!request.started) {
        request.started = true;
        queued--;
      }
      // Wholly started: it completes normally whatever the caller does now.
      if (--request.waiting === 0) detach(request);
    }
    running++;
    void runBatch(entries, t, formingSince);
  }

  async function runBatch(entries: readonly Entry[], startedAt: number, formingSince: number): Promise<void> {
    try {
      const single = entries.length === 1 ? (entries[0] as Entry) : undefined;
      const run: RunInputs = single ? { inputs: single.inputs, outputs: single.request.run.outputs } : { inputs: concatRows(entries.map((e) => e.inputs)) };
      const outputs = await options.execute(run);
      const computeMs = now() - startedAt;
      const parts = single ? [outputs] : splitRows(outputs, entries.map((e) => e.rows));
      let rows = 0;
      for (const entry of entries) rows += entry.rows;
      entries.forEach((entry, i) => {
        const batchWaitMs = Math.max(0, startedAt - Math.max(entry.enqueuedAt, formingSince));
        const queueMs = startedAt - entry.enqueuedAt - batchWaitMs;
        deliver(entry, parts[i] as Map<string, Tensor>, { queueMs, batchWaitMs, computeMs, batchRows: rows });
      });
    } catch (error) {
      const failure = asSlipwayError(error);
      for (const { request } of entries) fail(request, failure);
    } finally {
      running--;
      notifyIdle();
      pump(now());
    }
  }

  function deliver(entry: Entry, outputs: Map<string, Tensor>, timings: RunTimings): void {
    const request = entry.request;
    if (request.settled) return;
    let selected: Map<string, Tensor>;
    try {
      selected = select(outputs, request.run.outputs);
    } catch (error) {
      // Only this request named an output the model lacks; its batch-mates are served.
      fail(request, error as SlipwayError);
      return;
    }
    if (request.results.length === 1) {
      request.settled = true;
      request.resolve({ outputs: selected, timings });
      return;
    }
    request.results[entry.index] = selected;
    const total = request.timings;
    total.queueMs = Math.max(total.queueMs, timings.queueMs);
    total.batchWaitMs = Math.max(total.batchWaitMs, timings.batchWaitMs);
    total.computeMs += timings.computeMs;
    total.batchRows = Math.max(total.batchRows, timings.batchRows);
    if (++request.finished === request.results.length) {
      request.settled = true;
      request.resolve({ outputs: concatRows(request.results as Map<string, Tensor>[]), timings: total });
    }
  }

  return {
    submit(run: RunInputs, controls?: RunControls): Promise<RunResult> {
      if (controls?.deadline !== undefined && controls.deadline <= now()) return Promise.reject(deadlinePassed());
      // The caller's signal is read only by a request that has to wait: a run that starts at
      // once completes whether or not anyone is still listening.
      if (batching === undefined && running < maxConcurrency && groups.size === 0) return runAlone(run);
      if (controls?.signal?.aborted) return Promise.reject(gone());
      return enqueue(run, controls);
    },
    get queued() {
      return queued;
    },
    get running() {
      return running;
    },
    idle(): Promise<void> {
      if (running === 0 && groups.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { InvalidInputError, SlipwayError, type Tensor, httpStatusOf } from '@slipway/core';
import { type DispatcherOptions, createDispatcher } from './dispatcher.js';
import type { RunInputs, RunResult } from './types.js';

/** A request of `rows` rows of FP32 [rows, 2] whose values say whose rows they are. */
function request(id: number, rows = 1, outputs?: string[]): RunInputs {
  const x = Float32Array.from({ length: rows * 2 }, (_, i) => id * 1000 + i);
  return { inputs: new Map([['x', { datatype: 'FP32', shape: [rows, 2], data: x }]]), ...(outputs ? { outputs } : {}) };
}

/** The model: y = 2x and s = the row sums, one row out per row in. */
function compute(run: RunInputs): Map<string, Tensor> {
  const x = run.inputs.get('x') as Tensor;
  const data = x.data as Float32Array;
  const rows = x.shape[0] as number;
  const s = Float32Array.from({ length: rows }, (_, r) => (data[2 * r] as number) + (data[2 * r + 1] as number));
  return new Map<string, Tensor>([
    ['y', { datatype: 'FP32', shape: [rows, 2], data: data.map((v) => 2 * v) }],
    ['s', { datatype: 'FP32', shape: [rows], data: s }],
  ]);
}

const rowsIn = (run: RunInputs) => (run.inputs.get('x') as Tensor).shape[0] as number;

/** What request `id` of `rows` rows must get back. */
function expected(id: number, rows = 1): number[] {
  return Array.from(compute(request(id, rows)).get('y')?.data as Float32Array);
}
const y = (result: RunResult) => Array.from(result.outputs.get('y')?.data as Float32Array);

/** A model whose executions finish only when the test says so; counts what runs at once. */
function heldModel() {
  const held: { run: RunInputs; finish(error?: Error): void }[] = [];
  let inFlight = 0;
  let peak = 0;
  return {
    held,
    get peak() {
      return peak;
    },
    execute(run: RunInputs): Promise<Map<string, Tensor>> {
      peak = Math.max(peak, ++inFlight);
      return new Promise((resolve, reject) => {
        held.push({
          run,
          finish(error?: Error) {
            inFlight--;
            if (error === undefined) resolve(compute(run));
            else reject(error);
          },
        });
      });
    },
    /** Finishes the oldest execution still held. */
    finishNext(error?: Error) {
      const next = held.shift();
      if (next === undefined) throw new Error('no execution is running');
      next.finish(error);
    },
  };
}

/** Lets promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The settled outcome of a promise, to assert on without unhandled rejections. */
function outcome<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; done: boolean; at?: number } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true, at: Date.now() }),
    (error: unknown) => Object.assign(state, { error, done: true, at: Date.now() }),
  );
  return state;
}

const base = { name: 'test:v1', maxConcurrency: 1, maxQueue: 100, queueTimeoutMs: 60_000 } satisfies Partial<DispatcherOptions>;

describe('createDispatcher', () => {
  it('refuses impossible options, naming every field', () => {
    expect(() =>
      createDispatcher({
        ...base,
        execute: () => Promise.resolve(new Map()),
        maxConcurrency: 0,
        maxQueue: -1,
        queueTimeoutMs: 0,
        batching: { maxBatchSize: 4, maxDelayMicros: -1, preferredBatchSizes: [8] },
      }),
    ).toThrow(
      /serving\.maxConcurrency: must be an integer from 1.*serving\.maxQueue: must be an integer from 0.*serving\.queueTimeoutMs: must be > 0.*batching\.maxDelayMicros: must be ≥ 0.*batching\.preferredBatchSizes\[0\]: must be an integer from 1 to 4, got 8/,
    );
  });
});

describe('dispatcher without batching', () => {
  afterEach(() => vi.useRealTimers());

  it('runs a request at once when a slot is free: no timer, no waiting', async () => {
    vi.useFakeTimers();
    const model = heldModel();
    const d = createDispatcher({ ...base, execute: (run) => model.execute(run) });
    const result = outcome(d.submit(request(1, 3)));
    expect(model.held).toHaveLength(1); // started inside submit
    expect(vi.getTimerCount()).toBe(0);
    expect(d.running).toBe(1);
    expect(d.queued).toBe(0);
    model.finishNext();
    await vi.waitFor(() => expect(result.done).toBe(true));
    expect(y(result.value as RunResult)).toEqual(expected(1, 3));
    expect(result.value?.timings).toMatchObject({ queueMs: 0, batchWaitMs: 0, batchRows: 3 });
  });

  it('never runs more than maxConcurrency executions; the rest wait in order', async () => {
    const model = heldModel();
    const d = createDispatcher({ ...base, maxConcurrency: 3, execute: (run) => model.execute(run) });
    const results = Array.from({ length: 10 }, (_, id) => d.submit(request(id)));
    expect([d.running, d.queued]).toEqual([3, 7]);
    while (model.held.length > 0) {
      model.finishNext();
      await settle();
      expect(model.held.length).toBeLessThanOrEqual(3);
    }
    const done = await Promise.all(results);
    expect(model.peak).toBe(3);
    done.forEach((r, id) => expect(y(r)).toEqual(expected(id)));
    expect(done[9]?.timings.queueMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses at once with 429 when maxQueue requests already wait, and serves the others', async () => {
    const model = heldModel();
    const d = createDispatcher({ ...base, maxQueue: 2, execute: (run) => model.execute(run) });
    const admitted = [d.submit(request(0)), d.submit(request(1)), d.submit(request(2))];
    const refused = await d.submit(request(3)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SlipwayError);
    expect(refused).toMatchObject({ code: 'overloaded', message: expect.stringContaining('serving.maxQueue') as string });
    expect(httpStatusOf((refused as SlipwayError).code)).toBe(429);
    expect(d.queued).toBe(2);
    for (let i = 0; i < 3; i++) {
      model.finishNext();
      await settle();
    }
    expect((await Promise.all(admitted)).map(y)).toEqual([0, 1, 2].map((id) => expected(id)));
  });

  it('with maxQueue 0, serves while a slot is free and refuses the rest', async () => {
    const model = heldModel();
    const d = createDispatcher({ ...base, maxQueue: 0, execute: (run) => model.execute(run) });
    const first = d.submit(request(0));
    await expect(d.submit(request(1))).rejects.toMatchObject({ code: 'overloaded' });
    model.finishNext();
    expect(y(await first)).toEqual(expected(0));
  });

  it('refuses a request that waited queueTimeoutMs with 503, at that moment', async () => {
    vi.useFakeTimers();
    const model = heldModel();
    const d = createDispatcher({ ...base, queueTimeoutMs: 50, now: () => Date.now(), execute: (run) => model.execute(run) });
    const running = d.submit(request(0));
    const waiting = outcome(d.submit(request(1)));
    await vi.advanceTimersByTimeAsync(49);
    expect(waiting.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(waiting.error).toMatchObject({ code: 'queue_timeout', message: expect.stringContaining('serving.queueTimeoutMs') as string });
    expect(httpStatusOf((waiting.error as SlipwayError).code)).toBe(503);
    expect(d.queued).toBe(0);
    model.finishNext();
    expect(y(await running)).toEqual(expected(0));
  });

  it('refuses a queued request with 504 when its deadline passes; a running one completes', async () => {
    vi.useFakeTimers();
    const model = heldModel();
    const d = createDispatcher({ ...base, now: () => Date.now(), execute: (run) => model.execute(run) });
    const t0 = Date.now();
    const running = outcome(d.submit(request(0), { deadline: t0 + 10 }));
    const early = outcome(d.submit(request(1), { deadline: t0 + 30 }));
    const late = outcome(d.submit(request(2), { deadline: t0 + 20 }));
    await vi.advanceTimersByTimeAsync(20);
    expect(late.error).toMatchObject({ code: 'deadline_exceeded' });
    expect(httpStatusOf((late.error as SlipwayError).code)).toBe(504);
    expect([early.done, running.done]).toEqual([false, false]);
    await vi.advanceTimersByTimeAsync(10);
    expect(early.error).toMatchObject({ code: 'deadline_exceeded' });
    model.finishNext(); // past its deadline, but it was already executing
    await vi.waitFor(() => expect(running.done).toBe(true));
    expect(y(running.value as RunResult)).toEqual(expected(0));
    await expect(d.submit(request(3), { deadline: Date.now() })).rejects.toMatchObject({ code: 'deadline_exceeded', message: expect.stringContaining('already passed') as string });
  });

  it('keeps one timer however many requests wait, and none once the queue is empty', async () => {
    vi.useFakeTimers();
    const model = heldModel();
    const d = createDispatcher({ ...base, queueTimeoutMs: 1000, now: () => Date.now(), execute: (run) => model.execute(run) });
    const t0 = Date.now();
    const results = Array.from({ length: 50 }, (_, id) => outcome(d.submit(request(id), { deadline: t0 + 500 - id })));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(results.filter((r) => (r.error as SlipwayError | undefined)?.code === 'deadline_exceeded')).toHaveLength(49);
    expect(vi.getTimerCount()).toBe(0);
    model.finishNext();
    await vi.waitFor(() => expect(results[0]?.done).toBe(true));
  });

  it('takes an aborted request out of the queue at once, so a later one gets its place', async () => {
    const model = heldModel();
    const d = createDispatcher({ ...base, maxQueue: 1, execute: (run) => model.execute(run) });
    const caller = new AbortController();
    const running = d.submit(request(0), { signal: new AbortController().signal });
    const leaving = outcome(d.submit(request(1), { signal: caller.signal }));
    await expect(d.submit(request(2))).rejects.toMatchObject({ code: 'overloaded' });
    caller.abort();
    await settle();
    expect(leaving.error).toBeInstanceOf(SlipwayError);
    expect(leaving.error).toMatchObject({ code: 'unavailable', message: 'the caller went away' });
    expect(d.queued).toBe(0);
    const later = d.submit(request(3));
    model.finishNext();
    await settle();
    model.finishNext();
    expect((await Promise.all([running, later])).map(y)).toEqual([expected(0), expected(3)]);
    expect(model.held).toHaveLength(0); // the aborted request never ran
    // A caller already gone is refused when its request would have to wait…
    const busy = d.submit(request(4));
    await expect(d.submit(request(5), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'unavailable' });
    model.finishNext();
    await busy;
    // …while one that can start at once is not checked (reading the signal costs every request).
    const immediate = d.submit(request(6), { signal: AbortSignal.abort() });
    model.finishNext();
    expect(y(await immediate)).toEqual(expected(6));
  });

  it('lets an executing request complete when its caller aborts', async () => {
    const model = heldModel();
    const d = createDispatcher({ ...base, execute: (run) => model.execute(run) });
    const caller = new AbortController();
    const result = d.submit(request(0), { signal: caller.signal });
    caller.abort();
    model.finishNext();
    expect(y(await result)).toEqual(expected(0));
  });

  it('passes a SlipwayError from the model through, wraps anything else as pipeline_error, and keeps serving', async () => {
    let fail: Error | undefined;
    const d = createDispatcher({
      ...base,
      execute: (run) => {
        if (fail !== undefined) throw fail;
        return Promise.resolve(compute(run));
      },
    });
    fail = new SlipwayError('invalid_input', 'bad rank');
    await expect(d.submit(request(0))).rejects.toBe(fail);
    fail = new TypeError('boom');
    const error = await d.submit(request(1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'pipeline_error', message: 'test:v1: the model failed to run: boom', cause: fail });
    fail = undefined;
    expect(y(await d.submit(request(2)))).toEqual(expected(2));
  });

  it('selects the outputs each request asks for', async () => {
    const d = createDispatcher({ ...base, execute: (run) => Promise.resolve(compute(run)) });
    expect([...(await d.submit(request(0, 1, ['s']))).outputs.keys()]).toEqual(['s']);
    expect([...(await d.submit(request(0))).outputs.keys()]).toEqual(['y', 's']);
    await expect(d.submit(request(0, 1, ['nope']))).rejects.toThrow(/"nope" is not an output of test:v1; its outputs are y, s/);
  });

  it('resolves idle() once nothing is queued or running', async () => {
    const model = heldModel();
    const d = createDispatcher({ ...base, execute: (run) => model.execute(run) });
    await d.idle();
    const results = [d.submit(request(0)), d.submit(request(1))];
    const idle = outcome(d.idle());
    model.finishNext();
    await settle();
    expect(idle.done).toBe(false);
    model.finishNext();
    await Promise.all(results);
    await settle();
    expect(idle.done).toBe(true);
  });
});

describe('dispatcher with batching', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const batching = (maxBatchSize: number, maxDelayMicros = 2000, preferredBatchSizes: number[] = []) => ({ maxBatchSize, maxDelayMicros, preferredBatchSizes });

  /** A batching dispatcher over a model that answers at once; records each execution's rows. */
  function batched(options: Partial<DispatcherOptions> = {}) {
    const executions: number[] = [];
    const d = createDispatcher({
      ...base,
      maxConcurrency: 4,
      now: () => Date.now(),
      batching: batching(8),
      execute: (run) => {
        executions.push(rowsIn(run));
        return Promise.resolve(compute(run));
      },
      ...options,
    });
    return { d, executions };
  }

  it('waits up to maxDelay for others to join, then runs them as one batch', async () => {
    const { d, executions } = batched();
    const first = outcome(d.submit(request(1)));
    await vi.advanceTimersByTimeAsync(1);
    const second = outcome(d.submit(request(2, 2)));
    await vi.advanceTimersByTimeAsync(0.999);
    expect(executions).toEqual([]);
    await vi.advanceTimersByTimeAsync(0.001);
    expect(executions).toEqual([3]);
    expect(y(first.value as RunResult)).toEqual(expected(1));
    expect(y(second.value as RunResult)).toEqual(expected(2, 2));
    expect(first.value?.timings).toMatchObject({ queueMs: 0, batchWaitMs: 2, batchRows: 3 });
    expect(second.value?.timings).toMatchObject({ queueMs: 0, batchWaitMs: 1, batchRows: 3 });
  });

  it('runs at once when the rows reach maxBatchSize or a preferred size', async () => {
    const { d, executions } = batched({ batching: batching(8, 10_000, [3]) });
    const results = [d.submit(request(1, 2)), d.submit(request(2)), d.submit(request(3, 4)), d.submit(request(4, 4))];
    await vi.advanceTimersByTimeAsync(0);
    expect(executions).toEqual([3, 8]);
    expect((await Promise.all(results)).map(y)).toEqual([expected(1, 2), expected(2), expected(3, 4), expected(4, 4)]);
  });

  it('splits a request larger than maxBatchSize into chunks and joins their outputs', async () => {
    const { d, executions } = batched({ batching: batching(4, 1000) });
    const big = outcome(d.submit(request(1, 10, ['y'])));
    const small = outcome(d.submit(request(2)));
    await vi.advanceTimersByTimeAsync(1);
    expect(executions).toEqual([4, 4, 3]); // the last chunk shares a batch with the small request
    expect(y(big.value as RunResult)).toEqual(expected(1, 10));
    expect(big.value?.outputs.get('y')?.shape).toEqual([10, 2]);
    expect([...(big.value as RunResult).outputs.keys()]).toEqual(['y']);
    expect(y(small.value as RunResult)).toEqual(expected(2));
    expect(big.value?.timings.batchRows).toBe(4);
  });

  it('counts a chunked request once, until its first chunk starts, and rejects it whole when it expires', async () => {
    const model = heldModel();
    const d = createDispatcher({ ...base, queueTimeoutMs: 5, now: () => Date.now(), batching: batching(2, 0), execute: (run) => model.execute(run) });
    const running = d.submit(request(0, 2));
    const big = outcome(d.submit(request(1, 6)));
    expect(d.queued).toBe(1);
    model.finishNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(model.held).toHaveLength(1); // the first chunk runs
    expect(d.queued).toBe(0);
    await vi.advanceTimersByTimeAsync(5);
    expect(big.error).toMatchObject({ code: 'queue_timeout' });
    expect(d.queued).toBe(0);
    model.finishNext();
    expect(y(await running)).toEqual(expected(0, 2));
    expect(model.held).toHaveLength(0); // the other chunks never ran
  });

  it('never batches requests whose trailing dimensions or datatypes differ', async () => {
    const { d, executions } = batched();
    const odd: RunInputs = { inputs: new Map([['x', { datatype: 'FP32', shape: [1, 3], data: new Float32Array(3) }]]) };
    const results = [d.submit(request(1)), d.submit(odd), d.submit(request(2))];
    await vi.advanceTimersByTimeAsync(2);
    expect(executions.sort()).toEqual([1, 2]);
    await Promise.all(results);
  });

  it('refuses inputs that cannot be batched without disturbing the queue', async () => {
    const { d } = batched();
    const mismatched: RunInputs = {
      inputs: new Map([
        ['x', { datatype: 'FP32', shape: [2, 2], data: new Float32Array(4) }],
        ['z', { datatype: 'FP32', shape: [3, 2], data: new Float32Array(6) }],
      ]),
    };
    await expect(d.submit(mismatched)).rejects.toBeInstanceOf(InvalidInputError);
    expect(d.queued).toBe(0);
  });

  it('fails every request of a failed batch, then serves the next', async () => {
    let broken = true;
    const { d } = batched({
      execute: (run) => (broken ? Promise.reject(new Error('kernel died')) : Promise.resolve(compute(run))),
    });
    const batch = [outcome(d.submit(request(1))), outcome(d.submit(request(2)))];
    await vi.advanceTimersByTimeAsync(2);
    for (const member of batch) expect(member.error).toMatchObject({ code: 'pipeline_error', message: 'test:v1: the model failed to run: kernel died' });
    broken = false;
    const next = d.submit(request(3));
    await vi.advanceTimersByTimeAsync(2);
    expect(y(await next)).toEqual(expected(3));
  });

  it('fails a batch whose model does not return one row per input row', async () => {
    const { d } = batched({ execute: () => Promise.resolve(new Map([['mean', { datatype: 'FP32', shape: [1], data: new Float32Array(1) }]])) });
    const batch = [outcome(d.submit(request(1))), outcome(d.submit(request(2)))];
    await vi.advanceTimersByTimeAsync(2);
    for (const member of batch) expect(member.error).toMatchObject({ code: 'pipeline_error', message: expect.stringContaining('cannot be batched') as string });
  });

  it('computes all outputs for a shared batch and gives each request the ones it named', async () => {
    const runs: RunInputs[] = [];
    const { d } = batched({
      execute: (run) => {
        runs.push(run);
        return Promise.resolve(compute(run));
      },
    });
    const wantsS = outcome(d.submit(request(1, 1, ['s'])));
    const wantsAll = outcome(d.submit(request(2)));
    const wantsNothingThere = outcome(d.submit(request(3, 1, ['nope'])));
    await vi.advanceTimersByTimeAsync(2);
    expect(runs.map((r) => r.outputs)).toEqual([undefined]);
    expect([...(wantsS.value as RunResult).outputs.keys()]).toEqual(['s']);
    expect([...(wantsAll.value as RunResult).outputs.keys()]).toEqual(['y', 's']);
    expect(wantsNothingThere.error).toBeInstanceOf(InvalidInputError);
  });

  it('stops waiting for a batch to fill once the queue is full', async () => {
    const { d, executions } = batched({ maxQueue: 2, batching: batching(8, 10_000) });
    const results = [d.submit(request(1)), d.submit(request(2))];
    await vi.advanceTimersByTimeAsync(0);
    expect(executions).toEqual([2]);
    await Promise.all(results);
  });

  it('counts waiting for a slot as queueing and waiting for others as batching', async () => {
    const model = heldModel();
    const d = createDispatcher({ ...base, now: () => Date.now(), batching: batching(8, 1000), execute: (run) => model.execute(run) });
    const first = d.submit(request(1, 8));
    const second = outcome(d.submit(request(2)));
    await vi.advanceTimersByTimeAsync(5);
    model.finishNext();
    await vi.advanceTimersByTimeAsync(0);
    // The slot came free after 5 ms, past the 1 ms delay: it ran at once.
    expect(model.held).toHaveLength(1);
    model.finishNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(second.value?.timings).toMatchObject({ queueMs: 5, batchWaitMs: 0, batchRows: 1 });
    expect((await first).timings).toMatchObject({ queueMs: 0, batchWaitMs: 0, batchRows: 8 });
  });

  it('takes an aborted request out of a forming batch', async () => {
    const { d, executions } = batched();
    const caller = new AbortController();
    const leaving = outcome(d.submit(request(1), { signal: caller.signal }));
    const staying = outcome(d.submit(request(2)));
    caller.abort();
    await vi.advanceTimersByTimeAsync(2);
    expect(leaving.error).toMatchObject({ code: 'unavailable' });
    expect(executions).toEqual([1]);
    expect(y(staying.value as RunResult)).toEqual(expected(2));
  });
});

describe('dispatcher with batching on the real clock', () => {
  it('sends a batch once the oldest request has waited maxDelay, not much later', async () => {
    const started: number[] = [];
    const d = createDispatcher({
      ...base,
      maxConcurrency: 2,
      batching: { maxBatchSize: 8, maxDelayMicros: 3000, preferredBatchSizes: [] },
      execute: (run) => {
        started.push(performance.now());
        return Promise.resolve(compute(run));
      },
    });
    const t0 = performance.now();
    const first = d.submit(request(1));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const second = d.submit(request(2));
    const [a, b] = await Promise.all([first, second]);
    expect(started).toHaveLength(1);
    // Node timers fire on a millisecond clock: up to 1 ms early, and late by whatever else the machine does.
    expect((started[0] as number) - t0).toBeGreaterThanOrEqual(2);
    expect((started[0] as number) - t0).toBeLessThan(3 + 50);
    expect([a.timings.batchRows, y(a), y(b)]).toEqual([2, expected(1), expected(2)]);
  });
});

describe('dispatcher under random arrivals (property)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const scenario = fc.record({
    maxBatchSize: fc.integer({ min: 1, max: 8 }),
    maxDelayMicros: fc.constantFrom(0, 400, 1000, 2500, 5000),
    preferred: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 3 }),
    maxConcurrency: fc.integer({ min: 1, max: 3 }),
    maxQueue: fc.integer({ min: 0, max: 40 }),
    arrivals: fc.array(
      fc.record({
        gapMs: fc.integer({ min: 0, max: 3 }),
        rows: fc.integer({ min: 0, max: 20 }),
        computeMs: fc.integer({ min: 0, max: 4 }),
        /** The caller goes away, or its deadline passes, this long after it arrived. */
        leaves: fc.option(fc.record({ how: fc.constantFrom('abort', 'deadline'), afterMs: fc.integer({ min: 0, max: 6 }) }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 30 },
    ),
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  /**
   * Replays the arrivals on the fake clock. `unlimited` gives every execution a slot and
   * the queue room for everyone, and nobody leaves, to check the delay bound.
   */
  async function replay(s: Scenario, unlimited: boolean) {
    const maxConcurrency = unlimited ? 1000 : s.maxConcurrency;
    const maxQueue = unlimited ? 1000 : s.maxQueue;
    const batchRows: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const d = createDispatcher({
      name: 'prop:v1',
      maxConcurrency,
      maxQueue,
      queueTimeoutMs: 60_000,
      now: () => Date.now(),
      batching: { maxBatchSize: s.maxBatchSize, maxDelayMicros: s.maxDelayMicros, preferredBatchSizes: s.preferred.filter((p) => p <= s.maxBatchSize) },
      execute: async (run) => {
        batchRows.push(rowsIn(run));
        peak = Math.max(peak, ++inFlight);
        // How long this execution takes: the compute time of its first request.
        const id = Math.floor((((run.inputs.get('x') as Tensor).data as Float32Array)[0] ?? 0) / 1000);
        await new Promise((resolve) => setTimeout(resolve, s.arrivals[id]?.computeMs ?? 0));
        inFlight--;
        return compute(run);
      },
    });
    const results: ReturnType<typeof outcome<RunResult>>[] = [];
    /** When each request left (aborted or its deadline), if it did. */
    const leftAt: (number | undefined)[] = [];
    for (const [id, arrival] of s.arrivals.entries()) {
      await vi.advanceTimersByTimeAsync(arrival.gapMs);
      const leaves = unlimited ? undefined : arrival.leaves;
      const caller = new AbortController();
      leftAt.push(leaves && Date.now() + leaves.afterMs);
      if (leaves?.how === 'abort') setTimeout(() => caller.abort(), leaves.afterMs);
      const controls = leaves?.how === 'deadline' ? { deadline: Date.now() + leaves.afterMs } : { signal: caller.signal };
      results.push(outcome(d.submit(request(id, arrival.rows), controls)));
      expect(d.queued).toBeLessThanOrEqual(maxQueue);
    }
    await vi.runAllTimersAsync();
    await d.idle();
    return { results, leftAt, batchRows, peak, d, maxConcurrency };
  }

  it('never exceeds maxBatchSize or maxConcurrency, and gives every request exactly its rows or a reason', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { results, leftAt, batchRows, peak, d, maxConcurrency } = await replay(s, false);
        expect(Math.max(...batchRows, 0)).toBeLessThanOrEqual(s.maxBatchSize);
        expect(peak).toBeLessThanOrEqual(maxConcurrency);
        results.forEach((r, id) => {
          expect(r.done).toBe(true);
          if (r.error === undefined) return expect(y(r.value as RunResult)).toEqual(expected(id, s.arrivals[id]?.rows));
          const code = (r.error as SlipwayError).code;
          expect(['overloaded', 'deadline_exceeded', 'unavailable']).toContain(code);
          if (code === 'overloaded') return;
          // Only a caller that left is refused for leaving, for the way it left, and not before.
          expect(code).toBe(s.arrivals[id]?.leaves?.how === 'abort' ? 'unavailable' : 'deadline_exceeded');
          expect(r.at).toBeGreaterThanOrEqual(leftAt[id] ?? Infinity);
        });
        expect([d.queued, d.running]).toEqual([0, 0]);
      }),
      { numRuns: 150 },
    );
  });

  it('starts every request within maxDelay (plus the 1 ms timer resolution) when slots are free', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { results } = await replay(s, true);
        for (const r of results) {
          const { queueMs, batchWaitMs } = (r.value as RunResult).timings;
          expect(queueMs + batchWaitMs).toBeLessThanOrEqual(s.maxDelayMicros / 1000 + 1);
        }
      }),
      { numRuns: 150 },
    );
  });
});

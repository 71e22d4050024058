import { randomUUID } from 'node:crypto';
import type { MetadataStore, RunOutcome, RunRecord } from '@slipway/core';
import { createSqliteMetadataStore } from '@slipway/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunExecutor } from './run-executor.js';
import { createStoreRunQueue } from './run-queue.js';
import { eventually } from './testing/runs-app.js';

let store: MetadataStore;
beforeEach(async () => {
  store = createSqliteMetadataStore({ path: ':memory:' });
  await store.migrate();
});
afterEach(() => store.close());

const enqueue = (n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      store.createRun({ id: randomUUID(), mode: 'async', state: 'queued', pipeline: 'p', ref: 'p', inputs: { i }, callbackUrl: null, createdBy: 't', enqueuedAt: new Date(Date.now() + i).toISOString() }),
    ),
  );

const completed = (): RunOutcome => ({ state: 'completed', version: 1, outputs: { ok: true }, error: null, finishedAt: new Date().toISOString(), computeMs: 1, maxRecordBytes: 1 << 20 });

describe('run executor', () => {
  it('never runs more than its concurrency at once, and finishes every run', async () => {
    await enqueue(7);
    let running = 0;
    let peak = 0;
    const finished: string[] = [];
    const executor = createRunExecutor({
      queue: createStoreRunQueue(store),
      owner: 'test',
      concurrency: 2,
      pollMs: 10,
      async execute() {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 15));
        running -= 1;
        return completed();
      },
      onFinished: (run) => void finished.push(run.id),
    });
    executor.start();
    await eventually(async () => ((await store.listRuns({ state: 'completed', limit: 100 })).length === 7 ? true : undefined));
    await executor.close();
    expect(peak).toBe(2);
    expect(finished).toHaveLength(7);
  });

  it('aborts a run cancelled in the store at its next lease renewal', async () => {
    const [run] = await enqueue(1);
    let aborted = false;
    const executor = createRunExecutor({
      queue: createStoreRunQueue(store),
      owner: 'test',
      leaseMs: 60,
      execute: (_run, signal) =>
        new Promise<RunOutcome>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve({ ...completed(), state: 'failed', outputs: null, error: { class: 'unavailable', code: 'unavailable', message: 'aborted' } });
          });
        }),
    });
    executor.start();
    await eventually(async () => ((await store.getRun(run?.id ?? ''))?.state === 'running' ? true : undefined));
    await store.cancelRun(run?.id ?? '', new Date().toISOString());
    await eventually(() => Promise.resolve(aborted ? true : undefined), 2000);
    await executor.close();
    // The cancel stands: the aborted execution did not overwrite it.
    expect((await store.getRun(run?.id ?? ''))?.state).toBe('cancelled');
  });

  it('on close, puts runs in flight back in the queue for the next start', async () => {
    await enqueue(3);
    const started: RunRecord[] = [];
    const executor = createRunExecutor({
      queue: createStoreRunQueue(store),
      owner: 'closing',
      concurrency: 3,
      execute: (run, signal) =>
        new Promise<RunOutcome>((resolve) => {
          started.push(run);
          signal.addEventListener('abort', () => resolve({ ...completed(), state: 'failed', outputs: null, error: { class: 'unavailable', code: 'unavailable', message: 'closing' } }));
        }),
    });
    executor.start();
    await eventually(() => Promise.resolve(started.length === 3 ? true : undefined));
    await executor.close();
    const runs = await store.listRuns({ limit: 10 });
    expect(runs.map((r) => r.state)).toEqual(['queued', 'queued', 'queued']);
    expect(runs.every((r) => r.executions === 1 && r.error === null)).toBe(true);
  });
});

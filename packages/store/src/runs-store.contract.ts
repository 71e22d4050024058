/**
 * The behaviour every `RunStore` owes the async runs service, run by sqlite.test.ts and
 * postgres.test.ts: records round-trip, claims hand each run to one owner under a lease,
 * an expired lease makes a run claimable again (a dead server's runs are not lost),
 * finishing caps what is kept, and cancelling stops at finished runs.
 */
import { randomUUID } from 'node:crypto';
import type { MetadataStore, NewRun, RunOutcome } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let n = 0;
/** Runs of one test carry their own pipeline, and enqueue times far in the past so they come first. */
function newRun(pipeline: string, overrides: Partial<NewRun> = {}): NewRun {
  n += 1;
  return {
    id: randomUUID(),
    mode: 'async',
    state: 'queued',
    pipeline,
    ref: `${pipeline}@production`,
    inputs: { income: 1, note: 'ünïcode “quoted”' },
    callbackUrl: null,
    createdBy: 'tester',
    enqueuedAt: new Date(Date.UTC(2000, 0, 1, 0, 0, n)).toISOString(),
    ...overrides,
  };
}

const outcome = (overrides: Partial<RunOutcome> = {}): RunOutcome => ({
  state: 'completed',
  version: 3,
  outputs: { outputs: { y: [[1, 2]] } },
  error: null,
  finishedAt: new Date().toISOString(),
  computeMs: 1.5,
  maxRecordBytes: 1024 * 1024,
  ...overrides,
});

const iso = (ms: number) => new Date(ms).toISOString();

export function describeRunStoreContract(name: string, open: () => MetadataStore): void {
  describe(`RunStore (${name})`, () => {
    let store: MetadataStore;
    beforeAll(async () => {
      store = open();
      await store.migrate();
    });
    afterAll(() => store.close());

    /** Claims until this test's own run comes up (other tests' leftovers are claimed out of the way). */
    async function claimOwn(ids: readonly string[], owner: string, now = Date.now(), leaseMs = 60_000) {
      for (let i = 0; i < 50; i++) {
        const run = await store.claimRun({ owner, now: iso(now), leaseUntil: iso(now + leaseMs) });
        if (run === undefined || ids.includes(run.id)) return run;
        await store.finishRun(run.id, owner, outcome());
      }
      throw new Error('no own run claimed');
    }

    it('creates, reads and lists run records newest first, filtered', async () => {
      const a = await store.createRun(newRun('list-a'));
      const b = await store.createRun(newRun('list-a', { callbackUrl: 'https://example.com/hook' }));
      await store.createRun(newRun('list-b'));
      expect(a).toMatchObject({ state: 'queued', mode: 'async', version: null, inputs: { income: 1, note: 'ünïcode “quoted”' }, callback: null, executions: 0 });
      expect(b.callback).toStrictEqual({ url: 'https://example.com/hook', state: 'pending', attempts: [] });
      expect(a).toMatchObject({ environment: null, callerKey: null });
      const routed = await store.createRun(newRun('list-c', { environment: 'staging', callerKey: 'customer-7' }));
      expect(await store.getRun(routed.id)).toMatchObject({ environment: 'staging', callerKey: 'customer-7' });
      expect(await store.getRun(a.id)).toStrictEqual(a);
      expect(await store.getRun('missing')).toBeUndefined();
      expect((await store.listRuns({ pipeline: 'list-a', limit: 10 })).map((r) => r.id)).toStrictEqual([b.id, a.id]);
      expect((await store.listRuns({ pipeline: 'list-a', limit: 1 })).map((r) => r.id)).toStrictEqual([b.id]);
      expect(await store.listRuns({ pipeline: 'list-a', state: 'completed', limit: 10 })).toStrictEqual([]);
    });

    it('claims the oldest queued run once, under a lease that must be held to finish', async () => {
      const first = await store.createRun(newRun('claim'));
      const second = await store.createRun(newRun('claim'));
      const claimed = await claimOwn([first.id, second.id], 'server-1');
      expect(claimed).toMatchObject({ id: first.id, state: 'running', executions: 1 });
      const next = await claimOwn([first.id, second.id], 'server-2');
      expect(next?.id).toBe(second.id);
      expect(await store.renewRunLease(first.id, 'server-1', iso(Date.now() + 60_000))).toBe(true);
      expect(await store.renewRunLease(first.id, 'server-2', iso(Date.now() + 60_000))).toBe(false);
      expect(await store.finishRun(first.id, 'server-2', outcome())).toBeUndefined();
      const done = await store.finishRun(first.id, 'server-1', outcome());
      expect(done).toMatchObject({ state: 'completed', version: 3, outputs: { outputs: { y: [[1, 2]] } }, error: null, outputsTruncated: false });
      expect(done?.timings.queueMs).toBeGreaterThan(0);
      expect(done?.timings.computeMs).toBe(1.5);
      // Finished runs are never finished twice.
      expect(await store.finishRun(first.id, 'server-1', outcome({ state: 'failed' }))).toBeUndefined();
    });

    it('hands a run whose lease expired to another owner, and released runs go back to the queue', async () => {
      const run = await store.createRun(newRun('lease'));
      const t0 = Date.now();
      expect((await claimOwn([run.id], 'dead-server', t0, 1000))?.id).toBe(run.id);
      // Still leased a moment later: not claimable.
      expect((await claimOwn([run.id], 'other', t0 + 500))?.id).not.toBe(run.id);
      const again = await claimOwn([run.id], 'other', t0 + 5000);
      expect(again).toMatchObject({ id: run.id, executions: 2, inputs: { income: 1, note: 'ünïcode “quoted”' } });
      expect(await store.renewRunLease(run.id, 'dead-server', iso(t0 + 60_000))).toBe(false);
      expect(await store.releaseRun(run.id, 'other')).toBe(true);
      expect((await store.getRun(run.id))?.state).toBe('queued');
      expect((await claimOwn([run.id], 'third'))?.executions).toBe(3);
    });

    it('gives concurrent claimers distinct runs', async () => {
      const runs = await Promise.all(Array.from({ length: 6 }, () => store.createRun(newRun('concurrent'))));
      const ids = runs.map((r) => r.id);
      const claimed = await Promise.all(Array.from({ length: 6 }, (_, i) => claimOwn(ids, `owner-${i}`)));
      const got = claimed.map((r) => r?.id).filter((id) => id !== undefined);
      expect(new Set(got).size).toBe(got.length);
      expect(got.length).toBe(6);
    });

    it('drops inputs and outputs over the cap from the record, flagged truncated', async () => {
      const run = await store.createRun(newRun('cap', { inputs: { blob: 'x'.repeat(2000) } }));
      await claimOwn([run.id], 'cap-owner');
      const done = await store.finishRun(run.id, 'cap-owner', outcome({ outputs: { big: 'y'.repeat(2000) }, maxRecordBytes: 1000 }));
      expect(done).toMatchObject({ inputs: null, inputsTruncated: true, outputs: null, outputsTruncated: true, state: 'completed' });
    });

    it('cancels queued and running runs, and leaves finished ones as they were', async () => {
      const queued = await store.createRun(newRun('cancel'));
      const at = new Date().toISOString();
      expect(await store.cancelRun(queued.id, at)).toMatchObject({ cancelled: true, record: { state: 'cancelled', timings: { finishedAt: at } } });
      const again = await store.cancelRun(queued.id, new Date().toISOString());
      expect(again).toMatchObject({ cancelled: false, record: { state: 'cancelled', timings: { finishedAt: at } } });
      expect(await store.cancelRun('missing', at)).toBeUndefined();
      const running = await store.createRun(newRun('cancel'));
      await claimOwn([running.id], 'c-owner');
      expect((await store.cancelRun(running.id, at))?.cancelled).toBe(true);
      // The executor that held it can no longer finish or renew it.
      expect(await store.renewRunLease(running.id, 'c-owner', iso(Date.now() + 1000))).toBe(false);
      expect(await store.finishRun(running.id, 'c-owner', outcome())).toBeUndefined();
    });

    it('finishes runs no executor holds (streams) and records callback attempts', async () => {
      const stream = await store.createRun(newRun('stream', { mode: 'stream', state: 'running', callbackUrl: 'https://example.com/cb' }));
      // A stream is never claimed by the async executor.
      expect((await claimOwn([stream.id], 'executor'))?.id).not.toBe(stream.id);
      const error = { class: 'pipeline_error' as const, code: 'pipeline_error', message: 'boom' };
      expect(await store.finishRun(stream.id, null, outcome({ state: 'failed', outputs: null, error }))).toMatchObject({ state: 'failed', error, outputs: null });
      expect((await store.pendingCallbacks(1000)).some((r) => r.id === stream.id)).toBe(true);
      const attempts = [{ attempt: 1, at: new Date().toISOString(), status: 500, ms: 3.5 }, { attempt: 2, at: new Date().toISOString(), error: 'ECONNREFUSED', ms: 1 }];
      await store.updateRunCallback(stream.id, { url: 'https://example.com/cb', state: 'failed', attempts });
      expect((await store.getRun(stream.id))?.callback).toStrictEqual({ url: 'https://example.com/cb', state: 'failed', attempts });
      expect((await store.pendingCallbacks(1000)).some((r) => r.id === stream.id)).toBe(false);
    });
  });
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { MetadataStore, RunEvent, RunRecord, RunsResponse } from '@slipway/core';
import { createPostgresMetadataStore, createSqliteMetadataStore } from '@slipway/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, classifierPackage, identityModel, packageTar, slowModel } from './testing/fixtures.js';
import { type RunsTestApp, eventually, failingModel, openRunsApp } from './testing/runs-app.js';

let dir: string;
let t: RunsTestApp;

const pushTo = async (app: RunsTestApp, tar: Buffer) => {
  const res = await app.app.inject({ method: 'POST', url: '/v1/pipelines', headers: { 'content-type': 'application/x-tar', ...auth }, payload: tar });
  expect(res.statusCode).toBeLessThan(300);
};
const submit = (app: RunsTestApp, payload: object, headers: Record<string, string> = auth) =>
  app.app.inject({ method: 'POST', url: '/v1/runs', headers, payload: { mode: 'async', ...payload } });
const getRun = async (app: RunsTestApp, id: string) => (await app.app.inject({ url: `/v1/runs/${id}`, headers: auth })).json<RunRecord>();
const finished = (app: RunsTestApp, id: string) =>
  eventually(async () => {
    const run = await getRun(app, id);
    return ['completed', 'failed', 'cancelled'].includes(run.state) ? run : undefined;
  });

const record = { income: 5, owner: false, score: 0 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-async-'));
  t = await openRunsApp(dir, { maxRecordBytes: 300 });
  await pushTo(t, await classifierPackage());
  await pushTo(t, await packageTar({ 'slipway.yaml': 'name: echo\n', 'model.onnx': identityModel('INT64', ['batch', 2]) }));
  await pushTo(t, await packageTar({ 'slipway.yaml': 'name: gather\n', 'model.onnx': failingModel() }));
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe('async runs', () => {
  it('answers 202 with a queued record, then completes with outputs, version and timings', async () => {
    const res = await submit(t, { pipeline: 'tiny', inputs: record });
    expect(res.statusCode).toBe(202);
    const queued = res.json<RunRecord>();
    expect(res.headers.location).toBe(`/v1/runs/${queued.id}`);
    expect(queued).toMatchObject({ mode: 'async', state: 'queued', pipeline: 'tiny', ref: 'tiny', version: null, inputs: record, createdBy: 'tester' });
    const done = await finished(t, queued.id);
    expect(done).toMatchObject({ state: 'completed', version: 1, error: null, executions: 1, inputsTruncated: false, outputsTruncated: false });
    expect(done.outputs).toMatchObject({ predictions: [{ label: 'default' }] });
    const { enqueuedAt, startedAt, finishedAt, queueMs, computeMs } = done.timings;
    expect(Date.parse(enqueuedAt)).toBeLessThanOrEqual(Date.parse(startedAt ?? ''));
    expect(Date.parse(startedAt ?? '')).toBeLessThanOrEqual(Date.parse(finishedAt ?? ''));
    expect(queueMs).toBeGreaterThanOrEqual(0);
    expect(computeMs).toBeGreaterThan(0);
  });

  it('records a run the model fails as failed, with the error class and the version', async () => {
    const done = await finished(t, (await submit(t, { pipeline: 'gather', inputs: { i: [7] } })).json<RunRecord>().id);
    expect(done).toMatchObject({ state: 'failed', version: 1, outputs: null, error: { class: 'pipeline_error', code: 'pipeline_error' } });
    expect(done.error?.message).toMatch(/out of data bounds/);
    // The server keeps serving: the next run of the same version completes.
    expect((await finished(t, (await submit(t, { pipeline: 'gather', inputs: { i: [2] } })).json<RunRecord>().id)).outputs).toEqual({ outputs: { y: [3] } });
  });

  it('keeps the deployment environment and caller key it was submitted with', async () => {
    const res = await submit(t, { pipeline: 'tiny', inputs: record }, { ...auth, 'x-slipway-environment': 'staging', 'x-slipway-caller-key': 'customer-7' });
    expect(res.json<RunRecord>()).toMatchObject({ environment: 'staging', callerKey: 'customer-7' });
    expect(await finished(t, res.json<RunRecord>().id)).toMatchObject({ state: 'completed', environment: 'staging', callerKey: 'customer-7' });
    const plain = (await submit(t, { pipeline: 'tiny', inputs: record })).json<RunRecord>();
    expect(plain).toMatchObject({ environment: null, callerKey: null });
    await finished(t, plain.id);
  });

  it('drops inputs and outputs over the record cap from the record, flagged truncated', async () => {
    const records = Array.from({ length: 20 }, (_, i) => ({ income: i, owner: true, score: 1 }));
    const done = await finished(t, (await submit(t, { pipeline: 'tiny', inputs: records })).json<RunRecord>().id);
    expect(done).toMatchObject({ state: 'completed', inputs: null, inputsTruncated: true, outputs: null, outputsTruncated: true, version: 1 });
  });

  it('lists records newest first, filtered by pipeline and state, limited', async () => {
    const a = (await submit(t, { pipeline: 'echo', inputs: { x: [[1, 2]] } })).json<RunRecord>();
    const b = (await submit(t, { pipeline: 'echo', inputs: { x: [[3, 4]] } })).json<RunRecord>();
    await finished(t, a.id);
    await finished(t, b.id);
    const list = (url: string) => t.app.inject({ url, headers: auth });
    expect((await list('/v1/runs?pipeline=echo')).json<RunsResponse>().runs.map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await list('/v1/runs?pipeline=echo&limit=1')).json<RunsResponse>().runs.map((r) => r.id)).toEqual([b.id]);
    expect((await list('/v1/runs?pipeline=echo&state=failed')).json<RunsResponse>().runs).toEqual([]);
    const bad = await list('/v1/runs?state=done&limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/state: must be one of queued, running, completed, failed, cancelled.*limit/);
    expect((await t.app.inject({ url: '/v1/runs' })).statusCode).toBe(401);
  });

  it.each([
    ['an unknown mode', { mode: 'later' }, 400, /mode: "later" is not a run mode; use "sync" \(the default\), "async" or "stream"/],
    ['a missing feature', { inputs: { income: 1, owner: true } }, 400, /inputs\[0\]\.score: is missing/],
    ['an unknown field', { extra: 1 }, 400, /extra/],
    ['a malformed callback URL', { callbackUrl: 'not a url' }, 400, /callbackUrl: "not a url" is not a URL/],
    ['a non-http callback', { callbackUrl: 'ftp://example.com/x' }, 400, /callbackUrl: scheme "ftp:" is not allowed; use http: or https:/],
    ['a loopback callback', { callbackUrl: 'http://127.0.0.1:9/hook' }, 400, /callbackUrl: resolves to 127\.0\.0\.1, a loopback, private, link-local or metadata address; .*SLIPWAY_CALLBACK_ALLOW/],
    ['the metadata address', { callbackUrl: 'http://169.254.169.254/latest/meta-data' }, 400, /callbackUrl: resolves to 169\.254\.169\.254/],
    ['an IPv6 loopback', { callbackUrl: 'http://[::1]:8080/' }, 400, /callbackUrl: resolves to ::1/],
    ['a mapped private address', { callbackUrl: 'http://[::ffff:10.0.0.1]/' }, 400, /callbackUrl: resolves to ::ffff:a00:1/],
    ['a host resolving to a private address', { callbackUrl: 'http://localhost:9/hook' }, 400, /callbackUrl: resolves to (127\.0\.0\.1|::1)/],
    ['an unknown pipeline', { pipeline: 'nope' }, 404, /pipeline "nope" not found/],
  ])('refuses %s at submit, storing nothing', async (_name, change, status, pattern) => {
    const before = (await t.app.inject({ url: '/v1/runs?limit=1000', headers: auth })).json<RunsResponse>().runs.length;
    const res = await submit(t, { pipeline: 'tiny', inputs: record, ...change });
    expect(res.statusCode).toBe(status);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(pattern);
    expect((await t.app.inject({ url: '/v1/runs?limit=1000', headers: auth })).json<RunsResponse>().runs.length).toBe(before);
  });

  it('answers 413 for inputs over the body limit, storing nothing', async () => {
    const before = (await t.app.inject({ url: '/v1/runs?limit=1000', headers: auth })).json<RunsResponse>().runs.length;
    const records = Array.from({ length: 30_000 }, (_, i) => ({ income: i, owner: true, score: 1 }));
    const res = await submit(t, { pipeline: 'tiny', inputs: records });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/SLIPWAY_MAX_BODY_BYTES/);
    expect((await t.app.inject({ url: '/v1/runs?limit=1000', headers: auth })).json<RunsResponse>().runs.length).toBe(before);
  });

  it('needs a token with the run permission', async () => {
    expect((await submit(t, { pipeline: 'tiny', inputs: record }, {})).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/v1/runs', payload: { pipeline: 'tiny', inputs: record, mode: 'stream' } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/runs/x' })).statusCode).toBe(401);
  });

  it('answers 404 for an unknown run and 409 naming the state when cancelling a finished one', async () => {
    const missing = await t.app.inject({ url: '/v1/runs/nope', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { message: string } }>().error.message).toBe('run "nope" not found; list runs with `slipway runs ls`');
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/runs/nope', headers: auth })).statusCode).toBe(404);
    const done = await finished(t, (await submit(t, { pipeline: 'tiny', inputs: record })).json<RunRecord>().id);
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/runs/${done.id}`, headers: auth });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ error: { message: string } }>().error.message).toBe(`run "${done.id}" is already completed; only queued or running runs can be cancelled`);
    expect((await getRun(t, done.id)).state).toBe('completed');
  });
});

describe('cancelling and restarts', () => {
  let rdir: string;
  beforeAll(async () => {
    rdir = await mkdtemp(join(tmpdir(), 'slipway-restart-'));
  });
  afterAll(() => rm(rdir, { recursive: true, force: true }));

  it('cancels a queued run at once, and resumes every queued run after a restart on the same database', async () => {
    // One run at a time over a slow model, so most runs are still queued when the server stops.
    const first = await openRunsApp(rdir, { concurrency: 1 });
    await pushTo(first, await packageTar({ 'slipway.yaml': 'name: slow\n', 'model.onnx': slowModel(48) }));
    const inputs = { x: { shape: [4, 512], data: Array.from({ length: 4 * 512 }, (_, i) => (i % 13) / 13) } };
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await submit(first, { pipeline: 'slow', inputs })).json<RunRecord>().id);
    const last = ids.pop() ?? '';
    const cancelled = await first.app.inject({ method: 'DELETE', url: `/v1/runs/${last}`, headers: auth });
    expect(cancelled.json<RunRecord>()).toMatchObject({ state: 'cancelled' });
    await first.close();

    const store = openedStore(rdir);
    const afterStop = await Promise.all(ids.map((id) => store.getRun(id)));
    const pending = afterStop.filter((r) => r?.state === 'queued').length;
    expect(pending).toBeGreaterThan(0);
    expect(afterStop.every((r) => r?.state === 'queued' || r?.state === 'completed')).toBe(true);

    const second = await openRunsApp(rdir, { concurrency: 2 });
    try {
      const runs = await Promise.all(ids.map((id) => finished(second, id)));
      expect(runs.map((r) => r.state)).toEqual(ids.map(() => 'completed'));
      expect(runs.every((r) => r.version === 1 && r.outputs !== null)).toBe(true);
      expect((await getRun(second, last)).state).toBe('cancelled');
    } finally {
      await second.close();
    }
  }, 30_000);

  it("takes over a dead server's running run once its lease expires", async () => {
    // Polling off: the executor looks for runs only when a submit wakes it, so the test decides when.
    const app = await openRunsApp(rdir, { leaseMs: 200, pollMs: 60_000 });
    try {
      await pushTo(app, await packageTar({ 'slipway.yaml': 'name: echo\n', 'model.onnx': identityModel('INT64', ['batch', 2]) }));
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      await app.store.createRun({ id: 'orphan', mode: 'async', state: 'queued', pipeline: 'echo', ref: 'echo', inputs: { x: [[5, 6]] }, callbackUrl: null, createdBy: 'tester', enqueuedAt: iso(now - 1000) });
      // A server claimed it and died: its lease runs out 100 ms from now.
      expect((await app.store.claimRun({ owner: 'dead-server', now: iso(now), leaseUntil: iso(now + 100) }))?.id).toBe('orphan');
      await new Promise((r) => setTimeout(r, 150));
      const other = (await submit(app, { pipeline: 'echo', inputs: { x: [[1, 1]] } })).json<RunRecord>();
      const done = await finished(app, 'orphan');
      expect(done).toMatchObject({ state: 'completed', executions: 2, outputs: { outputs: { y: [[5, 6]] } } });
      expect((await finished(app, other.id)).state).toBe('completed');
    } finally {
      await app.close();
    }
  });
});

function openedStore(at: string) {
  const store = createSqliteMetadataStore({ path: join(at, 'slipway.db') });
  opened.push(store);
  return store;
}
const opened: MetadataStore[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
});

const pgUrl = process.env.SLIPWAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgSchema = `slipway_runs_${randomBytes(5).toString('hex')}`;
const pgAvailable = await (async () => {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!pgAvailable)(`two servers on one PostgreSQL (${pgAvailable ? 'available' : 'SKIPPED: no PostgreSQL at SLIPWAY_TEST_POSTGRES_URL'})`, () => {
  let pdir: string;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`drop schema if exists ${pgSchema} cascade`);
    await client.end();
    await rm(pdir, { recursive: true, force: true });
  });

  it('runs every queued run exactly once between them', async () => {
    pdir = await mkdtemp(join(tmpdir(), 'slipway-pg-runs-'));
    const executed: string[] = [];
    const observe = (e: RunEvent) => void executed.push(e.runId);
    const open = (name: string) =>
      openRunsApp(join(pdir, name), { concurrency: 3, pollMs: 20 }, { store: createPostgresMetadataStore({ connectionString: pgUrl, schema: pgSchema }), observers: [observe] });
    const a = await open('a');
    const b = await open('b');
    try {
      // Both servers read artifacts from their own folder: push to each (same content, same version).
      const tar = await packageTar({ 'slipway.yaml': 'name: echo\n', 'model.onnx': identityModel('INT64', ['batch', 2]) });
      await pushTo(a, tar);
      await pushTo(b, tar);
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push((await submit(i % 2 === 0 ? a : b, { pipeline: 'echo', inputs: { x: [[i, i]] } })).json<RunRecord>().id);
      const runs = await Promise.all(ids.map((id) => finished(a, id)));
      expect(runs.map((r) => r.state)).toEqual(ids.map(() => 'completed'));
      expect(runs.map((r) => r.outputs)).toEqual(ids.map((_, i) => ({ outputs: { y: [[i, i]] } })));
      expect(runs.every((r) => r.executions === 1)).toBe(true);
      expect([...executed].sort()).toEqual([...ids].sort());
    } finally {
      await a.close();
      await b.close();
    }
  }, 20_000);
});

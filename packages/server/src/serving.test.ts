import type { VersionRecord } from '@slipway/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLASSIFIER_MANIFEST, type TestApp, auth, classifierModel, classifierPackage, createTestApp, identityModel, packageTar, push, slowModel } from './testing/fixtures.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

const record = async (ref: string) => (await t.app.inject({ headers: auth, url: `/v1/versions/${encodeURIComponent(ref)}` })).json<VersionRecord>();
const metric = async (line: RegExp) => {
  const text = (await t.app.inject({ url: '/metrics' })).body;
  const m = text.split('\n').find((l) => line.test(l));
  return m === undefined ? 0 : Number(m.split(' ').pop());
};
const run = (pipeline: string, inputs: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/runs', headers: { ...auth, ...headers }, payload: { pipeline, inputs } as object });
const slowRow = () => ({ x: [new Array(512).fill(0.5)] });

describe('preloading', () => {
  it('loads and warms the new target before an alias moves, so the first request after it is warm', async () => {
    await push(t, await classifierPackage());
    await push(t, await classifierPackage(CLASSIFIER_MANIFEST, classifierModel([3, 2, 1])));
    const v2 = await record('tiny:v2');
    expect(t.engine.isLoaded(v2)).toBe(false);
    const moved = await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/production', headers: auth, payload: { version: 2 } });
    expect(moved.statusCode).toBe(200);
    expect(t.engine.isLoaded(v2)).toBe(true);
    expect((await run('tiny@production', { income: 1, owner: true, score: 1 })).statusCode).toBe(200);
    expect(await metric(/^slipway_model_cache_misses_total\{pipeline="tiny"\}/)).toBe(0);
    expect(await metric(/^slipway_model_cache_hits_total\{pipeline="tiny"\}/)).toBe(1);
  });

  it('pins with warmup and lets go with cooldown (both need a token)', async () => {
    await push(t, await classifierPackage());
    expect((await t.app.inject({ method: 'POST', url: '/v1/pipelines/tiny/warmup', payload: {} })).statusCode).toBe(401);
    const warm = await t.app.inject({ method: 'POST', url: '/v1/pipelines/tiny/warmup', headers: auth, payload: { version: 'v1', durationSeconds: 60 } });
    expect(warm.statusCode).toBe(200);
    expect(warm.json()).toMatchObject({ pipeline: 'tiny', version: 1, host: 'inline', bytes: expect.any(Number) as number });
    const listed = (await t.app.inject({ headers: auth, url: '/v1/serving/models' })).json<{ models: { pipeline: string; pinnedUntil: string }[]; usedBytes: number; budgetBytes: number }>();
    expect(listed.models).toEqual([expect.objectContaining({ pipeline: 'tiny', pinnedUntil: expect.stringMatching(/^\d{4}-/) as string })]);
    expect(listed.usedBytes).toBeGreaterThan(0);
    const cool = await t.app.inject({ method: 'POST', url: '/v1/pipelines/tiny/cooldown', headers: auth, payload: { version: 1 } });
    expect(cool.json()).toEqual({ pipeline: 'tiny', version: 1, loaded: false });
    await t.app.inject({ method: 'POST', url: '/v1/pipelines/tiny/warmup', headers: auth, payload: { version: 1, durationSeconds: 0.001 } });
    await new Promise((r) => setTimeout(r, 5));
    const expired = (await t.app.inject({ headers: auth, url: '/v1/serving/models' })).json<{ models: { pinnedUntil: string | null }[] }>();
    expect(expired.models[0]?.pinnedUntil).toBeNull();
    expect((await t.app.inject({ method: 'POST', url: '/v1/pipelines/tiny/warmup', headers: auth, payload: { version: 'v9' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/v1/pipelines/tiny/warmup', headers: auth, payload: { durationSeconds: -1 } })).statusCode).toBe(400);
  });
});

describe('metrics', () => {
  it('exposes runs, phases, batch sizes and cache figures in Prometheus text', async () => {
    await push(t, await classifierPackage());
    await run('tiny', { income: 1, owner: true, score: 1 });
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    for (const name of ['slipway_http_request_duration_seconds_count{route="/v1/runs",method="POST",status="200"} 1', 'slipway_runs_total{pipeline="tiny",outcome="ok"} 1', 'slipway_run_queue_seconds_bucket', 'slipway_run_batch_wait_seconds_bucket', 'slipway_run_compute_seconds_bucket', 'slipway_batch_rows_bucket', 'slipway_model_load_seconds_bucket', 'slipway_model_loaded_bytes{pipeline="tiny",version="1",host="inline"}', 'slipway_model_memory_budget_bytes']) {
      expect(res.body).toContain(name);
    }
  });
});

describe('backpressure', () => {
  const slowManifest = (serving: string) => `name: slow\nserving: ${serving}\n`;

  it('answers 429 with Retry-After when the queue is full, and keeps serving', async () => {
    await push(t, await packageTar({ 'slipway.yaml': slowManifest('{ maxConcurrency: 1, maxQueue: 1 }'), 'model.onnx': slowModel() }));
    await t.engine.warm(await record('slow'));
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => run('slow', slowRow())));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(2);
    const refused = results.filter((r) => r.statusCode === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]?.headers['retry-after']).toBe('1');
    expect(refused[0]?.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'overloaded', message: expect.stringMatching(/maxQueue/) as string });
    expect((await run('slow', slowRow())).statusCode).toBe(200);
  });

  it('answers 504 when the caller deadline passes while queued, and 400 for a bad deadline header', async () => {
    await push(t, await packageTar({ 'slipway.yaml': slowManifest('{ maxConcurrency: 1 }'), 'model.onnx': slowModel(96) }));
    await t.engine.warm(await record('slow'));
    const slow = await record('slow');
    // 64 rows keep the only slot busy for a while (the model is slow per row).
    const firstRun = run('slow', { x: Array.from({ length: 64 }, () => new Array<number>(512).fill(0.5)) });
    // The late request must find the only slot taken, so it waits in the queue past its deadline.
    await vi.waitFor(
      () => {
        expect(t.engine.inFlight(slow)).toBe(1);
      },
      { interval: 1 },
    );
    const [first, late] = await Promise.all([firstRun, run('slow', slowRow(), { 'x-slipway-timeout-ms': '1' })]);
    expect(first.statusCode).toBe(200);
    expect(late.statusCode).toBe(504);
    expect(late.json<{ error: { code: string } }>().error.code).toBe('deadline_exceeded');
    expect((await run('slow', slowRow(), { 'x-slipway-timeout-ms': 'soon' })).statusCode).toBe(400);
  });
});

describe('dynamic batching over HTTP', () => {
  it('runs concurrent requests together, never above maxBatchSize, with the same answers as alone', async () => {
    await push(t, await packageTar({ 'slipway.yaml': 'name: echo\nbatching: { maxBatchSize: 4, maxDelayMicros: 50000 }\n', 'model.onnx': identityModel('FP32') }));
    await t.engine.warm(await record('echo'));
    const rows = Array.from({ length: 10 }, (_, i) => [i, i + 0.5, -(i + 1)]);
    const results = await Promise.all(rows.map((row) => run('echo', { x: [row] })));
    expect(results.map((r) => r.json<{ outputs: { y: number[][] } }>().outputs.y)).toEqual(rows.map((row) => [row]));
    const count = await metric(/^slipway_batch_rows_count\{pipeline="echo"\}/);
    const atMost4 = await metric(/^slipway_batch_rows_bucket\{le="4",pipeline="echo"\}/);
    expect(count).toBeLessThan(10);
    expect(atMost4).toBe(count);
  });

  it('refuses batching for a model without a dynamic batch dimension', async () => {
    const res = await push(t, await packageTar({ 'slipway.yaml': 'name: fixed\nbatching: { maxBatchSize: 4 }\n', 'model.onnx': identityModel('FP32', [1, 3]) }));
    expect(res.statusCode).toBe(422);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/batching: needs a dynamic first/);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedbackResponse, KpiSeriesResponse, MetadataStore, PredictionRecord, PredictionsResponse } from '@slipway/core';
import { createOnnxRuntime } from '@slipway/runtime';
import { createLocalArtifactStore, createSqliteMetadataStore } from '@slipway/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { hashToken } from './auth.js';
import type { MonitoringIngestSettings } from './monitoring-ingest.js';
import { TEST_TOKEN, auth, classifierPackage } from './testing/fixtures.js';

type App = ReturnType<typeof createApp> & { store: MetadataStore; cleanup(): Promise<void> };

/** An app on a fresh SQLite file whose store `wrap` may slow down or break. */
async function createIngestApp(options: { wrap?: (s: MetadataStore) => MetadataStore; settings?: MonitoringIngestSettings } = {}): Promise<App> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-ingest-'));
  const real = createSqliteMetadataStore({ path: join(dir, 'slipway.db') });
  await real.migrate();
  await real.createToken({ id: 't1', name: 'tester', hash: hashToken(TEST_TOKEN), role: 'admin', createdAt: new Date().toISOString() });
  const store = options.wrap ? options.wrap(real) : real;
  const built = createApp({
    store,
    artifacts: createLocalArtifactStore({ dir: join(dir, 'artifacts') }),
    runtime: createOnnxRuntime(),
    maxBodyBytes: 1024 * 1024,
    maxPackageBytes: 64 * 1024 * 1024,
    logLevel: 'silent',
    serving: { workerThreads: 1 },
    ...(options.settings === undefined ? {} : { monitoringIngest: options.settings }),
  });
  await built.app.ready();
  const res = await built.app.inject({ method: 'POST', url: '/v1/pipelines', headers: { 'content-type': 'application/x-tar', ...auth }, payload: await classifierPackage() });
  expect(res.statusCode).toBe(201);
  return {
    ...built,
    store: real,
    async cleanup() {
      await built.app.close();
      await real.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const applicant = (income: number) => ({ income, owner: income % 2 === 0, score: 2 });

async function runTiny(t: App, inputs: unknown): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { pipeline: 'tiny', inputs } });
  expect(res.statusCode).toBe(200);
  return res.json<{ id: string }>().id;
}

async function oip(t: App, id: string | undefined, requestId: string, x: number[]): Promise<void> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v2/models/tiny/infer',
    headers: { ...auth, 'x-request-id': requestId },
    payload: { ...(id === undefined ? {} : { id }), inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: x }] },
  });
  expect(res.statusCode).toBe(200);
}

const get = (t: App, url: string, headers: Record<string, string> = auth) => t.app.inject({ method: 'GET', url, headers });
const post = (t: App, url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: auth, payload: payload as object });

describe('prediction log', () => {
  let t: App;
  const runIds: string[] = [];
  beforeAll(async () => {
    t = await createIngestApp();
    for (let i = 0; i < 5; i++) runIds.push(await runTiny(t, applicant(1000 + i)));
    runIds.push(await runTiny(t, [applicant(7), applicant(8)]));
    await oip(t, 'loan-42', 'req-oip-1', [3, 1, 2]);
    await t.ingest.logger.flush();
  });
  afterAll(() => t.cleanup());

  it('logs every run of a tabular pipeline with decoded features, prediction, version and caller', async () => {
    const res = await get(t, '/v1/pipelines/tiny/predictions');
    expect(res.statusCode).toBe(200);
    const { predictions, next } = res.json<PredictionsResponse>();
    expect(next).toBeNull();
    expect(predictions).toHaveLength(8);
    const first = predictions.find((p) => p.runId === runIds[0]) as PredictionRecord;
    expect(first).toMatchObject({ id: `${runIds[0]}/0`, pipeline: 'tiny', version: 1, row: 0, surface: 'runs', error: null, features: { income: 1000, owner: true, score: 2 } });
    expect(first.prediction?.label).toBe('default');
    expect(first.prediction?.score).toBeGreaterThan(0.99);
    expect(first.latencyMs).toBeGreaterThan(0);
    expect(Math.abs(first.at - Date.now())).toBeLessThan(60_000);
    // A two-record run is two rows; the OIP call keeps its request id and the caller's id.
    expect(predictions.filter((p) => p.runId === runIds[5]).map((p) => [p.row, p.features.income])).toEqual([
      [0, 7],
      [1, 8],
    ]);
    expect(predictions.find((p) => p.surface === 'oip')).toMatchObject({ runId: 'req-oip-1', predictionId: 'loan-42', features: { income: 3, owner: true, score: 2 } });
  });

  it('pages oldest first with after, and filters by time and version', async () => {
    const all = (await get(t, '/v1/pipelines/tiny/predictions?limit=100')).json<PredictionsResponse>().predictions;
    const ids: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: PredictionsResponse = (await get(t, `/v1/pipelines/tiny/predictions?limit=3${after === null ? '' : `&after=${encodeURIComponent(after)}`}`)).json();
      ids.push(...page.predictions.map((p) => p.id));
      after = page.next;
      if (after === null) break;
    }
    expect(ids).toEqual(all.map((p) => p.id));
    expect(all.map((p) => p.at)).toEqual([...all.map((p) => p.at)].sort((a, b) => a - b));
    expect((await get(t, '/v1/pipelines/tiny/predictions?version=v2')).json<PredictionsResponse>().predictions).toEqual([]);
    expect((await get(t, '/v1/pipelines/tiny/predictions?since=1h&version=1')).json<PredictionsResponse>().predictions).toHaveLength(8);
    expect((await get(t, `/v1/pipelines/tiny/predictions?until=${Date.now() - 3_600_000}`)).json<PredictionsResponse>().predictions).toEqual([]);
  });

  it('exports flat JSON lines (feature.<name>, prediction.<field>) for CSV / Parquet', async () => {
    const res = await get(t, '/v1/pipelines/tiny/predictions?format=jsonl&limit=3');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.body.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(Object.keys(lines[0] ?? {})).toEqual([
      'id', 'pipeline', 'version', 'runId', 'predictionId', 'row', 'at', 'time', 'latencyMs', 'caller', 'surface', 'error',
      'feature.income', 'feature.owner', 'feature.score', 'prediction.label', 'prediction.score', 'prediction.value',
    ]);
    const everything = (await get(t, '/v1/pipelines/tiny/predictions?format=jsonl')).body.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(everything).toHaveLength(8);
    expect(everything.find((l) => l['feature.income'] === 1000)).toMatchObject({ 'feature.owner': true, 'prediction.label': 'default', 'prediction.value': null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=20000', 'limit'],
    ['limit=ten', 'limit'],
    ['since=yesterday', 'since'],
    ['until=nope', 'until'],
    ['since=1h&until=2h', 'until'],
    ['version=latest', 'version'],
    ['format=csv', 'format'],
    ['limt=5', 'limt'],
    ['after=no-such-id', 'after'],
  ])('refuses ?%s with a 400 naming %s', async (q, param) => {
    const res = await get(t, `/v1/pipelines/tiny/predictions?${q}`);
    expect(res.statusCode).toBe(400);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(new RegExp(`(^|; )${param}\\b`));
  });

  it('answers 404 for an unknown pipeline and 401 without a token', async () => {
    expect((await get(t, '/v1/pipelines/nope/predictions')).statusCode).toBe(404);
    expect((await get(t, '/v1/pipelines/tiny/predictions', {})).statusCode).toBe(401);
  });

  it('records operational windows of every run', async () => {
    await t.ingest.logger.flush();
    const now = Date.now();
    const [w] = await t.store.opsSeries({ pipeline: 'tiny', from: now - 3_600_000, to: now + 60_000, windowMs: 7_200_000 });
    expect(w?.requests).toBe(7);
    expect(w?.latencyMs.p99).toBeGreaterThan(0);
  });
});

describe('feedback', () => {
  let t: App;
  beforeAll(async () => {
    t = await createIngestApp();
  });
  afterAll(() => t.cleanup());

  it('joins a label sent right after its run, by run id or by prediction id; twice → the last wins, history kept', async () => {
    const runId = await runTiny(t, applicant(1));
    await oip(t, 'loan-1', 'req-a', [1, 0, 0]);
    // No flush: the feedback route writes queued predictions before joining.
    const first = await post(t, '/v1/feedback', { runId, label: 'repaid' });
    expect(first.statusCode).toBe(200);
    expect(first.json<FeedbackResponse>()).toEqual({ accepted: 1, replaced: 0, unknown: [], rejected: [] });
    const second = await post(t, '/v1/feedback', { items: [{ runId, label: 'default' }, { pipeline: 'tiny', predictionId: 'loan-1', label: 'repaid', at: '2026-01-02T00:00:00Z' }] });
    expect(second.json<FeedbackResponse>()).toEqual({ accepted: 2, replaced: 1, unknown: [], rejected: [] });
    const now = Date.now();
    const labelled = await t.store.labelledPredictions({ pipeline: 'tiny', from: now - 60_000, to: now + 1 });
    // Both runs may share a millisecond: compare by run, not by position.
    const byRun = new Map(labelled.map((l) => [l.runId, l]));
    expect([byRun.size, byRun.get(runId)?.label, byRun.get('req-a')?.label]).toEqual([2, 'default', 'repaid']);
    expect(byRun.get('req-a')?.labelAt).toBe(Date.UTC(2026, 0, 2));
    expect((await t.store.feedbackHistory({ runId, row: 0 })).map((h) => [h.label, h.actor])).toEqual([
      ['repaid', 'tester'],
      ['default', 'tester'],
    ]);
  });

  it('keeps a label that arrives before its prediction and joins it once the run is logged', async () => {
    const early = await post(t, '/v1/feedback', { runId: 'req-early', label: 'default' });
    expect(early.json<FeedbackResponse>().unknown).toEqual([{ index: 0, runId: 'req-early', row: 0 }]);
    await oip(t, undefined, 'req-early', [5, 5, 5]);
    await t.ingest.logger.flush();
    const now = Date.now();
    const labelled = await t.store.labelledPredictions({ pipeline: 'tiny', from: now - 60_000, to: now + 1 });
    expect(labelled.find((l) => l.runId === 'req-early')?.label).toBe('default');
  });

  it('stores the good items of a mixed bulk, names bad ones by index and reports unknown ids', async () => {
    const runId = await runTiny(t, [applicant(1), applicant(2)]);
    const res = await post(t, '/v1/feedback', {
      items: [
        { runId, row: 1, label: 'repaid' },
        { label: 'default' },
        { runId: 'never-ran', label: 12.5 },
        { runId, label: { class: 'x' } },
        { predictionId: 'p-9', label: 'repaid' },
        { runId, row: 0, label: 'default', at: 'last tuesday' },
        { runId, row: 0, label: 'default', extra: 1 },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<FeedbackResponse>();
    expect(body.accepted).toBe(2);
    expect(body.unknown).toEqual([{ index: 2, runId: 'never-ran', row: 0 }]);
    expect(body.rejected.map((r) => [r.index, r.issues.map((i) => i.path)])).toEqual([
      [1, ['items[1].runId']],
      [3, ['items[3].label']],
      [4, ['items[4].pipeline']],
      [5, ['items[5].at']],
      [6, ['items[6]']],
    ]);
    expect(body.rejected[1]?.issues[0]?.message).toMatch(/class label \(string\) or a number/);
    const now = Date.now();
    const labelled = await t.store.labelledPredictions({ pipeline: 'tiny', from: now - 60_000, to: now + 1 });
    expect(labelled.filter((l) => l.runId === runId).map((l) => [l.row, l.label])).toEqual([[1, 'repaid']]);
  });

  it.each<[string, string, unknown]>([
    ['an array body', 'body', [{ runId: 'r', label: 'a' }]],
    ['empty items', 'items', { items: [] }],
    ['only bad items', 'items[0].runId', { items: [{ label: 'a' }, { runId: 'r' }] }],
    ['a single bad item', 'label', { runId: 'r', label: null }],
  ])('refuses %s with a 400 naming %s and stores nothing', async (_name, path, payload) => {
    const res = await post(t, '/v1/feedback', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message.startsWith(path)).toBe(true);
    expect(await t.store.feedbackHistory({ runId: 'r', row: 0 })).toEqual([]);
  });
});

describe('KPIs', () => {
  let t: App;
  beforeAll(async () => {
    t = await createIngestApp();
  });
  afterAll(() => t.cleanup());

  it('takes one or many values and answers them per window', async () => {
    const base = Date.UTC(2026, 0, 1);
    expect((await post(t, '/v1/kpis', { name: 'revenue', value: 10, at: base, pipeline: 'tiny' })).json()).toEqual({ accepted: 1, rejected: [] });
    const bulk = await post(t, '/v1/kpis', {
      items: [
        { name: 'revenue', value: 30, at: new Date(base + 1000).toISOString(), pipeline: 'tiny' },
        { name: 'revenue', value: 5, at: base + 3_600_000 },
        { name: 'bad name!', value: 1 },
        { name: 'revenue', value: 'many' },
      ],
    });
    expect(bulk.json<{ accepted: number; rejected: { index: number }[] }>()).toMatchObject({ accepted: 2, rejected: [{ index: 2 }, { index: 3 }] });
    const series = await get(t, `/v1/kpis?name=revenue&from=${base}&to=${base + 7_200_000}&window=1h`);
    expect(series.json<KpiSeriesResponse>()).toEqual({
      name: 'revenue',
      pipeline: null,
      from: base,
      to: base + 7_200_000,
      windowMs: 3_600_000,
      series: [
        { start: base, mean: 20, sum: 40, count: 2 },
        { start: base + 3_600_000, mean: 5, sum: 5, count: 1 },
      ],
    });
    const tiny = await get(t, `/v1/kpis?name=revenue&pipeline=tiny&from=${base}&to=${base + 7_200_000}&window=2h`);
    expect(tiny.json<KpiSeriesResponse>().series).toEqual([{ start: base, mean: 20, sum: 40, count: 2 }]);
    expect((await get(t, '/v1/kpis')).json()).toEqual({ names: ['revenue'] });
  });

  it.each([
    ['window=0', 'window'],
    ['name=revenue&window=1s&from=7d', 'window'],
    ['name=revenue&from=soon', 'from'],
    ['name=revenue&from=1h&to=2h', 'to'],
    ['name=revenue&bogus=1', 'bogus'],
  ])('refuses ?%s with a 400 naming %s', async (q, param) => {
    const res = await get(t, `/v1/kpis?${q.startsWith('window') ? `name=revenue&${q}` : q}`);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(new RegExp(`^${param}\\b`));
  });

  it('needs the feedback permission to push and a token to read', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/v1/kpis', payload: { name: 'x', value: 1 } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/kpis?name=x' })).statusCode).toBe(401);
  });
});

describe('logging off the request path', () => {
  it('keeps runs fast while the store is slow, and drops and counts what does not fit the queue', async () => {
    let writes = 0;
    const slow = (s: MetadataStore): MetadataStore => ({
      ...s,
      async appendPredictions(rows) {
        writes += 1;
        await new Promise((r) => setTimeout(r, 400));
        await s.appendPredictions(rows);
      },
    });
    const t = await createIngestApp({ wrap: slow, settings: { logger: { batchSize: 1, maxQueuedRows: 3, flushIntervalMs: 1 } } });
    try {
      await runTiny(t, applicant(0)); // warm the model
      const started = performance.now();
      for (let i = 0; i < 10; i++) await runTiny(t, applicant(i));
      const elapsed = performance.now() - started;
      // Ten runs behind a store that takes 400 ms per write: had logging been on the
      // request path they would take ≥ 4 s.
      expect(elapsed).toBeLessThan(1500);
      // One write at a time: at most one per 400 ms went to the store meanwhile.
      expect(writes).toBeLessThanOrEqual(Math.ceil(elapsed / 400) + 1);
      const metrics = (await get(t, '/metrics')).body;
      const dropped = Number(/slipway_prediction_log_dropped_total\{reason="queue_full"\} (\d+)/.exec(metrics)?.[1]);
      // At most 3 rows wait (the one being written included), one row per write: the rest were dropped.
      expect(dropped).toBeGreaterThanOrEqual(11 - 3 - writes);
      expect(dropped).toBeGreaterThan(0);
      await t.ingest.logger.flush();
      const logged = (await t.store.listPredictions({ pipeline: 'tiny', limit: 100 })).length;
      // Every run is either logged or counted as dropped.
      expect(logged + dropped).toBe(11);
    } finally {
      await t.cleanup();
    }
  });

  it('counts failed writes and keeps serving', async () => {
    const broken = (s: MetadataStore): MetadataStore => ({ ...s, appendPredictions: () => Promise.reject(new Error('disk full')) });
    const t = await createIngestApp({ wrap: broken });
    try {
      await runTiny(t, applicant(1));
      await t.ingest.logger.flush();
      await runTiny(t, applicant(2));
      await t.ingest.logger.flush();
      const metrics = (await get(t, '/metrics')).body;
      expect(metrics).toMatch(/slipway_prediction_log_dropped_total\{reason="write_failed"\} 2/);
      expect(metrics).toMatch(/slipway_prediction_log_write_errors_total\{what="predictions"\} 2/);
    } finally {
      await t.cleanup();
    }
  });
});

describe('retention', () => {
  it('deletes by age and keeps at most the configured rows per pipeline', async () => {
    const t = await createIngestApp({ settings: { retentionDays: 7, retentionRows: 3 } });
    try {
      // Runs a few ms apart, so "newest" is decided by time, not by run id.
      for (let i = 0; i < 5; i++) {
        await runTiny(t, applicant(i));
        await new Promise((r) => setTimeout(r, 3));
      }
      await t.ingest.logger.flush();
      expect(await t.ingest.applyRetention()).toEqual({ byAge: 0, byRows: 2 });
      const kept = (await t.store.listPredictions({ pipeline: 'tiny', limit: 10 })).map((p) => p.features.income);
      expect(kept).toEqual([2, 3, 4]);
      expect(await t.ingest.applyRetention(Date.now() + 8 * 86_400_000)).toEqual({ byAge: 3, byRows: 0 });
      expect(await t.store.listPredictions({ pipeline: 'tiny', limit: 10 })).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});

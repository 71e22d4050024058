import type { DriftResponse, MetricsResponse, ReferenceProfileRecord } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSIFIER_MANIFEST, type TestApp, auth, classifierModel, createTestApp, packageTar, push } from './testing/fixtures.js';

const MANIFEST = `${CLASSIFIER_MANIFEST}monitoring:
  reference: data/ref.csv
  label: y
  protectedAttributes: [{ name: owner, privileged: [true] }, { name: income, privileged: { min: 0 } }]
`;

/** 200 rows: income spread over [-10, 10), owner alternating, label = the model's own call mostly. */
function referenceCsv(rows = 200, income = (i: number) => (i % 20) - 10): string {
  const lines = ['income,owner,score,y'];
  for (let i = 0; i < rows; i++) lines.push(`${income(i)},${i % 2 === 0},${(i % 7) / 7},${income(i) > 0 !== (i % 9 === 0) ? 1 : 0}`);
  return lines.join('\n') + '\n';
}

describe('monitoring routes', () => {
  let t: TestApp;
  const get = (url: string, headers: Record<string, string> = auth) => t.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    t = await createTestApp({ monitoring: { flushIntervalMs: 0 } });
    const res = await push(t, await packageTar({ 'slipway.yaml': MANIFEST, 'model.onnx': classifierModel(), 'data/ref.csv': referenceCsv() }));
    expect(res.statusCode, res.body).toBe(201);
  });
  afterAll(() => t.cleanup());

  it('serves the reference profile pushed with the version', async () => {
    const res = await get('/v1/pipelines/tiny/profile');
    expect(res.statusCode, res.body).toBe(200);
    const profile = res.json<ReferenceProfileRecord>();
    expect([profile.version, profile.source, profile.rows, profile.positiveClass]).toEqual([1, 'data/ref.csv', 200, 'default']);
    expect(Object.keys(profile.evaluation!.fairness)).toEqual(['owner', 'income']);
    expect(profile.cbpe).not.toBeNull();
  });

  it('profiles runs into windows and answers drift with histogram pairs', async () => {
    const inputs = Array.from({ length: 50 }, (_, i) => ({ income: (i % 20) - 10, owner: i % 2 === 0, score: (i % 7) / 7 }));
    expect((await t.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { pipeline: 'tiny', inputs } })).statusCode).toBe(200);
    const drift = (await get('/v1/pipelines/tiny/drift')).json<DriftResponse>();
    expect(drift.window?.rows).toBe(50);
    expect(drift.window?.drift.columns.map((c) => c.column)).toEqual(['income', 'owner', 'score']);
    expect(drift.window?.drift.columns.find((c) => c.column === 'owner')?.histogram).toMatchObject({ kind: 'categorical', categories: ['false', 'true', '(other)'] });
    expect((await get('/metrics')).body).toMatch(/^slipway_monitoring_window_rows_total\{outcome="profiled"\} 50$/m);
    const fairness = (await get('/v1/pipelines/tiny/metrics?metric=fairness&window=1h')).json<MetricsResponse>();
    expect(fairness.points).toHaveLength(1);
    expect(Object.keys(fairness.points![0]!.selection as object)).toEqual(['owner', 'income']);
  });

  it.each([
    ['/v1/pipelines/tiny/metrics', 'metric', /metric.{0,5}is required/],
    ['/v1/pipelines/tiny/metrics?metric=accuracy', 'metric', /choose one of operational, drift/],
    ['/v1/pipelines/tiny/metrics?metric=drift&window=5x', 'window', /5m, 1h or 1d/],
    ['/v1/pipelines/tiny/metrics?metric=drift&window=7s', 'window', /has no stored profiles/],
    ['/v1/pipelines/tiny/metrics?metric=drift&from=yesterday', 'from', /ISO-8601/],
    ['/v1/pipelines/tiny/metrics?metric=drift&from=2000&to=1000', 'from', /must be before to/],
    ['/v1/pipelines/tiny/metrics?metric=drift&version=latest', 'version', /version number/],
    ['/v1/pipelines/tiny/metrics?metric=drift&windw=5m', 'windw', /not a parameter/],
    ['/v1/pipelines/tiny/metrics?metric=kpi_correlation', 'kpi', /kpi.{0,5}is required/],
    ['/v1/pipelines/tiny/drift?window=0m', 'window', /5m, 1h or 1d/],
    ['/v1/pipelines/tiny/profile?version=x', 'version', /version number/],
  ])('GET %s → 400 naming %s', async (url, field, message) => {
    const res = await get(url);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toMatch(message);
    expect(res.body).toContain(field);
  });

  it('names what to do for unknown pipelines, missing profiles and missing tokens', async () => {
    expect((await get('/v1/pipelines/nope/metrics?metric=drift')).statusCode).toBe(404);
    expect((await get('/v1/pipelines/tiny/metrics?metric=drift', {})).statusCode).toBe(401);
    expect((await get('/v1/pipelines/tiny/drift', {})).statusCode).toBe(401);
    await push(t, await packageTar({ 'slipway.yaml': CLASSIFIER_MANIFEST.replace('name: tiny', 'name: bare'), 'model.onnx': classifierModel() }));
    const res = await get('/v1/pipelines/bare/profile');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('slipway profile bare:v1 -f data.csv');
    expect((await get('/v1/pipelines/bare/drift')).json<DriftResponse>().window).toBeNull();
  });

  it('refuses a push whose reference CSV is bad, naming file, line and column; nothing is stored', async () => {
    const manifest = MANIFEST.replace('name: tiny', 'name: badref');
    const bad = referenceCsv(5).replace(/\n-9,/, '\nlots,');
    const res = await push(t, await packageTar({ 'slipway.yaml': manifest, 'model.onnx': classifierModel(), 'data/ref.csv': bad }));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.body).toContain('data/ref.csv: line');
    expect(res.body).toContain('column income');
    const missing = await push(t, await packageTar({ 'slipway.yaml': manifest, 'model.onnx': classifierModel() }));
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('monitoring.reference');
    const noLabel = await push(t, await packageTar({ 'slipway.yaml': manifest, 'model.onnx': classifierModel(), 'data/ref.csv': 'income,owner,score\n1,true,0\n' }));
    expect(noLabel.body).toContain('column y');
    expect((await get('/v1/pipelines/badref/versions')).statusCode).toBe(404);
  });

  it('recomputes a profile from an uploaded CSV; bad uploads are refused and the stored one kept', async () => {
    const post = (payload: unknown, headers: Record<string, string> = auth) => t.app.inject({ method: 'POST', url: '/v1/pipelines/tiny/profile', headers, payload: payload as object });
    const ok = await post({ version: 'v1', csv: referenceCsv(150), file: 'later.csv' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await get('/v1/pipelines/tiny/profile?version=1')).json<ReferenceProfileRecord>()).toMatchObject({ source: 'later.csv', rows: 150 });
    const bad = await post({ csv: 'income,owner,score,y\n1,maybe,0,1\n', file: 'oops.csv' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('oops.csv: line 2, column owner');
    expect((await post({ file: 'x.csv' })).body).toContain('csv');
    expect((await post({ csv: 'a' }, {})).statusCode).toBe(401);
    expect((await get('/v1/pipelines/tiny/profile')).json<ReferenceProfileRecord>().source).toBe('later.csv');
    // Windows profiled against the old reference restart against the new one.
    await t.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { pipeline: 'tiny', inputs: [{ income: 3, owner: true, score: 0 }] } });
    const drift = (await get('/v1/pipelines/tiny/drift')).json<DriftResponse>();
    expect(drift.window?.drift.columns.find((c) => c.column === 'income')?.referenceCount).toBe(150);
  });

  it('keeps serving when window writes fail, and counts the failed flush', async () => {
    // Fault injection on the real store: its window writes fail for a while.
    const put = t.store.putProfileWindow.bind(t.store);
    t.store.putProfileWindow = () => Promise.reject(new Error('disk full'));
    try {
      const res = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { pipeline: 'tiny', inputs: { income: 1, owner: true, score: 0 } } });
      expect(res.statusCode).toBe(200);
      await expect(t.monitoring.flush()).rejects.toThrow('disk full');
    } finally {
      t.store.putProfileWindow = put;
    }
    const after = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { pipeline: 'tiny', inputs: { income: 1, owner: true, score: 0 } } });
    expect(after.statusCode).toBe(200);
    expect((await get('/v1/pipelines/tiny/drift')).statusCode).toBe(200);
    expect((await get('/metrics')).body).toMatch(/^slipway_monitoring_window_flush_errors_total 1$/m);
  });
});


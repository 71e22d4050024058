/**
 * The alerts "must show" scenario on the example credit model, on the real app and the
 * real monitoring pipeline (prediction log, profile windows, drift, labels): drift is
 * injected → the income drift alert fires → an incident opens, classified as data
 * operations, and the webhook channel receives it with an HMAC that verifies → labels
 * arrive and accuracy drops → business is added to the same incident and the retrain
 * webhook is called with the evidence and the production version → a retrained version
 * is pushed with lineage to the incident → once it is promoted, the drift alert resolves.
 * Window boundaries come from a fixed clock (only `Date` is faked).
 */
import { readFile } from 'node:fs/promises';
import { CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER, type EvaluationReport, type IncidentView } from '@slipway/core';
import { createPredictionLogger } from '@slipway/monitoring';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signNotification } from './alert-channels.js';
import { type HttpReceiver, startHttpReceiver } from './testing/http-receiver.js';
import { type Applicant, CREDIT_RISK_DIR, creditHoldout, runRecords } from './testing/credit-holdout.js';
import { type TestApp, auth, createTestApp, packageTar, push } from './testing/fixtures.js';

const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);
const WINDOW = 300_000;
const SECRET = 'whsec-scenario-0123456789';

/** Lower incomes and younger applicants: the population moved, the model did not. */
const shifted = (r: Applicant): Applicant => ({ ...r, income: Math.round((r.income as number) * 0.45), age: Math.max(18, (r.age as number) - 12) });

const RULES = `
rules:
  - name: income-drift
    pipeline: credit-risk
    metric: feature_drift
    labels: { feature: income }
    threshold: { op: '>', value: 0.2 }
    window: 5m
    severity: warning
    runbook: https://runbooks.example.com/drift
  - name: accuracy-drop
    pipeline: credit-risk
    metric: accuracy
    change: { direction: decrease, percent: 4, baseline: 10m }
    window: 5m
    severity: critical
    actions:
      - webhook: { url: RETRAIN_URL, secret: ${SECRET} }
`;

describe('alerts scenario: drift → incident → retrain → promotion', () => {
  let t: TestApp;
  let logger: ReturnType<typeof createPredictionLogger>;
  let data: Awaited<ReturnType<typeof creditHoldout>>;
  let channelReceiver: HttpReceiver;
  let retrainReceiver: HttpReceiver;
  let files: Record<string, Uint8Array>;
  let incidentId = '';
  const runIds: { window: number; ids: string[] }[] = [];

  const call = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, status = 200) => {
    const res = await t.app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    expect(res.statusCode, res.body).toBe(status);
    return res.json<T>();
  };
  const evaluateAt = (at: number) => {
    vi.setSystemTime(at);
    return call<EvaluationReport>('POST', '/v1/alerts/evaluate');
  };
  async function replay(at: number, records: Applicant[]): Promise<string[]> {
    vi.setSystemTime(at);
    const ids = await runRecords(t, records);
    await logger.flush();
    await t.monitoring.flush();
    return ids;
  }

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0 - 60_000);
    data = await creditHoldout();
    channelReceiver = await startHttpReceiver();
    retrainReceiver = await startHttpReceiver([202], '{"pipeline":"retrain-credit-risk","run":17}');
    const observers: ((e: Parameters<ReturnType<typeof createPredictionLogger>['observe']>[0]) => void)[] = [];
    t = await createTestApp({ monitoring: { flushIntervalMs: 0 }, alerts: { intervalMs: 0, notifications: { backoffMs: 10 } }, observers: [(e) => observers.forEach((o) => o(e))] });
    logger = createPredictionLogger({ store: t.store, flushIntervalMs: 60_000, opsFlushIntervalMs: 60_000 });
    observers.push(logger.observe);
    files = {};
    for (const name of ['slipway.yaml', 'model.onnx', 'data/holdout.csv', 'data/train.csv', 'README.md']) files[name] = await readFile(`${CREDIT_RISK_DIR}${name}`);
    const res = await push(t, await packageTar(files));
    expect(res.statusCode, res.body).toBe(201);
    await call('PUT', '/v1/pipelines/credit-risk/aliases/production', { version: 1 });
  }, 30_000);

  afterAll(async () => {
    await logger?.close();
    await t?.alerts.drain();
    await t?.cleanup();
    await channelReceiver?.close();
    await retrainReceiver?.close();
    vi.useRealTimers();
  });

  it('creates the default rules with the first push, and takes user rules as YAML', async () => {
    const defaults = await call<{ rules: { name: string; origin: string }[] }>('GET', '/v1/alerts/rules?pipeline=credit-risk');
    expect(defaults.rules.map((r) => r.name)).toEqual([
      'accuracy-drop',
      'dataset-drift',
      'disparate-impact-age',
      'disparate-impact-marital_status',
      'disparate-impact-sex',
      'error-rate',
      'latency-p99',
    ]);
    expect(defaults.rules.every((r) => r.origin === 'default')).toBe(true);
    const applied = await call<{ rules: { name: string; origin: string }[] }>('PUT', '/v1/alerts/rules', { yaml: RULES.replace('RETRAIN_URL', `${retrainReceiver.url}/retrain`) });
    expect(applied.rules.map((r) => [r.name, r.origin])).toEqual([
      ['income-drift', 'user'],
      ['accuracy-drop', 'user'],
    ]);
    await call('POST', '/v1/alerts/channels', { kind: 'webhook', name: 'on-call', url: `${channelReceiver.url}/alerts`, secret: SECRET, routing: { pipelines: ['credit-risk'] } }, 201);
  });

  it('stays quiet on the held-out sample', async () => {
    runIds.push({ window: T0, ids: await replay(T0 + 1000, data.records) });
    const report = await evaluateAt(T0 + 2 * 60_000);
    expect(report.errors).toEqual([]);
    expect(report.fired).toEqual([]);
  });

  it('fires the drift alert on shifted data and opens a data-operations incident, notified with a verifiable HMAC', async () => {
    runIds.push({ window: T0 + WINDOW, ids: await replay(T0 + WINDOW + 1000, data.records.map(shifted)) });
    const report = await evaluateAt(T0 + WINDOW + 2 * 60_000);
    expect(report.errors).toEqual([]);
    expect(report.fired).toHaveLength(1);
    const { alerts } = await call<{ alerts: { ruleName: string; state: string; incidentId: string; value: number }[] }>('GET', '/v1/alerts?state=firing');
    expect(alerts.map((a) => a.ruleName)).toEqual(['income-drift']);
    expect(alerts[0]!.value).toBeGreaterThan(0.2);
    incidentId = alerts[0]!.incidentId;
    const view = await call<IncidentView>('GET', `/v1/incidents/${incidentId}`);
    expect(view.incident).toMatchObject({ pipeline: 'credit-risk', state: 'open', areas: ['data_operations'], severity: 'warning' });

    const [req] = await channelReceiver.waitFor(1);
    const ts = Number(req!.headers[CALLBACK_TIMESTAMP_HEADER]);
    expect(req!.headers[CALLBACK_SIGNATURE_HEADER]).toBe(signNotification(SECRET, ts, req!.body));
    expect(JSON.parse(req!.body)).toMatchObject({ event: 'firing', alert: { ruleName: 'income-drift', labels: { feature: 'income' } }, incident: { id: incidentId, areas: ['data_operations'] } });
  });

  it('reads every monitored metric kind from the monitoring services', async () => {
    const series = (metric: Parameters<typeof t.alerts.source.series>[1], labels: Record<string, string> = {}) =>
      t.alerts.source.series('credit-risk', metric, labels, T0, T0 + 2 * WINDOW, WINDOW);
    expect((await series('dataset_drift_share')).map((p) => p.value)).toEqual([0, 0.2]); // income and age of 10 features
    const income = await series('feature_drift', { feature: 'income' });
    expect(income[1]!.value).toBeGreaterThan(income[0]!.value + 0.2);
    const estimated = await series('estimated_accuracy');
    expect(estimated).toHaveLength(2);
    expect(estimated[1]!.value).toBeLessThan(estimated[0]!.value); // CBPE moved before any label
    const fairness = await series('disparate_impact', { attribute: 'sex' });
    expect(fairness.map((p) => p.start)).toEqual([T0, T0 + WINDOW]);
    expect(fairness.every((p) => p.value > 0 && p.value < 5)).toBe(true);
    expect((await series('request_rate')).map((p) => p.value)).toEqual([4 / 300, 4 / 300]); // four runs of 250 applicants per window
    expect((await series('error_rate')).map((p) => p.value)).toEqual([0, 0]);
    expect(await series('accuracy')).toEqual([]); // no labels yet
  });

  it('adds business to the same incident when labels show the accuracy drop, and calls the retrain webhook', async () => {
    // The shifted population also behaves differently: among the shifted applicants every
    // sixth repaid loan turns into a default the model did not foresee (concept drift).
    const truth = (shift: boolean, i: number) => (shift && i % 6 === 0 ? 1 : data.labels[i]!);
    for (const [n, { window, ids }] of runIds.entries()) {
      const items = ids.flatMap((runId, b) => Array.from({ length: 250 }, (_, row) => ({ target: { runId, row }, label: truth(n === 1, b * 250 + row), at: window + 60_000, receivedAt: window + 120_000, actor: 'tester' })));
      expect((await t.store.appendFeedback(items)).every((o) => o.matched)).toBe(true);
    }
    const report = await evaluateAt(T0 + WINDOW + 3 * 60_000);
    expect(report.errors).toEqual([]);
    expect(report.fired).toHaveLength(1);
    const { incidents } = await call<{ incidents: { id: string; areas: string[]; severity: string; alertIds: string[] }[] }>('GET', '/v1/incidents?pipeline=credit-risk');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: incidentId, areas: ['business', 'data_operations'], severity: 'critical' });
    expect(incidents[0]!.alertIds).toHaveLength(2);

    const [retrain] = await retrainReceiver.waitFor(1);
    expect(retrain!.path).toBe('/retrain');
    const ts = Number(retrain!.headers[CALLBACK_TIMESTAMP_HEADER]);
    expect(retrain!.headers[CALLBACK_SIGNATURE_HEADER]).toBe(signNotification(SECRET, ts, retrain!.body));
    const evidence = JSON.parse(retrain!.body) as { production: { ref: string }; rule: { metric: string }; alert: { value: number; bound: number }; incident: { id: string }; windows: { start: number; value: number }[] };
    expect(evidence.production).toEqual({ ref: 'credit-risk:v1', alias: 'production' });
    expect(evidence.rule.metric).toBe('accuracy');
    expect(evidence.incident.id).toBe(incidentId);
    expect(evidence.alert.value).toBeLessThan(evidence.alert.bound);
    expect(evidence.windows.map((w) => w.start)).toEqual([T0, T0 + WINDOW]);
    await t.alerts.drain();
    const view = await call<IncidentView>('GET', `/v1/incidents/${incidentId}`);
    const action = view.timeline.find((e) => e.kind === 'action');
    expect(action?.message).toBe(`webhook action of accuracy-drop → ${retrainReceiver.url}/retrain succeeded`);
    expect(action?.data).toMatchObject({ ok: true, status: 202, output: '{"pipeline":"retrain-credit-risk","run":17}' });
  });

  it('links the retrained version to the incident and resolves the drift alert after its promotion', async () => {
    // The retrained package: profiled on the population as it is now.
    const shiftedCsv = [data.header.join(','), ...data.lines.map((f) => data.header.map((n, i) => (n === 'income' ? String(Math.round(Number(f[i]) * 0.45)) : n === 'age' ? String(Math.max(18, Number(f[i]) - 12)) : f[i])).join(','))].join('\n');
    const manifest = Buffer.from(files['slipway.yaml']!).toString('utf8').replace('lineage:\n', `lineage:\n  retrains: credit-risk:v1\n  incident: ${incidentId}\n`);
    vi.setSystemTime(T0 + 2 * WINDOW);
    const res = await push(t, await packageTar({ ...files, 'slipway.yaml': manifest, 'data/holdout.csv': shiftedCsv }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<{ version: { version: number; lineage: Record<string, unknown> } }>().version).toMatchObject({ version: 2, lineage: { retrains: 'credit-risk:v1', incident: incidentId } });
    vi.setSystemTime(T0 + 2 * WINDOW + 500);
    await call('PUT', '/v1/pipelines/credit-risk/aliases/production', { version: 2 });

    await replay(T0 + 2 * WINDOW + 1000, data.records.map(shifted));
    expect((await evaluateAt(T0 + 2 * WINDOW + 2 * 60_000)).resolved).toEqual([]); // one clear evaluation is not enough
    const report = await evaluateAt(T0 + 2 * WINDOW + 3 * 60_000);
    expect(report.resolved).toHaveLength(1);
    const { alerts } = await call<{ alerts: { ruleName: string; state: string }[] }>('GET', '/v1/alerts?pipeline=credit-risk');
    expect(alerts.find((a) => a.ruleName === 'income-drift')?.state).toBe('resolved');

    await t.alerts.drain();
    const events = channelReceiver.received.map((r) => (JSON.parse(r.body) as { event: string; alert: { ruleName: string } }))
      .map((b) => `${b.event} ${b.alert.ruleName}`);
    expect(events).toEqual(['firing income-drift', 'firing accuracy-drop', 'resolved income-drift']);

    const view = await call<IncidentView>('GET', `/v1/incidents/${incidentId}`);
    // The promotion of v1 an hour before it opened is on the timeline too: deployments around an incident are evidence.
    expect(view.timeline.map((e) => e.kind)).toEqual(['alias_moved', 'opened', 'areas_changed', 'alert_fired', 'areas_changed', 'action', 'version_pushed', 'alias_moved', 'alert_resolved']);
    expect(view.timeline.find((e) => e.kind === 'version_pushed')?.message).toBe('credit-risk:v2 pushed to retrain credit-risk:v1');
    expect(view.timeline.filter((e) => e.kind === 'alias_moved').map((e) => e.message)).toEqual(['credit-risk@production (new) → v1', 'credit-risk@production v1 → v2']);
    expect(view.summary).toContain('Experience areas: business, data_operations');

    await call('POST', `/v1/incidents/${incidentId}/ack`, { note: 'retraining on the shifted population' });
    const resolved = await call<{ state: string; owner: string }>('POST', `/v1/incidents/${incidentId}/resolve`, { note: 'v2 in production' });
    expect(resolved).toMatchObject({ state: 'resolved', owner: 'tester' });
  });
});

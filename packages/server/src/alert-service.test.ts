/**
 * The alert service on a real SQLite store with real local receivers: rules in, alerts
 * and incidents out, notifications delivered off the evaluation path with retries. The
 * metric source is a table of windows, so each test states exactly what the metric did.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetadataStore } from '@slipway/core';
import { createSqliteMetadataStore } from '@slipway/store';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MetricPoint } from './alert-evaluation.js';
import type { MetricSource } from './alert-metrics.js';
import type { AlertMetric } from './alert-rules.js';
import { type AlertService, createAlertService } from './alert-service.js';
import { type HttpReceiver, closedPort, startHttpReceiver } from './testing/http-receiver.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1, 12);

/** Windows per `${pipeline}/${metric}`, set by each test. */
function tableSource(): MetricSource & { set(pipeline: string, metric: AlertMetric, points: MetricPoint[]): void; calls: number } {
  const table = new Map<string, MetricPoint[]>();
  return {
    metrics: new Set<AlertMetric>(['error_rate', 'dataset_drift_share', 'accuracy', 'latency_p99']),
    calls: 0,
    set(pipeline, metric, points) {
      table.set(`${pipeline}/${metric}`, points);
    },
    series(pipeline, metric, _labels, from, to) {
      this.calls += 1;
      return Promise.resolve((table.get(`${pipeline}/${metric}`) ?? []).filter((p) => p.start >= from && p.start < to));
    },
  };
}

let dir: string;
let store: MetadataStore;
let clock = T0;
let source: ReturnType<typeof tableSource>;
let service: AlertService;
let receiver: HttpReceiver | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-alerts-'));
  store = createSqliteMetadataStore({ path: join(dir, 'alerts.db') });
  await store.migrate();
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

let pipelineN = 0;
let pipeline = '';
beforeEach(() => {
  pipelineN += 1;
  pipeline = `p${pipelineN}`;
  clock = T0;
  source = tableSource();
  service = createAlertService({ store, source, now: () => clock, notifications: { maxAttempts: 3, backoffMs: 10, maxBackoffMs: 40, timeoutMs: 1000 } });
});
afterEach(async () => {
  await service.drain();
  service.close();
  await receiver?.close();
  receiver = undefined;
});

const minute = (m: number, value: number): MetricPoint => ({ start: T0 + m * MIN, value });
async function at(m: number) {
  clock = T0 + m * MIN + 1000;
  return service.evaluate();
}

describe('alert service', () => {
  it('fires once for a flapping metric, keeps one alert and one incident, and resolves once it clearly recovers', async () => {
    await service.applyRules({ rules: [{ name: 'errors', pipeline, metric: 'error_rate', threshold: { op: '>', value: 0.1 }, window: '1m', severity: 'critical' }] });
    const points: MetricPoint[] = [];
    let fired = 0;
    for (let m = 0; m < 40; m += 1) {
      points.push(minute(m, m % 2 === 0 ? 0.12 : 0.095));
      source.set(pipeline, 'error_rate', points);
      fired += (await at(m)).fired.length;
    }
    expect(fired).toBe(1);
    expect(await service.listAlerts({ pipeline, limit: 50 })).toHaveLength(1);
    expect(await service.incidents.list({ pipeline, limit: 50 })).toHaveLength(1);
    // Two evaluations clearly below 0.09 (the 10 % margin) resolve it.
    points.push(minute(40, 0.02));
    expect((await at(40)).resolved).toEqual([]);
    points.push(minute(41, 0.02));
    const report = await at(41);
    expect(report.resolved).toHaveLength(1);
    const [alert] = await service.listAlerts({ pipeline, limit: 5 });
    expect(alert).toMatchObject({ state: 'resolved', resolvedAt: new Date(T0 + 41 * MIN + 1000).toISOString() });
  });

  it('waits `for` before firing and deduplicates by rule and labels', async () => {
    await service.applyRules({ rules: [{ name: 'drift', pipeline, metric: 'dataset_drift_share', threshold: { op: '>=', value: 0.5 }, window: '1m', for: '2m' }] });
    source.set(pipeline, 'dataset_drift_share', [minute(0, 0.6), minute(1, 0.6), minute(2, 0.6), minute(3, 0.6)]);
    expect((await at(0)).fired).toEqual([]);
    expect((await at(1)).fired).toEqual([]);
    expect((await at(2)).fired).toHaveLength(1);
    expect((await at(3)).fired).toEqual([]);
    const states = (await store.listAlertStates()).filter((s) => s.status === 'firing');
    expect(new Set(states.map((s) => s.fingerprint)).size).toBe(states.length);
  });

  it('groups a second alert of the pipeline into the open incident and adds its experience area', async () => {
    await service.applyRules({
      rules: [
        { name: 'drift', pipeline, metric: 'dataset_drift_share', threshold: { op: '>=', value: 0.5 }, window: '1m' },
        { name: 'accuracy', pipeline, metric: 'accuracy', threshold: { op: '<', value: 0.8 }, window: '1m', severity: 'critical' },
      ],
    });
    source.set(pipeline, 'dataset_drift_share', [minute(0, 0.7)]);
    await at(0);
    const [incident] = await service.incidents.list({ pipeline, limit: 5 });
    expect(incident).toMatchObject({ areas: ['data_operations'], severity: 'warning', state: 'open' });
    source.set(pipeline, 'accuracy', [minute(1, 0.7)]);
    source.set(pipeline, 'dataset_drift_share', [minute(0, 0.7), minute(1, 0.7)]);
    await at(1);
    const incidents = await service.incidents.list({ pipeline, limit: 5 });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ areas: ['business', 'data_operations'], severity: 'critical' });
    expect(incidents[0]!.alertIds).toHaveLength(2);
    const view = await service.incidents.view(incident!.id);
    expect(view.timeline.map((e) => e.kind)).toEqual(['opened', 'areas_changed', 'alert_fired', 'areas_changed']);
    expect(view.summary).toContain('Experience areas: business, data_operations');
    expect(view.summary).toContain('[critical] accuracy: accuracy = 0.7 ≤ 0.8');
  });

  it('retries a receiver that is down, records every failed attempt, and never blocks evaluation', async () => {
    const port = await closedPort();
    const channel = await service.createChannel({ kind: 'webhook', name: 'down', url: `http://127.0.0.1:${port}/hook`, secret: 'whsec-0123456789abcdef' });
    await service.applyRules({ rules: [{ name: 'errors', pipeline, metric: 'error_rate', threshold: { op: '>', value: 0.1 }, window: '1m' }] });
    source.set(pipeline, 'error_rate', [minute(0, 0.5)]);
    const report = await at(0);
    expect(report.fired).toHaveLength(1);
    // Evaluation returned while the notification still waits for its retries.
    const [pending] = await service.notifications({ channelId: channel.id, limit: 5 });
    expect(pending?.state).toBe('pending');
    // The next evaluation runs meanwhile, too.
    source.set(pipeline, 'error_rate', [minute(0, 0.5), minute(1, 0.5)]);
    expect((await at(1)).evaluated).toBeGreaterThanOrEqual(1);
    await service.drain();
    const [failed] = await service.notifications({ channelId: channel.id, limit: 5 });
    expect(failed).toMatchObject({ state: 'failed', event: 'firing', alertId: report.fired[0] });
    expect(failed!.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(failed!.attempts.every((a) => /ECONNREFUSED/.test(a.error ?? ''))).toBe(true);
  });

  it('delivers once a receiver recovers (500, 500, 200)', async () => {
    receiver = await startHttpReceiver([500, 500, 200]);
    const channel = await service.createChannel({ kind: 'slack', name: 'flaky', url: receiver.url });
    await service.applyRules({ rules: [{ name: 'errors', pipeline, metric: 'error_rate', threshold: { op: '>', value: 0.1 }, window: '1m' }] });
    source.set(pipeline, 'error_rate', [minute(0, 0.5)]);
    await at(0);
    await service.drain();
    const [n] = await service.notifications({ channelId: channel.id, limit: 5 });
    expect(n).toMatchObject({ state: 'delivered' });
    expect(n!.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    await service.deleteChannel(channel.id);
  });

  it('refuses rules over metrics the server cannot measure, and reports source failures without stopping', async () => {
    await expect(service.applyRules({ rules: [{ name: 'misses', pipeline, metric: 'cache_misses', threshold: { op: '>', value: 1 } }] })).rejects.toThrow(
      /rules\[0\]\.metric: cache_misses is not measured by this server; metrics available: accuracy, dataset_drift_share, error_rate, latency_p99/,
    );
    await service.applyRules({
      rules: [
        { name: 'a-broken', pipeline, metric: 'latency_p99', threshold: { op: '>', value: 1 } },
        { name: 'b-errors', pipeline, metric: 'error_rate', threshold: { op: '>', value: 0.1 }, window: '1m' },
      ],
    });
    const failing = source.series.bind(source);
    source.series = (p, metric, ...rest) => (metric === 'latency_p99' ? Promise.reject(new Error('store unavailable')) : failing(p, metric, ...rest));
    source.set(pipeline, 'error_rate', [minute(0, 0.5)]);
    const report = await at(0);
    expect(report.errors.filter((e) => e.rule.startsWith(`${pipeline}/`))).toEqual([{ rule: `${pipeline}/a-broken`, message: 'store unavailable' }]);
    expect(report.fired).toHaveLength(1);
  });
});

describe('incident timeline', () => {
  it('shows the rollbacks of the pipeline’s deployments around the incident', async () => {
    await service.applyRules({ rules: [{ name: 'errors', pipeline, metric: 'error_rate', threshold: { op: '>', value: 0.1 }, window: '1m' }] });
    const at = (m: number) => new Date(T0 + m * MIN).toISOString();
    await store.putDeployment({
      pipeline,
      environment: 'production',
      target: '@production',
      scaling: {} as never,
      serving: null,
      resources: {} as never,
      traffic: null,
      rollout: null,
      createdBy: 'tester',
      createdAt: at(-200),
      updatedAt: at(-200),
    });
    const event = { pipeline, environment: 'production', stable: 3, candidate: 4, actor: 'slipway', details: null };
    await store.appendRolloutEvent({ ...event, kind: 'started', percent: 10, reason: null, at: at(-120) }); // before the hour: left out
    await store.appendRolloutEvent({ ...event, kind: 'rolled_back', percent: 0, reason: 'candidate error rate 0.31 > 0.05', at: at(-2) });
    source.set(pipeline, 'error_rate', [{ start: T0, value: 0.5 }]);
    clock = T0 + 1000;
    const report = await service.evaluate();
    const alert = await store.getAlert(report.fired[0]!);
    const view = await service.incidents.view(alert!.incidentId!);
    expect(view.timeline.map((e) => [e.kind, e.message])).toEqual([
      ['rollout', `${pipeline} in production: rollout rolled_back, stable v3, candidate v4 at 0% (candidate error rate 0.31 > 0.05)`],
      ['opened', expect.stringContaining('opened by alert errors') as unknown],
      ['areas_changed', expect.stringContaining('technical_operations, users') as unknown],
    ]);
  });
});

describe('rule changes', () => {
  it('resolves what a rule was firing when it is deleted or its labels change', async () => {
    await service.applyRules({ rules: [{ name: 'drift', pipeline, metric: 'dataset_drift_share', labels: { version: '1' }, threshold: { op: '>=', value: 0.5 }, window: '1m' }] });
    source.set(pipeline, 'dataset_drift_share', [{ start: T0, value: 0.9 }]);
    clock = T0 + 1000;
    const first = (await service.evaluate()).fired[0]!;
    // Same rule, another series: the old one's alert resolves, the new one fires.
    await service.applyRules({ rules: [{ name: 'drift', pipeline, metric: 'dataset_drift_share', labels: { version: '2' }, threshold: { op: '>=', value: 0.5 }, window: '1m' }] });
    const report = await service.evaluate();
    expect(report.resolved).toContain(first);
    expect(report.fired).toHaveLength(1);
    await service.deleteRule(pipeline, 'drift');
    const alerts = await service.listAlerts({ pipeline, limit: 5 });
    expect(alerts.map((a) => a.state)).toEqual(['resolved', 'resolved']);
    await expect(service.deleteRule(pipeline, 'drift')).rejects.toThrow(/alert rule "drift" of pipeline "p\d+" not found/);
  });
});

describe('restart', () => {
  it('delivers notifications a stopped server left pending, continuing their attempts', async () => {
    receiver = await startHttpReceiver();
    const channel = await service.createChannel({ kind: 'slack', name: 'later', url: receiver.url });
    await service.applyRules({ rules: [{ name: 'errors', pipeline, metric: 'error_rate', threshold: { op: '>', value: 0.1 }, window: '1m' }] });
    source.set(pipeline, 'error_rate', [{ start: T0, value: 0.5 }]);
    clock = T0 + 1000;
    service.close(); // stopped before any attempt: the notification stays pending
    const alertId = (await service.evaluate()).fired[0]!;
    await service.drain();
    const [left] = await service.notifications({ channelId: channel.id, limit: 5 });
    expect(left).toMatchObject({ state: 'pending', attempts: [] });
    expect(receiver.received).toHaveLength(0);

    const restarted = createAlertService({ store, source, now: () => clock });
    try {
      expect(await restarted.resumePending()).toBeGreaterThanOrEqual(1);
      await restarted.drain();
      const [done] = await restarted.notifications({ channelId: channel.id, limit: 5 });
      expect(done).toMatchObject({ state: 'delivered', alertId, attempts: [{ attempt: 1, status: 200 }] });
      expect(receiver.received).toHaveLength(1);
    } finally {
      restarted.close();
      await service.deleteChannel(channel.id);
    }
  });
});

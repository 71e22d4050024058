/**
 * The alert and incident routes on the real app: permissions (read for GET, operate for
 * changes), bad input answered 400 naming the field (and nothing stored changes), secrets
 * never returned, the channel test endpoint against a real receiver, incident actions.
 */
import type { AlertRecord, ChannelRecord, IncidentView, NotificationRecord } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, closedPort, startHttpReceiver } from './testing/http-receiver.js';
import { type TestApp, auth, classifierPackage, createTestApp, push } from './testing/fixtures.js';
import { type MemberToken, memberToken } from './testing/identities.js';

let t: TestApp;
let viewer: MemberToken;
let receiver: HttpReceiver;

beforeAll(async () => {
  t = await createTestApp({ alerts: { intervalMs: 0, notifications: { maxAttempts: 2, backoffMs: 10 } } });
  viewer = await memberToken(t, 'viewer');
  receiver = await startHttpReceiver();
  expect((await push(t, await classifierPackage())).statusCode).toBe(201);
});
afterAll(async () => {
  await t.alerts.drain();
  await t.cleanup();
  await receiver.close();
});

const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = auth) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

describe('alert rule routes', () => {
  it('lists the defaults of a pushed pipeline to readers', async () => {
    const res = await inject('GET', '/v1/alerts/rules?pipeline=tiny', undefined, viewer.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json<{ rules: { name: string }[] }>().rules.map((r) => r.name)).toEqual(['accuracy-drop', 'dataset-drift', 'error-rate', 'latency-p99']);
    expect((await inject('GET', '/v1/alerts/rules', undefined, {})).statusCode).toBe(401);
  });

  it('needs operate to change rules', async () => {
    const res = await inject('PUT', '/v1/alerts/rules', { rules: [] }, viewer.headers);
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/"operate" permission/);
    expect((await inject('DELETE', '/v1/alerts/rules/tiny/error-rate', undefined, viewer.headers)).statusCode).toBe(403);
  });

  it('refuses bad rules naming every field, and stores none of the document', async () => {
    const before = (await inject('GET', '/v1/alerts/rules?pipeline=tiny')).json<{ rules: unknown[] }>().rules;
    const res = await inject('PUT', '/v1/alerts/rules', {
      rules: [
        { name: 'ok', pipeline: 'tiny', metric: 'error_rate', threshold: { op: '>', value: 0.1 } },
        { name: 'Bad Name', pipeline: 'tiny', metric: 'p99', window: 'soon', threshold: { op: '>', value: 1 }, change: { direction: 'up', percent: 5, baseline: '1h' } },
        { name: 'drift', pipeline: 'tiny', metric: 'feature_drift', threshold: { op: '>', value: 0.1 } },
      ],
    });
    expect(res.statusCode).toBe(400);
    const message = res.json<{ error: { message: string } }>().error.message;
    expect(message).toContain('rules[1].name: must be 1–63 characters');
    expect(message).toContain('rules[1].metric: Invalid option');
    expect(message).toContain('rules[1].window: must be a duration such as 30s, 5m, 2h or 1d');
    expect(message).toContain('rules[1].change.direction');
    expect(message).toContain('rules[2].labels.feature: is required for metric feature_drift');
    expect((await inject('GET', '/v1/alerts/rules?pipeline=tiny')).json<{ rules: unknown[] }>().rules).toEqual(before);
  });

  it('reports YAML syntax and a body of the wrong shape', async () => {
    const yaml = await inject('PUT', '/v1/alerts/rules', { yaml: 'rules:\n  - name: [unclosed' });
    expect(yaml.statusCode).toBe(400);
    expect(yaml.json<{ error: { message: string } }>().error.message).toMatch(/^rules: YAML syntax/);
    const shape = await inject('PUT', '/v1/alerts/rules', { rule: {} });
    expect(shape.statusCode).toBe(400);
    expect(shape.json<{ error: { message: string } }>().error.message).toMatch(/send \{"rules": \[\.\.\.\]\} or \{"yaml"/);
  });

  it('applies, replaces and deletes a rule', async () => {
    const body = { rules: [{ name: 'slow', pipeline: 'tiny', metric: 'latency_p99', threshold: { op: '>', value: 250 }, runbook: 'https://runbooks.example.com/slow' }] };
    const first = (await inject('PUT', '/v1/alerts/rules', body)).json<{ rules: { id: string; spec: { threshold: { value: number } } }[] }>().rules[0]!;
    body.rules[0]!.threshold.value = 500;
    const second = (await inject('PUT', '/v1/alerts/rules', body)).json<{ rules: { id: string; spec: { threshold: { value: number }; for: string } }[] }>().rules[0]!;
    expect(second.id).toBe(first.id);
    expect(second.spec).toMatchObject({ threshold: { value: 500 }, for: '0s', severity: 'warning', hysteresis: { clearAfter: 2 } });
    expect((await inject('DELETE', '/v1/alerts/rules/tiny/slow')).json()).toEqual({ pipeline: 'tiny', name: 'slow', deleted: true });
    const gone = await inject('DELETE', '/v1/alerts/rules/tiny/slow');
    expect(gone.statusCode).toBe(404);
    expect(gone.json<{ error: { message: string } }>().error.message).toContain('slipway alerts rules ls --pipeline tiny');
  });
});

describe('channel routes', () => {
  let channel: ChannelRecord;

  it('creates a channel and never answers its secrets', async () => {
    const res = await inject('POST', '/v1/alerts/channels', { kind: 'webhook', name: 'ops', url: `${receiver.url}/hook?token=s3cr3t`, secret: 'whsec-0123456789abcdef' });
    expect(res.statusCode).toBe(201);
    channel = res.json<ChannelRecord>();
    expect(res.body).not.toContain('s3cr3t');
    expect(res.body).not.toContain('whsec-0123456789abcdef');
    const listed = await inject('GET', '/v1/alerts/channels', undefined, viewer.headers);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain('s3cr3t');
    expect(listed.json<{ channels: ChannelRecord[] }>().channels.map((c) => c.config)).toEqual([{ url: `${receiver.url}/… (redacted)`, secret: '(redacted)' }]);
  });

  it('sends a test notification and keeps it in the history', async () => {
    const res = await inject('POST', `/v1/alerts/channels/${channel.id}/test`);
    expect(res.statusCode).toBe(200);
    expect(res.json<NotificationRecord>()).toMatchObject({ event: 'test', state: 'delivered', attempts: [{ attempt: 1, status: 200 }] });
    expect(receiver.received.at(-1)?.path).toBe('/hook?token=s3cr3t');
    const history = await inject('GET', `/v1/alerts/channels/${channel.id}/notifications`, undefined, viewer.headers);
    expect(history.json<{ notifications: NotificationRecord[] }>().notifications).toHaveLength(1);
  });

  it('shows a failed test delivery and refuses bad channels', async () => {
    const down = (await inject('POST', '/v1/alerts/channels', { kind: 'slack', name: 'down', url: `http://127.0.0.1:${await closedPort()}/x` })).json<ChannelRecord>();
    const res = await inject('POST', `/v1/alerts/channels/${down.id}/test`);
    expect(res.json<NotificationRecord>()).toMatchObject({ state: 'failed', attempts: [{ attempt: 1, error: expect.stringMatching(/ECONNREFUSED/) as unknown }] });
    expect((await inject('DELETE', `/v1/alerts/channels/${down.id}`)).json()).toEqual({ id: down.id, deleted: true });
    expect((await inject('POST', `/v1/alerts/channels/${down.id}/test`)).statusCode).toBe(404);
    const bad = await inject('POST', '/v1/alerts/channels', { kind: 'webhook', name: 'x', url: 'not a url', secret: 'short', routing: { severities: ['urgent'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/url: .*secret: must be at least 16 characters.*routing\.severities\[0\]/);
    expect((await inject('POST', '/v1/alerts/channels', { kind: 'slack', name: 'x', url: 'https://hooks.example.com/x' }, viewer.headers)).statusCode).toBe(403);
  });
});

describe('alerts and incidents', () => {
  let incidentId: string;

  beforeAll(async () => {
    // An alert through the real evaluation: a rule that holds on any traffic (p99 ≥ 0 ms).
    await inject('PUT', '/v1/alerts/rules', { rules: [{ name: 'any-traffic', pipeline: 'tiny', metric: 'request_rate', threshold: { op: '>', value: 0 }, window: '1m' }] });
    await t.store.appendOpsWindows([{ pipeline: 'tiny', version: 1, start: Math.floor(Date.now() / 60_000) * 60_000, requests: 10, errors: {}, latencyHistogram: {}, latencySum: 10, queueCount: 0, queueHistogram: {}, queueSum: 0 }]);
    const report = await inject('POST', '/v1/alerts/evaluate');
    expect(report.json<{ fired: string[] }>().fired).toHaveLength(1);
    incidentId = (await inject('GET', '/v1/alerts?state=firing&pipeline=tiny')).json<{ alerts: AlertRecord[] }>().alerts[0]!.incidentId!;
  });

  it('lists firing alerts and incidents to readers, refusing bad filters', async () => {
    const alerts = await inject('GET', '/v1/alerts?state=firing', undefined, viewer.headers);
    expect(alerts.json<{ alerts: AlertRecord[] }>().alerts.map((a) => a.ruleName)).toEqual(['any-traffic']);
    const bad = await inject('GET', '/v1/alerts?state=burning&limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/state: .*limit: /);
    const incidents = await inject('GET', '/v1/incidents?state=open', undefined, viewer.headers);
    expect(incidents.json<{ incidents: { id: string; areas: string[] }[] }>().incidents).toMatchObject([{ id: incidentId, areas: ['technical_operations'] }]);
  });

  it('acknowledges, assigns, notes and resolves, all on the timeline', async () => {
    expect((await inject('POST', `/v1/incidents/${incidentId}/ack`, {}, viewer.headers)).statusCode).toBe(403);
    expect((await inject('POST', `/v1/incidents/${incidentId}/ack`)).json<{ state: string; owner: string }>()).toMatchObject({ state: 'acknowledged', owner: 'tester' });
    expect((await inject('POST', `/v1/incidents/${incidentId}/assign`, { owner: 'ana' })).json<{ owner: string }>().owner).toBe('ana');
    expect((await inject('POST', `/v1/incidents/${incidentId}/notes`, { text: 'traffic is expected: load test' })).statusCode).toBe(201);
    expect((await inject('POST', `/v1/incidents/${incidentId}/notes`, { text: '' })).json<{ error: { message: string } }>().error.message).toBe('text: must not be empty');
    expect((await inject('POST', `/v1/incidents/${incidentId}/resolve`, { note: 'expected' })).json<{ state: string }>().state).toBe('resolved');
    const again = await inject('POST', `/v1/incidents/${incidentId}/ack`);
    expect(again.statusCode).toBe(409);
    const view = (await inject('GET', `/v1/incidents/${incidentId}`, undefined, viewer.headers)).json<IncidentView>();
    expect(view.timeline.map((e) => e.kind).filter((k) => k !== 'alias_moved')).toEqual(['opened', 'areas_changed', 'acknowledged', 'assigned', 'note', 'resolved']);
    expect(view.summary).toMatch(/^tiny: any-traffic \[warning, resolved\]\nPipeline: tiny\nExperience areas: technical_operations\n/);
    expect(view.summary).toContain('Owner: ana');
    expect((await inject('GET', '/v1/incidents/inc-nope')).json<{ error: { message: string } }>().error.message).toContain('slipway incidents ls');
  });

  it('lets operators edit the classification rules, validated', async () => {
    const rules = [{ metrics: ['request_rate'], areas: ['business'], reason: 'traffic is revenue' }];
    expect((await inject('PUT', '/v1/incidents/classification', { rules }, viewer.headers)).statusCode).toBe(403);
    expect((await inject('PUT', '/v1/incidents/classification', { rules })).json<{ rules: unknown[] }>().rules).toEqual(rules);
    expect((await inject('GET', '/v1/incidents/classification', undefined, viewer.headers)).json<{ rules: unknown[] }>().rules).toEqual(rules);
    const bad = await inject('PUT', '/v1/incidents/classification', { rules: [{ metrics: ['x'], areas: ['finance'], reason: 'r' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/^rules\[0\]\.areas\[0\]/);
  });

  it('applies the rules a package ships in slipway.yaml, and refuses bad ones before anything is written', async () => {
    const { CLASSIFIER_MANIFEST } = await import('./testing/fixtures.js');
    const shipped = `${CLASSIFIER_MANIFEST.replace('name: tiny', 'name: shipped')}alerts:\n  - { name: slow, metric: latency_p99, threshold: { op: ">", value: 300 }, severity: critical }\n`;
    expect((await push(t, await classifierPackage(shipped))).statusCode).toBe(201);
    const rules = (await inject('GET', '/v1/alerts/rules?pipeline=shipped')).json<{ rules: { name: string; origin: string }[] }>().rules;
    expect(rules.filter((r) => r.origin === 'package').map((r) => r.name)).toEqual(['slow']);
    const bad = `${CLASSIFIER_MANIFEST.replace('name: tiny', 'name: refused')}alerts:\n  - { name: a, metric: latency_p99 }\n  - { name: b, pipeline: other, metric: cache_misses, threshold: { op: ">", value: 1 } }\n`;
    const res = await push(t, await classifierPackage(bad));
    expect(res.statusCode).toBe(422);
    const message = res.json<{ error: { message: string } }>().error.message;
    expect(message).toContain('slipway.yaml: alerts[0]: needs exactly one condition');
    expect(message).toContain('slipway.yaml: alerts[1].pipeline: must be "refused"');
    expect(message).toContain('slipway.yaml: alerts[1].metric: cache_misses is not measured by this server');
    expect((await inject('GET', '/v1/pipelines/refused')).statusCode).toBe(404);
  });

  it('refuses a push that names an unknown incident in its lineage', async () => {
    const { CLASSIFIER_MANIFEST } = await import('./testing/fixtures.js');
    const res = await push(t, await classifierPackage(CLASSIFIER_MANIFEST.replace('lineage:\n', 'lineage:\n  incident: inc-missing\n  retrains: tiny:v1\n')));
    expect(res.statusCode).toBe(422);
    expect(res.json<{ error: { message: string } }>().error.message).toContain('slipway.yaml: lineage.incident: no incident "inc-missing"');
  });
});

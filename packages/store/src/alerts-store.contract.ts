/**
 * The behaviour every `AlertsStore` owes the alert service, as one vitest suite that
 * sqlite.test.ts and postgres.test.ts run. Ids are random per run, so suites sharing a
 * database stay apart.
 */
import { randomUUID } from 'node:crypto';
import type { AlertEvalState, AlertRecord, AlertRuleRecord, IncidentRecord, MetadataStore, NotificationRecord } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

function rule(pipeline: string, name: string): AlertRuleRecord {
  return { id: randomUUID(), pipeline, name, origin: 'default', spec: { metric: 'error_rate', nested: { k: [1, 2] } }, createdAt: at(0), updatedAt: at(0) };
}

function alert(pipeline: string, minute: number, patch: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: randomUUID(),
    fingerprint: 'f',
    ruleId: 'r',
    ruleName: 'error rate',
    pipeline,
    metric: 'error_rate',
    labels: { feature: 'income' },
    severity: 'critical',
    state: 'firing',
    value: 0.5,
    threshold: 0.05,
    summary: 'error rate 0.5 > 0.05',
    runbook: null,
    incidentId: null,
    firedAt: at(minute),
    resolvedAt: null,
    updatedAt: at(minute),
    ...patch,
  };
}

function incident(pipeline: string, minute: number): IncidentRecord {
  return {
    id: randomUUID(),
    pipeline,
    deployment: null,
    title: 'drift',
    state: 'open',
    severity: 'warning',
    areas: ['data_operations'],
    owner: null,
    alertIds: [],
    openedAt: at(minute),
    lastAlertAt: at(minute),
    acknowledgedAt: null,
    resolvedAt: null,
    updatedAt: at(minute),
  };
}

export function describeAlertsStoreContract(name: string, open: () => MetadataStore): void {
  describe(`AlertsStore (${name})`, () => {
    let store: MetadataStore;
    const p = `alerts-${randomUUID().slice(0, 8)}`;
    beforeAll(async () => {
      store = open();
      await store.migrate();
    });
    afterAll(() => store.close());

    it('keeps rules whole, lists them by pipeline and name, and deletes them with their states', async () => {
      const b = rule(p, 'b-rule');
      const a = rule(p, 'a-rule');
      await store.putAlertRule(b);
      await store.putAlertRule(a);
      await store.putAlertRule({ ...b, origin: 'user', spec: { metric: 'p99' }, updatedAt: at(5) });
      expect(await store.getAlertRule(b.id)).toStrictEqual({ ...b, origin: 'user', spec: { metric: 'p99' }, updatedAt: at(5) });
      expect((await store.listAlertRules({ pipeline: p })).map((r) => r.name)).toStrictEqual(['a-rule', 'b-rule']);
      const state: AlertEvalState = { fingerprint: randomUUID(), ruleId: a.id, status: 'firing', since: 1, clearStreak: 0, value: 0.3, alertId: 'x', evaluatedAt: 2 };
      await store.putAlertStates([state]);
      await store.putAlertStates([{ ...state, status: 'resolved', value: null }]);
      expect((await store.listAlertStates()).filter((s) => s.ruleId === a.id)).toStrictEqual([{ ...state, status: 'resolved', value: null }]);
      expect(await store.deleteAlertRule(a.id)).toBe(true);
      expect(await store.deleteAlertRule(a.id)).toBe(false);
      expect((await store.listAlertStates()).filter((s) => s.ruleId === a.id)).toStrictEqual([]);
      expect(await store.getAlertRule(a.id)).toBeUndefined();
    });

    it('refuses two rules of one name in a pipeline', async () => {
      await store.putAlertRule(rule(p, 'twice'));
      await expect(store.putAlertRule(rule(p, 'twice'))).rejects.toThrow();
    });

    it('lists alerts newest first, filtered by state, pipeline and incident', async () => {
      const old = alert(p, 1);
      const recent = alert(p, 2, { state: 'resolved', resolvedAt: at(3), incidentId: 'inc-1' });
      await store.putAlert(old);
      await store.putAlert(recent);
      await store.putAlert({ ...old, value: 0.7 });
      expect((await store.listAlerts({ pipeline: p, limit: 10 })).map((x) => x.id)).toStrictEqual([recent.id, old.id]);
      expect(await store.listAlerts({ pipeline: p, state: 'firing', limit: 10 })).toStrictEqual([{ ...old, value: 0.7 }]);
      expect((await store.listAlerts({ pipeline: p, incidentId: 'inc-1', limit: 10 })).map((x) => x.id)).toStrictEqual([recent.id]);
      expect(await store.listAlerts({ pipeline: p, limit: 1 })).toHaveLength(1);
      expect(await store.getAlert(recent.id)).toStrictEqual(recent);
    });

    it('keeps channels and their notification history', async () => {
      const id = randomUUID();
      const channel = { id, name: `ops-${id}`, kind: 'webhook' as const, config: { url: 'sealed:abc' }, routing: { severities: [], pipelines: [p], areas: [] }, createdAt: at(0), updatedAt: at(0) };
      await store.putChannel(channel);
      expect(await store.getChannel(id)).toStrictEqual(channel);
      expect((await store.listChannels()).some((c) => c.id === id)).toBe(true);
      const n: NotificationRecord = { id: randomUUID(), channelId: id, event: 'firing', alertId: 'a1', incidentId: null, state: 'pending', attempts: [], createdAt: at(1), updatedAt: at(1) };
      await store.putNotification(n);
      const failed = { ...n, state: 'failed' as const, attempts: [{ attempt: 1, at: at(1), error: 'ECONNREFUSED', ms: 3 }] };
      await store.putNotification(failed);
      expect(await store.listNotifications({ channelId: id, limit: 10 })).toStrictEqual([failed]);
      expect(await store.listNotifications({ alertId: 'a1', channelId: id, limit: 10 })).toHaveLength(1);
      expect(await store.deleteChannel(id)).toBe(true);
      expect(await store.getChannel(id)).toBeUndefined();
    });

    it('keeps incidents and numbers their timeline, also under concurrent appends', async () => {
      const i = incident(p, 4);
      await store.putIncident(i);
      await store.putIncident({ ...i, state: 'acknowledged', owner: 'ana' });
      expect(await store.getIncident(i.id)).toStrictEqual({ ...i, state: 'acknowledged', owner: 'ana' });
      expect((await store.listIncidents({ pipeline: p, state: 'acknowledged', limit: 5 })).map((x) => x.id)).toStrictEqual([i.id]);
      expect(await store.listIncidents({ pipeline: p, state: 'open', limit: 5 })).toStrictEqual([]);
      const events = await Promise.all(
        Array.from({ length: 8 }, (_, k) => store.appendIncidentEvent({ incidentId: i.id, at: at(5), kind: 'note', actor: 'ana', message: `note ${k}`, data: k === 0 ? { x: 1 } : null })),
      );
      expect(events.map((e) => e.seq).sort((a, b) => a - b)).toStrictEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const timeline = await store.incidentEvents(i.id);
      expect(timeline.map((e) => e.seq)).toStrictEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(timeline.find((e) => e.message === 'note 0')?.data).toStrictEqual({ x: 1 });
    });

    it('keeps settings documents', async () => {
      const key = `classification-${randomUUID()}`;
      expect(await store.getAlertSetting(key)).toBeUndefined();
      await store.putAlertSetting(key, [{ metric: 'drift', areas: ['data_operations'] }]);
      await store.putAlertSetting(key, [{ metric: 'kpi', areas: ['business'] }]);
      expect(await store.getAlertSetting(key)).toStrictEqual([{ metric: 'kpi', areas: ['business'] }]);
    });
  });
}

/**
 * The `AlertsStore` half of the metadata store, on Kysely for SQLite and PostgreSQL.
 * Records live whole as JSON in `body`; writes are upserts by id, so the alert service
 * can save a record after every change without reading it first.
 */
import type {
  AlertEvalState,
  AlertRecord,
  AlertRuleRecord,
  AlertsStore,
  ChannelRecord,
  IncidentEvent,
  IncidentRecord,
  MetadataStore,
  NotificationRecord,
} from '@slipway/core';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

const parse = <T>(text: string): T => JSON.parse(text) as T;

export function createAlertsStore(db: Kysely<Database>, kind: MetadataStore['kind']): AlertsStore {
  return {
    async putAlertRule(rule: AlertRuleRecord) {
      const row = { id: rule.id, pipeline: rule.pipeline, name: rule.name, origin: rule.origin, spec: JSON.stringify(rule.spec), created_at: rule.createdAt, updated_at: rule.updatedAt };
      await db
        .insertInto('alert_rules')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ pipeline: row.pipeline, name: row.name, origin: row.origin, spec: row.spec, updated_at: row.updated_at }))
        .execute();
    },
    async getAlertRule(id) {
      const row = await db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRule(row);
    },
    async listAlertRules(q = {}) {
      let query = db.selectFrom('alert_rules').selectAll().orderBy('pipeline').orderBy('name');
      if (q.pipeline !== undefined) query = query.where('pipeline', '=', q.pipeline);
      return (await query.execute()).map(toRule);
    },
    async deleteAlertRule(id) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('alert_states').where('rule_id', '=', id).execute();
        const result = await trx.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async putAlertStates(states: readonly AlertEvalState[]) {
      if (states.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const s of states) {
          const body = JSON.stringify(s);
          await trx
            .insertInto('alert_states')
            .values({ fingerprint: s.fingerprint, rule_id: s.ruleId, body })
            .onConflict((oc) => oc.column('fingerprint').doUpdateSet({ rule_id: s.ruleId, body }))
            .execute();
        }
      });
    },
    async listAlertStates() {
      return (await db.selectFrom('alert_states').select('body').orderBy('fingerprint').execute()).map((r) => parse<AlertEvalState>(r.body));
    },

    async putAlert(alert: AlertRecord) {
      const row = { id: alert.id, pipeline: alert.pipeline, state: alert.state, incident_id: alert.incidentId, fired_at: alert.firedAt, body: JSON.stringify(alert) };
      await db
        .insertInto('alert_records')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ state: row.state, incident_id: row.incident_id, body: row.body }))
        .execute();
    },
    async getAlert(id) {
      const row = await db.selectFrom('alert_records').select('body').where('id', '=', id).executeTakeFirst();
      return row && parse<AlertRecord>(row.body);
    },
    async listAlerts(q) {
      let query = db.selectFrom('alert_records').select('body').orderBy('fired_at', 'desc').orderBy('id', 'desc').limit(q.limit);
      if (q.state !== undefined) query = query.where('state', '=', q.state);
      if (q.pipeline !== undefined) query = query.where('pipeline', '=', q.pipeline);
      if (q.incidentId !== undefined) query = query.where('incident_id', '=', q.incidentId);
      return (await query.execute()).map((r) => parse<AlertRecord>(r.body));
    },

    async putChannel(channel: ChannelRecord) {
      const body = JSON.stringify(channel);
      await db
        .insertInto('alert_channels')
        .values({ id: channel.id, name: channel.name, body })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: channel.name, body }))
        .execute();
    },
    async getChannel(id) {
      const row = await db.selectFrom('alert_channels').select('body').where('id', '=', id).executeTakeFirst();
      return row && parse<ChannelRecord>(row.body);
    },
    async listChannels() {
      return (await db.selectFrom('alert_channels').select('body').orderBy('name').orderBy('id').execute()).map((r) => parse<ChannelRecord>(r.body));
    },
    async deleteChannel(id) {
      const result = await db.deleteFrom('alert_channels').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async putNotification(n: NotificationRecord) {
      const body = JSON.stringify(n);
      await db
        .insertInto('alert_notifications')
        .values({ id: n.id, channel_id: n.channelId, alert_id: n.alertId, incident_id: n.incidentId, created_at: n.createdAt, body })
        .onConflict((oc) => oc.column('id').doUpdateSet({ body }))
        .execute();
    },
    async listNotifications(q) {
      let query = db.selectFrom('alert_notifications').select('body').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit);
      if (q.channelId !== undefined) query = query.where('channel_id', '=', q.channelId);
      if (q.alertId !== undefined) query = query.where('alert_id', '=', q.alertId);
      if (q.incidentId !== undefined) query = query.where('incident_id', '=', q.incidentId);
      return (await query.execute()).map((r) => parse<NotificationRecord>(r.body));
    },

    async putIncident(incident: IncidentRecord) {
      const row = { id: incident.id, pipeline: incident.pipeline, state: incident.state, opened_at: incident.openedAt, body: JSON.stringify(incident) };
      await db
        .insertInto('incident_records')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ state: row.state, body: row.body }))
        .execute();
    },
    async getIncident(id) {
      const row = await db.selectFrom('incident_records').select('body').where('id', '=', id).executeTakeFirst();
      return row && parse<IncidentRecord>(row.body);
    },
    async listIncidents(q) {
      let query = db.selectFrom('incident_records').select('body').orderBy('opened_at', 'desc').orderBy('id', 'desc').limit(q.limit);
      if (q.state !== undefined) query = query.where('state', '=', q.state);
      if (q.pipeline !== undefined) query = query.where('pipeline', '=', q.pipeline);
      return (await query.execute()).map((r) => parse<IncidentRecord>(r.body));
    },
    async appendIncidentEvent(event) {
      return db.transaction().execute(async (trx) => {
        // PostgreSQL: the incident row's lock serialises appends, so `max(seq) + 1` is free.
        // SQLite runs each transaction alone on its one connection and needs no lock.
        await trx
          .selectFrom('incident_records')
          .select('id')
          .where('id', '=', event.incidentId)
          .$if(kind === 'postgres', (q) => q.forUpdate())
          .execute();
        const last = await trx
          .selectFrom('incident_events')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('incident_id', '=', event.incidentId)
          .executeTakeFirst();
        const full: IncidentEvent = { ...event, seq: Number(last?.seq ?? 0) + 1 };
        await trx.insertInto('incident_events').values({ incident_id: full.incidentId, seq: full.seq, at: full.at, body: JSON.stringify(full) }).execute();
        return full;
      });
    },
    async incidentEvents(incidentId) {
      const rows = await db.selectFrom('incident_events').select('body').where('incident_id', '=', incidentId).orderBy('seq').execute();
      return rows.map((r) => parse<IncidentEvent>(r.body));
    },

    async getAlertSetting(key) {
      const row = await db.selectFrom('alert_settings').select('value').where('key', '=', key).executeTakeFirst();
      return row === undefined ? undefined : parse<unknown>(row.value);
    },
    async putAlertSetting(key, value) {
      const text = JSON.stringify(value);
      await db
        .insertInto('alert_settings')
        .values({ key, value: text })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: text }))
        .execute();
    },
  };
}

function toRule(row: { id: string; pipeline: string; name: string; origin: string; spec: string; created_at: string; updated_at: string }): AlertRuleRecord {
  return {
    id: row.id,
    pipeline: row.pipeline,
    name: row.name,
    origin: row.origin === 'default' || row.origin === 'package' ? row.origin : 'user',
    spec: parse<Record<string, unknown>>(row.spec),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

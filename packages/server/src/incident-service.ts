/**
 * Incidents: alerts of one pipeline (and deployment) firing within a grouping window
 * join one incident, classified into the experience areas its alerts hurt; people move it
 * open → acknowledged → resolved, assign an owner and add notes. The timeline merges its
 * own events with the alias moves and rollouts (promotions, rollbacks) around it; `summary` writes
 * a text ready to paste into a ticket.
 */
import { randomUUID } from 'node:crypto';
import {
  type ActionOutcome,
  type AlertRecord,
  ErrorCode,
  type ExperienceArea,
  EXPERIENCE_AREAS,
  type IncidentEvent,
  type IncidentRecord,
  type IncidentState,
  type IncidentView,
  type MetadataStore,
  SEVERITY_RANK,
  SlipwayError,
} from '@slipway/core';
import { type ClassificationRule, DEFAULT_CLASSIFICATION, classifyAlert, parseClassificationRules } from './incident-classification.js';

export interface IncidentServiceOptions {
  store: MetadataStore;
  now: () => number;
  /** Alerts of one pipeline within this long of the incident's last alert join it. Default 1 hour. */
  groupWindowMs?: number;
}

const CLASSIFICATION_KEY = 'classification';

export class IncidentNotFoundError extends SlipwayError {
  constructor(id: string) {
    super(ErrorCode.notFound, `incident "${id}" not found; list incidents with \`slipway incidents ls\``, { details: { incident: id } });
  }
}

export function createIncidentService(options: IncidentServiceOptions) {
  const { store, now } = options;
  const groupWindowMs = options.groupWindowMs ?? 3_600_000;
  const iso = () => new Date(now()).toISOString();

  async function classification(): Promise<ClassificationRule[]> {
    const stored = await store.getAlertSetting(CLASSIFICATION_KEY);
    return stored === undefined ? [...DEFAULT_CLASSIFICATION] : parseClassificationRules(stored);
  }

  async function require(id: string): Promise<IncidentRecord> {
    const incident = await store.getIncident(id);
    if (incident === undefined) throw new IncidentNotFoundError(id);
    return incident;
  }

  const event = (incident: IncidentRecord, kind: IncidentEvent['kind'], actor: string, message: string, data: Record<string, unknown> | null = null) =>
    store.appendIncidentEvent({ incidentId: incident.id, at: iso(), kind, actor, message, data });

  async function save(incident: IncidentRecord): Promise<IncidentRecord> {
    const next = { ...incident, updatedAt: iso() };
    await store.putIncident(next);
    return next;
  }

  /** Alias moves and rollout events of the pipeline from an hour before the incident to its end: promotions, canaries, rollbacks. */
  async function deploymentsAround(incident: IncidentRecord): Promise<IncidentEvent[]> {
    const from = Date.parse(incident.openedAt) - 3_600_000;
    const to = incident.resolvedAt === null ? Infinity : Date.parse(incident.resolvedAt);
    const within = (at: string) => Date.parse(at) >= from && Date.parse(at) <= to;
    const deployments = (await store.listDeployments()).filter((d) => d.pipeline === incident.pipeline && (incident.deployment === null || d.environment === incident.deployment));
    const rollouts = (await Promise.all(deployments.map((d) => store.listRolloutEvents(d.pipeline, d.environment))))
      .flat()
      .filter((e) => within(e.at))
      .map((e) => ({
        incidentId: incident.id,
        seq: 0,
        at: e.at,
        kind: 'rollout' as const,
        actor: e.actor,
        message: `${e.pipeline} in ${e.environment}: rollout ${e.kind}, stable v${e.stable}, candidate v${e.candidate} at ${e.percent}%${e.reason ? ` (${e.reason})` : ''}`,
        data: { environment: e.environment, kind: e.kind, stable: e.stable, candidate: e.candidate, percent: e.percent, reason: e.reason },
      }));
    const aliases = await store.listAliases(incident.pipeline);
    const histories = await Promise.all(aliases.map((a) => store.aliasHistory(incident.pipeline, a.alias)));
    const moves = histories
      .flat()
      .filter((e) => within(e.at))
      .map((e) => ({
        incidentId: incident.id,
        seq: 0,
        at: e.at,
        kind: 'alias_moved' as const,
        actor: e.actor,
        message: `${incident.pipeline}@${e.alias} ${e.fromVersion === null ? '(new)' : `v${e.fromVersion}`} → v${e.toVersion}${e.fromVersion !== null && e.toVersion < e.fromVersion ? ' (rollback)' : ''}`,
        data: { alias: e.alias, fromVersion: e.fromVersion, toVersion: e.toVersion },
      }));
    return [...moves, ...rollouts];
  }

  async function transition(id: string, to: IncidentState, actor: string, note: string | undefined): Promise<IncidentRecord> {
    const incident = await require(id);
    if (incident.state === 'resolved') {
      throw new SlipwayError(ErrorCode.conflict, `incident "${id}" is already resolved; a new alert opens a new incident`, { details: { incident: id, state: incident.state } });
    }
    if (incident.state === to) return incident;
    const at = iso();
    const next = await save({ ...incident, state: to, ...(to === 'acknowledged' ? { acknowledgedAt: at } : { resolvedAt: at }), owner: incident.owner ?? (to === 'acknowledged' ? actor : null) });
    await event(next, to === 'acknowledged' ? 'acknowledged' : 'resolved', actor, `${to} by ${actor}${note ? `: ${note}` : ''}`, note ? { note } : null);
    return next;
  }

  return {
    classification,
    async setClassification(rules: unknown): Promise<ClassificationRule[]> {
      const parsed = parseClassificationRules(rules);
      await store.putAlertSetting(CLASSIFICATION_KEY, parsed);
      return parsed;
    },

    /** Puts a newly fired alert into an incident (joining or opening one); returns it and whether it was opened. */
    async attach(alert: AlertRecord, hints: readonly string[]): Promise<{ incident: IncidentRecord; opened: boolean; areasAdded: ExperienceArea[] }> {
      const deployment = alert.labels.deployment ?? null;
      const { areas, reasons } = classifyAlert({ metric: alert.metric, ruleName: alert.ruleName, labels: alert.labels, hints }, await classification());
      const live = [...(await store.listIncidents({ pipeline: alert.pipeline, state: 'open', limit: 50 })), ...(await store.listIncidents({ pipeline: alert.pipeline, state: 'acknowledged', limit: 50 }))];
      const joined = live
        .filter((i) => i.deployment === deployment && Date.parse(alert.firedAt) - Date.parse(i.lastAlertAt) <= groupWindowMs)
        .sort((a, b) => b.lastAlertAt.localeCompare(a.lastAlertAt))[0];
      if (joined === undefined) {
        const incident: IncidentRecord = {
          id: `inc-${randomUUID().slice(0, 8)}`,
          pipeline: alert.pipeline,
          deployment,
          title: `${alert.pipeline}: ${alert.ruleName}`,
          state: 'open',
          severity: alert.severity,
          areas,
          owner: null,
          alertIds: [alert.id],
          openedAt: alert.firedAt,
          lastAlertAt: alert.firedAt,
          acknowledgedAt: null,
          resolvedAt: null,
          updatedAt: iso(),
        };
        await store.putIncident(incident);
        await event(incident, 'opened', 'slipway', `opened by alert ${alert.ruleName}: ${alert.summary}`, { alertId: alert.id });
        await event(incident, 'areas_changed', 'slipway', `classified as ${areas.join(', ') || 'no area'} (${reasons.join('; ') || 'no classification rule matched'})`, { added: areas, reasons });
        return { incident, opened: true, areasAdded: areas };
      }
      const added = areas.filter((a) => !joined.areas.includes(a));
      const merged = EXPERIENCE_AREAS.filter((a) => joined.areas.includes(a) || added.includes(a));
      const severity = SEVERITY_RANK[alert.severity] < SEVERITY_RANK[joined.severity] ? alert.severity : joined.severity;
      const incident = await save({ ...joined, areas: merged, severity, alertIds: [...joined.alertIds, alert.id], lastAlertAt: alert.firedAt });
      await event(incident, 'alert_fired', 'slipway', `alert ${alert.ruleName}: ${alert.summary}`, { alertId: alert.id });
      if (added.length > 0) await event(incident, 'areas_changed', 'slipway', `added ${added.join(', ')} (${reasons.join('; ')})`, { added, reasons });
      return { incident, opened: false, areasAdded: added };
    },

    async alertResolved(alert: AlertRecord): Promise<void> {
      if (alert.incidentId === null) return;
      const incident = await store.getIncident(alert.incidentId);
      if (incident === undefined) return;
      await event(incident, 'alert_resolved', 'slipway', `alert ${alert.ruleName} resolved (value ${alert.value ?? 'n/a'})`, { alertId: alert.id });
    },

    async recordAction(incidentId: string, ruleName: string, outcome: ActionOutcome): Promise<void> {
      const incident = await store.getIncident(incidentId);
      if (incident === undefined) return;
      const how = outcome.ok ? 'succeeded' : `failed (${outcome.error ?? outcome.status ?? 'unknown'})`;
      await event(incident, 'action', 'slipway', `${outcome.kind} action of ${ruleName} → ${outcome.target} ${how}`, { ...outcome });
    },

    /** A version pushed with lineage `incident: <id>` (and `retrains`): recorded on the incident's timeline. */
    async recordVersionPushed(incidentId: string, ref: string, retrains: string | undefined, actor: string): Promise<void> {
      const incident = await require(incidentId);
      await event(incident, 'version_pushed', actor, `${ref} pushed${retrains ? ` to retrain ${retrains}` : ''}`, { ref, ...(retrains ? { retrains } : {}) });
    },

    require,
    list: (q: { state?: IncidentState; pipeline?: string; limit: number }) => store.listIncidents(q),

    async view(id: string): Promise<IncidentView> {
      const incident = await require(id);
      const [alerts, own, moves] = await Promise.all([store.listAlerts({ incidentId: id, limit: 500 }), store.incidentEvents(id), deploymentsAround(incident)]);
      const timeline = [...own, ...moves].sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
      return { incident, alerts, timeline, summary: summarize(incident, alerts, timeline) };
    },

    acknowledge: (id: string, actor: string, note?: string) => transition(id, 'acknowledged', actor, note),
    resolve: (id: string, actor: string, note?: string) => transition(id, 'resolved', actor, note),

    async note(id: string, actor: string, text: string): Promise<IncidentEvent> {
      return event(await require(id), 'note', actor, text);
    },

    async assign(id: string, owner: string, actor: string): Promise<IncidentRecord> {
      const incident = await save({ ...(await require(id)), owner });
      await event(incident, 'assigned', actor, `assigned to ${owner} by ${actor}`, { owner });
      return incident;
    },
  };
}

export type IncidentService = ReturnType<typeof createIncidentService>;

/** A ticket-ready text: what, who is hurt, since when, the alerts, and what happened. */
export function summarize(incident: IncidentRecord, alerts: readonly AlertRecord[], timeline: readonly IncidentEvent[]): string {
  const lines = [
    `${incident.title} [${incident.severity}, ${incident.state}]`,
    `Pipeline: ${incident.pipeline}${incident.deployment ? ` (deployment ${incident.deployment})` : ''}`,
    `Experience areas: ${incident.areas.join(', ') || 'none'}`,
    `Opened: ${incident.openedAt}${incident.acknowledgedAt ? `; acknowledged: ${incident.acknowledgedAt}` : ''}${incident.resolvedAt ? `; resolved: ${incident.resolvedAt}` : ''}`,
    `Owner: ${incident.owner ?? 'unassigned'}`,
    '',
    `Alerts (${alerts.length}):`,
    ...alerts.map((a) => `- [${a.severity}] ${a.ruleName}: ${a.summary} (${a.state}${a.resolvedAt ? ` at ${a.resolvedAt}` : ''})${a.runbook ? ` runbook ${a.runbook}` : ''}`),
    '',
    'Timeline:',
    ...timeline.map((e) => `- ${e.at} ${e.actor}: ${e.message}`),
  ];
  return lines.join('\n');
}

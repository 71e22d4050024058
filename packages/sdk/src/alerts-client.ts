/**
 * `client.alerts` and `client.incidents`: alert rules, alerts, notification channels and
 * incidents, as `/v1/alerts` and `/v1/incidents` expose them.
 */
import {
  type AlertRecord,
  type AlertRuleRecord,
  type AlertRulesResponse,
  type AlertsResponse,
  ApiPaths,
  type ChannelRecord,
  type ChannelsResponse,
  type EvaluationReport,
  type IncidentEvent,
  type IncidentRecord,
  type IncidentState,
  type IncidentView,
  type IncidentsResponse,
  type NotificationRecord,
  type NotificationsResponse,
} from '@slipway/core';

type Json = <T>(call: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: unknown }) => Promise<T>;

export interface AlertsClient {
  /** Newest first. */
  list(options?: { state?: AlertRecord['state']; pipeline?: string; limit?: number }): Promise<AlertRecord[]>;
  rules(pipeline?: string): Promise<AlertRuleRecord[]>;
  /** Creates or replaces rules by pipeline and name: a `{rules}` object, or YAML text of one (the server reports its errors). */
  applyRules(document: { rules: unknown[] } | string): Promise<AlertRuleRecord[]>;
  deleteRule(pipeline: string, name: string): Promise<void>;
  /** Evaluates every rule now. */
  evaluate(): Promise<EvaluationReport>;
  channels(): Promise<ChannelRecord[]>;
  createChannel(input: Record<string, unknown>): Promise<ChannelRecord>;
  deleteChannel(id: string): Promise<void>;
  testChannel(id: string): Promise<NotificationRecord>;
  notifications(channelId: string, limit?: number): Promise<NotificationRecord[]>;
}

export interface IncidentsClient {
  /** Newest first. */
  list(options?: { state?: IncidentState; pipeline?: string; limit?: number }): Promise<IncidentRecord[]>;
  get(id: string): Promise<IncidentView>;
  acknowledge(id: string, note?: string): Promise<IncidentRecord>;
  resolve(id: string, note?: string): Promise<IncidentRecord>;
  note(id: string, text: string): Promise<IncidentEvent>;
  assign(id: string, owner: string): Promise<IncidentRecord>;
}

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}

export function createAlertsClient({ json }: { json: Json }): AlertsClient {
  return {
    list: async (o = {}) => (await json<AlertsResponse>({ method: 'GET', path: `${ApiPaths.alerts}${query(o)}` })).alerts,
    rules: async (pipeline) => (await json<AlertRulesResponse>({ method: 'GET', path: `${ApiPaths.alertRules}${query({ pipeline })}` })).rules,
    applyRules: async (document) => (await json<AlertRulesResponse>({ method: 'PUT', path: ApiPaths.alertRules, body: typeof document === 'string' ? { yaml: document } : document })).rules,
    deleteRule: async (pipeline, name) => {
      await json({ method: 'DELETE', path: ApiPaths.alertRule(pipeline, name) });
    },
    evaluate: () => json<EvaluationReport>({ method: 'POST', path: ApiPaths.alertsEvaluate }),
    channels: async () => (await json<ChannelsResponse>({ method: 'GET', path: ApiPaths.alertChannels })).channels,
    createChannel: (input) => json<ChannelRecord>({ method: 'POST', path: ApiPaths.alertChannels, body: input }),
    deleteChannel: async (id) => {
      await json({ method: 'DELETE', path: ApiPaths.alertChannel(id) });
    },
    testChannel: (id) => json<NotificationRecord>({ method: 'POST', path: ApiPaths.alertChannelTest(id) }),
    notifications: async (id, limit) => (await json<NotificationsResponse>({ method: 'GET', path: `${ApiPaths.alertChannelNotifications(id)}${query({ limit })}` })).notifications,
  };
}

export function createIncidentsClient({ json }: { json: Json }): IncidentsClient {
  return {
    list: async (o = {}) => (await json<IncidentsResponse>({ method: 'GET', path: `${ApiPaths.incidents}${query(o)}` })).incidents,
    get: (id) => json<IncidentView>({ method: 'GET', path: ApiPaths.incident(id) }),
    acknowledge: (id, note) => json<IncidentRecord>({ method: 'POST', path: `${ApiPaths.incident(id)}/ack`, body: note === undefined ? {} : { note } }),
    resolve: (id, note) => json<IncidentRecord>({ method: 'POST', path: `${ApiPaths.incident(id)}/resolve`, body: note === undefined ? {} : { note } }),
    note: (id, text) => json<IncidentEvent>({ method: 'POST', path: `${ApiPaths.incident(id)}/notes`, body: { text } }),
    assign: (id, owner) => json<IncidentRecord>({ method: 'POST', path: `${ApiPaths.incident(id)}/assign`, body: { owner } }),
  };
}

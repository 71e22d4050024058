/**
 * Alerts and incidents: the records an alert rule's evaluation leaves behind (alerts,
 * their evaluation state, notifications, incidents and their timelines) and the store
 * methods that keep them. Rules, evaluation and classification are decided in the server's
 * pure modules; this file only names what is stored. Times are ISO-8601 text.
 */

export const AlertSeverity = { critical: 'critical', warning: 'warning', info: 'info' } as const;
export type AlertSeverity = (typeof AlertSeverity)[keyof typeof AlertSeverity];
/** Most severe first; `SEVERITY_RANK.critical` is 0. */
export const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = { critical: 0, warning: 1, info: 2 };

/** Who an incident hurts (see the glossary). */
export const ExperienceArea = {
  business: 'business',
  technicalOperations: 'technical_operations',
  dataOperations: 'data_operations',
  users: 'users',
} as const;
export type ExperienceArea = (typeof ExperienceArea)[keyof typeof ExperienceArea];
export const EXPERIENCE_AREAS: readonly ExperienceArea[] = Object.values(ExperienceArea);

/** Where one (rule, labels) series stands in its evaluation. */
export const AlertStatus = { inactive: 'inactive', pending: 'pending', firing: 'firing', resolved: 'resolved' } as const;
export type AlertStatus = (typeof AlertStatus)[keyof typeof AlertStatus];

/** A stored alert rule: its spec (validated by the server) and bookkeeping. */
export interface AlertRuleRecord {
  id: string;
  pipeline: string;
  name: string;
  /** `default` rules are created per pipeline on its first push; `package` ones come from `slipway.yaml` `alerts`; applying one through the API makes it `user`. */
  origin: 'default' | 'package' | 'user';
  /** The rule as the server's schema parsed it (`AlertRuleSpec` in server/src/alert-rules.ts). */
  spec: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/**
 * The evaluation state of one (rule, labels) series, kept between evaluations: what
 * the pure evaluator needs to apply `for` and hysteresis, and the alert it is firing.
 */
export interface AlertEvalState {
  /** sha256 of the rule id and its labels: the dedup key. */
  fingerprint: string;
  ruleId: string;
  status: AlertStatus;
  /** When `status` last changed, epoch ms. */
  since: number;
  /** Consecutive evaluations past the resolve margin while firing. */
  clearStreak: number;
  /** The last value evaluated; null when the metric had no data. */
  value: number | null;
  /** The alert this state is firing (or last fired). */
  alertId: string | null;
  evaluatedAt: number;
}

/** One firing episode of a rule's series: from firing to resolved. */
export interface AlertRecord {
  id: string;
  fingerprint: string;
  ruleId: string;
  ruleName: string;
  pipeline: string;
  metric: string;
  labels: Record<string, string>;
  severity: AlertSeverity;
  state: 'firing' | 'resolved';
  /** Value at firing and the latest value seen. */
  value: number | null;
  /** The bound the value crossed (threshold, baseline ± change, mean ± kσ). */
  threshold: number | null;
  summary: string;
  runbook: string | null;
  incidentId: string | null;
  firedAt: string;
  resolvedAt: string | null;
  updatedAt: string;
}

export const ChannelKind = { webhook: 'webhook', slack: 'slack', email: 'email', alertmanager: 'alertmanager' } as const;
export type ChannelKind = (typeof ChannelKind)[keyof typeof ChannelKind];

/** A notification channel as stored: `config` holds its secrets sealed or as given (see server/src/alert-channels.ts). */
export interface ChannelRecord {
  id: string;
  name: string;
  kind: ChannelKind;
  config: Record<string, unknown>;
  /** Which alerts it receives; empty lists match everything. */
  routing: { severities: AlertSeverity[]; pipelines: string[]; areas: ExperienceArea[] };
  createdAt: string;
  updatedAt: string;
}

/** One delivery attempt of a notification. */
export interface NotificationAttempt {
  attempt: number;
  at: string;
  /** HTTP status or SMTP reply code, when the receiver answered. */
  status?: number;
  error?: string;
  ms: number;
}

export interface NotificationRecord {
  id: string;
  channelId: string;
  /** `firing`, `resolved` or `test`. */
  event: string;
  alertId: string | null;
  incidentId: string | null;
  state: 'pending' | 'delivered' | 'failed';
  attempts: NotificationAttempt[];
  createdAt: string;
  updatedAt: string;
}

export const IncidentState = { open: 'open', acknowledged: 'acknowledged', resolved: 'resolved' } as const;
export type IncidentState = (typeof IncidentState)[keyof typeof IncidentState];

/** The outcome of a rule's action (retrain webhook, command) recorded on an incident. */
export interface ActionOutcome {
  kind: 'webhook' | 'command';
  /** Webhook URL without query string, or argv[0]. */
  target: string;
  ok: boolean;
  status?: number;
  exitCode?: number | null;
  output?: string;
  error?: string;
  ms: number;
}

export interface IncidentRecord {
  id: string;
  pipeline: string;
  /** The deployment (environment) its alerts concern, when they name one. */
  deployment: string | null;
  title: string;
  state: IncidentState;
  severity: AlertSeverity;
  areas: ExperienceArea[];
  owner: string | null;
  alertIds: string[];
  openedAt: string;
  /** When its last alert fired: later alerts within the grouping window join it. */
  lastAlertAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  updatedAt: string;
}

/** One entry of an incident's timeline, numbered 1, 2, … per incident. */
export interface IncidentEvent {
  incidentId: string;
  seq: number;
  at: string;
  kind: 'opened' | 'alert_fired' | 'alert_resolved' | 'areas_changed' | 'acknowledged' | 'assigned' | 'note' | 'resolved' | 'action' | 'version_pushed' | 'alias_moved' | 'rollout';
  actor: string;
  message: string;
  data: Record<string, unknown> | null;
}

export interface AlertsStore {
  putAlertRule(rule: AlertRuleRecord): Promise<void>;
  getAlertRule(id: string): Promise<AlertRuleRecord | undefined>;
  /** By pipeline, then name. */
  listAlertRules(q?: { pipeline?: string }): Promise<AlertRuleRecord[]>;
  /** False when there was no such rule. Its evaluation states go with it. */
  deleteAlertRule(id: string): Promise<boolean>;

  putAlertStates(states: readonly AlertEvalState[]): Promise<void>;
  listAlertStates(): Promise<AlertEvalState[]>;

  putAlert(alert: AlertRecord): Promise<void>;
  getAlert(id: string): Promise<AlertRecord | undefined>;
  /** Newest first. */
  listAlerts(q: { state?: AlertRecord['state']; pipeline?: string; incidentId?: string; limit: number }): Promise<AlertRecord[]>;

  putChannel(channel: ChannelRecord): Promise<void>;
  getChannel(id: string): Promise<ChannelRecord | undefined>;
  listChannels(): Promise<ChannelRecord[]>;
  deleteChannel(id: string): Promise<boolean>;

  putNotification(n: NotificationRecord): Promise<void>;
  /** Newest first. */
  listNotifications(q: { channelId?: string; alertId?: string; incidentId?: string; limit: number }): Promise<NotificationRecord[]>;

  putIncident(incident: IncidentRecord): Promise<void>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  /** Newest first. */
  listIncidents(q: { state?: IncidentState; pipeline?: string; limit: number }): Promise<IncidentRecord[]>;
  /** Appends to the timeline under the next `seq` of the incident; concurrent appends get distinct numbers. */
  appendIncidentEvent(event: Omit<IncidentEvent, 'seq'>): Promise<IncidentEvent>;
  /** Oldest first. */
  incidentEvents(incidentId: string): Promise<IncidentEvent[]>;

  /** Small settings documents of the alerting domain (e.g. the incident classification rules). */
  getAlertSetting(key: string): Promise<unknown>;
  putAlertSetting(key: string, value: unknown): Promise<void>;
}

// ---- wire types of the alert and incident routes (paths in `ApiPaths`) ----

export interface AlertsResponse {
  alerts: AlertRecord[];
}
export interface AlertRulesResponse {
  rules: AlertRuleRecord[];
}
export interface ChannelsResponse {
  channels: ChannelRecord[];
}
export interface NotificationsResponse {
  notifications: NotificationRecord[];
}
export interface IncidentsResponse {
  incidents: IncidentRecord[];
}
/** `GET /v1/incidents/{id}`: the incident, its alerts, the timeline (with alias moves around it) and a ticket-ready summary. */
export interface IncidentView {
  incident: IncidentRecord;
  alerts: AlertRecord[];
  timeline: IncidentEvent[];
  summary: string;
}
/** `POST /v1/alerts/evaluate`. */
export interface EvaluationReport {
  at: string;
  evaluated: number;
  fired: string[];
  resolved: string[];
  errors: { rule: string; message: string }[];
}

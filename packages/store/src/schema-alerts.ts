/**
 * Alerting tables as Kysely sees them (see migrations-alerts.ts). Records are kept
 * whole as JSON in `body`; the other columns exist to filter and order on.
 */

export interface AlertRulesTable {
  id: string;
  pipeline: string;
  name: string;
  origin: string;
  /** JSON text of the parsed rule spec. */
  spec: string;
  created_at: string;
  updated_at: string;
}

export interface AlertStatesTable {
  fingerprint: string;
  rule_id: string;
  body: string;
}

export interface AlertsTable {
  id: string;
  pipeline: string;
  state: string;
  incident_id: string | null;
  fired_at: string;
  body: string;
}

export interface AlertChannelsTable {
  id: string;
  name: string;
  body: string;
}

export interface AlertNotificationsTable {
  id: string;
  channel_id: string;
  alert_id: string | null;
  incident_id: string | null;
  created_at: string;
  body: string;
}

export interface IncidentsTable {
  id: string;
  pipeline: string;
  state: string;
  opened_at: string;
  body: string;
}

/** Append-only: numbered 1, 2, … per incident by `seq`. */
export interface IncidentEventsTable {
  incident_id: string;
  seq: number;
  at: string;
  body: string;
}

export interface AlertSettingsTable {
  key: string;
  value: string;
}

export interface AlertTables {
  alert_rules: AlertRulesTable;
  alert_states: AlertStatesTable;
  alert_records: AlertsTable;
  alert_channels: AlertChannelsTable;
  alert_notifications: AlertNotificationsTable;
  incident_records: IncidentsTable;
  incident_events: IncidentEventsTable;
  alert_settings: AlertSettingsTable;
}

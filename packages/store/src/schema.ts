/**
 * The metadata database as Kysely sees it: one interface per table, columns in
 * snake_case. Only types that SQLite and PostgreSQL both have: text and integer, with
 * timestamps as ISO-8601 text and structured fields as JSON text (see migrations.ts).
 */
import type { TokenRecord } from '@slipway/core';
import type { GovernanceTables } from './schema-governance.js';
import type { RunTables } from './schema-runs.js';
import type { ProfileTables } from './schema-profiles.js';
import type { DeploymentTables } from './schema-deployments.js';
import type { MonitoringTables } from './schema-monitoring.js';
import type { PolicyTables } from './schema-policies.js';
import type { AlertTables } from './schema-alerts.js';

export interface PipelinesTable {
  name: string;
  /** When its first version was created. */
  created_at: string;
  /** When a version was last added or an alias last moved. */
  updated_at: string;
}

export interface VersionsTable {
  pipeline: string;
  version: number;
  digest: string;
  /** JSON text of `VersionRecord.manifest`; likewise `signature`, `artifacts`, `lineage`. */
  manifest: string;
  signature: string;
  artifacts: string;
  lineage: string;
  created_by: string;
  created_at: string;
}

/** The current pointer of each alias; its moves are in `alias_events`. */
export interface AliasesTable {
  pipeline: string;
  alias: string;
  version: number;
  updated_by: string;
  updated_at: string;
}

/** Append-only: one row per move of an alias, numbered 1, 2, … per alias by `seq`. */
export interface AliasEventsTable {
  pipeline: string;
  alias: string;
  seq: number;
  from_version: number | null;
  to_version: number;
  actor: string;
  at: string;
}

export interface TokensTable {
  id: string;
  name: string;
  hash: string;
  role: TokenRecord['role'];
  created_at: string;
}

export interface Database extends RunTables, DeploymentTables, ProfileTables, MonitoringTables, GovernanceTables, PolicyTables, AlertTables {
  pipelines: PipelinesTable;
  versions: VersionsTable;
  aliases: AliasesTable;
  alias_events: AliasEventsTable;
  tokens: TokensTable;
}

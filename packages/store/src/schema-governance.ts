/**
 * Governance tables: identities, projects, memberships and the append-only audit log,
 * plus the columns `0004_governance` adds to `tokens` and `pipelines`. Structured fields
 * (token scopes, audit details) are JSON text.
 */

export interface IdentitiesTable {
  name: string;
  /** `user` or `service-account`. */
  kind: string;
  created_at: string;
  created_by: string;
}

export interface ProjectsTable {
  name: string;
  description: string | null;
  created_at: string;
  created_by: string;
}

export interface MembershipsTable {
  /** A project name, or `*` for every project. */
  project: string;
  identity: string;
  role: string;
  created_at: string;
  created_by: string;
}

/** Hash-chained: triggers refuse UPDATE and DELETE (see migrations-governance.ts). */
export interface AuditEventsTable {
  seq: number;
  at: string;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  request_id: string | null;
  source: string | null;
  outcome: string;
  status: number | null;
  before_digest: string | null;
  after_digest: string | null;
  /** JSON text. */
  details: string | null;
  prev_hash: string;
  hash: string;
}

/** `tokens` as `0004_governance` leaves it; `role` is `member` for identity tokens. */
export interface GovernanceTokensTable {
  id: string;
  name: string;
  hash: string;
  role: string;
  created_at: string;
  identity: string | null;
  /** JSON array of permissions, or null. */
  scopes: string | null;
  project: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface GovernanceTables {
  identities: IdentitiesTable;
  projects: ProjectsTable;
  memberships: MembershipsTable;
  audit_events: AuditEventsTable;
}

/** The tables the governance store touches, `tokens` and `pipelines` with their new columns. */
export interface GovernanceDatabase extends GovernanceTables {
  tokens: GovernanceTokensTable;
  pipelines: { name: string; created_at: string; updated_at: string; project: string };
}

/**
 * Governance records and their store: identities (users and service accounts), projects
 * (tenants) with one role per membership, API tokens (hashed, scoped, expiring,
 * revocable) and the hash-chained, append-only audit log.
 */
import type { Permission, Role } from './permissions.js';

export const IdentityKind = { user: 'user', serviceAccount: 'service-account' } as const;
export type IdentityKind = (typeof IdentityKind)[keyof typeof IdentityKind];

/** The project every pipeline belongs to unless pushed into another. */
export const DEFAULT_PROJECT = 'default';
/** The membership "project" that stands for every project: a platform-wide role. */
export const ALL_PROJECTS = '*';

export interface IdentityRecord {
  name: string;
  kind: IdentityKind;
  createdAt: string;
  createdBy: string;
}

export interface ProjectRecord {
  name: string;
  description: string | null;
  createdAt: string;
  createdBy: string;
}

export interface MembershipRecord {
  /** A project name, or `*` for every project. */
  project: string;
  identity: string;
  role: Role;
  createdAt: string;
  createdBy: string;
}

/** A token as stored: the secret itself is never kept, only its sha256. */
export interface ApiTokenRecord {
  id: string;
  name: string;
  /** `sha256:<hex>` of the secret. */
  hash: string;
  /** Whose token it is; null for the bootstrap admin token (and tokens made before identities existed). */
  identity: string | null;
  /** Platform-wide role of a token without identity; null for identity tokens (their roles come from memberships). */
  role: Role | null;
  /** Permissions the token is narrowed to; null: all its holder's roles grant. */
  scopes: Permission[] | null;
  /** Project a push lands in when the request names none; null: `default`. */
  project: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** What an audit event says; the store adds its place in the chain. */
export interface AuditEventInput {
  at: string;
  /** Identity or token name; `anonymous` when no valid token was sent. */
  actor: string;
  role: string | null;
  /** `POST /v1/pipelines`, `auth.denied`, `alias.rollback`… */
  action: string;
  /** What it acted on: `credit-risk`, `credit-risk/production`, a token id… */
  target: string | null;
  requestId: string | null;
  source: string | null;
  /** `ok`, `denied` or `failed`. */
  outcome: string;
  /** HTTP status when the event is a request. */
  status: number | null;
  beforeDigest: string | null;
  afterDigest: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditEvent extends AuditEventInput {
  /** 1, 2, 3… without gaps. */
  seq: number;
  /** `hash` of the previous event; `genesis` for the first. */
  prevHash: string;
  /** sha256 over `prevHash` and the event's canonical content. */
  hash: string;
}

export interface AuditQuery {
  /** ISO time; events at or after it. */
  since?: string;
  actor?: string;
  /** Exact target, or its prefix up to a `/`. */
  target?: string;
  /** Events with `seq` above it (for paging in order). */
  afterSeq?: number;
  /** Default 100. */
  limit?: number;
  /** Default `desc` (newest first). */
  order?: 'asc' | 'desc';
}

/** Computes an event's hash from the previous hash and its content (see audit-chain.ts in the server). */
export type AuditSeal = (prevHash: string, event: Omit<AuditEvent, 'hash'>) => string;

export interface GovernanceStore {
  createIdentity(identity: IdentityRecord): Promise<void>;
  getIdentity(name: string): Promise<IdentityRecord | undefined>;
  listIdentities(kind?: IdentityKind): Promise<IdentityRecord[]>;
  /** Also drops its memberships and revokes its tokens; false when it did not exist. */
  deleteIdentity(name: string, at: string): Promise<boolean>;

  createProject(project: ProjectRecord): Promise<void>;
  getProject(name: string): Promise<ProjectRecord | undefined>;
  listProjects(): Promise<ProjectRecord[]>;
  /** False when it did not exist. Refuses (conflict) while pipelines belong to it. */
  deleteProject(name: string): Promise<boolean>;

  /** Creates or changes the role of a membership. */
  setMembership(membership: MembershipRecord): Promise<void>;
  removeMembership(project: string, identity: string): Promise<boolean>;
  listMemberships(filter: { project?: string; identity?: string }): Promise<MembershipRecord[]>;

  createApiToken(token: ApiTokenRecord): Promise<void>;
  findApiTokenByHash(hash: string): Promise<ApiTokenRecord | undefined>;
  getApiToken(id: string): Promise<ApiTokenRecord | undefined>;
  listApiTokens(filter: { identity?: string }): Promise<ApiTokenRecord[]>;
  /** False when unknown or already revoked. */
  revokeApiToken(id: string, at: string): Promise<boolean>;
  touchApiToken(id: string, at: string): Promise<void>;

  /** The project of a pipeline; undefined when the pipeline does not exist. */
  pipelineProject(pipeline: string): Promise<string | undefined>;
  /** Every pipeline's project. */
  pipelineProjects(): Promise<Map<string, string>>;
  setPipelineProject(pipeline: string, project: string): Promise<void>;

  /**
   * Appends one event at the head of the chain. Appends are serialized (one connection on
   * SQLite, an advisory lock on PostgreSQL) so concurrent writers never fork the chain.
   */
  appendAudit(event: AuditEventInput, seal: AuditSeal): Promise<AuditEvent>;
  listAudit(query: AuditQuery): Promise<AuditEvent[]>;
}

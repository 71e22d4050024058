/**
 * Wire types and paths of the governance API: who am I, users and service accounts,
 * projects and members, tokens, and the audit log. Spread into `ApiPaths`.
 */
import type { Permission, Role } from './permissions.js';
import type { ApiTokenRecord, AuditEvent, IdentityRecord, MembershipRecord, ProjectRecord } from './ports-governance.js';

const e = encodeURIComponent;

export const GovernancePaths = {
  /** GET → `WhoamiResponse` (any valid token). */
  whoami: '/v1/whoami',
  /** POST `{name}` → 201 `IdentityRecord`; GET → `{ identities }`. */
  users: '/v1/users',
  user: (name: string) => `/v1/users/${e(name)}`,
  serviceAccounts: '/v1/service-accounts',
  serviceAccount: (name: string) => `/v1/service-accounts/${e(name)}`,
  /** POST `{name, description?}` → 201 `ProjectRecord`; GET → `{ projects }`. */
  projects: '/v1/projects',
  project: (name: string) => `/v1/projects/${e(name)}`,
  /** GET → `{ members }`. */
  members: (project: string) => `/v1/projects/${e(project)}/members`,
  /** PUT `{role}` → `MembershipRecord`; DELETE. `project` may be `*` (every project). */
  member: (project: string, identity: string) => `/v1/projects/${e(project)}/members/${e(identity)}`,
  /** POST `CreateTokenRequest` → 201 `CreatedToken`; GET → `{ tokens }`. */
  tokens: '/v1/tokens',
  /** DELETE → the revoked `TokenView`. */
  token: (id: string) => `/v1/tokens/${e(id)}`,
  /** GET `?since=&actor=&target=&limit=` → `{ events }`, newest first. */
  audit: '/v1/audit',
  /** POST → `AuditVerifyResponse`. */
  auditVerify: '/v1/audit/verify',
} as const;

export interface WhoamiResponse {
  name: string;
  identity: string | null;
  role: Role;
  /** Roles by project; `*` holds platform-wide roles. */
  roles: Record<string, Role[]>;
  scopes: Permission[] | null;
  project: string;
  tokenId: string;
  expiresAt: string | null;
}

export interface CreateTokenRequest {
  name: string;
  identity?: string;
  scopes?: Permission[];
  expiresInDays?: number;
  project?: string;
}

/** A token as the API shows it: never its hash. */
export type TokenView = Omit<ApiTokenRecord, 'hash'>;
/** The answer to creating a token: `token` is the secret, shown this once. */
export type CreatedToken = TokenView & { token: string };

export interface IdentitiesResponse {
  identities: IdentityRecord[];
}
export interface ProjectsResponse {
  projects: ProjectRecord[];
}
export interface MembersResponse {
  members: MembershipRecord[];
}
export interface TokensResponse {
  tokens: TokenView[];
}
export interface AuditResponse {
  events: AuditEvent[];
}
export interface AuditVerifyResponse {
  ok: boolean;
  checked: number;
  head: string;
  broken?: { seq: number; reason: string };
}

/**
 * `client.governance`: who am I, users and service accounts, projects and their members,
 * tokens (the secret comes back once, from `createToken`), and the audit log.
 */
import {
  ApiPaths,
  type AuditEvent,
  type AuditResponse,
  type AuditVerifyResponse,
  type CreateTokenRequest,
  type CreatedToken,
  type IdentitiesResponse,
  type IdentityKind,
  type IdentityRecord,
  type MembersResponse,
  type MembershipRecord,
  type ProjectRecord,
  type ProjectsResponse,
  type Role,
  type TokenView,
  type TokensResponse,
  type WhoamiResponse,
} from '@slipway/core';

export interface AuditFilter {
  /** ISO-8601 time. */
  since?: string;
  actor?: string;
  target?: string;
  limit?: number;
}

export interface GovernanceClient {
  whoami(): Promise<WhoamiResponse>;
  createIdentity(kind: IdentityKind, name: string): Promise<IdentityRecord>;
  listIdentities(kind: IdentityKind): Promise<IdentityRecord[]>;
  deleteIdentity(kind: IdentityKind, name: string): Promise<void>;
  createProject(name: string, description?: string): Promise<ProjectRecord>;
  listProjects(): Promise<ProjectRecord[]>;
  deleteProject(name: string): Promise<void>;
  members(project: string): Promise<MembershipRecord[]>;
  /** `project` may be `*` for a platform-wide role. */
  setMember(project: string, identity: string, role: Role): Promise<MembershipRecord>;
  removeMember(project: string, identity: string): Promise<void>;
  createToken(request: CreateTokenRequest): Promise<CreatedToken>;
  /** Own tokens; `identity` another's, `all` every token (both need platform administer). */
  listTokens(options?: { identity?: string; all?: boolean }): Promise<TokenView[]>;
  revokeToken(id: string): Promise<TokenView>;
  audit(filter?: AuditFilter): Promise<AuditEvent[]>;
  verifyAudit(): Promise<AuditVerifyResponse>;
}

interface GovernanceTransport {
  json: <T>(call: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: unknown }) => Promise<T>;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}

const identityPath = (kind: IdentityKind) => (kind === 'user' ? ApiPaths.users : ApiPaths.serviceAccounts);

export function createGovernanceClient({ json }: GovernanceTransport): GovernanceClient {
  return {
    whoami: () => json({ method: 'GET', path: ApiPaths.whoami }),
    createIdentity: (kind, name) => json({ method: 'POST', path: identityPath(kind), body: { name } }),
    listIdentities: async (kind) => (await json<IdentitiesResponse>({ method: 'GET', path: identityPath(kind) })).identities,
    deleteIdentity: async (kind, name) => {
      await json({ method: 'DELETE', path: kind === 'user' ? ApiPaths.user(name) : ApiPaths.serviceAccount(name) });
    },
    createProject: (name, description) => json({ method: 'POST', path: ApiPaths.projects, body: { name, ...(description === undefined ? {} : { description }) } }),
    listProjects: async () => (await json<ProjectsResponse>({ method: 'GET', path: ApiPaths.projects })).projects,
    deleteProject: async (name) => {
      await json({ method: 'DELETE', path: ApiPaths.project(name) });
    },
    members: async (project) => (await json<MembersResponse>({ method: 'GET', path: ApiPaths.members(project) })).members,
    setMember: (project, identity, role) => json({ method: 'PUT', path: ApiPaths.member(project, identity), body: { role } }),
    removeMember: async (project, identity) => {
      await json({ method: 'DELETE', path: ApiPaths.member(project, identity) });
    },
    createToken: (request) => json({ method: 'POST', path: ApiPaths.tokens, body: request }),
    listTokens: async (options = {}) => (await json<TokensResponse>({ method: 'GET', path: `${ApiPaths.tokens}${query({ identity: options.identity, all: options.all ? true : undefined })}` })).tokens,
    revokeToken: (id) => json({ method: 'DELETE', path: ApiPaths.token(id) }),
    audit: async (filter = {}) => (await json<AuditResponse>({ method: 'GET', path: `${ApiPaths.audit}${query({ ...filter })}` })).events,
    verifyAudit: () => json({ method: 'POST', path: ApiPaths.auditVerify }),
  };
}

/**
 * Who a bearer token stands for, and the rules for making identities, memberships and
 * tokens. Lookups sit on the inference path, so resolved principals are cached by token
 * hash for a few seconds; any change made through this service empties the cache at
 * once (other processes see it within the TTL). Expiry is checked on every request, not
 * only when the cache fills.
 */
import { hash, randomBytes, randomUUID } from 'node:crypto';
import {
  ALL_PROJECTS,
  type ApiTokenRecord,
  DEFAULT_PROJECT,
  ErrorCode,
  type IdentityKind,
  type MetadataStore,
  type Permission,
  ROLES,
  type Role,
  SlipwayError,
  effectivePermissions,
} from '@slipway/core';
import type { FastifyBaseLogger } from 'fastify';
import { type OidcVerifier, looksLikeJwt } from './identity-oidc.js';

export type GovernanceLog = Pick<FastifyBaseLogger, 'warn' | 'error'>;

/** The authenticated caller of a request. */
export interface Principal {
  tokenId: string;
  /** The identity's name, or the token's name for a token without identity (the bootstrap admin token). */
  name: string;
  identity: string | null;
  /** The broadest role held anywhere, for the audit log. */
  role: Role;
  /** Roles by project; `*` holds platform-wide roles. */
  roles: ReadonlyMap<string, readonly Role[]>;
  scopes: readonly Permission[] | null;
  /** Where pushes land when the request names no project. */
  project: string;
  /** Epoch ms, or null for a token that does not expire. */
  expiresAt: number | null;
}

export const TOKEN_PREFIX = 'slw_';
/** Longer bearer values are refused before hashing (a JWT for OIDC stays well below). */
export const MAX_TOKEN_LENGTH = 4096;
const TOKEN_CHARS = /^[A-Za-z0-9._~+/=-]+$/;
const NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
const DEFAULT_CACHE_TTL_MS = 5000;
/** `last_used_at` is written at most this often per token: a write per run would cost throughput. */
const TOUCH_EVERY_MS = 60_000;
const RANK: readonly Role[] = ['admin', 'ml-engineer', 'approver', 'data-scientist', 'viewer', 'caller'];

// One-shot `hash` is about three times cheaper than createHash(): this runs on every request.
export const hashToken = (token: string) => `sha256:${hash('sha256', token, 'hex')}`;
export const newTokenSecret = () => `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;

/** What the principal may do in a project (`*`: only platform-wide roles count). */
export function permissionsIn(p: Principal, project: string): Set<Permission> {
  const roles = project === ALL_PROJECTS ? (p.roles.get(ALL_PROJECTS) ?? []) : [...(p.roles.get(project) ?? []), ...(p.roles.get(ALL_PROJECTS) ?? [])];
  return effectivePermissions(roles, p.scopes);
}

/** Every permission the principal holds in some project. */
export function permissionsAnywhere(p: Principal): Set<Permission> {
  return effectivePermissions([...p.roles.values()].flat(), p.scopes);
}

/** True when the principal holds a role in the project (or everywhere). */
export function memberOf(p: Principal, project: string): boolean {
  return p.roles.has(ALL_PROJECTS) || p.roles.has(project);
}

export function checkName(field: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new SlipwayError(ErrorCode.invalidInput, `${field}: "${String(name)}" is not a valid name; use 1–64 characters of a-z, 0-9, ".", "_", "@", "-", starting with a letter or digit`, {
      details: { issues: [{ path: field, message: 'invalid name' }] },
    });
  }
  return name;
}

const unauthenticated = (message: string, reason: string) => new SlipwayError(ErrorCode.unauthenticated, message, { details: { reason } });

/** Reads the bearer value of an `Authorization` header; throws `unauthenticated` naming what is wrong. */
export function bearerOf(header: string | undefined): string {
  if (header === undefined || header === '') {
    throw unauthenticated('this route needs a token: send "Authorization: Bearer <token>" (CLI: `slipway login`, or set SLIPWAY_TOKEN or --token)', 'missing');
  }
  const match = /^Bearer +(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('the Authorization header is malformed; send "Authorization: Bearer <token>"', 'malformed');
  const token = match[1]!;
  if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated(`the bearer token is longer than ${MAX_TOKEN_LENGTH} characters and cannot be valid; check SLIPWAY_TOKEN`, 'oversized');
  if (!TOKEN_CHARS.test(token)) throw unauthenticated('the bearer token contains characters no token has; check SLIPWAY_TOKEN', 'malformed');
  return token;
}

export interface IdentityServiceOptions {
  store: MetadataStore;
  log: GovernanceLog;
  /** How long a resolved token stays cached, in ms. Default 5000. */
  cacheTtlMs?: number;
  /** Accepts bearer JWTs of an identity provider as well. Default none. */
  oidc?: OidcVerifier;
  now?: () => number;
}

export interface IssueTokenInput {
  name: string;
  /** Default: the caller's own identity. */
  identity?: string;
  scopes?: Permission[];
  /** Default 90. */
  expiresInDays?: number;
  /** Default the identity's only project, else `default`. */
  project?: string;
}

export interface IssuedToken {
  /** The secret: shown once, never stored. */
  token: string;
  record: ApiTokenRecord;
}

/** A token as listed: never the hash. */
export type TokenView = Omit<ApiTokenRecord, 'hash'>;
export const tokenView = ({ hash: _hash, ...rest }: ApiTokenRecord): TokenView => rest;

export function createIdentityService({ store, log, cacheTtlMs = DEFAULT_CACHE_TTL_MS, oidc, now = Date.now }: IdentityServiceOptions) {
  const cache = new Map<string, { principal: Principal; until: number }>();
  const touched = new Map<string, number>();

  function principalOf(base: Omit<Principal, 'role'>): Principal {
    const held = new Set([...base.roles.values()].flat());
    return { ...base, role: RANK.find((r) => held.has(r)) ?? 'caller' };
  }

  /** A verified JWT: its claimed roles plus any memberships stored for a user of that name. */
  async function loadOidc(verifier: OidcVerifier, token: string): Promise<Principal> {
    const claimed = await verifier.verify(token);
    const roles = new Map(claimed.roles);
    for (const m of await store.listMemberships({ identity: claimed.name })) roles.set(m.project, [...(roles.get(m.project) ?? []), m.role]);
    const project = [...roles.keys()].find((p) => p !== ALL_PROJECTS) ?? DEFAULT_PROJECT;
    return principalOf({ tokenId: claimed.tokenId, name: claimed.name, identity: claimed.name, roles, scopes: null, project, expiresAt: claimed.expiresAt });
  }

  async function load(hash: string): Promise<Principal> {
    const record = await store.findApiTokenByHash(hash);
    if (!record) throw unauthenticated('the bearer token is not valid; check SLIPWAY_TOKEN or log in again with `slipway login`', 'unknown');
    if (record.revokedAt !== null) throw unauthenticated(`token "${record.name}" (${record.id}) was revoked at ${record.revokedAt}; create a new one with \`slipway tokens create\``, 'revoked');
    const roles = new Map<string, Role[]>();
    if (record.identity === null) {
      roles.set(ALL_PROJECTS, [record.role ?? 'viewer']);
    } else {
      if (!(await store.getIdentity(record.identity))) throw unauthenticated(`identity "${record.identity}" of this token no longer exists`, 'identity-deleted');
      for (const m of await store.listMemberships({ identity: record.identity })) roles.set(m.project, [...(roles.get(m.project) ?? []), m.role]);
    }
    return principalOf({
      tokenId: record.id,
      name: record.identity ?? record.name,
      identity: record.identity,
      roles,
      scopes: record.scopes,
      project: record.project ?? DEFAULT_PROJECT,
      expiresAt: record.expiresAt === null ? null : Date.parse(record.expiresAt),
    });
  }

  function touch(p: Principal, at: number) {
    // OIDC tokens have no row to update.
    if (p.tokenId.startsWith('oidc:')) return;
    if ((touched.get(p.tokenId) ?? 0) + TOUCH_EVERY_MS > at) return;
    touched.set(p.tokenId, at);
    store.touchApiToken(p.tokenId, new Date(at).toISOString()).catch((err: unknown) => log.warn({ err, tokenId: p.tokenId }, 'could not record when the token was last used'));
  }

  function invalidate() {
    cache.clear();
  }

  async function requireIdentity(name: string) {
    const identity = await store.getIdentity(name);
    if (!identity) throw new SlipwayError(ErrorCode.notFound, `identity "${name}" not found; list them with \`slipway users ls\``, { details: { identity: name } });
    return identity;
  }

  async function grantable(identity: string): Promise<{ permissions: Set<Permission>; projects: string[] }> {
    const memberships = await store.listMemberships({ identity });
    return { permissions: effectivePermissions(memberships.map((m) => m.role), null), projects: memberships.map((m) => m.project) };
  }

  return {
    /** The principal of a bearer token; throws `unauthenticated` saying why it is refused. */
    async resolve(token: string): Promise<Principal> {
      const at = now();
      const hash = hashToken(token);
      let entry = cache.get(hash);
      if (entry === undefined || entry.until <= at) {
        entry = { principal: oidc !== undefined && looksLikeJwt(token) ? await loadOidc(oidc, token) : await load(hash), until: at + cacheTtlMs };
        cache.set(hash, entry);
      }
      const p = entry.principal;
      if (p.expiresAt !== null && p.expiresAt <= at) {
        throw unauthenticated(`the token expired at ${new Date(p.expiresAt).toISOString()}; create a new one with \`slipway tokens create\``, 'expired');
      }
      touch(p, at);
      return p;
    },

    invalidate,

    /**
     * The principal of a token that is cached and still valid, without waiting: the hot
     * path of every request after the first. Undefined means "ask `resolve`".
     */
    cached(token: string): Principal | undefined {
      const at = now();
      const entry = cache.get(hashToken(token));
      if (entry === undefined || entry.until <= at) return undefined;
      const p = entry.principal;
      if (p.expiresAt !== null && p.expiresAt <= at) return undefined;
      touch(p, at);
      return p;
    },

    /** Loads the OIDC key set, so a bad JWKS file stops the start. */
    ready: () => oidc?.ready() ?? Promise.resolve(),

    async createIdentity(name: string, kind: IdentityKind, actor: string) {
      const record = { name: checkName('name', name), kind, createdAt: new Date(now()).toISOString(), createdBy: actor };
      await store.createIdentity(record);
      return record;
    },

    async deleteIdentity(name: string) {
      const deleted = await store.deleteIdentity(name, new Date(now()).toISOString());
      invalidate();
      if (!deleted) await requireIdentity(name);
    },

    async createProject(name: string, description: string | null, actor: string) {
      const record = { name: checkName('name', name), description, createdAt: new Date(now()).toISOString(), createdBy: actor };
      await store.createProject(record);
      return record;
    },

    async requireProject(name: string) {
      const project = await store.getProject(name);
      if (!project) throw new SlipwayError(ErrorCode.notFound, `project "${name}" not found; list projects with \`slipway projects ls\``, { details: { project: name } });
      return project;
    },

    async setMembership(project: string, identity: string, role: Role, actor: string) {
      if (!(ROLES as readonly string[]).includes(role)) {
        throw new SlipwayError(ErrorCode.invalidInput, `role: "${String(role)}" is not a role; use one of ${ROLES.join(', ')}`, { details: { issues: [{ path: 'role', message: 'unknown role' }] } });
      }
      if (project !== ALL_PROJECTS) await this.requireProject(project);
      await requireIdentity(identity);
      const record = { project, identity, role, createdAt: new Date(now()).toISOString(), createdBy: actor };
      await store.setMembership(record);
      invalidate();
      return record;
    },

    async removeMembership(project: string, identity: string) {
      const removed = await store.removeMembership(project, identity);
      invalidate();
      if (!removed) throw new SlipwayError(ErrorCode.notFound, `"${identity}" is not a member of project "${project}"`, { details: { project, identity } });
    },

    /**
     * Issues a token. Its scopes may not exceed what its identity holds, nor — when a
     * caller makes one for itself — what the caller's own token may do: no token mints a
     * wider one.
     */
    async issueToken(actor: Principal, input: IssueTokenInput): Promise<IssuedToken> {
      const identity = input.identity ?? actor.identity;
      if (identity === null) {
        throw new SlipwayError(ErrorCode.invalidInput, 'identity: required, since this token belongs to no identity (the bootstrap admin token); name a user or service account', {
          details: { issues: [{ path: 'identity', message: 'required' }] },
        });
      }
      await requireIdentity(identity);
      const { permissions, projects } = await grantable(identity);
      const self = identity === actor.identity;
      const ceiling = self ? [...permissionsAnywhere(actor)].filter((p) => permissions.has(p)) : [...permissions];
      const scopes = input.scopes ?? (self ? (actor.scopes === null ? null : [...actor.scopes]) : null);
      const excess = (scopes ?? []).filter((s) => !ceiling.includes(s));
      if (excess.length > 0) {
        throw new SlipwayError(
          ErrorCode.forbidden,
          `scopes ${excess.join(', ')} exceed what ${self ? 'your token' : `"${identity}"`} holds (${ceiling.join(', ') || 'nothing'}); ask an admin for a role that grants them`,
          { details: { permission: excess[0], scopes: excess } },
        );
      }
      const project = input.project ?? (projects.length === 1 && projects[0] !== ALL_PROJECTS ? projects[0]! : DEFAULT_PROJECT);
      if (input.project !== undefined && !projects.includes(ALL_PROJECTS) && !projects.includes(project)) {
        throw new SlipwayError(ErrorCode.invalidInput, `project: "${identity}" is not a member of project "${project}"; add the membership first`, {
          details: { issues: [{ path: 'project', message: 'not a member' }] },
        });
      }
      const days = input.expiresInDays ?? 90;
      const token = newTokenSecret();
      const createdAt = new Date(now());
      const record: ApiTokenRecord = {
        id: randomUUID(),
        name: input.name,
        hash: hashToken(token),
        identity,
        role: null,
        scopes: scopes === null ? null : [...new Set(scopes)],
        project,
        createdAt: createdAt.toISOString(),
        expiresAt: new Date(createdAt.getTime() + days * 86_400_000).toISOString(),
        revokedAt: null,
        lastUsedAt: null,
      };
      await store.createApiToken(record);
      return { token, record };
    },

    async getToken(id: string): Promise<ApiTokenRecord> {
      const record = await store.getApiToken(id);
      if (!record) throw new SlipwayError(ErrorCode.notFound, `token ${id} not found; list tokens with \`slipway tokens ls\``, { details: { token: id } });
      return record;
    },

    async revokeToken(id: string): Promise<ApiTokenRecord> {
      await store.revokeApiToken(id, new Date(now()).toISOString());
      invalidate();
      return this.getToken(id);
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;

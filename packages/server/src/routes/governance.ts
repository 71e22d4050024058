/**
 * Governance routes: who am I, users and service accounts, projects and their members,
 * API tokens, and the audit log. Platform-wide changes need `administer` platform-wide;
 * a project's members need `administer` in that project; anyone may make, list and
 * revoke their own tokens (never wider than their own token).
 */
import { ALL_PROJECTS, type IdentityKind, InvalidInputError, type MetadataStore, PERMISSIONS, Permission, ROLES, zodIssues } from '@slipway/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Access } from '../access.js';
import type { Audit } from '../audit.js';
import { type IdentityService, type Principal, tokenView } from '../identity.js';

export interface GovernanceRouteOptions {
  access: Access;
  identity: IdentityService;
  audit: Audit;
  store: MetadataStore;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new InvalidInputError(zodIssues(result.error));
  return result.data;
}

const identitySchema = z.strictObject({ name: z.string().min(1) });
const projectSchema = z.strictObject({ name: z.string().min(1), description: z.string().max(1000).optional() });
const memberSchema = z.strictObject({ role: z.enum(ROLES as [string, ...string[]], { message: `must be one of ${ROLES.join(', ')}` }) });
const tokenSchema = z.strictObject({
  name: z.string().min(1).max(100),
  identity: z.string().min(1).optional(),
  scopes: z.array(z.enum(PERMISSIONS as [string, ...string[]], { message: `must be one of ${PERMISSIONS.join(', ')}` })).optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
  project: z.string().min(1).optional(),
});
const tokenListSchema = z.strictObject({ identity: z.string().min(1).optional(), all: z.enum(['true', 'false']).optional() });
const auditQuerySchema = z.strictObject({
  since: z.iso.datetime({ message: 'must be an ISO-8601 time such as 2026-01-31T00:00:00Z' }).optional(),
  actor: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

type Name = { Params: { name: string } };
type Member = { Params: { name: string; identity: string } };

const platform = { project: ALL_PROJECTS };

export function whoami(p: Principal) {
  return { name: p.name, identity: p.identity, role: p.role, roles: Object.fromEntries(p.roles), scopes: p.scopes, project: p.project, tokenId: p.tokenId, expiresAt: p.expiresAt === null ? null : new Date(p.expiresAt).toISOString() };
}

export function registerGovernanceRoutes(app: FastifyInstance, { access, identity, audit, store }: GovernanceRouteOptions): void {
  app.get('/v1/whoami', async (req) => whoami(await access.authenticate(req)));

  const identityRoutes = (path: string, kind: IdentityKind) => {
    app.post(path, async (req, reply) => {
      const who = await access.require(req, Permission.administer, platform);
      const { name } = parse(identitySchema, req.body);
      audit.state(req).target = name;
      const record = await identity.createIdentity(name, kind, who.name);
      void reply.status(201);
      return record;
    });
    app.get(path, async (req) => {
      await access.require(req, Permission.administer, platform);
      return { identities: await store.listIdentities(kind) };
    });
    app.delete<Name>(`${path}/:name`, async (req) => {
      await access.require(req, Permission.administer, platform);
      await identity.deleteIdentity(req.params.name);
      return { deleted: req.params.name };
    });
  };
  identityRoutes('/v1/users', 'user');
  identityRoutes('/v1/service-accounts', 'service-account');

  app.post('/v1/projects', async (req, reply) => {
    const who = await access.require(req, Permission.administer, platform);
    const { name, description } = parse(projectSchema, req.body);
    audit.state(req).target = name;
    const record = await identity.createProject(name, description ?? null, who.name);
    void reply.status(201);
    return record;
  });
  app.get('/v1/projects', async (req) => {
    const who = await access.require(req, Permission.read);
    const all = await store.listProjects();
    return { projects: who.roles.has(ALL_PROJECTS) ? all : all.filter((p) => who.roles.has(p.name)) };
  });
  app.get<Name>('/v1/projects/:name', async (req) => {
    await access.require(req, Permission.read, { project: req.params.name });
    return identity.requireProject(req.params.name);
  });
  app.delete<Name>('/v1/projects/:name', async (req) => {
    await access.require(req, Permission.administer, platform);
    await identity.requireProject(req.params.name);
    await store.deleteProject(req.params.name);
    return { deleted: req.params.name };
  });

  app.get<Name>('/v1/projects/:name/members', async (req) => {
    await access.require(req, Permission.read, { project: req.params.name });
    return { members: await store.listMemberships({ project: req.params.name }) };
  });
  app.put<Member>('/v1/projects/:name/members/:identity', async (req) => {
    const who = await access.require(req, Permission.administer, { project: req.params.name });
    const { role } = parse(memberSchema, req.body);
    return identity.setMembership(req.params.name, req.params.identity, role as (typeof ROLES)[number], who.name);
  });
  app.delete<Member>('/v1/projects/:name/members/:identity', async (req) => {
    await access.require(req, Permission.administer, { project: req.params.name });
    await identity.removeMembership(req.params.name, req.params.identity);
    return { removed: { project: req.params.name, identity: req.params.identity } };
  });

  /** Another identity's tokens need platform-wide `administer`; one's own need only a valid token. */
  async function tokenActor(req: FastifyRequest, owner: string | null | undefined): Promise<Principal> {
    const who = await access.authenticate(req);
    if (owner === undefined || (owner !== null && owner === who.identity)) return who;
    return access.require(req, Permission.administer, platform);
  }

  app.post('/v1/tokens', async (req, reply) => {
    const input = parse(tokenSchema, req.body);
    const who = await tokenActor(req, input.identity);
    const { token, record } = await identity.issueToken(who, { ...input, scopes: input.scopes as Permission[] | undefined });
    audit.state(req).target = `token/${record.id}`;
    void reply.status(201);
    return { token, ...tokenView(record) };
  });
  app.get('/v1/tokens', async (req) => {
    const query = parse(tokenListSchema, req.query);
    const self = await access.authenticate(req);
    if (query.all === 'true') {
      await access.require(req, Permission.administer, platform);
      return { tokens: (await store.listApiTokens({})).map(tokenView) };
    }
    const owner = query.identity ?? self.identity;
    await tokenActor(req, owner);
    return { tokens: owner === null ? [] : (await store.listApiTokens({ identity: owner })).map(tokenView) };
  });
  app.delete<{ Params: { id: string } }>('/v1/tokens/:id', async (req) => {
    const self = await access.authenticate(req);
    const record = await store.getApiToken(req.params.id);
    const own = record !== undefined && (record.id === self.tokenId || (record.identity !== null && record.identity === self.identity));
    // Someone else's token, or an unknown id: only a platform admin gets further (and then a 404 for an unknown id).
    if (!own) await access.require(req, Permission.administer, platform);
    audit.state(req).target = `token/${req.params.id}`;
    return tokenView(await identity.revokeToken(req.params.id));
  });

  app.get('/v1/audit', async (req) => {
    await access.require(req, Permission.administer, platform);
    const query = parse(auditQuerySchema, req.query);
    return { events: await audit.list(query) };
  });
  app.post('/v1/audit/verify', async (req) => {
    await access.require(req, Permission.administer, platform);
    return audit.verify();
  });
}

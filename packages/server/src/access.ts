/**
 * Access control for routes: `access.require(req, Permission.push, { pipeline })`
 * authenticates the bearer token, checks that the caller's roles in the pipeline's
 * project grant the permission (narrowed by the token's scopes), applies rate limits and
 * returns who is acting. A pipeline of a project the caller is no member of answers 404
 * as if it did not exist, so names do not leak across tenants; a member lacking the
 * permission gets 403 naming it. Every refusal is an audit event.
 *
 * `installAuthentication` makes a token mandatory on every `/v1`, `/v2` and `/metrics`
 * route before any handler runs, except the health probes and (when enabled) `/metrics`,
 * so a route that forgets `require` is still never anonymous.
 */
import { ALL_PROJECTS, ErrorCode, type MetadataStore, type Permission, PipelineNotFoundError, SlipwayError, isSlipwayError } from '@slipway/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Audit } from './audit.js';
import { type IdentityService, type Principal, bearerOf, checkName, memberOf, permissionsAnywhere, permissionsIn } from './identity.js';
import type { RateLimiter } from './rate-limit.js';

export type { Principal } from './identity.js';

/** What the request acts on, for project scoping. */
export interface AccessTarget {
  /** A pipeline name (or a ref: `name@alias`, `name:v3`) the caller must be able to see. */
  pipeline?: string;
  /** A project the permission must be held in; `*` for platform-wide actions (users, projects, audit). */
  project?: string;
}

export interface Access {
  /** Needs `permission` (or, given a list, any one of them) in the target's project. */
  require(req: FastifyRequest, permission: Permission | readonly Permission[], target?: AccessTarget): Promise<Principal>;
  /** The caller of a request (authenticating it if not done yet). */
  authenticate(req: FastifyRequest): Promise<Principal>;
  /** Authenticates from the token cache without waiting; false when the slow path (`authenticate`) is needed. */
  authenticateCached(req: FastifyRequest): boolean;
  /** The items whose pipeline the caller can see: for listing endpoints. */
  visible<T>(principal: Principal, items: readonly T[], pipelineOf: (item: T) => string): Promise<T[]>;
  /** The project a push by this request lands in: `?project=`, else the token's project; it must exist. */
  pushProject(req: FastifyRequest, principal: Principal): Promise<string>;
  /** Records the project of a pipeline created by a push. */
  placePipeline(pipeline: string, project: string): Promise<void>;
}

export interface AccessOptions {
  store: MetadataStore;
  identity: IdentityService;
  audit: Audit;
  /** Per token; default off. */
  tokenLimiter?: RateLimiter;
  /** Per pipeline, for runs; default off. */
  pipelineLimiter?: RateLimiter;
  /** How long a pipeline's project stays cached, in ms. Default 5000. */
  cacheTtlMs?: number;
}

/** `credit-risk@production` and `credit-risk:v3` act on pipeline `credit-risk`. */
export const pipelineNameOf = (ref: string) => ref.split(/[@:]/, 1)[0] ?? ref;

const statusOf = (err: unknown) => (isSlipwayError(err) ? { unauthenticated: 401, forbidden: 403, not_found: 404 }[err.code as string] : undefined);

export function createAccess({ store, identity, audit, tokenLimiter, pipelineLimiter, cacheTtlMs = 5000 }: AccessOptions): Access {
  const projects = new Map<string, { project: string; until: number }>();
  // Principals are immutable and cached per token, so what one may do in a project is worked out once.
  const grants = new WeakMap<Principal, Map<string, Set<Permission>>>();
  function granted(principal: Principal, project: string | undefined): Set<Permission> {
    let byProject = grants.get(principal);
    if (byProject === undefined) grants.set(principal, (byProject = new Map<string, Set<Permission>>()));
    const key = project ?? '';
    let set = byProject.get(key);
    if (set === undefined) byProject.set(key, (set = project === undefined ? permissionsAnywhere(principal) : permissionsIn(principal, project)));
    return set;
  }

  async function projectOf(pipeline: string): Promise<string | undefined> {
    const now = Date.now();
    const hit = projects.get(pipeline);
    if (hit !== undefined && hit.until > now) return hit.project;
    const project = await store.pipelineProject(pipeline);
    if (project !== undefined) projects.set(pipeline, { project, until: now + cacheTtlMs });
    return project;
  }

  async function deny(req: FastifyRequest, err: unknown, details: Record<string, unknown>): Promise<never> {
    const s = audit.state(req);
    s.denied = true;
    const status = statusOf(err);
    if (status !== undefined) {
      await audit
        .record(
          {
            action: 'auth.denied',
            actor: s.principal?.name ?? 'anonymous',
            role: s.principal?.role ?? null,
            target: (details.target as string | undefined) ?? null,
            outcome: 'denied',
            status,
            details: { route: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`, reason: (err as SlipwayError).message, ...details },
          },
          req,
        )
        .catch(() => undefined);
    }
    throw err;
  }

  function limit(limiter: RateLimiter | undefined, key: string, what: string) {
    if (!limiter?.enabled) return;
    const decision = limiter.take(key);
    if (!decision.ok) {
      throw new SlipwayError(ErrorCode.overloaded, `rate limit of ${what} exceeded; retry after ${decision.retryAfterSeconds} s`, {
        details: { retryAfterSeconds: decision.retryAfterSeconds, limit: what },
      });
    }
  }

  const access: Access = {
    async authenticate(req) {
      const s = audit.state(req);
      if (s.principal) return s.principal;
      try {
        s.principal = await identity.resolve(bearerOf(req.headers.authorization));
      } catch (err) {
        return deny(req, err, { reason: isSlipwayError(err) ? err.details?.reason : undefined });
      }
      return s.principal;
    },

    authenticateCached(req) {
      const s = audit.state(req);
      if (s.principal) return true;
      let token: string;
      try {
        token = bearerOf(req.headers.authorization);
      } catch {
        return false;
      }
      s.principal = identity.cached(token);
      return s.principal !== undefined;
    },

    async require(req, wanted, target = {}) {
      const principal = await access.authenticate(req);
      const s = audit.state(req);
      const anyOf: readonly Permission[] = typeof wanted === 'string' ? [wanted] : wanted;
      const permission = anyOf.join('|');
      s.permission = permission;
      limit(tokenLimiter, principal.tokenId, 'this token');
      const pipeline = target.pipeline === undefined ? undefined : pipelineNameOf(target.pipeline);
      let project = target.project;
      if (pipeline !== undefined) {
        const owner = await projectOf(pipeline);
        if (owner !== undefined && !memberOf(principal, owner)) {
          return deny(req, new PipelineNotFoundError(pipeline), { permission, target: pipeline, reason: 'other-project' });
        }
        project ??= owner;
      }
      const held = granted(principal, project);
      if (!anyOf.some((p) => held.has(p))) {
        const where = project === undefined ? '' : project === ALL_PROJECTS ? ' platform-wide' : ` in project "${project}"`;
        const err = new SlipwayError(
          ErrorCode.forbidden,
          `${principal.name} (role ${principal.role}${principal.scopes ? `, token scopes ${principal.scopes.join(',')}` : ''}) lacks the "${permission}" permission${where} that this route needs; ask an admin for a role that grants it`,
          { details: { permission, role: principal.role, ...(project === undefined ? {} : { project }) } },
        );
        return deny(req, err, { permission, target: pipeline ?? project });
      }
      if (pipeline !== undefined && anyOf.includes('run')) limit(pipelineLimiter, pipeline, `pipeline "${pipeline}"`);
      return principal;
    },

    async visible(principal, items, pipelineOf) {
      if (principal.roles.has(ALL_PROJECTS)) return [...items];
      const owners = await store.pipelineProjects();
      return items.filter((item) => {
        const owner = owners.get(pipelineOf(item));
        return owner === undefined || principal.roles.has(owner);
      });
    },

    async pushProject(req, principal) {
      const requested = (req.query as Record<string, unknown> | undefined)?.project;
      const project = requested === undefined ? principal.project : checkName('project', requested);
      if (!(await store.getProject(project))) {
        throw new SlipwayError(ErrorCode.notFound, `project "${project}" not found; push into one of your projects (\`slipway projects ls\`) with ?project=<name>`, { details: { project } });
      }
      return project;
    },

    async placePipeline(pipeline, project) {
      await store.setPipelineProject(pipeline, project);
      projects.set(pipeline, { project, until: Date.now() + cacheTtlMs });
    },
  };
  return access;
}

/** The routes anyone may call: health probes, `/metrics` when public, and everything outside the API (dashboard files, `/openapi.json`). */
export function isPublicRoute(url: string, options: { publicMetrics: boolean }): boolean {
  if (url === '/v2/health/live' || url === '/v2/health/ready') return true;
  if (url === '/metrics') return options.publicMetrics;
  return !(url === '/v1' || url.startsWith('/v1/') || url === '/v2' || url.startsWith('/v2/'));
}

export function installAuthentication(app: FastifyInstance, access: Access, options: { publicMetrics: boolean }): void {
  const publicByRoute = new Map<string, boolean>();
  const isPublic = (url: string) => {
    let known = publicByRoute.get(url);
    if (known === undefined) publicByRoute.set(url, (known = isPublicRoute(url, options)));
    return known;
  };
  // Callback style, so a request whose token is cached (nearly all) costs no promise here.
  app.addHook('onRequest', (req, _reply, done) => {
    const url = req.routeOptions.url;
    // No route matched: the not-found handler answers, and it reveals nothing.
    if (url === undefined || isPublic(url) || access.authenticateCached(req)) return done();
    access.authenticate(req).then(
      () => done(),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  });
}

/**
 * The governance half of the metadata store (identities, projects, memberships, tokens,
 * pipeline projects, audit log), shared by SQLite and PostgreSQL. Audit appends take the
 * chain head and write the next event in one transaction that no other append can
 * interleave with: PostgreSQL holds an advisory lock, SQLite runs transactions one at a
 * time on its single connection; `seq` being the primary key backs both up.
 */
import {
  type ApiTokenRecord,
  type AuditEvent,
  ErrorCode,
  type GovernanceStore,
  type IdentityKind,
  type IdentityRecord,
  type MembershipRecord,
  type MetadataStore,
  type Permission,
  type ProjectRecord,
  type Role,
  SlipwayError,
} from '@slipway/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from './schema.js';
import type { AuditEventsTable, GovernanceDatabase, GovernanceTokensTable, MembershipsTable } from './schema-governance.js';

/** Any constant: the key of the PostgreSQL advisory lock that serializes audit appends. */
const AUDIT_LOCK_KEY = 7_305_001;
/** The `prevHash` of the first event. */
export const AUDIT_GENESIS = 'genesis';
/** `tokens.role` of identity tokens, whose roles come from memberships. */
const MEMBER_ROLE = 'member';

export function createGovernanceStore(database: Kysely<Database>, kind: MetadataStore['kind']): GovernanceStore {
  // `tokens` and `pipelines` have columns here that the shared `Database` type leaves out.
  const db = database as unknown as Kysely<GovernanceDatabase>;
  return {
    createIdentity: async (i) => {
      const existing = await db.selectFrom('identities').select('name').where('name', '=', i.name).executeTakeFirst();
      if (existing) throw new SlipwayError(ErrorCode.conflict, `identity "${i.name}" already exists; pick another name or delete it first`, { details: { name: i.name } });
      await db.insertInto('identities').values({ name: i.name, kind: i.kind, created_at: i.createdAt, created_by: i.createdBy }).execute();
    },
    getIdentity: async (name) => {
      const row = await db.selectFrom('identities').selectAll().where('name', '=', name).executeTakeFirst();
      return row && { name: row.name, kind: row.kind as IdentityKind, createdAt: row.created_at, createdBy: row.created_by };
    },
    listIdentities: async (kind) => {
      const rows = await db
        .selectFrom('identities')
        .selectAll()
        .$if(kind !== undefined, (q) => q.where('kind', '=', kind!))
        .orderBy('name')
        .execute();
      return rows.map((row): IdentityRecord => ({ name: row.name, kind: row.kind as IdentityKind, createdAt: row.created_at, createdBy: row.created_by }));
    },
    deleteIdentity: (name, at) =>
      db.transaction().execute(async (trx) => {
        await trx.deleteFrom('memberships').where('identity', '=', name).execute();
        await trx.updateTable('tokens').set({ revoked_at: at }).where('identity', '=', name).where('revoked_at', 'is', null).execute();
        const { numDeletedRows } = await trx.deleteFrom('identities').where('name', '=', name).executeTakeFirst();
        return numDeletedRows > 0n;
      }),

    createProject: async (p) => {
      const existing = await db.selectFrom('projects').select('name').where('name', '=', p.name).executeTakeFirst();
      if (existing) throw new SlipwayError(ErrorCode.conflict, `project "${p.name}" already exists; pick another name`, { details: { name: p.name } });
      await db.insertInto('projects').values({ name: p.name, description: p.description, created_at: p.createdAt, created_by: p.createdBy }).execute();
    },
    getProject: async (name) => {
      const row = await db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
      return row && { name: row.name, description: row.description, createdAt: row.created_at, createdBy: row.created_by };
    },
    listProjects: async () => {
      const rows = await db.selectFrom('projects').selectAll().orderBy('name').execute();
      return rows.map((row): ProjectRecord => ({ name: row.name, description: row.description, createdAt: row.created_at, createdBy: row.created_by }));
    },
    deleteProject: (name) =>
      db.transaction().execute(async (trx) => {
        const pipeline = await trx.selectFrom('pipelines').select('name').where('project', '=', name).limit(1).executeTakeFirst();
        if (pipeline) {
          throw new SlipwayError(ErrorCode.conflict, `project "${name}" still holds pipeline "${pipeline.name}"; a project with pipelines cannot be deleted`, {
            details: { project: name, pipeline: pipeline.name },
          });
        }
        await trx.deleteFrom('memberships').where('project', '=', name).execute();
        const { numDeletedRows } = await trx.deleteFrom('projects').where('name', '=', name).executeTakeFirst();
        return numDeletedRows > 0n;
      }),

    setMembership: async (m) => {
      await db
        .insertInto('memberships')
        .values({ project: m.project, identity: m.identity, role: m.role, created_at: m.createdAt, created_by: m.createdBy })
        .onConflict((oc) => oc.columns(['project', 'identity']).doUpdateSet({ role: m.role, created_at: m.createdAt, created_by: m.createdBy }))
        .execute();
    },
    removeMembership: async (project, identity) => {
      const { numDeletedRows } = await db.deleteFrom('memberships').where('project', '=', project).where('identity', '=', identity).executeTakeFirst();
      return numDeletedRows > 0n;
    },
    listMemberships: async ({ project, identity }) => {
      const rows = await db
        .selectFrom('memberships')
        .selectAll()
        .$if(project !== undefined, (q) => q.where('project', '=', project!))
        .$if(identity !== undefined, (q) => q.where('identity', '=', identity!))
        .orderBy('project')
        .orderBy('identity')
        .execute();
      return rows.map(toMembership);
    },

    createApiToken: async (t) => {
      await db
        .insertInto('tokens')
        .values({
          id: t.id,
          name: t.name,
          hash: t.hash,
          role: t.role ?? MEMBER_ROLE,
          created_at: t.createdAt,
          identity: t.identity,
          scopes: t.scopes === null ? null : JSON.stringify(t.scopes),
          project: t.project,
          expires_at: t.expiresAt,
          revoked_at: t.revokedAt,
          last_used_at: t.lastUsedAt,
        })
        .execute();
    },
    findApiTokenByHash: async (hash) => {
      const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row && toToken(row);
    },
    getApiToken: async (id) => {
      const row = await db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toToken(row);
    },
    listApiTokens: async ({ identity }) => {
      const rows = await db
        .selectFrom('tokens')
        .selectAll()
        .$if(identity !== undefined, (q) => q.where('identity', '=', identity!))
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toToken);
    },
    revokeApiToken: async (id, at) => {
      const { numUpdatedRows } = await db.updateTable('tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return numUpdatedRows > 0n;
    },
    touchApiToken: async (id, at) => {
      await db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },

    pipelineProject: async (pipeline) => (await db.selectFrom('pipelines').select('project').where('name', '=', pipeline).executeTakeFirst())?.project,
    pipelineProjects: async () => new Map((await db.selectFrom('pipelines').select(['name', 'project']).execute()).map((r) => [r.name, r.project])),
    setPipelineProject: async (pipeline, project) => {
      await db.updateTable('pipelines').set({ project }).where('name', '=', pipeline).execute();
    },

    appendAudit: (input, seal) =>
      db.transaction().execute(async (trx) => {
        if (kind === 'postgres') await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
        const head = await trx.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
        const unsealed = { ...input, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? AUDIT_GENESIS };
        const event: AuditEvent = { ...unsealed, hash: seal(unsealed.prevHash, unsealed) };
        await trx.insertInto('audit_events').values(toAuditRow(event)).execute();
        return event;
      }),
    listAudit: async ({ since, actor, target, afterSeq, limit = 100, order = 'desc' }) => {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .$if(since !== undefined, (q) => q.where('at', '>=', since!))
        .$if(actor !== undefined, (q) => q.where('actor', '=', actor!))
        .$if(target !== undefined, (q) => q.where((eb) => eb.or([eb('target', '=', target!), eb('target', 'like', `${escapeLike(target!)}/%`)])))
        .$if(afterSeq !== undefined, (q) => q.where('seq', '>', afterSeq!))
        .orderBy('seq', order)
        .limit(limit)
        .execute();
      return rows.map(toAuditEvent);
    },
  };
}

/** Targets match literally: LIKE wildcards in a filter are dropped (escape syntax differs between the databases). */
function escapeLike(text: string): string {
  return text.replace(/[%_]/g, '');
}

function toMembership(row: Selectable<MembershipsTable>): MembershipRecord {
  return { project: row.project, identity: row.identity, role: row.role as Role, createdAt: row.created_at, createdBy: row.created_by };
}

function toToken(row: Selectable<GovernanceTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    hash: row.hash,
    identity: row.identity,
    role: row.role === MEMBER_ROLE ? null : (row.role as Role),
    scopes: row.scopes === null ? null : (JSON.parse(row.scopes) as Permission[]),
    project: row.project,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

function toAuditRow(e: AuditEvent): AuditEventsTable {
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    role: e.role,
    action: e.action,
    target: e.target,
    request_id: e.requestId,
    source: e.source,
    outcome: e.outcome,
    status: e.status,
    before_digest: e.beforeDigest,
    after_digest: e.afterDigest,
    details: e.details === null ? null : JSON.stringify(e.details),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    role: row.role,
    action: row.action,
    target: row.target,
    requestId: row.request_id,
    source: row.source,
    outcome: row.outcome,
    status: row.status === null ? null : Number(row.status),
    beforeDigest: row.before_digest,
    afterDigest: row.after_digest,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}


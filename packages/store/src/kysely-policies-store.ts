/**
 * `PolicyStore` over Kysely for SQLite and PostgreSQL: policy versions numbered per name
 * inside a transaction, approvals idempotent per approver, exceptions approved once.
 */
import type { ApprovalRecord, MetadataStore, PolicyDocument, PolicyExceptionRecord, PolicyRecord, PolicyStore, Role, VersionFacts } from '@slipway/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ApprovalsTable, PoliciesTable, PolicyExceptionsTable } from './schema-policies.js';
import type { Database } from './schema.js';

function toPolicy(row: Selectable<PoliciesTable>): PolicyRecord {
  return { name: row.name, version: Number(row.version), document: JSON.parse(row.document) as PolicyDocument, source: row.source, actor: row.actor, createdAt: row.created_at };
}

function toApproval(row: Selectable<ApprovalsTable>): ApprovalRecord {
  return { pipeline: row.pipeline, version: Number(row.version), approver: row.approver, role: row.role as Role, comment: row.comment, createdAt: row.created_at };
}

function toException(row: Selectable<PolicyExceptionsTable>): PolicyExceptionRecord {
  return {
    id: row.id,
    pipeline: row.pipeline,
    version: row.version === null ? null : Number(row.version),
    feature: row.feature,
    legalBasis: row.legal_basis,
    proposedBy: row.proposed_by,
    proposedAt: row.proposed_at,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at,
  };
}

export function createPoliciesStore(db: Kysely<Database>, kind: MetadataStore['kind']): PolicyStore {
  const latest = (name: string) => db.selectFrom('policies').selectAll().where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();

  return {
    async applyPolicy({ name, document, source, actor, createdAt }) {
      return db.transaction().execute(async (trx) => {
        // Serialises applies of one policy on PostgreSQL; SQLite runs one transaction at a time.
        if (kind === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`slipway.policy.${name}`}))`.execute(trx);
        const current = await trx.selectFrom('policies').selectAll().where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();
        if (current !== undefined && current.source === source) return { policy: toPolicy(current), created: false };
        const row = { name, version: (current === undefined ? 0 : Number(current.version)) + 1, document: JSON.stringify(document), source, actor, created_at: createdAt };
        await trx.insertInto('policies').values(row).execute();
        return { policy: toPolicy(row), created: true };
      });
    },

    async getPolicy(name, version) {
      const row = version === undefined ? await latest(name) : await db.selectFrom('policies').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst();
      return row && toPolicy(row);
    },

    async listPolicies() {
      const rows = await db
        .selectFrom('policies as p')
        .selectAll('p')
        .where('p.version', '=', (eb) => eb.selectFrom('policies as m').select((m) => m.fn.max('m.version').as('v')).whereRef('m.name', '=', 'p.name'))
        .orderBy('p.name')
        .execute();
      return rows.map(toPolicy);
    },

    async policyHistory(name) {
      const rows = await db.selectFrom('policies').selectAll().where('name', '=', name).orderBy('version').execute();
      return rows.map(toPolicy);
    },

    async addApproval(a) {
      const row = { pipeline: a.pipeline, version: a.version, approver: a.approver, role: a.role, comment: a.comment, created_at: a.createdAt };
      const inserted = await db
        .insertInto('approvals')
        .values(row)
        .onConflict((oc) => oc.columns(['pipeline', 'version', 'approver']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { approval: toApproval(row), created: true };
      const existing = await db.selectFrom('approvals').selectAll().where('pipeline', '=', a.pipeline).where('version', '=', a.version).where('approver', '=', a.approver).executeTakeFirstOrThrow();
      return { approval: toApproval(existing), created: false };
    },

    async listApprovals(pipeline, version) {
      const rows = await db.selectFrom('approvals').selectAll().where('pipeline', '=', pipeline).where('version', '=', version).orderBy('created_at').orderBy('approver').execute();
      return rows.map(toApproval);
    },

    async createPolicyException(e) {
      await db
        .insertInto('policy_exceptions')
        .values({
          id: e.id,
          pipeline: e.pipeline,
          version: e.version,
          feature: e.feature,
          legal_basis: e.legalBasis,
          proposed_by: e.proposedBy,
          proposed_at: e.proposedAt,
          approved_by: e.approvedBy,
          approved_at: e.approvedAt,
        })
        .execute();
    },

    async getPolicyException(id) {
      const row = await db.selectFrom('policy_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toException(row);
    },

    async approvePolicyException(id, approvedBy, approvedAt) {
      await db.updateTable('policy_exceptions').set({ approved_by: approvedBy, approved_at: approvedAt }).where('id', '=', id).where('approved_by', 'is', null).execute();
      const row = await db.selectFrom('policy_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toException(row);
    },

    async listPolicyExceptions(pipeline) {
      let q = db.selectFrom('policy_exceptions').selectAll().orderBy('proposed_at').orderBy('id');
      if (pipeline !== undefined) q = q.where('pipeline', '=', pipeline);
      return (await q.execute()).map(toException);
    },

    async putVersionFacts(f: VersionFacts) {
      const row = { pipeline: f.pipeline, version: f.version, fairness: JSON.stringify(f.fairness), verdicts: JSON.stringify(f.verdicts), measured_at: f.measuredAt };
      await db
        .insertInto('version_facts')
        .values(row)
        .onConflict((oc) => oc.columns(['pipeline', 'version']).doUpdateSet({ fairness: row.fairness, verdicts: row.verdicts, measured_at: row.measured_at }))
        .execute();
    },

    async getVersionFacts(pipeline, version) {
      const row = await db.selectFrom('version_facts').selectAll().where('pipeline', '=', pipeline).where('version', '=', version).executeTakeFirst();
      return (
        row && {
          pipeline: row.pipeline,
          version: Number(row.version),
          fairness: JSON.parse(row.fairness) as VersionFacts['fairness'],
          verdicts: JSON.parse(row.verdicts) as VersionFacts['verdicts'],
          measuredAt: row.measured_at,
        }
      );
    },
  };
}

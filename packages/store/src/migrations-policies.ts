/**
 * The governance policy tables: versioned policies, approvals of versions, exceptions to
 * prohibited features, and the facts measured about each version at push. Structured
 * fields are JSON text; times are ISO-8601 text.
 */
import type { Kysely, Migration } from 'kysely';

export const policyMigrations: Record<string, Migration> = {
  '0005_policies': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('policies')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('policies_pk', ['name', 'version'])
        .execute();
      await db.schema
        .createTable('approvals')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('approver', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('approvals_pk', ['pipeline', 'version', 'approver'])
        .execute();
      await db.schema
        .createTable('policy_exceptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('version', 'integer')
        .addColumn('feature', 'text', (c) => c.notNull())
        .addColumn('legal_basis', 'text', (c) => c.notNull())
        .addColumn('proposed_by', 'text', (c) => c.notNull())
        .addColumn('proposed_at', 'text', (c) => c.notNull())
        .addColumn('approved_by', 'text')
        .addColumn('approved_at', 'text')
        .execute();
      await db.schema
        .createTable('version_facts')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('fairness', 'text', (c) => c.notNull())
        .addColumn('verdicts', 'text', (c) => c.notNull())
        .addColumn('measured_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('version_facts_pk', ['pipeline', 'version'])
        .execute();
    },
  },
};

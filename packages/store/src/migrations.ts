/**
 * The schema's history as in-code Kysely migrations, applied by `migrateToLatest` on
 * every start: Kysely records applied ones and takes a lock, so a second run (or a second
 * process starting at once) applies nothing twice. Append new migrations; never edit one
 * that has shipped.
 */
import { ErrorCode, type MetadataStore, SlipwayError } from '@slipway/core';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { Database } from './schema.js';
import { governanceMigrations } from './migrations-governance.js';
import { deploymentMigrations } from './migrations-deployments.js';
import { runMigrations } from './migrations-runs.js';
import { profileMigrations } from './migrations-profiles.js';
import { policyMigrations } from './migrations-policies.js';
import { monitoringMigrations } from './migrations-monitoring.js';
import { alertMigrations } from './migrations-alerts.js';

// Migrations take an untyped database: they must keep compiling when `Database` changes.
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('pipelines')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('versions')
        .addColumn('pipeline', 'text', (c) => c.notNull().references('pipelines.name'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('manifest', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('artifacts', 'text', (c) => c.notNull())
        .addColumn('lineage', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('versions_pk', ['pipeline', 'version'])
        .addUniqueConstraint('versions_digest_unique', ['pipeline', 'digest'])
        .execute();
      await db.schema
        .createTable('aliases')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('aliases_pk', ['pipeline', 'alias'])
        .addForeignKeyConstraint('aliases_version_fk', ['pipeline', 'version'], 'versions', ['pipeline', 'version'])
        .execute();
      // `seq` orders the history instead of an auto-increment id, whose syntax differs
      // between SQLite and PostgreSQL.
      await db.schema
        .createTable('alias_events')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('from_version', 'integer')
        .addColumn('to_version', 'integer', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('alias_events_pk', ['pipeline', 'alias', 'seq'])
        .addForeignKeyConstraint('alias_events_version_fk', ['pipeline', 'to_version'], 'versions', ['pipeline', 'version'])
        .execute();
      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  ...runMigrations,
  ...profileMigrations,
  ...deploymentMigrations,
  ...policyMigrations,
  ...monitoringMigrations,
  ...governanceMigrations,
  ...alertMigrations,
};

export async function migrateToLatest(db: Kysely<Database>, kind: MetadataStore['kind']): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    // Told no schema, Kysely looks for its bookkeeping tables in every schema of a
    // PostgreSQL database; finding another Slipway's there (tests give each run its own
    // schema), it would skip creating ours. Pin them to where our tables go.
    migrationTableSchema: kind === 'postgres' ? await currentSchema(db) : undefined,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : 'see the cause';
    throw new SlipwayError(
      ErrorCode.internal,
      `metadata database migration ${failed === undefined ? '' : `"${failed}" `}failed (${reason}); ` +
        'the migrations before it stay applied and the next start retries it: fix the cause and restart',
      { cause: error },
    );
  }
}

/** The first schema of the search_path that exists: where unqualified tables are created. */
async function currentSchema(db: Kysely<Database>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

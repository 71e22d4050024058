/**
 * The `runs` table: run records of async and streaming runs, and the durable queue of
 * async runs (state `queued`, or `running` under a lease). Timestamps are ISO-8601 text,
 * which sorts like time, so leases compare as strings on both databases.
 */
import type { Kysely, Migration } from 'kysely';

export const runMigrations: Record<string, Migration> = {
  '0007_runs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('version', 'integer')
        .addColumn('environment', 'text')
        .addColumn('caller_key', 'text')
        .addColumn('inputs', 'text')
        .addColumn('inputs_truncated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('outputs', 'text')
        .addColumn('outputs_truncated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('callback_url', 'text')
        .addColumn('callback_state', 'text')
        .addColumn('callback_attempts', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('enqueued_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('queue_ms', 'double precision')
        .addColumn('compute_ms', 'double precision')
        .addColumn('executions', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .execute();
      await db.schema.createIndex('runs_state_enqueued').on('runs').columns(['state', 'enqueued_at']).execute();
      await db.schema.createIndex('runs_pipeline_enqueued').on('runs').columns(['pipeline', 'enqueued_at']).execute();
    },
  },
};

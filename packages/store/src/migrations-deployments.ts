/**
 * Tables of deployments: user-defined environments, one row per deployment of a pipeline
 * in an environment (its rollout state as JSON text), and the append-only rollout event
 * log, numbered per deployment by `seq` like alias events.
 */
import type { Kysely, Migration } from 'kysely';

export const deploymentMigrations: Record<string, Migration> = {
  '0006_deployments': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('environments')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('deployments')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('scaling', 'text', (c) => c.notNull())
        .addColumn('serving', 'text')
        .addColumn('resources', 'text', (c) => c.notNull())
        .addColumn('traffic', 'text')
        .addColumn('rollout', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('deployments_pk', ['pipeline', 'environment'])
        .execute();
      await db.schema
        .createTable('rollout_events')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('stable', 'integer', (c) => c.notNull())
        .addColumn('candidate', 'integer', (c) => c.notNull())
        .addColumn('percent', 'real', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('details', 'text')
        .addPrimaryKeyConstraint('rollout_events_pk', ['pipeline', 'environment', 'seq'])
        .execute();
    },
  },
};

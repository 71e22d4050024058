/**
 * The monitoring profile tables: one reference profile per version, and production
 * windows (5 min, hour, day) keyed by their start in epoch ms. Window starts are `bigint`
 * (epoch ms overflows PostgreSQL's 32-bit `integer`); profile bodies are JSON text.
 */
import type { Kysely, Migration } from 'kysely';

export const profileMigrations: Record<string, Migration> = {
  '0003_profiles': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('reference_profiles')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('reference_profiles_pk', ['pipeline', 'version'])
        .execute();
      await db.schema
        .createTable('profile_windows')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('window_ms', 'integer', (c) => c.notNull())
        .addColumn('start', 'bigint', (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('drift', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('profile_windows_pk', ['pipeline', 'window_ms', 'start', 'version'])
        .execute();
    },
  },
};

/**
 * `0004_governance`: identities, projects, memberships, the audit log, and the columns
 * that scope tokens and place pipelines in projects. The audit table refuses UPDATE and
 * DELETE with triggers (SQLite `RAISE(ABORT)`, a PostgreSQL trigger function), so only an
 * attacker who drops them can edit history, and the hash chain shows that.
 */
import { type Kysely, type Migration, SqliteAdapter, sql } from 'kysely';

export const AUDIT_APPEND_ONLY_MESSAGE = 'audit events are append-only';

export const governanceMigrations: Record<string, Migration> = {
  '0004_governance': {
    async up(db: Kysely<unknown>) {
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
      await db.schema
        .createTable('identities')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('projects')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('memberships')
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('identity', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['project', 'identity'])
        .execute();
      await db.schema.createIndex('memberships_identity').on('memberships').column('identity').execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('role', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('request_id', 'text')
        .addColumn('source', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('before_digest', 'text')
        .addColumn('after_digest', 'text')
        .addColumn('details', 'text')
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
      for (const column of ['identity', 'scopes', 'project', 'expires_at', 'revoked_at', 'last_used_at']) {
        await db.schema.alterTable('tokens').addColumn(column, 'text').execute();
      }
      await db.schema
        .alterTable('pipelines')
        .addColumn('project', 'text', (c) => c.notNull().defaultTo('default'))
        .execute();
      await sql`insert into projects (name, description, created_at, created_by) values ('default', 'The project pipelines land in unless pushed elsewhere', ${new Date().toISOString()}, 'system')`.execute(db);
      if (sqlite) {
        for (const op of ['UPDATE', 'DELETE']) {
          await sql
            .raw(`create trigger audit_events_no_${op.toLowerCase()} before ${op} on audit_events begin select raise(abort, '${AUDIT_APPEND_ONLY_MESSAGE}'); end`)
            .execute(db);
        }
      } else {
        await sql
          .raw(`create function audit_events_append_only() returns trigger language plpgsql as $$ begin raise exception '${AUDIT_APPEND_ONLY_MESSAGE}'; end $$`)
          .execute(db);
        await sql.raw('create trigger audit_events_no_change before update or delete on audit_events for each row execute function audit_events_append_only()').execute(db);
        await sql.raw('create trigger audit_events_no_truncate before truncate on audit_events for each statement execute function audit_events_append_only()').execute(db);
      }
    },
  },
};

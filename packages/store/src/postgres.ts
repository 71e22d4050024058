/**
 * The metadata store on PostgreSQL, for several servers sharing one registry. `schema`
 * confines it to one PostgreSQL schema (tests give each run its own).
 */
import { InvalidInputError, type MetadataStore } from '@slipway/core';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createKyselyMetadataStore } from './kysely-metadata-store.js';
import type { Database } from './schema.js';

export interface PostgresMetadataStoreOptions {
  /** `postgres://user:password@host:port/database` */
  connectionString: string;
  /** Schema for the tables, created by `migrate()` if missing. Default: the connection's search_path (normally `public`). */
  schema?: string;
}

// Kept to plain lowercase identifiers: the name goes unquoted into the search_path.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function createPostgresMetadataStore({ connectionString, schema }: PostgresMetadataStoreOptions): MetadataStore {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new InvalidInputError([
      { path: 'schema', message: `"${schema}" is not a plain PostgreSQL identifier; use 1–63 characters of a-z, 0-9 and "_", not starting with a digit` },
    ]);
  }
  const pool = new pg.Pool({ connectionString, ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }) });
  // pg emits errors of idle connections (e.g. the server restarting) on the pool, and an
  // unhandled 'error' event would end the process. The broken connection is dropped; the
  // next query opens a new one or fails with its own error.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const store = createKyselyMetadataStore({ kind: 'postgres', db });
  if (schema === undefined) return store;
  return {
    ...store,
    // A search_path naming a missing schema is accepted, but tables cannot be created there.
    migrate: async () => {
      await db.schema.createSchema(schema).ifNotExists().execute();
      await store.migrate();
    },
  };
}

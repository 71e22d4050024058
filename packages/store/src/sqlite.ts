/**
 * The metadata store on a SQLite file (better-sqlite3): the zero-setup default for a
 * single server. WAL lets readers run while a push writes; the busy timeout makes a
 * second process on the same file wait for the lock instead of failing at once.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MetadataStore } from '@slipway/core';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createKyselyMetadataStore } from './kysely-metadata-store.js';
import type { Database } from './schema.js';

export interface SqliteMetadataStoreOptions {
  /** The database file, created with its parent directories if missing; `:memory:` for a throwaway store. */
  path: string;
}

const BUSY_TIMEOUT_MS = 5000;

export function createSqliteMetadataStore({ path }: SqliteMetadataStoreOptions): MetadataStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS });
  sqlite.pragma('journal_mode = WAL');
  // Off by default in SQLite; the schema's foreign keys keep aliases off missing versions.
  sqlite.pragma('foreign_keys = ON');
  return createKyselyMetadataStore({ kind: 'sqlite', db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }) });
}

/**
 * Opens the metadata store a configuration URL names, so the server and CLI take one
 * setting: `postgres://…` or `postgresql://…` for PostgreSQL, `sqlite:<path>` or a plain
 * file path for SQLite.
 */
import { InvalidInputError, type MetadataStore } from '@slipway/core';
import { createPostgresMetadataStore } from './postgres.js';
import { createSqliteMetadataStore } from './sqlite.js';

const SUPPORTED = 'use postgres://…, postgresql://…, sqlite:<path> or a file path';

export function createMetadataStore(url: string): MetadataStore {
  if (/^postgres(ql)?:\/\//.test(url)) return createPostgresMetadataStore({ connectionString: url });
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  // Only the scheme is quoted: the rest of a URL may hold a password.
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(path)?.[1];
  if (scheme !== undefined) {
    throw new InvalidInputError([{ path: 'metadata store URL', message: `scheme "${scheme}:" is not supported; ${SUPPORTED}` }]);
  }
  if (path === '') throw new InvalidInputError([{ path: 'metadata store URL', message: `is empty; ${SUPPORTED}` }]);
  return createSqliteMetadataStore({ path });
}

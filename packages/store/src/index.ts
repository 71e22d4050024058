/** `@slipway/store`: the metadata store (SQLite or PostgreSQL) and the local artifact store. */
export { createMetadataStore } from './create-metadata-store.js';
export { createSqliteMetadataStore, type SqliteMetadataStoreOptions } from './sqlite.js';
export { createPostgresMetadataStore, type PostgresMetadataStoreOptions } from './postgres.js';
export { createLocalArtifactStore, type LocalArtifactStoreOptions } from './local-artifact-store.js';
export {
  ArtifactKeyError,
  type EncryptedArtifactStoreOptions,
  type MasterKey,
  type RotationResult,
  createEncryptedArtifactStore,
  parseMasterKey,
  rotateArtifactKeys,
} from './encrypted-artifact-store.js';

export { type ServerOptions, type ResolvedServerConfig, resolveServerConfig } from './config.js';
export { type RunningServer, startServer } from './server.js';
export { type AppOptions, type SlipwayApp, createApp } from './app.js';
export { readPackageTar } from './package-reader.js';
export { loadMasterKey, openArtifactStore, parseMasterKey } from './encryption.js';
export { type MasterKeyRotationResult, rotateMasterKey } from './encryption-rotation.js';
export { openSecret, redactSecrets, sealSecret } from './secrets.js';

export { createClient, type HealthStatus, type RunOptions, type SlipwayClient, type WarmupOptions } from './client.js';
export { type ClientOptions, DEFAULT_SERVER, type ResolvedClientConfig, resolveClientOptions } from './client-options.js';
export { ApiError } from './api-error.js';
export { OipPaths } from './oip-paths.js';
export { packPackage, type PackOptions } from './package-tar.js';
export type { LineageOverrides } from './lineage-overrides.js';

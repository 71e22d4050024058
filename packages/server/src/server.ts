/**
 * Starts the platform: opens the metadata store (SQLite in the data directory, or
 * PostgreSQL), the artifact store and the model runtime, ensures an admin token, deploys
 * the examples and listens.
 */
import { join } from 'node:path';
import { ErrorCode, SlipwayError } from '@slipway/core';
import { createOnnxRuntime } from '@slipway/runtime';
import { createMetadataStore } from '@slipway/store';
import { createApp } from './app.js';
import { loadTls } from './tls.js';
import { oidcOptions } from './identity-oidc.js';
import { bootstrapAdminToken } from './auth.js';
import type { ResolvedServerConfig } from './config.js';
import { loadMasterKey, openArtifactStore } from './encryption.js';
import { masterKeySealer } from './alert-channels.js';
import { deployExamples } from './examples.js';
import { loadCallbackSecret } from './run-callback-secret.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  /** Set only when a new admin token was generated on this start. */
  newAdminToken?: string;
  tokenFile: string;
  examples: { ref: string; created: boolean }[];
}

export async function startServer(config: ResolvedServerConfig): Promise<RunningServer> {
  // A bad or unreadable master key stops the start before anything is opened.
  const masterKey = await loadMasterKey(config);
  const tls = await loadTls(config);
  const oidc = oidcOptions(config);
  const store = createMetadataStore(config.databaseUrl ?? join(config.dataDir, 'slipway.db'));
  await store.migrate();
  const artifacts = openArtifactStore(config.dataDir, masterKey);
  // Validating a push opens a session only to read its signature: one thread is enough.
  const runtime = createOnnxRuntime({ intraOpNumThreads: 1, interOpNumThreads: 1 });
  const { app, registry, engine, policies, identity } = createApp({
    ...config,
    store,
    artifacts,
    runtime,
    serving: {
      hotSetFile: join(config.dataDir, 'hot-set.json'),
      ...(config.modelMemoryBytes === undefined ? {} : { budgetBytes: config.modelMemoryBytes }),
      ...(config.workerThreads === undefined ? {} : { workerThreads: config.workerThreads }),
    },
    runs: {
      callbackSecret: await loadCallbackSecret(config.dataDir, config.callbackSecret),
      callbackAllow: config.callbackAllow,
      concurrency: config.asyncRunConcurrency,
      maxRecordBytes: config.runRecordMaxBytes,
    },
    // Notification channel secrets are sealed with the master key when there is one.
    alerts: {
      intervalMs: config.alertIntervalSeconds * 1000,
      ...(config.externalUrl === undefined ? {} : { externalUrl: config.externalUrl.replace(/\/$/, '') }),
      ...(masterKey === undefined ? {} : { sealer: masterKeySealer(masterKey) }),
    },
    ...(tls === undefined ? {} : { tls }),
    ...(oidc === undefined ? {} : { oidc }),
    rateLimits: { tokenPerSecond: config.tokenRateLimit, pipelinePerSecond: config.pipelineRateLimit },
    monitoringIngest: { retentionDays: config.predictionRetentionDays, retentionRows: config.predictionRetentionRows },
  });
  app.addHook('onClose', () => store.close());
  try {
    const tokenFile = join(config.dataDir, 'admin-token');
    await identity.ready();
    const newAdminToken = await bootstrapAdminToken(store, { adminToken: config.adminToken, tokenFile });
    // The built-in Regulation B policy guards production from the first start on (an admin may change it).
    await policies.installDefaults();
    const examples = config.examples ? await deployExamples(config.examplesDir, registry, engine) : [];
    await app.listen({ port: config.port, host: config.host }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
      throw new SlipwayError(ErrorCode.unavailable, `port ${config.port} on ${config.host} is already in use; stop the other server or choose another with --port / SLIPWAY_PORT`, { cause: err });
    });
    // Versions that were hot before the last stop load again, most-used first, while serving.
    engine
      .restore(async (pipeline, version) => registry.resolve(`${pipeline}:v${version}`).catch(() => undefined))
      .catch((err: unknown) => app.log.warn({ err }, 'could not restore the hot set'));
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return { url: `${tls === undefined ? 'http' : 'https'}://${host}:${port}`, close: () => app.close(), tokenFile, examples, ...(newAdminToken ? { newAdminToken } : {}) };
  } catch (err) {
    await app.close();
    throw err;
  }
}

/**
 * Builds the HTTP application from its services. Routes only parse, call a service and
 * serialise; `installErrorHandling` turns every failure into a response.
 */
import { randomUUID } from 'node:crypto';
import type { ArtifactStore, MetadataStore, ModelRuntime } from '@slipway/core';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { installErrorHandling } from './http-errors.js';
import { createInference } from './inference.js';
import { createModelCache } from './model-cache.js';
import { openApiDocument } from './openapi.js';
import { createRegistry } from './registry.js';
import { registerManagementRoutes } from './routes/management.js';
import { registerOipRoutes } from './routes/oip.js';
import { registerRunRoutes } from './routes/runs.js';

export interface AppOptions {
  store: MetadataStore;
  artifacts: ArtifactStore;
  runtime: ModelRuntime;
  maxBodyBytes: number;
  maxPackageBytes: number;
  logLevel: string;
}

/** A registered route, `GET /v2/models/:m`, as the OpenAPI test reads them. */
export interface RouteEntry {
  method: string;
  url: string;
}

export function createApp(options: AppOptions) {
  const { store, artifacts, runtime } = options;
  const registry = createRegistry({ store, artifacts, runtime });
  const models = createModelCache({ artifacts, runtime });
  const inference = createInference({ registry, models });
  const routes: RouteEntry[] = [];

  const app: FastifyInstance = Fastify({
    logger: { level: options.logLevel, redact: ['req.headers.authorization'] },
    // Per-request log lines cost throughput on the inference path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxBodyBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  installErrorHandling(app, { maxBodyBytes: options.maxBodyBytes });
  registerOipRoutes(app, inference);
  registerRunRoutes(app, inference);
  registerManagementRoutes(app, { registry, store, maxPackageBytes: options.maxPackageBytes });
  app.get('/openapi.json', () => openApiDocument);
  app.addHook('onClose', () => models.close());

  return { app, registry, models, inference, routes };
}

export type SlipwayApp = ReturnType<typeof createApp>;

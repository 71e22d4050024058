/**
 * Builds the HTTP application from its services. Routes only parse, call a service and
 * serialise; `installErrorHandling` turns every failure into a response.
 */
import { randomUUID } from 'node:crypto';
import { type ArtifactStore, type MetadataStore, type ModelRuntime, type RunObserver, SlipwayError } from '@slipway/core';
import { createServingEngine, type ServingEngineOptions } from '@slipway/serving';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { createAccess } from './access.js';
import { installErrorHandling } from './http-errors.js';
import { installHttpMetrics } from './http-metrics.js';
import { createInference } from './inference.js';
import { openApiDocument } from './openapi.js';
import { type PromotionGate, type PushExtension, createRegistry } from './registry.js';
import { registerManagementRoutes } from './routes/management.js';
import { registerOipRoutes } from './routes/oip.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerServingRoutes } from './routes/serving.js';

export interface AppOptions {
  store: MetadataStore;
  artifacts: ArtifactStore;
  runtime: ModelRuntime;
  maxBodyBytes: number;
  maxPackageBytes: number;
  logLevel: string;
  /** Told about every finished run (prediction log, rollout statistics). */
  observers?: readonly RunObserver[];
  /** Serving engine settings: memory budget, worker threads, hot-set file. */
  serving?: Omit<ServingEngineOptions, 'fetchModel'>;
}

/** A registered route, `GET /v2/models/:m`, as the OpenAPI test reads them. */
export interface RouteEntry {
  method: string;
  url: string;
}

export function createApp(options: AppOptions) {
  const { store, artifacts, runtime } = options;
  const engine = createServingEngine({
    ...options.serving,
    async fetchModel(record) {
      const model = record.artifacts.find((a) => a.path === record.manifest.model);
      if (model === undefined) throw new SlipwayError('internal', `version ${record.pipeline}:v${record.version} has no artifact for its model "${record.manifest.model}"`);
      return artifacts.get(model.digest);
    },
  });
  // Features that add work to every push (reference profile, policy evaluation) list their extension here.
  const pushExtensions: PushExtension[] = [];
  // Checks before a version serves an environment (policies, approvals), for alias moves and deployments.
  const promotionGates: PromotionGate[] = [];
  // Moving an alias first loads and warms its new target, so no request after the move is a cold start.
  const registry = createRegistry({ store, artifacts, runtime, pushExtensions, promotionGates, beforeAliasMove: (record) => engine.warm(record) });
  const inference = createInference({ registry, engine, observers: options.observers ?? [] });
  const access = createAccess(store);
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
  installHttpMetrics(app, engine.metrics.registry);
  registerOipRoutes(app, inference);
  registerRunRoutes(app, inference);
  registerManagementRoutes(app, { registry, access, maxPackageBytes: options.maxPackageBytes });
  registerServingRoutes(app, { registry, access, engine });
  app.get('/openapi.json', () => openApiDocument);
  app.addHook('onClose', () => engine.close());

  return { app, registry, engine, inference, access, routes };
}

export type SlipwayApp = ReturnType<typeof createApp>;

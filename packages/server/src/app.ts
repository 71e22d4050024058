/**
 * Builds the HTTP application from its services. Routes only parse, call a service and
 * serialise; `installErrorHandling` turns every failure into a response.
 */
import { randomUUID } from 'node:crypto';
import { type ArtifactStore, type MetadataStore, type ModelRuntime, type RunObserver, SlipwayError } from '@slipway/core';
import { createServingEngine, type ServingEngineOptions } from '@slipway/serving';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { createAccess, installAuthentication } from './access.js';
import { createAudit, installAuditHook } from './audit.js';
import { createIdentityService, type GovernanceLog } from './identity.js';
import { type OidcOptions, createOidcVerifier } from './identity-oidc.js';
import { createRateLimiter } from './rate-limit.js';
import { registerGovernanceRoutes } from './routes/governance.js';
import { installSecurityHeaders } from './security-headers.js';
import { installErrorHandling } from './http-errors.js';
import { installHttpMetrics } from './http-metrics.js';
import { createInference } from './inference.js';
import { createMonitoringMetrics } from './monitoring-metrics.js';
import { type MonitoringIngestSettings, createMonitoringIngest } from './monitoring-ingest.js';
import { registerMonitoringIngestRoutes } from './routes/monitoring-ingest.js';
import { type MonitoringAppOptions, createMonitoringService } from './monitoring-service.js';
import { registerMonitoringRoutes } from './routes/monitoring.js';
import { openApiDocument } from './openapi.js';
import { createPolicyService } from './policy-service.js';
import { createPdfRenderer } from './report-pdf.js';
import { type PromotionGate, type PushExtension, createRegistry } from './registry.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerManagementRoutes } from './routes/management.js';
import { registerOipRoutes } from './routes/oip.js';
import { registerPolicyRoutes } from './routes/policies.js';
import { registerRunRoutes } from './routes/runs.js';
import { type RunServiceSettings, createRunService } from './run-service.js';
import { registerServingRoutes } from './routes/serving.js';
import { type DeploymentAppOptions, createDeployments } from './deployment-wiring.js';
import { registerDeploymentRoutes } from './routes/deployments.js';
import { createMonitoringMetricSource } from './alert-metrics.js';
import { createAlertScheduler } from './alert-scheduler.js';
import { type AlertAppOptions, createAlertService } from './alert-service.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerIncidentRoutes } from './routes/incidents.js';

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
  /** Async and streaming runs: callback secret and allow-list, record cap, executor concurrency and lease. */
  runs?: RunServiceSettings;
  /** The dashboard's built files, served at `/`. Default `packages/dashboard/dist`. */
  dashboardDir?: string;
  /** Chromium for PDF compliance reports (`SLIPWAY_CHROMIUM`); default `/usr/bin/chromium`. */
  chromiumPath?: string;
  /** Deployments: rollout and autoscaler tick intervals, the node's GPUs (default from nvidia-smi). */
  deployments?: DeploymentAppOptions;
  /** Prediction log: retention (days, rows per pipeline) and logger tuning. */
  monitoringIngest?: MonitoringIngestSettings;
  /** Alert rules, incidents and notifications: evaluation interval, clock, notification retries. */
  alerts?: AlertAppOptions;
}

/** Identities, tokens, audit, rate limits and TLS (see README "Access control"). */
export interface GovernanceAppOptions {
  /** PEM certificate and key: serve HTTPS and send HSTS. Default plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Serve `/metrics` without a token. Default true. */
  publicMetrics?: boolean;
  /** Requests per second per token, and per pipeline for runs; 0 (the default) is no limit. Burst defaults to one second's worth. */
  rateLimits?: { tokenPerSecond?: number; tokenBurst?: number; pipelinePerSecond?: number; pipelineBurst?: number };
  /** How long a resolved token stays cached, in ms. Default 5000. */
  authCacheTtlMs?: number;
  /** Also accept bearer JWTs of an identity provider. Default off. */
  oidc?: OidcOptions;
}

/** A registered route, `GET /v2/models/:m`, as the OpenAPI test reads them. */
export interface RouteEntry {
  method: string;
  url: string;
}

export function createApp(options: AppOptions & GovernanceAppOptions & MonitoringAppOptions) {
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
  // Monitoring analysis: reference profile at push, production windows from run events, drift.
  const monitoring = createMonitoringService({ store, artifacts, runtime, ...options.monitoring, metrics: engine.metrics.registry, onError: (err) => app.log.error({ err }, 'monitoring windows') });
  pushExtensions.push(monitoring.pushExtension);
  const monitoringMetrics = createMonitoringMetrics({ store, monitoring });
  // Alerts: rules over the monitoring metrics, evaluated on a timer; incidents, notifications, retrain actions.
  const { intervalMs: alertIntervalMs = 30_000, ...alertOptions } = options.alerts ?? {};
  const alerts = createAlertService({ store, source: createMonitoringMetricSource(store, monitoringMetrics), ...alertOptions, onError: (err) => app.log.error({ err }, 'alerts') });
  pushExtensions.push(alerts.pushExtension);
  const alertScheduler = createAlertScheduler({ evaluate: () => alerts.evaluate(), intervalMs: alertIntervalMs, onError: (err) => app.log.error({ err }, 'alert evaluation') });
  // Governance policies: fairness measured at push, every covered environment gated.
  // Its denials, applies and approvals are audit events (`audit` is made below; it is only called per request).
  const policies = createPolicyService({ store, runtime, audit: async (event) => void (await audit.record(event)) });
  pushExtensions.push(policies.pushExtension);
  promotionGates.push(policies.gate);
  // Moving an alias first loads and warms its new target, so no request after the move is a cold start.
  const registry = createRegistry({ store, artifacts, runtime, pushExtensions, promotionGates, beforeAliasMove: (record) => engine.warm(record) });
  // The prediction log and operational metrics: every run is observed, sampled, logged off the request path.
  const ingest = createMonitoringIngest({ store, registry, metrics: engine.metrics.registry, log: (err, msg) => app.log.error({ err }, msg), settings: options.monitoringIngest ?? {} });
  // Deployments: environments, rollouts (statistics from run events) and the autoscaler; the data plane routes through them.
  const deployments = createDeployments({
    store,
    registry,
    engine,
    promotionGates,
    ...(options.deployments === undefined ? {} : { options: options.deployments }),
    onRolloutEvent: (e) => void audit.record({ action: `rollout.${e.kind}`, target: `${e.pipeline}/${e.environment}`, actor: e.actor, details: { ...e } }).catch((err: unknown) => app.log.error({ err }, 'audit of a rollout event')),
    onError: (err, what) => app.log.error({ err }, what),
  });
  const inference = createInference({ registry, engine, observers: [...(options.observers ?? []), monitoring.observer, ingest.observe, deployments.observer], router: deployments.service });
  // Logs through the app once it exists; identities and audit are made before it, for the services that need them.
  const log: GovernanceLog = { warn: (obj: object, msg?: string) => app.log.warn(obj, msg), error: (obj: object, msg?: string) => app.log.error(obj, msg) };
  const identity = createIdentityService({
    store,
    log,
    ...(options.authCacheTtlMs === undefined ? {} : { cacheTtlMs: options.authCacheTtlMs }),
    ...(options.oidc === undefined ? {} : { oidc: createOidcVerifier(options.oidc) }),
  });
  const audit = createAudit(store, log);
  const limits = options.rateLimits ?? {};
  const access = createAccess({
    store,
    identity,
    audit,
    tokenLimiter: createRateLimiter({ perSecond: limits.tokenPerSecond ?? 0, ...(limits.tokenBurst === undefined ? {} : { burst: limits.tokenBurst }) }),
    pipelineLimiter: createRateLimiter({ perSecond: limits.pipelinePerSecond ?? 0, ...(limits.pipelineBurst === undefined ? {} : { burst: limits.pipelineBurst }) }),
  });
  const routes: RouteEntry[] = [];

  const app: FastifyInstance = Fastify({
    logger: { level: options.logLevel, redact: ['req.headers.authorization'] },
    // Per-request log lines cost throughput on the inference path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxBodyBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ...(options.tls === undefined ? {} : { https: options.tls }),
  });
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  installErrorHandling(app, { maxBodyBytes: options.maxBodyBytes });
  installSecurityHeaders(app, { tls: options.tls !== undefined });
  installAuthentication(app, access, { publicMetrics: options.publicMetrics ?? true });
  installAuditHook(app, audit);
  registerGovernanceRoutes(app, { access, identity, audit, store });
  installHttpMetrics(app, engine.metrics.registry);
  registerOipRoutes(app, inference, access);
  const runs = createRunService({ ...options.runs, store, inference, onError: (err) => app.log.error({ err }, 'async runs') });
  registerRunRoutes(app, { inference, runs, access });
  // Queued runs (and runs a stopped server left) resume once the app is ready; on close
  // the runs in flight go back to the queue before the engine stops.
  app.addHook('onReady', () => runs.start());
  app.addHook('preClose', () => runs.close());
  registerManagementRoutes(app, { registry, access, audit, maxPackageBytes: options.maxPackageBytes });
  registerServingRoutes(app, { registry, access, engine });
  registerDeploymentRoutes(app, { deployments: deployments.service, access });
  app.addHook('onReady', () => deployments.start());
  app.addHook('preClose', () => deployments.stop());
  registerMonitoringRoutes(app, { registry, access, monitoring, metrics: monitoringMetrics, now: options.monitoring?.now ?? Date.now });
  app.addHook('preClose', () => monitoring.close());
  registerMonitoringIngestRoutes(app, { access, ingest });
  app.addHook('onReady', () => ingest.start());
  // Runs closed in preClose may still log: the queue is written before the store closes.
  app.addHook('onClose', () => ingest.close());
  registerAlertRoutes(app, { alerts, access });
  registerIncidentRoutes(app, { incidents: alerts.incidents, access });
  app.addHook('onReady', () => {
    if (alertIntervalMs > 0) alertScheduler.start();
    // Notifications a stopped server left pending are delivered now, in the background.
    alerts.resumePending().catch((err: unknown) => app.log.error({ err }, 'resuming alert notifications'));
  });
  app.addHook('preClose', async () => {
    await alertScheduler.stop();
    alerts.close();
  });
  registerPolicyRoutes(app, { registry, access, policies, store, pdf: createPdfRenderer(options.chromiumPath === undefined ? {} : { executablePath: options.chromiumPath }) });
  app.get('/openapi.json', () => openApiDocument);
  registerDashboardRoutes(app, options.dashboardDir === undefined ? {} : { dir: options.dashboardDir });
  app.addHook('onClose', () => engine.close());

  return { app, registry, engine, inference, access, routes, identity, audit, runs, policies, monitoring, ingest, deployments: deployments.service, autoscaler: deployments.autoscaler, alerts };
}

export type SlipwayApp = ReturnType<typeof createApp>;

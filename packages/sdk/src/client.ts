/**
 * The Slipway client: one typed method per route of the management, runs and Open
 * Inference Protocol APIs. Every failure is a `SlipwayError` — the server's own code and
 * message when it answered, `unavailable` when nothing answered.
 */
import {
  ApiPaths,
  type AliasesResponse,
  type AliasEvent,
  type AliasHistoryResponse,
  type AliasRecord,
  type CooldownResponse,
  ErrorCode,
  type InferRequest,
  type InferResponse,
  type LoadedVersionView,
  type ModelMetadataResponse,
  PACKAGE_CONTENT_TYPE,
  parsePipelineRef,
  type PipelineSummary,
  type PipelinesResponse,
  type PushResponse,
  type RunRequest,
  type RunResponse,
  type ServerMetadataResponse,
  type ServingModelsResponse,
  type SetAliasRequest,
  SlipwayError,
  TIMEOUT_HEADER,
  type VersionRecord,
  type VersionsResponse,
  type WarmupRequest,
} from '@slipway/core';
import { errorFromFetchFailure, errorFromResponse } from './api-error.js';
import { type ClientOptions, type ResolvedClientConfig, resolveClientOptions } from './client-options.js';
import { OipPaths } from './oip-paths.js';
import { type RunsClient, createRunsClient } from './runs-client.js';
import { type PoliciesClient, createPoliciesClient } from './policies-client.js';
import { type GovernanceClient, createGovernanceClient } from './governance-client.js';
import { type IngestClient, createIngestClient } from './ingest-client.js';
import { type MonitoringClient, createMonitoringClient } from './monitoring-client.js';
import { type DeploymentsClient, createDeploymentsClient } from './deployments-client.js';
import { type AlertsClient, type IncidentsClient, createAlertsClient, createIncidentsClient } from './alerts-client.js';

export interface HealthStatus {
  live: boolean;
  ready: boolean;
}

/** Per-run options of `run` and `infer`. */
export interface RunOptions {
  /**
   * Deadline for the run in ms, sent as the `x-slipway-timeout-ms` header: a run still
   * queued when it passes fails as `deadline_exceeded`. Default none (the pipeline's
   * `serving.queueTimeoutMs` still applies). The client's own `timeoutMs` bounds the
   * whole request either way.
   */
  timeoutMs?: number;
}

export interface WarmupOptions {
  /** How long to keep the version pinned. Default until `cooldown`. */
  durationSeconds?: number;
}

export interface SlipwayClient {
  readonly config: ResolvedClientConfig;
  /** Pushes a package tar (see `packPackage`); an identical package answers its existing version with `created: false`. */
  push(packageTar: Uint8Array): Promise<PushResponse>;
  listPipelines(): Promise<PipelineSummary[]>;
  getPipeline(name: string): Promise<PipelineSummary>;
  /** Newest first. */
  listVersions(name: string): Promise<VersionRecord[]>;
  /** The version a ref names: `name` (latest), `name:vN` or `name@alias`. */
  resolve(ref: string): Promise<VersionRecord>;
  listAliases(name: string): Promise<AliasRecord[]>;
  /** Points `name@alias` at a version: `3`, `"3"` or `"v3"`. */
  setAlias(name: string, alias: string, version: number | string): Promise<AliasRecord>;
  /** Oldest first. */
  aliasHistory(name: string, alias: string): Promise<AliasEvent[]>;
  run(request: RunRequest, options?: RunOptions): Promise<RunResponse>;
  /** OIP liveness and readiness; throws `unavailable` when nothing answers. */
  health(): Promise<HealthStatus>;
  serverMetadata(): Promise<ServerMetadataResponse>;
  modelMetadata(name: string, version?: string | number): Promise<ModelMetadataResponse>;
  /** True when the model can serve now. An unknown model throws `not_found` rather than answering false, so typos show. */
  modelReady(name: string, version?: string | number): Promise<boolean>;
  infer(name: string, request: InferRequest, version?: string | number, options?: RunOptions): Promise<InferResponse>;
  /** Loads the version a ref names (`name` is the latest) and keeps it loaded: for `durationSeconds`, or until `cooldown`. */
  warmup(ref: string, options?: WarmupOptions): Promise<LoadedVersionView>;
  /** Releases the pin on the version a ref names and unloads it. */
  cooldown(ref: string): Promise<CooldownResponse>;
  /** The loaded versions and the memory budget they share. */
  servingModels(): Promise<ServingModelsResponse>;
  /** The server's Prometheus metrics, as text. */
  metrics(): Promise<string>;
  /** Async runs (submit, get, list, cancel, wait) and streaming runs. */
  readonly runs: RunsClient;
  /** Governance policies, approvals, exceptions and compliance reports. */
  readonly policies: PoliciesClient;
  /** Identities, projects, members, tokens and the audit log. */
  readonly governance: GovernanceClient;
  /** The prediction log, feedback (ground truth) and business KPIs. */
  readonly ingest: IngestClient;
  /** Monitoring analysis: metrics for every chart, drift, reference profiles. */
  readonly monitoring: MonitoringClient;
  /** Environments, deployments and rollouts. */
  readonly deployments: DeploymentsClient;
  /** Alert rules, alerts and notification channels. */
  readonly alerts: AlertsClient;
  /** Incidents: list, show, acknowledge, resolve, notes, owners. */
  readonly incidents: IncidentsClient;
}

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Sent as JSON unless it is bytes. */
  body?: unknown;
  /** Extra headers; an `accept` here replaces the default `application/json`. */
  headers?: Record<string, string>;
}

/** The header that carries a run's deadline; the server reads it in `run-controls.ts`. */

/** Splits a ref into the pipeline name and the `version` a warmup or cooldown body takes. */
function servingTarget(ref: string): { name: string; body: Pick<WarmupRequest, 'version'> } {
  const { name, selector } = parsePipelineRef(ref, 'ref');
  switch (selector.kind) {
    case 'latest':
      return { name, body: {} };
    case 'version':
      return { name, body: { version: selector.version } };
    case 'alias':
      return { name, body: { version: `@${selector.alias}` } };
  }
}

/** Creates a client; unset options come from `env` (`SLIPWAY_SERVER`, `SLIPWAY_TOKEN`), see `ClientOptions`. */
export function createClient(options: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): SlipwayClient {
  const config = resolveClientOptions(options, env);

  async function send(call: Call): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    if (config.token !== undefined) headers.authorization = `Bearer ${config.token}`;
    let body: Uint8Array | string | undefined;
    if (call.body instanceof Uint8Array) {
      headers['content-type'] = PACKAGE_CONTENT_TYPE;
      body = call.body;
    } else if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    try {
      return await config.fetch(`${config.server}${call.path}`, {
        method: call.method,
        headers,
        body,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (error) {
      throw errorFromFetchFailure(error, config.server, config.timeoutMs);
    }
  }

  async function readBody(response: Response): Promise<unknown> {
    const text = await response.text();
    try {
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return text;
    }
  }

  async function json<T>(call: Call): Promise<T> {
    const response = await send(call);
    const body = await readBody(response);
    if (!response.ok) throw errorFromResponse(response.status, response.statusText, body);
    if (typeof body !== 'object' || body === null) {
      throw new SlipwayError(ErrorCode.internal, `${call.method} ${call.path} on ${config.server} answered ${response.status} without a JSON body; is that a Slipway server?`);
    }
    return body as T;
  }

  async function text(call: Call): Promise<string> {
    const response = await send(call);
    if (!response.ok) throw errorFromResponse(response.status, response.statusText, await readBody(response));
    return response.text();
  }

  const runHeaders = (options: RunOptions | undefined): Record<string, string> =>
    options?.timeoutMs === undefined ? {} : { [TIMEOUT_HEADER]: String(options.timeoutMs) };

  // OIP answers health and readiness with the status code (200 true, anything else
  // false); a body of `{ready: false}` is honoured too.
  async function ok(path: string): Promise<boolean> {
    const response = await send({ method: 'GET', path });
    const body = await readBody(response);
    if (response.status === 404) throw errorFromResponse(response.status, response.statusText, body);
    const flags = typeof body === 'object' && body !== null ? (body as { live?: unknown; ready?: unknown }) : {};
    return response.ok && flags.live !== false && flags.ready !== false;
  }

  return {
    config,
    push: (packageTar) => json<PushResponse>({ method: 'POST', path: ApiPaths.push, body: packageTar }),
    listPipelines: async () => (await json<PipelinesResponse>({ method: 'GET', path: ApiPaths.pipelines })).pipelines,
    getPipeline: (name) => json<PipelineSummary>({ method: 'GET', path: ApiPaths.pipeline(name) }),
    listVersions: async (name) => (await json<VersionsResponse>({ method: 'GET', path: ApiPaths.versions(name) })).versions,
    resolve: (ref) => json<VersionRecord>({ method: 'GET', path: ApiPaths.resolve(ref) }),
    listAliases: async (name) => (await json<AliasesResponse>({ method: 'GET', path: ApiPaths.aliases(name) })).aliases,
    setAlias: (name, alias, version) =>
      json<AliasRecord>({ method: 'PUT', path: ApiPaths.alias(name, alias), body: { version } satisfies SetAliasRequest }),
    aliasHistory: async (name, alias) => (await json<AliasHistoryResponse>({ method: 'GET', path: ApiPaths.aliasHistory(name, alias) })).history,
    run: (request, options) => json<RunResponse>({ method: 'POST', path: ApiPaths.runs, body: request, headers: runHeaders(options) }),
    health: async () => {
      const [live, ready] = await Promise.all([ok(OipPaths.live), ok(OipPaths.ready)]);
      return { live, ready };
    },
    serverMetadata: () => json<ServerMetadataResponse>({ method: 'GET', path: OipPaths.server }),
    modelMetadata: (name, version) => json<ModelMetadataResponse>({ method: 'GET', path: OipPaths.model(name, version) }),
    modelReady: (name, version) => ok(OipPaths.modelReady(name, version)),
    infer: (name, request, version, options) =>
      json<InferResponse>({ method: 'POST', path: OipPaths.infer(name, version), body: request, headers: runHeaders(options) }),
    warmup: async (ref, options = {}) => {
      const { name, body } = servingTarget(ref);
      return json<LoadedVersionView>({ method: 'POST', path: ApiPaths.warmup(name), body: { ...body, ...options } satisfies WarmupRequest });
    },
    cooldown: async (ref) => {
      const { name, body } = servingTarget(ref);
      return json<CooldownResponse>({ method: 'POST', path: ApiPaths.cooldown(name), body });
    },
    servingModels: () => json<ServingModelsResponse>({ method: 'GET', path: ApiPaths.servingModels }),
    metrics: () => text({ method: 'GET', path: ApiPaths.metrics, headers: { accept: 'text/plain' } }),
    runs: createRunsClient({ json, send }),
    policies: createPoliciesClient({ json, send }),
    governance: createGovernanceClient({ json }),
    ingest: createIngestClient({ json, send }),
    monitoring: createMonitoringClient({ json }),
    deployments: createDeploymentsClient({ json }),
    alerts: createAlertsClient({ json }),
    incidents: createIncidentsClient({ json }),
  };
}

/**
 * The HTTP wire contract shared by the server and the SDK. Paths are listed once here so
 * a route and its client cannot drift apart.
 *
 * Management and runs routes answer errors as `{ error: ApiErrorBody }`; the Open
 * Inference Protocol routes answer `{ error: "message" }` as that spec requires.
 */
import type { Datatype, TensorSpec } from './datatypes.js';
import type { JsonTensor } from './tensor-codec.js';
import type { AliasEvent, AliasRecord, PipelineSummary, VersionRecord } from './records.js';
import type { ClassPrediction } from './tabular.js';
import type { RunRecord } from './ports-runs.js';
import { GovernancePaths } from './api-governance.js';

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  requestId: string;
}

/** Content type of a pushed package: an uncompressed tar of the package folder. */
export const PACKAGE_CONTENT_TYPE = 'application/x-tar';

/** Header carrying a run's deadline in milliseconds; a run still queued when it passes is answered 504. */
export const TIMEOUT_HEADER = 'x-slipway-timeout-ms';

export const ApiPaths = {
  /** POST, body: tar of the package (`PACKAGE_CONTENT_TYPE`) → 201 `PushResponse` (200 when identical content already existed). */
  push: '/v1/pipelines',
  /** GET → `{ pipelines: PipelineSummary[] }` */
  pipelines: '/v1/pipelines',
  /** GET → `PipelineSummary` */
  pipeline: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}`,
  /** GET → `{ versions: VersionRecord[] }`, newest first */
  versions: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/versions`,
  /** GET → `VersionRecord` for any ref: `name`, `name:vN`, `name@alias` */
  resolve: (ref: string) => `/v1/versions/${encodeURIComponent(ref)}`,
  /** GET → `{ aliases: AliasRecord[] }` */
  aliases: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/aliases`,
  /** PUT `{ version }` → `AliasRecord` */
  alias: (name: string, alias: string) => `/v1/pipelines/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}`,
  /** GET → `{ history: AliasEvent[] }`, oldest first */
  aliasHistory: (name: string, alias: string) =>
    `/v1/pipelines/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}/history`,
  /** POST `RunRequest` → `RunResponse` (sync), 202 `RunRecord` (async) or `text/event-stream` (stream); GET `?pipeline=&state=&limit=` → `RunsResponse` */
  runs: '/v1/runs',
  /** GET → `RunRecord`; DELETE → the cancelled `RunRecord` (409 when it already finished) */
  run: (id: string) => `/v1/runs/${encodeURIComponent(id)}`,
  /** GET `?since=&until=&version=&limit=&after=&format=json|jsonl` → `PredictionsResponse`, or JSON lines (one flat row each) */
  predictions: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/predictions`,
  /** POST `FeedbackRequest` → `FeedbackResponse` */
  feedback: '/v1/feedback',
  /** POST `KpiRequest` → `KpiPushResponse`; GET `?name=&pipeline=&from=&to=&window=` → `KpiSeriesResponse` (no name: `KpiNamesResponse`) */
  kpis: '/v1/kpis',
  /** POST `WarmupRequest` (auth) → `LoadedVersionView`: loads the version and pins it. */
  warmup: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/warmup`,
  /** POST `{ version? }` (auth) → `CooldownResponse`: unpins the version and unloads it. */
  cooldown: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/cooldown`,
  /** GET `?metric=&window=&from=&to=&version=&kpi=` → `MetricsResponse`: every monitoring chart's series. */
  monitoringMetrics: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/metrics`,
  /** GET `?window=&version=` → `DriftResponse`: the latest window's drift with histogram pairs. */
  drift: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/drift`,
  /** GET `?version=` → `ProfileResponse`; POST `ProfileRequest` (auth) → `ProfileResponse`, recomputed from the CSV. */
  profile: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/profile`,
  /** GET → `ServingModelsResponse` */
  servingModels: '/v1/serving/models',
  /** GET → `EnvironmentsResponse`; POST `{ name, description? }` (auth) → 201 `EnvironmentRecord` */
  environments: '/v1/environments',
  /** GET → `DeploymentsResponse`; POST `DeploymentRequest` (auth) → `DeploymentView` (creates or replaces) */
  deployments: '/v1/deployments',
  /** GET → `DeploymentView`; DELETE (auth) → `{ pipeline, environment, deleted }` */
  deployment: (pipeline: string, environment: string) => `/v1/deployments/${encodeURIComponent(pipeline)}/${encodeURIComponent(environment)}`,
  /** GET → `RolloutStatusResponse`; POST `RolloutRequest` (auth) → `DeploymentView` */
  rollout: (pipeline: string, environment: string) => `/v1/deployments/${encodeURIComponent(pipeline)}/${encodeURIComponent(environment)}/rollout`,
  /** POST (auth) → `DeploymentView`: `promote` or `abort` the running rollout */
  rolloutAction: (pipeline: string, environment: string, action: 'promote' | 'abort') =>
    `/v1/deployments/${encodeURIComponent(pipeline)}/${encodeURIComponent(environment)}/rollout/${action}`,
  /** GET → Prometheus text format, metric names prefixed `slipway_` */
  metrics: '/metrics',
  /** GET → `PoliciesResponse` */
  policies: '/v1/policies',
  /** GET → `PolicyRecord` (latest); PUT `ApplyPolicyRequest` (administer) → `ApplyPolicyResponse` (201 new version, 200 unchanged) */
  policy: (name: string) => `/v1/policies/${encodeURIComponent(name)}`,
  /** GET → `PolicyHistoryResponse`, oldest first */
  policyHistory: (name: string) => `/v1/policies/${encodeURIComponent(name)}/history`,
  /** GET `?pipeline=` → `PolicyExceptionsResponse`; POST `ProposeExceptionRequest` (administer) → 201 `PolicyExceptionRecord` */
  policyExceptions: '/v1/policies/exceptions',
  /** POST (approve; not its proposer) → `PolicyExceptionRecord` */
  approveException: (id: string) => `/v1/policies/exceptions/${encodeURIComponent(id)}/approve`,
  /** GET → `ApprovalsResponse`; POST `{ comment? }` (approve; not the pusher) → `ApproveResponse` (201, 200 when repeated) */
  approvals: (ref: string) => `/v1/versions/${encodeURIComponent(ref)}/approvals`,
  /** GET `?env=` → `PolicyCheckResponse`: every rule per environment, with evidence and fixes */
  versionPolicy: (ref: string) => `/v1/versions/${encodeURIComponent(ref)}/policy`,
  /** GET `?format=json|html|pdf` → the compliance report (`ComplianceReportJson` for json) */
  report: (ref: string) => `/v1/versions/${encodeURIComponent(ref)}/report`,
  /** GET `?format=json|html|pdf` → the compliance report of the version a deployment serves */
  deploymentReport: (pipeline: string, environment: string) => `/v1/deployments/${encodeURIComponent(pipeline)}/${encodeURIComponent(environment)}/report`,
  openapi: '/openapi.json',
  ...GovernancePaths,
  /** GET `?state=&pipeline=&limit=` → `AlertsResponse`, newest first */
  alerts: '/v1/alerts',
  /** POST (operate) → `EvaluationReport`: evaluates every alert rule now */
  alertsEvaluate: '/v1/alerts/evaluate',
  /** GET `?pipeline=` → `AlertRulesResponse`; PUT `{rules}` or `{yaml}` (operate) → `AlertRulesResponse` (created or replaced by pipeline + name); DELETE `/{pipeline}/{name}` → `{pipeline, name, deleted}` */
  alertRules: '/v1/alerts/rules',
  alertRule: (pipeline: string, name: string) => `/v1/alerts/rules/${encodeURIComponent(pipeline)}/${encodeURIComponent(name)}`,
  /** GET → `ChannelsResponse` (secrets redacted); POST `ChannelInput` (operate) → 201 `ChannelRecord`; DELETE `/{id}` → `{id, deleted}` */
  alertChannels: '/v1/alerts/channels',
  alertChannel: (id: string) => `/v1/alerts/channels/${encodeURIComponent(id)}`,
  /** POST (operate) → `NotificationRecord` of one test delivery */
  alertChannelTest: (id: string) => `/v1/alerts/channels/${encodeURIComponent(id)}/test`,
  /** GET `?limit=` → `NotificationsResponse`, newest first */
  alertChannelNotifications: (id: string) => `/v1/alerts/channels/${encodeURIComponent(id)}/notifications`,
  /** GET `?state=&pipeline=&limit=` → `IncidentsResponse` */
  incidents: '/v1/incidents',
  /** GET → `IncidentView`; POST `/ack`, `/resolve` `{note?}`, `/notes` `{text}`, `/assign` `{owner}` (operate) */
  incident: (id: string) => `/v1/incidents/${encodeURIComponent(id)}`,
  /** GET → `{rules}`; PUT `{rules}` (operate): the rules that classify incidents into experience areas */
  incidentClassification: '/v1/incidents/classification',
} as const;

export interface PushResponse {
  ref: string;
  created: boolean;
  version: VersionRecord;
}

export interface PipelinesResponse {
  pipelines: PipelineSummary[];
}
export interface VersionsResponse {
  versions: VersionRecord[];
}
export interface AliasesResponse {
  aliases: AliasRecord[];
}
export interface AliasHistoryResponse {
  history: AliasEvent[];
}
export interface SetAliasRequest {
  /** `3`, `"3"` or `"v3"`. */
  version: number | string;
}

/**
 * A run. `inputs` is, for a pipeline with tabular features, one record (object) or a list
 * of records; otherwise an object mapping each model input name to nested arrays (shape
 * taken from the nesting, datatype from the signature) or to `{shape, datatype?, data}`.
 */
export interface RunRequest {
  pipeline: string;
  inputs: unknown;
  /** `sync` (default) answers the outputs; `async` answers 202 with a run record to poll; `stream` answers server-sent events. */
  mode?: 'sync' | 'async' | 'stream';
  /** Async only: where to POST the finished run record, signed (see `CALLBACK_SIGNATURE_HEADER`). */
  callbackUrl?: string;
}

/** `GET /v1/runs` answer, newest first. */
export interface RunsResponse {
  runs: RunRecord[];
}

/** Headers of a run callback: HMAC-SHA256 (hex) of `${timestamp}.${body}` with the server's callback secret, as `v1=<hex>`. */
export const CALLBACK_SIGNATURE_HEADER = 'x-slipway-signature';
/** Unix seconds when the callback was signed; refuse old ones to stop replays. */
export const CALLBACK_TIMESTAMP_HEADER = 'x-slipway-timestamp';

/** One server-sent event of a streaming run: `output` (a partial), then `done` (the run record) or `error`. */
export type RunStreamEvent =
  | { event: 'output'; data: RunStreamOutput }
  | { event: 'done'; data: RunRecord }
  | { event: 'error'; data: { code: string; message: string; run?: RunRecord } };

/** A partial result: the outputs of records `[from, from + count)` of the inputs. */
export interface RunStreamOutput {
  from: number;
  count: number;
  version: number;
  outputs: Record<string, unknown>;
  predictions?: ClassPrediction[];
}

export interface RunResponse {
  id: string;
  pipeline: string;
  version: number;
  ref: string;
  /** Each output as nested arrays following its shape. */
  outputs: Record<string, unknown>;
  /** Present when the manifest declares `outputs.classLabels` and a probabilities output. */
  predictions?: ClassPrediction[];
  timings: { totalMs: number };
}

/** Body of a warmup; cooldown takes `version` only. */
export interface WarmupRequest {
  /** `"v3"`, `3` or `"@production"`. Default the latest version. */
  version?: string | number;
  /** How long to keep the version pinned. Default until cooldown. */
  durationSeconds?: number;
}

/** A version loaded in the serving engine. */
export interface LoadedVersionView {
  pipeline: string;
  version: number;
  /** Where it runs: `inline` (the HTTP thread) or `thread-N` (a worker thread). */
  host: string;
  /** Its measured memory. */
  bytes: number;
  loadMs: number;
  /** The warm-up inference run after loading. */
  warmupMs: number;
  hits: number;
  /** An ISO time while pinned for a duration, `"cooldown"` while pinned until cooldown, null when not pinned. */
  pinnedUntil: string | null;
}

export interface ServingModelsResponse {
  /** The memory budget for loaded versions (`SLIPWAY_MODEL_MEMORY`). */
  budgetBytes: number;
  usedBytes: number;
  models: LoadedVersionView[];
}

export interface CooldownResponse {
  pipeline: string;
  version: number;
  /** Still loaded after the cooldown. */
  loaded: boolean;
}

/** Open Inference Protocol bodies. */
export interface InferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: JsonTensor[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}
export interface InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  parameters?: Record<string, unknown>;
  outputs: JsonTensor[];
}
export interface OipTensorMetadata {
  name: string;
  datatype: Datatype;
  shape: number[];
}
export interface ModelMetadataResponse {
  name: string;
  versions: string[];
  platform: string;
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}
export interface ServerMetadataResponse {
  name: string;
  version: string;
  extensions: string[];
}

export function oipTensorMetadata(spec: TensorSpec): OipTensorMetadata {
  return { name: spec.name, datatype: spec.datatype, shape: spec.shape };
}

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
  /** POST `RunRequest` → `RunResponse` */
  runs: '/v1/runs',
  /** POST `WarmupRequest` (auth) → `LoadedVersionView`: loads the version and pins it. */
  warmup: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/warmup`,
  /** POST `{ version? }` (auth) → `CooldownResponse`: unpins the version and unloads it. */
  cooldown: (name: string) => `/v1/pipelines/${encodeURIComponent(name)}/cooldown`,
  /** GET → `ServingModelsResponse` */
  servingModels: '/v1/serving/models',
  /** GET → Prometheus text format, metric names prefixed `slipway_` */
  metrics: '/metrics',
  openapi: '/openapi.json',
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
  /** Only `sync` in this version. */
  mode?: 'sync';
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

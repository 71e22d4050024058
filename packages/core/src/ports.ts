/**
 * The small interfaces that adapters implement: metadata (SQLite, PostgreSQL), artifacts
 * (local disk, later S3) and model runtimes (onnxruntime, later Python/Node). Each has
 * one contract test suite that every implementation runs.
 */
import type { ModelSignature, Tensor } from './datatypes.js';
import type { AliasEvent, AliasRecord, NewVersion, PipelineSummary, TokenRecord, VersionRecord } from './records.js';
import type { RunStore } from './ports-runs.js';
import type { GovernanceStore } from './ports-governance.js';
import type { ProfilesStore } from './ports-profiles.js';
import type { DeploymentStore } from './ports-deployments.js';
import type { PolicyStore } from './ports-policies.js';
import type { MonitoringStore } from './ports-monitoring.js';
import type { AlertsStore } from './ports-alerts.js';

export interface MetadataStore extends RunStore, ProfilesStore, DeploymentStore, GovernanceStore, PolicyStore, MonitoringStore, AlertsStore {
  /** Which backend this is, for logs and `/v2` metadata. */
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending schema migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Stores a new version under the next free number of its pipeline (creating the
   * pipeline if needed). If a version with the same digest exists in that pipeline, it is
   * returned instead and `created` is false. Concurrent calls get distinct numbers.
   */
  createVersion(input: NewVersion): Promise<{ version: VersionRecord; created: boolean }>;
  getVersion(pipeline: string, version: number): Promise<VersionRecord | undefined>;
  latestVersion(pipeline: string): Promise<VersionRecord | undefined>;
  /** Newest first. */
  listVersions(pipeline: string): Promise<VersionRecord[]>;
  getPipeline(name: string): Promise<PipelineSummary | undefined>;
  listPipelines(): Promise<PipelineSummary[]>;

  /** Points an alias at an existing version and appends to its history, atomically. */
  setAlias(input: { pipeline: string; alias: string; version: number; actor: string }): Promise<AliasRecord>;
  getAlias(pipeline: string, alias: string): Promise<AliasRecord | undefined>;
  listAliases(pipeline: string): Promise<AliasRecord[]>;
  /** Oldest first. */
  aliasHistory(pipeline: string, alias: string): Promise<AliasEvent[]>;

  createToken(token: TokenRecord): Promise<void>;
  findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  countTokens(): Promise<number>;
}

export interface ArtifactStore {
  /** Stores bytes under their sha256; returns `sha256:<hex>`. Idempotent. */
  put(bytes: Uint8Array): Promise<{ digest: string; size: number }>;
  /** Reads bytes and verifies them against the digest; throws `ArtifactCorruptedError` on mismatch. */
  get(digest: string): Promise<Uint8Array>;
  has(digest: string): Promise<boolean>;
}

/** A loaded copy of a model, ready to execute runs. */
export interface ModelInstance {
  metadata(): ModelSignature;
  /** Runs the model; `outputs` limits which outputs are computed (default all). */
  infer(inputs: ReadonlyMap<string, Tensor>, outputs?: readonly string[]): Promise<Map<string, Tensor>>;
  /** Releases the model's memory; later calls to `infer` fail. */
  unload(): Promise<void>;
}

export interface ModelRuntime {
  readonly kind: string;
  /** Loads model bytes; throws `InvalidPackageError` when they are not a loadable model. */
  load(model: Uint8Array): Promise<ModelInstance>;
}

/** The registry's records: pipelines, versions with lineage, aliases and their history. */
import type { Role } from './permissions.js';
import type { ModelSignature } from './datatypes.js';
import type { Manifest } from './manifest.js';

/** One file of a version, content-addressed. */
export interface ArtifactRef {
  /** Path inside the package, `/`-separated. */
  path: string;
  /** `sha256:<hex>` of the file's bytes. */
  digest: string;
  size: number;
}

export interface Lineage {
  codeCommit?: string;
  codeRepository?: string;
  dataset?: { uri: string; digest?: string };
  parameters: Record<string, string | number | boolean>;
  metrics: Record<string, number>;
  /** The version this one retrains, e.g. `credit-risk:v3`. */
  retrains?: string;
  /** The incident that led to it. */
  incident?: string;
}

export interface VersionRecord {
  pipeline: string;
  version: number;
  /** `sha256:<hex>` over the manifest and every artifact digest: identical pushes share it. */
  digest: string;
  manifest: Manifest;
  signature: ModelSignature;
  artifacts: ArtifactRef[];
  lineage: Lineage;
  createdBy: string;
  /** ISO-8601 timestamp. */
  createdAt: string;
}

/** What a push hands to the store; the store assigns `version`. */
export type NewVersion = Omit<VersionRecord, 'version'>;

export interface AliasRecord {
  pipeline: string;
  alias: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

/** One move of an alias; `fromVersion` is absent when the alias was created. */
export interface AliasEvent {
  pipeline: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number;
  actor: string;
  at: string;
}

export interface PipelineSummary {
  name: string;
  description: string | null;
  latestVersion: number;
  versionCount: number;
  aliases: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

/** An API token as stored: only its hash, never the secret. */
export interface TokenRecord {
  id: string;
  name: string;
  /** `sha256:<hex>` of the secret. */
  hash: string;
  role: Role;
  createdAt: string;
}

/**
 * The seams of the serving engine. A request for a version goes:
 *   engine → model cache (load on demand within a memory budget, LRU eviction, pins)
 *          → dispatcher (per-version queue, dynamic batching, concurrency, timeouts)
 *          → model host (where the loaded model lives: the main thread, or a worker thread)
 * Each piece is small and replaceable; pure decisions (batch planning, placement,
 * eviction choice) are functions of their inputs.
 */
import type { ModelSignature, Tensor, VersionRecord } from '@slipway/core';

/** Identifies a loaded version: `credit-risk:3`. */
export type VersionKey = string;

export const versionKey = (r: Pick<VersionRecord, 'pipeline' | 'version'>): VersionKey => `${r.pipeline}:${r.version}`;

/**
 * Identifies one loaded copy of a version: replica 0 is the version's own key (a version
 * with one replica is what it always was), replica 2 of `credit-risk:3` is `credit-risk:3#2`.
 */
export const replicaKey = (r: Pick<VersionRecord, 'pipeline' | 'version'>, replica = 0): VersionKey => (replica === 0 ? versionKey(r) : `${versionKey(r)}#${replica}`);

/** The version key of a replica key. */
export const baseKey = (key: VersionKey): VersionKey => {
  const hash = key.indexOf('#');
  return hash < 0 ? key : key.slice(0, hash);
};

/** What one run asks of a dispatcher or a host. */
export interface RunInputs {
  inputs: ReadonlyMap<string, Tensor>;
  /** Outputs wanted; undefined means all. */
  outputs?: readonly string[];
}

/** Where the time of one request went, in milliseconds. */
export interface RunTimings {
  /** Waiting for an execution slot. */
  queueMs: number;
  /** Waiting for other requests to join the batch. */
  batchWaitMs: number;
  /** The model execution the request was part of. */
  computeMs: number;
  /** Rows in that execution (1 request may share it with others). */
  batchRows: number;
}

export interface RunResult {
  outputs: Map<string, Tensor>;
  timings: RunTimings;
}

/** Per-request controls. */
export interface RunControls {
  /** Epoch ms after which the request is abandoned (`deadline_exceeded`). */
  deadline?: number;
  /** Aborted when the caller goes away: a queued request leaves the queue at once. */
  signal?: AbortSignal;
}

/**
 * A place where loaded models live and run. `InlineHost` runs them on the calling thread;
 * a thread host runs them on a worker thread, so heavy models don't block HTTP.
 */
export interface ModelHost {
  readonly id: string;
  /** Loads the bytes under `key`, runs one warm-up inference, and reports what it cost. */
  load(key: VersionKey, model: Uint8Array): Promise<LoadReport>;
  infer(key: VersionKey, run: RunInputs): Promise<Map<string, Tensor>>;
  /** Frees the version's memory once its in-flight runs finish. */
  unload(key: VersionKey): Promise<void>;
  close(): Promise<void>;
}

export interface LoadReport {
  signature: ModelSignature;
  /** Session creation time. */
  loadMs: number;
  /** Warm-up inference time: a first estimate of compute cost per run. */
  warmupMs: number;
}

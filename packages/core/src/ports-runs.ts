/**
 * Run records: what `/v1/runs` keeps about an async or streaming run, and the store
 * methods that make the async queue durable. The queue lives in the metadata store so a
 * run accepted with 202 survives a restart; `claimRun` hands a run to exactly one
 * executor under a lease, so two servers on one PostgreSQL never run it twice.
 */

export const RunState = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;
export type RunState = (typeof RunState)[keyof typeof RunState];

/** States a run never leaves. */
export const FINISHED_RUN_STATES: readonly RunState[] = [RunState.completed, RunState.failed, RunState.cancelled];

/** Why a run failed, coarser than error codes: what a caller can act on. See `runErrorClassOf` in the server. */
export const RunErrorClass = {
  /** The inputs do not fit the version's signature, or the reference names nothing. */
  inputError: 'input_error',
  /** The model failed while executing. */
  pipelineError: 'pipeline_error',
  /** The model ran out of memory. */
  oom: 'oom',
  /** A deadline or queue timeout passed. */
  timeout: 'timeout',
  /** The server could not run it now (overloaded, shutting down). */
  unavailable: 'unavailable',
  internal: 'internal',
} as const;
export type RunErrorClass = (typeof RunErrorClass)[keyof typeof RunErrorClass];

export type RunMode = 'async' | 'stream';

export interface RunError {
  class: RunErrorClass;
  /** The `ErrorCode` it came from. */
  code: string;
  message: string;
}

/** One delivery attempt of a run's callback. */
export interface CallbackAttempt {
  attempt: number;
  /** ISO-8601 time the attempt started. */
  at: string;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why it failed without an answer (refused, timeout, disallowed address). */
  error?: string;
  ms: number;
}

export type CallbackState = 'pending' | 'delivered' | 'failed';

export interface RunCallback {
  url: string;
  state: CallbackState;
  attempts: CallbackAttempt[];
}

export interface RunTimings {
  /** ISO-8601 times. */
  enqueuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** From enqueued to (last) started, and the execution itself, in milliseconds. */
  queueMs: number | null;
  computeMs: number | null;
}

/** What `GET /v1/runs/{id}` answers. */
export interface RunRecord {
  id: string;
  mode: RunMode;
  state: RunState;
  /** The pipeline name and the reference as submitted (`credit-risk@production`). */
  pipeline: string;
  ref: string;
  /** The version that served it, once known. */
  version: number | null;
  /** The deployment environment asked for (`x-slipway-environment`, `?env=`), and the caller's sticky key; null when not given. */
  environment: string | null;
  callerKey: string | null;
  /** The inputs as submitted; null when over the record size cap (`inputsTruncated`). */
  inputs: unknown;
  inputsTruncated: boolean;
  /** `{outputs, predictions?}` as a sync run answers them; null until completed or when over the cap. */
  outputs: unknown;
  outputsTruncated: boolean;
  error: RunError | null;
  callback: RunCallback | null;
  timings: RunTimings;
  /** Times an executor started it (more than 1 after a restart or an expired lease). */
  executions: number;
  createdBy: string;
}

/** A run as submitted. `inputs` are kept whole until it finishes: a restarted server needs them. */
export interface NewRun {
  id: string;
  mode: RunMode;
  state: RunState;
  pipeline: string;
  ref: string;
  inputs: unknown;
  callbackUrl: string | null;
  createdBy: string;
  enqueuedAt: string;
  /** Deployment routing as submitted, so a run executed later (or after a restart) is routed the same way. */
  environment?: string | null;
  callerKey?: string | null;
}

/** How a run ended, written by `finishRun`. */
export interface RunOutcome {
  state: 'completed' | 'failed' | 'cancelled';
  version: number | null;
  outputs: unknown;
  error: RunError | null;
  finishedAt: string;
  computeMs: number | null;
  /** Past this many bytes of JSON, inputs and outputs are dropped from the record (flagged truncated). */
  maxRecordBytes: number;
}

export interface RunListQuery {
  pipeline?: string;
  state?: RunState;
  /** Newest first, at most this many. */
  limit: number;
}

export interface RunStore {
  createRun(run: NewRun): Promise<RunRecord>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(query: RunListQuery): Promise<RunRecord[]>;
  /**
   * Takes the oldest async run that is queued, or running under a lease that expired
   * before `now` (its server died), marks it running for `owner` until `leaseUntil`, and
   * returns it with its whole inputs. Concurrent claims never get the same run.
   */
  claimRun(claim: { owner: string; now: string; leaseUntil: string }): Promise<RunRecord | undefined>;
  /** Extends the lease; false when the run is no longer running for `owner` (cancelled, or claimed by another). */
  renewRunLease(id: string, owner: string, leaseUntil: string): Promise<boolean>;
  /** Puts a running run back in the queue (graceful shutdown); false when `owner` no longer holds it. */
  releaseRun(id: string, owner: string): Promise<boolean>;
  /** Writes the outcome when `owner` still holds the run (null owner: a run no executor holds, e.g. a stream); else undefined. */
  finishRun(id: string, owner: string | null, outcome: RunOutcome): Promise<RunRecord | undefined>;
  /** Queued or running → cancelled; undefined when the run is unknown, the unchanged record when it had finished. */
  cancelRun(id: string, at: string): Promise<{ record: RunRecord; cancelled: boolean } | undefined>;
  updateRunCallback(id: string, callback: RunCallback): Promise<void>;
  /** Finished runs whose callback is still `pending` (the server stopped while delivering). */
  pendingCallbacks(limit: number): Promise<RunRecord[]>;
}

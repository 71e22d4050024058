/**
 * What the data plane tells observers about every finished run (success or failure):
 * the prediction log, rollout statistics and operational metrics all listen here
 * instead of wrapping the inference path. Observers are called synchronously on the
 * request path, so they must only enqueue; any I/O happens later, off the path.
 */
import type { Tensor } from './datatypes.js';
import type { ErrorCode } from './errors.js';
import type { VersionRecord } from './records.js';

export interface RunEvent {
  /** The run id of `/v1/runs`, or the request id for OIP calls. */
  runId: string;
  /** The caller's own id for this prediction (OIP `id`, runs `predictionId`), used to join feedback. */
  predictionId?: string;
  record: VersionRecord;
  surface: 'oip' | 'runs';
  inputs: ReadonlyMap<string, Tensor>;
  /** Absent when the run failed. */
  outputs?: ReadonlyMap<string, Tensor>;
  /** The error code when the run failed after its version was resolved. */
  error?: ErrorCode;
  /** Epoch milliseconds when the request reached the data plane. */
  startedAt: number;
  /** Wall time from arrival to answer, in milliseconds. */
  latencyMs: number;
  /** Time spent waiting in the version's queue, and executing (its batch), when it ran. */
  queueMs?: number;
  computeMs?: number;
  /** Who called, when the request was authenticated. */
  caller?: string;
}

export type RunObserver = (event: RunEvent) => void;

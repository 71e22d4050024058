/** The `runs` table (migrations-runs.ts): run records and the durable async queue. */

export interface RunsTable {
  id: string;
  mode: 'async' | 'stream';
  state: string;
  pipeline: string;
  ref: string;
  version: number | null;
  environment: string | null;
  caller_key: string | null;
  /** JSON text; whole while the run is pending, null once finished when over the record cap. */
  inputs: string | null;
  /** 0 or 1. */
  inputs_truncated: number;
  outputs: string | null;
  outputs_truncated: number;
  /** JSON text of `RunError`. */
  error: string | null;
  callback_url: string | null;
  callback_state: string | null;
  /** JSON text of `CallbackAttempt[]`. */
  callback_attempts: string | null;
  created_by: string;
  enqueued_at: string;
  started_at: string | null;
  finished_at: string | null;
  queue_ms: number | null;
  compute_ms: number | null;
  executions: number;
  lease_owner: string | null;
  lease_expires_at: string | null;
}

export interface RunTables {
  runs: RunsTable;
}

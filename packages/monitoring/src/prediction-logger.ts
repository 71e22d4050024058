/**
 * The prediction log's writer: a `RunObserver` that samples runs, queues them and,
 * off the request path, decodes them to rows (`runRows`) and writes them in batches.
 * The queue is bounded: when the store cannot keep up, new runs are dropped and counted
 * rather than slowing serving or growing memory. Failed writes are reported and counted,
 * never thrown. Operational metrics windows come from every run, sampled or not.
 */
import type { MonitoringStore, PredictionRecord, RunEvent, RunObserver, VersionRecord } from '@slipway/core';
import { type OpsAggregator, createOpsAggregator } from './ops-windows.js';
import { runRows } from './run-rows.js';

/** Share of runs logged when the manifest sets no `monitoring.sampleRate`. */
export const DEFAULT_SAMPLE_RATE = Object.freeze({
  tabular: 1,
  /**
   * Tensor pipelines: 10 %. Their rows are summaries of every element of every input
   * (images, embeddings), so the cost grows with the input size; a tenth of the traffic
   * still gives stable per-window statistics at any real rate.
   */
  tensor: 0.1,
});

export type DropReason = 'queue_full' | 'write_failed';

export interface PredictionLoggerOptions {
  store: Pick<MonitoringStore, 'appendPredictions' | 'appendOpsWindows'>;
  /** Rows per store write. Default 500. */
  batchSize?: number;
  /** Longest a logged run waits before it is written. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Most rows waiting to be written; runs beyond are dropped and counted. Default 50 000. */
  maxQueuedRows?: number;
  /** How often closed operational windows are written. Default 10 000 ms. */
  opsFlushIntervalMs?: number;
  /** Operational window length. Default 60 000 ms. */
  opsWindowMs?: number;
  /** Uniform [0, 1) for sampling; tests pass their own. Default `Math.random`. */
  random?: () => number;
  now?: () => number;
  /** Called with the number of rows lost and why (queue full, or the store failed). */
  onDropped?: (rows: number, reason: DropReason) => void;
  /** Called when a store write fails (the rows are dropped and counted). */
  onWriteError?: (error: unknown, what: 'predictions' | 'ops_windows') => void;
}

export interface PredictionLoggerStats {
  /** Rows waiting to be written. */
  queuedRows: number;
  writtenRows: number;
  droppedRows: number;
  failedWrites: number;
}

export interface PredictionLogger {
  /** Register with `createApp({ observers })`; only enqueues. */
  readonly observe: RunObserver;
  /**
   * Writes everything queued and (unless `opsWindows: false`) every open operational
   * window as a partial row; resolves when written (or failed).
   */
  flush(options?: { opsWindows?: boolean }): Promise<void>;
  /** Stops the timers and flushes. */
  close(): Promise<void>;
  stats(): PredictionLoggerStats;
}

/** The share of a version's runs that is logged. */
export function sampleRateOf(record: VersionRecord): number {
  return record.manifest.monitoring?.sampleRate ?? (record.manifest.tabular === undefined ? DEFAULT_SAMPLE_RATE.tensor : DEFAULT_SAMPLE_RATE.tabular);
}

/** Rows a run will log: the first dimension of its (tabular or first) input. */
function rowCount(e: RunEvent): number {
  const name = e.record.manifest.tabular?.input;
  const tensor = (name === undefined ? undefined : e.inputs.get(name)) ?? e.inputs.values().next().value;
  if (tensor === undefined) return 0;
  return tensor.shape.length === 0 ? 1 : (tensor.shape[0] ?? 0);
}

function toRecords(e: RunEvent): PredictionRecord[] {
  return runRows(e).map((r) => ({
    id: `${e.runId}/${r.row}`,
    pipeline: e.record.pipeline,
    version: e.record.version,
    runId: e.runId,
    predictionId: e.predictionId ?? null,
    row: r.row,
    at: Math.round(e.startedAt),
    latencyMs: e.latencyMs,
    caller: e.caller ?? null,
    surface: e.surface,
    error: e.error ?? null,
    features: r.features,
    prediction: r.prediction,
  }));
}

export function createPredictionLogger(options: PredictionLoggerOptions): PredictionLogger {
  const {
    store,
    batchSize = 500,
    flushIntervalMs = 1000,
    maxQueuedRows = 50_000,
    opsFlushIntervalMs = 10_000,
    random = Math.random,
    now = Date.now,
    onDropped = () => {},
    onWriteError = () => {},
  } = options;
  const ops: OpsAggregator = createOpsAggregator(options.opsWindowMs === undefined ? {} : { windowMs: options.opsWindowMs });
  /** FIFO of sampled runs; `seq` numbers them so a flush waits only for what was queued before it. */
  const queue: { event: RunEvent; rows: number; seq: number }[] = [];
  let queuedSeq = 0;
  let doneSeq = 0;
  const stats: PredictionLoggerStats = { queuedRows: 0, writtenRows: 0, droppedRows: 0, failedWrites: 0 };
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  /** The write in progress; one at a time, so a slow store backs up into the bounded queue. */
  let writing: Promise<void> | undefined;
  let closed = false;

  const opsTimer = setInterval(() => void writeOps(false), opsFlushIntervalMs);
  opsTimer.unref();

  function drop(rows: number, reason: DropReason): void {
    stats.droppedRows += rows;
    onDropped(rows, reason);
  }

  function schedule(): void {
    if (writing !== undefined || immediate !== undefined || queue.length === 0) return;
    if (stats.queuedRows >= batchSize) {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      immediate = setImmediate(() => {
        immediate = undefined;
        void writeBatch();
      });
    } else if (timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        void writeBatch();
      }, flushIntervalMs);
      timer.unref();
    }
  }

  /** Decodes and writes one batch of queued runs, then schedules the next. */
  function writeBatch(): Promise<void> {
    if (writing !== undefined) return writing;
    if (queue.length === 0) return Promise.resolve();
    const taken: { event: RunEvent; rows: number; seq: number }[] = [];
    let rows = 0;
    while (queue.length > 0 && (taken.length === 0 || rows + (queue[0]?.rows ?? 0) <= batchSize)) {
      const next = queue.shift() as { event: RunEvent; rows: number; seq: number };
      taken.push(next);
      rows += next.rows;
    }
    const lastSeq = taken[taken.length - 1]?.seq ?? doneSeq;
    writing = (async () => {
      try {
        const records = taken.flatMap((t) => toRecords(t.event));
        await store.appendPredictions(records);
        stats.writtenRows += records.length;
      } catch (error) {
        stats.failedWrites += 1;
        drop(rows, 'write_failed');
        onWriteError(error, 'predictions');
      } finally {
        stats.queuedRows -= rows;
        doneSeq = lastSeq;
        writing = undefined;
      }
    })();
    return writing.then(() => schedule());
  }

  async function writeOps(all: boolean): Promise<void> {
    const windows = ops.drain(now(), { all });
    if (windows.length === 0) return;
    try {
      await store.appendOpsWindows(windows);
    } catch (error) {
      stats.failedWrites += 1;
      onWriteError(error, 'ops_windows');
    }
  }

  const observe: RunObserver = (event) => {
    ops.record(event);
    if (closed) return;
    const rate = sampleRateOf(event.record);
    if (rate <= 0 || (rate < 1 && random() >= rate)) return;
    const rows = rowCount(event);
    if (rows === 0) return;
    if (stats.queuedRows + rows > maxQueuedRows) {
      drop(rows, 'queue_full');
      return;
    }
    queue.push({ event, rows, seq: ++queuedSeq });
    stats.queuedRows += rows;
    schedule();
  };

  async function flush({ opsWindows = true }: { opsWindows?: boolean } = {}): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (immediate !== undefined) clearImmediate(immediate);
    immediate = undefined;
    // Only what was queued before the call: under steady traffic the queue never empties.
    const target = queuedSeq;
    while (doneSeq < target) {
      if (writing !== undefined) await writing;
      else await writeBatch();
    }
    if (opsWindows) await writeOps(true);
  }

  return {
    observe,
    flush,
    async close() {
      closed = true;
      clearInterval(opsTimer);
      await flush();
    },
    stats: () => ({ ...stats }),
  };
}

import type { Manifest, MonitoringStore, OpsWindowRecord, PredictionRecord, RunEvent, Tensor, VersionRecord } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { type DropReason, createPredictionLogger, sampleRateOf } from './prediction-logger.js';

const tabular: Manifest = {
  name: 'tiny',
  runtime: 'onnx',
  model: 'model.onnx',
  tabular: { input: 'features', features: [{ name: 'income', type: 'numeric' }, { name: 'owner', type: 'boolean' }] },
  outputs: { probabilities: 'probabilities', classLabels: ['repaid', 'default'] },
};

function record(manifest: Manifest = tabular, version = 1): VersionRecord {
  return {
    pipeline: manifest.name,
    version,
    digest: 'sha256:00',
    manifest,
    signature: { inputs: [], outputs: [] },
    artifacts: [],
    lineage: { parameters: {}, metrics: {} },
    createdBy: 'test',
    createdAt: new Date(0).toISOString(),
  };
}

let runs = 0;
function run(rows = 1, extra: Partial<RunEvent> = {}, rec = record()): RunEvent {
  runs += 1;
  const features: Tensor = { datatype: 'FP32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? 1000 + i : 1)) };
  const probabilities: Tensor = { datatype: 'FP32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? 0.25 : 0.75)) };
  return {
    runId: `run-${runs}`,
    record: rec,
    surface: 'runs',
    inputs: new Map([['features', features]]),
    outputs: new Map([['probabilities', probabilities]]),
    startedAt: 120_000 + runs,
    latencyMs: 2,
    queueMs: 0.5,
    caller: 'alice',
    ...extra,
  };
}

/** An in-memory store whose writes wait until `release()` (or fail while `failing`). */
function memoryStore() {
  const predictions: PredictionRecord[] = [];
  const windows: OpsWindowRecord[] = [];
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  const s = {
    predictions,
    windows,
    writes: 0,
    failing: false,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open();
    },
    store: {
      async appendPredictions(rows: readonly PredictionRecord[]) {
        s.writes += 1;
        if (gate !== undefined) await gate;
        if (s.failing) throw new Error('disk full');
        predictions.push(...rows);
      },
      async appendOpsWindows(rows: readonly OpsWindowRecord[]) {
        if (s.failing) throw new Error('disk full');
        await Promise.resolve();
        windows.push(...rows);
      },
    } satisfies Pick<MonitoringStore, 'appendPredictions' | 'appendOpsWindows'>,
  };
  return s;
}

describe('createPredictionLogger', () => {
  it('only enqueues on observe, then writes decoded rows in batches off the request path', async () => {
    const m = memoryStore();
    const logger = createPredictionLogger({ store: m.store, batchSize: 4, flushIntervalMs: 10_000 });
    const e = run(3, { predictionId: 'loan-1' });
    logger.observe(e);
    logger.observe(run(3));
    // Nothing is written synchronously inside observe.
    expect(m.writes).toBe(0);
    expect(logger.stats().queuedRows).toBe(6);
    await new Promise((r) => setImmediate(r));
    await logger.flush();
    expect(m.predictions).toHaveLength(6);
    // A batch holds whole runs up to batchSize rows: [3] then [3].
    expect(m.writes).toBe(2);
    expect(m.predictions[1]).toStrictEqual({
      id: `${e.runId}/1`,
      pipeline: 'tiny',
      version: 1,
      runId: e.runId,
      predictionId: 'loan-1',
      row: 1,
      at: e.startedAt,
      latencyMs: 2,
      caller: 'alice',
      surface: 'runs',
      error: null,
      features: { income: 1002, owner: true },
      prediction: { label: 'default', score: 0.75 },
    });
    expect(logger.stats()).toMatchObject({ queuedRows: 0, writtenRows: 6, droppedRows: 0 });
    await logger.close();
  });

  it('flush waits only for what was queued before it, however fast new runs arrive', async () => {
    const written: PredictionRecord[] = [];
    let observe: (e: RunEvent) => void = () => {};
    const store = {
      async appendPredictions(rows: readonly PredictionRecord[]) {
        await new Promise((r) => setTimeout(r, 1));
        written.push(...rows);
        // Traffic keeps coming while each batch is written: the queue never empties.
        observe(run());
      },
      appendOpsWindows: () => Promise.resolve(),
    };
    const logger = createPredictionLogger({ store, batchSize: 1 });
    observe = logger.observe;
    logger.observe(run());
    logger.observe(run());
    await logger.flush();
    expect(written.length).toBeGreaterThanOrEqual(2);
    observe = () => {};
    await logger.close();
  });

  it('writes after flushIntervalMs when fewer rows than a batch wait', async () => {
    const m = memoryStore();
    const logger = createPredictionLogger({ store: m.store, batchSize: 100, flushIntervalMs: 20 });
    logger.observe(run());
    await new Promise((r) => setTimeout(r, 5));
    expect(m.predictions).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(m.predictions).toHaveLength(1);
    await logger.close();
  });

  it('drops and counts runs when the queue is full behind a slow store, and recovers', async () => {
    const m = memoryStore();
    const dropped: [number, DropReason][] = [];
    const logger = createPredictionLogger({ store: m.store, batchSize: 2, maxQueuedRows: 5, onDropped: (n, why) => dropped.push([n, why]) });
    m.hold();
    logger.observe(run(2));
    await new Promise((r) => setImmediate(r));
    expect(m.writes).toBe(1); // stuck in the store
    logger.observe(run(2));
    logger.observe(run(1));
    logger.observe(run(2)); // 2 in flight + 2 + 1 queued = 5: this one does not fit
    logger.observe(run(1)); // neither does this one
    expect(dropped).toEqual([
      [2, 'queue_full'],
      [1, 'queue_full'],
    ]);
    m.release();
    await logger.flush();
    expect(m.predictions).toHaveLength(5);
    expect(logger.stats()).toMatchObject({ queuedRows: 0, writtenRows: 5, droppedRows: 3 });
    logger.observe(run(2));
    await logger.flush();
    expect(m.predictions).toHaveLength(7);
    await logger.close();
  });

  it('counts a failed write as dropped rows and keeps going', async () => {
    const m = memoryStore();
    const errors: string[] = [];
    const dropped: [number, DropReason][] = [];
    const logger = createPredictionLogger({
      store: m.store,
      onDropped: (n, why) => dropped.push([n, why]),
      onWriteError: (e, what) => errors.push(`${what}: ${(e as Error).message}`),
    });
    m.failing = true;
    logger.observe(run(3));
    await logger.flush();
    expect(dropped).toEqual([[3, 'write_failed']]);
    expect(errors).toEqual(['predictions: disk full', 'ops_windows: disk full']);
    m.failing = false;
    logger.observe(run(1));
    await logger.flush();
    expect(m.predictions).toHaveLength(1);
    expect(logger.stats()).toMatchObject({ failedWrites: 2, droppedRows: 3, writtenRows: 1 });
    await logger.close();
  });

  it('samples by the manifest rate, 100 % for tabular and 10 % for tensor pipelines by default', async () => {
    expect(sampleRateOf(record())).toBe(1);
    expect(sampleRateOf(record({ name: 'img', runtime: 'onnx', model: 'model.onnx' }))).toBe(0.1);
    expect(sampleRateOf(record({ ...tabular, monitoring: { sampleRate: 0.25 } }))).toBe(0.25);

    const m = memoryStore();
    let i = 0;
    // A deterministic "random" cycling 0, 0.1, …, 0.9: a rate of 0.3 logs exactly 3 of 10.
    const logger = createPredictionLogger({ store: m.store, random: () => (i++ % 10) / 10 });
    const sampled = record({ ...tabular, monitoring: { sampleRate: 0.3 } });
    for (let n = 0; n < 10; n++) logger.observe(run(1, {}, sampled));
    const off = record({ ...tabular, monitoring: { sampleRate: 0 } }, 2);
    for (let n = 0; n < 5; n++) logger.observe(run(1, {}, off));
    await logger.flush();
    expect(m.predictions).toHaveLength(3);
    // Operational metrics count every run, sampled or not.
    expect(m.windows.map((w) => [w.version, w.requests]).sort()).toEqual([
      [1, 10],
      [2, 5],
    ]);
    await logger.close();
  });

  it('aggregates operational windows per version and minute with errors by code and queue time', async () => {
    const m = memoryStore();
    const logger = createPredictionLogger({ store: m.store, now: () => 240_000 });
    logger.observe(run(1, { startedAt: 60_000, latencyMs: 4 }));
    logger.observe(run(1, { startedAt: 61_000, latencyMs: 8, error: 'overloaded', outputs: undefined, queueMs: undefined }));
    logger.observe(run(1, { startedAt: 125_000, latencyMs: 2 }));
    await logger.flush();
    const byStart = m.windows.sort((a, b) => a.start - b.start);
    expect(byStart.map((w) => [w.start, w.requests, w.errors, w.latencySum, w.queueCount])).toEqual([
      [60_000, 2, { overloaded: 1 }, 12, 1],
      [120_000, 1, {}, 2, 1],
    ]);
    // The failed run is logged with a null prediction.
    expect(m.predictions.map((p) => [p.error, p.prediction])).toContainEqual(['overloaded', null]);
    await logger.close();
  });
});

/**
 * The behaviour every `MonitoringStore` owes its callers (the prediction log, feedback
 * joins, KPI and operational windows, retention), run by sqlite.test.ts and
 * postgres.test.ts. Tests share one database and keep apart by pipeline names and time
 * ranges; the retention test runs last, since retention applies to every pipeline.
 */
import { randomBytes } from 'node:crypto';
import { type MetadataStore, type OpsWindowRecord, type PredictionRecord, SlipwayError, addToHistogram } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A fixed "now" well after the retention test's old rows. */
const T0 = Date.UTC(2026, 0, 1);

let pipelines = 0;
function freshPipeline(): string {
  pipelines += 1;
  return `mon-${randomBytes(3).toString('hex')}-${pipelines}`;
}

function prediction(pipeline: string, runId: string, row: number, at: number, extra: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    id: `${runId}/${row}`,
    pipeline,
    version: 1,
    runId,
    predictionId: null,
    row,
    at,
    latencyMs: 1.5,
    caller: 'tester',
    surface: 'runs',
    error: null,
    features: { age: 41, sex: 'female', owner: true, income: null },
    prediction: { label: 'default', score: 0.75 },
    ...extra,
  };
}

function opsWindow(pipeline: string, start: number, latencies: number[], extra: Partial<OpsWindowRecord> = {}): OpsWindowRecord {
  const latencyHistogram: Record<number, number> = {};
  for (const l of latencies) addToHistogram(latencyHistogram, l);
  return {
    pipeline,
    version: 1,
    start,
    requests: latencies.length,
    errors: {},
    latencyHistogram,
    latencySum: latencies.reduce((a, b) => a + b, 0),
    queueCount: 0,
    queueHistogram: {},
    queueSum: 0,
    ...extra,
  };
}

export function describeMonitoringStoreContract(name: string, open: () => MetadataStore): void {
  describe(`MonitoringStore contract: ${name}`, () => {
    let store: MetadataStore;
    beforeAll(async () => {
      store = open();
      await store.migrate();
    });
    afterAll(() => store.close());

    it('logs predictions and reads them back exactly, oldest first, with paging by id', async () => {
      const p = freshPipeline();
      const rows = [
        prediction(p, 'run-b', 0, T0 + 2000, { predictionId: 'loan-9', surface: 'oip', caller: null, features: { text: 'ünïcode “q”', n: -0.125 } }),
        prediction(p, 'run-a', 1, T0 + 1000, { error: 'pipeline_error', prediction: null }),
        prediction(p, 'run-a', 0, T0 + 1000, { prediction: { value: 12.5 } }),
        prediction(p, 'run-c', 0, T0 + 3000, { version: 2 }),
      ];
      await store.appendPredictions(rows);
      // The same ids again change nothing (a retried batch).
      await store.appendPredictions([{ ...rows[0], latencyMs: 99 } as PredictionRecord]);
      const all = await store.listPredictions({ pipeline: p, limit: 10 });
      expect(all.map((r) => r.id)).toEqual(['run-a/0', 'run-a/1', 'run-b/0', 'run-c/0']);
      expect(all[2]).toStrictEqual(rows[0]);
      expect(all[1]).toStrictEqual(rows[1]);
      expect(all[0]).toStrictEqual(rows[2]);

      const page1 = await store.listPredictions({ pipeline: p, limit: 2 });
      const page2 = await store.listPredictions({ pipeline: p, limit: 2, after: page1.at(-1)?.id });
      expect([...page1, ...page2].map((r) => r.id)).toEqual(all.map((r) => r.id));
      expect(await store.listPredictions({ pipeline: p, limit: 2, after: 'run-c/0' })).toEqual([]);

      expect((await store.listPredictions({ pipeline: p, limit: 10, since: T0 + 1500, until: T0 + 3000 })).map((r) => r.id)).toEqual(['run-b/0']);
      expect((await store.listPredictions({ pipeline: p, limit: 10, version: 2 })).map((r) => r.id)).toEqual(['run-c/0']);
      expect(await store.listPredictions({ pipeline: `${p}-other`, limit: 10 })).toEqual([]);
    });

    it('refuses a paging cursor that is not a logged prediction of the pipeline', async () => {
      const p = freshPipeline();
      await store.appendPredictions([prediction(p, 'r1', 0, T0)]);
      await expect(store.listPredictions({ pipeline: p, limit: 5, after: 'nope/0' })).rejects.toThrow(/after: "nope\/0" is not a logged prediction/);
      await expect(store.listPredictions({ pipeline: p, limit: 5, after: 'nope/0' })).rejects.toBeInstanceOf(SlipwayError);
    });

    it('writes a large batch in one call', async () => {
      const p = freshPipeline();
      const rows = Array.from({ length: 1234 }, (_, i) => prediction(p, `big-${String(i).padStart(5, '0')}`, 0, T0 + i));
      await store.appendPredictions(rows);
      const back = await store.listPredictions({ pipeline: p, limit: 2000 });
      expect(back).toHaveLength(1234);
      expect(back[1233]?.id).toBe('big-01233/0');
    });

    it('joins labels that arrive before, after and out of order, by run id or prediction id; the last received wins, history kept', async () => {
      const p = freshPipeline();
      const received = T0 + 10_000;
      // A label before its prediction is logged: kept, reported as not matched.
      const early = await store.appendFeedback([{ target: { runId: 'r2', row: 0 }, label: 'repaid', at: T0, receivedAt: received, actor: 'a' }]);
      expect(early).toEqual([{ matched: false, replaced: false }]);
      await store.appendPredictions([
        prediction(p, 'r1', 0, T0 + 100),
        prediction(p, 'r1', 1, T0 + 100),
        prediction(p, 'r2', 0, T0 + 200),
        prediction(p, 'r3', 0, T0 + 300, { predictionId: 'loan-3' }),
        prediction(p, 'r4', 0, T0 + 400),
      ]);
      const outcomes = await store.appendFeedback([
        { target: { runId: 'r1', row: 1 }, label: 'default', at: T0 + 5, receivedAt: received + 1, actor: 'a' },
        { target: { pipeline: p, predictionId: 'loan-3', row: 0 }, label: 'repaid', at: T0 + 6, receivedAt: received + 1, actor: 'a' },
        { target: { runId: 'r1', row: 1 }, label: 'repaid', at: T0 + 7, receivedAt: received + 2, actor: 'b' },
        { target: { runId: 'missing', row: 0 }, label: 3.5, at: T0 + 8, receivedAt: received + 2, actor: 'b' },
      ]);
      expect(outcomes).toEqual([
        { matched: true, replaced: false },
        { matched: true, replaced: false },
        { matched: true, replaced: true },
        { matched: false, replaced: false },
      ]);
      const labelled = await store.labelledPredictions({ pipeline: p, from: T0, to: T0 + 1000 });
      expect(labelled.map((l) => [l.id, l.label, l.labelAt])).toEqual([
        ['r1/1', 'repaid', T0 + 7],
        ['r2/0', 'repaid', T0],
        ['r3/0', 'repaid', T0 + 6],
      ]);
      expect(labelled[0]).toMatchObject({ pipeline: p, prediction: { label: 'default', score: 0.75 }, features: { age: 41 } });
      expect(await store.labelledPredictions({ pipeline: p, from: T0 + 150, to: T0 + 250 })).toHaveLength(1);

      // A later label by prediction id overrides an earlier one by run id for the same prediction.
      await store.appendFeedback([{ target: { runId: 'r3', row: 0 }, label: 'default', at: T0 + 9, receivedAt: received + 3, actor: 'c' }]);
      await store.appendFeedback([{ target: { pipeline: p, predictionId: 'loan-3', row: 0 }, label: 'repaid', at: T0 + 10, receivedAt: received + 4, actor: 'c' }]);
      const r3 = (await store.labelledPredictions({ pipeline: p, from: T0, to: T0 + 1000 })).find((l) => l.id === 'r3/0');
      expect([r3?.label, r3?.labelAt]).toEqual(['repaid', T0 + 10]);

      expect(await store.feedbackHistory({ runId: 'r1', row: 1 })).toEqual([
        { target: { runId: 'r1', row: 1 }, label: 'default', at: T0 + 5, receivedAt: received + 1, actor: 'a' },
        { target: { runId: 'r1', row: 1 }, label: 'repaid', at: T0 + 7, receivedAt: received + 2, actor: 'b' },
      ]);
      expect(await store.labelledPredictions({ pipeline: p, version: 2, from: T0, to: T0 + 1000 })).toEqual([]);
    });

    it('keeps numeric labels as numbers', async () => {
      const p = freshPipeline();
      await store.appendPredictions([prediction(p, 'reg-1', 0, T0, { prediction: { value: 10 } })]);
      await store.appendFeedback([{ target: { runId: 'reg-1', row: 0 }, label: 12.25, at: T0, receivedAt: T0 + 1, actor: 'a' }]);
      const [l] = await store.labelledPredictions({ pipeline: p, from: T0, to: T0 + 1 });
      expect(l?.label).toBe(12.25);
    });

    it('aggregates KPI values per window', async () => {
      const name = `revenue-${randomBytes(3).toString('hex')}`;
      await store.appendKpis([
        { name, value: 10, at: T0, pipeline: 'shop', deployment: null },
        { name, value: 20, at: T0 + 59_999, pipeline: 'shop', deployment: 'prod' },
        { name, value: 5, at: T0 + 60_000, pipeline: null, deployment: null },
        { name, value: 1, at: T0 + 600_000, pipeline: 'shop', deployment: null },
        { name: `${name}-other`, value: 100, at: T0, pipeline: 'shop', deployment: null },
      ]);
      expect(await store.kpiSeries({ name, from: T0, to: T0 + 600_000, windowMs: 60_000 })).toEqual([
        { start: T0, mean: 15, sum: 30, count: 2 },
        { start: T0 + 60_000, mean: 5, sum: 5, count: 1 },
      ]);
      expect(await store.kpiSeries({ name, pipeline: 'shop', from: T0, to: T0 + 3_600_000, windowMs: 3_600_000 })).toEqual([
        { start: T0, mean: 31 / 3, sum: 31, count: 3 },
      ]);
      expect(await store.listKpiNames()).toEqual(expect.arrayContaining([name, `${name}-other`]));
      const names = await store.listKpiNames({ pipeline: 'shop' });
      expect(names.filter((n) => n.startsWith(name))).toEqual([name, `${name}-other`]);
      await expect(store.kpiSeries({ name, from: T0, to: T0 + 1, windowMs: 0 })).rejects.toThrow(/window/);
    });

    it('rolls per-minute operational windows up, merging partial windows and latency histograms', async () => {
      const p = freshPipeline();
      const lat = (n: number, ms: number) => Array.from({ length: n }, () => ms);
      await store.appendOpsWindows([
        opsWindow(p, T0, lat(90, 2), { errors: { overloaded: 3 } }),
        // A second partial row for the same minute (another flush, another server).
        opsWindow(p, T0, lat(10, 100), { errors: { overloaded: 1, pipeline_error: 2 }, queueCount: 4, queueHistogram: { 10: 4 }, queueSum: 8 }),
        opsWindow(p, T0 + 60_000, lat(50, 4)),
        opsWindow(p, T0 + 60_000, lat(50, 4), { version: 2 }),
      ]);
      const minutes = await store.opsSeries({ pipeline: p, version: 1, from: T0, to: T0 + 120_000, windowMs: 60_000 });
      expect(minutes.map((w) => [w.start, w.requests, w.errors])).toEqual([
        [T0, 100, { overloaded: 4, pipeline_error: 2 }],
        [T0 + 60_000, 50, {}],
      ]);
      const first = minutes[0];
      expect(first?.latencyMs.p50).toBeCloseTo(2, 0);
      expect(Math.abs((first?.latencyMs.p99 ?? 0) - 100) / 100).toBeLessThan(0.05);
      expect(first?.latencyMs.mean).toBeCloseTo((90 * 2 + 10 * 100) / 100, 9);
      expect(first?.queueMs.mean).toBe(2);
      const hour = await store.opsSeries({ pipeline: p, from: T0, to: T0 + 3_600_000, windowMs: 3_600_000 });
      expect(hour.map((w) => [w.start, w.requests])).toEqual([[T0, 200]]);
      expect(await store.opsSeries({ pipeline: p, from: T0 + 120_000, to: T0 + 180_000, windowMs: 60_000 })).toEqual([]);
    });

    it('applies retention by age and by rows per pipeline (runs last: it touches every pipeline)', async () => {
      const a = freshPipeline();
      const b = freshPipeline();
      const old = 1000;
      await store.appendPredictions([
        prediction(a, 'old-1', 0, old),
        prediction(a, 'old-2', 0, old + 1),
        ...Array.from({ length: 5 }, (_, i) => prediction(a, `new-${i}`, 0, T0 + i)),
        ...Array.from({ length: 3 }, (_, i) => prediction(b, `b-${i}`, 0, T0 + i)),
      ]);
      await store.appendFeedback([{ target: { runId: 'old-1', row: 0 }, label: 'x', at: old, receivedAt: old + 5, actor: 'a' }]);
      await store.appendKpis([{ name: 'retention-kpi', value: 1, at: old, pipeline: a, deployment: null }]);
      await store.appendOpsWindows([opsWindow(a, 0, [1])]);

      expect(await store.deleteMonitoringBefore(old + 100)).toBe(2);
      expect((await store.listPredictions({ pipeline: a, limit: 100 })).map((r) => r.id)).toEqual(['new-0/0', 'new-1/0', 'new-2/0', 'new-3/0', 'new-4/0']);
      expect(await store.feedbackHistory({ runId: 'old-1', row: 0 })).toEqual([]);
      expect(await store.kpiSeries({ name: 'retention-kpi', from: 0, to: T0, windowMs: 60_000 })).toEqual([]);
      expect(await store.opsSeries({ pipeline: a, from: 0, to: T0, windowMs: 60_000 })).toEqual([]);

      await store.trimPredictions(3);
      expect((await store.listPredictions({ pipeline: a, limit: 100 })).map((r) => r.id)).toEqual(['new-2/0', 'new-3/0', 'new-4/0']);
      expect((await store.listPredictions({ pipeline: b, limit: 100 })).map((r) => r.id)).toEqual(['b-0/0', 'b-1/0', 'b-2/0']);
      expect(await store.trimPredictions(3)).toBe(0);
    });
  });
}

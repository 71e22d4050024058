/**
 * The monitoring "must show" scenario on the example credit model: replaying the held-out
 * sample reports no drift; a sample with income and age shifted reports drift on exactly
 * those two features, and its CBPE estimate moves before any label arrives; once labels
 * arrive, the realized accuracy of the shifted window drops. Window boundaries come from
 * a fixed clock (only `Date` is faked), so the test is deterministic.
 */
import { readFile } from 'node:fs/promises';
import type { DriftResponse, MetricsResponse } from '@slipway/core';
import { createPredictionLogger } from '@slipway/monitoring';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Applicant, CREDIT_RISK_DIR, creditHoldout, runRecords } from './testing/credit-holdout.js';
import { type TestApp, auth, createTestApp, packageTar, push } from './testing/fixtures.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const WINDOW = 300_000;

/** Lower incomes and younger applicants: the population moved, the model did not. */
function shifted(r: Applicant): Applicant {
  return { ...r, income: Math.round((r.income as number) * 0.25), age: Math.max(18, (r.age as number) - 15) };
}

describe('monitoring scenario: the credit model under drift', () => {
  let t: TestApp;
  let logger: ReturnType<typeof createPredictionLogger>;
  let data: Awaited<ReturnType<typeof creditHoldout>>;
  const runIds: { window: number; ids: string[] }[] = [];

  async function replay(at: number, records: Applicant[]): Promise<string[]> {
    vi.setSystemTime(at);
    const ids = await runRecords(t, records);
    await logger.flush();
    return ids;
  }

  const get = async <T>(url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0 - 60_000);
    data = await creditHoldout();
    // The prediction log is a real logger on the same store, registered as a run observer.
    const observers: ((e: Parameters<ReturnType<typeof createPredictionLogger>['observe']>[0]) => void)[] = [];
    t = await createTestApp({ monitoring: { flushIntervalMs: 0 }, observers: [(e) => observers.forEach((o) => o(e))] });
    logger = createPredictionLogger({ store: t.store, flushIntervalMs: 60_000, opsFlushIntervalMs: 60_000 });
    observers.push(logger.observe);
    const files: Record<string, Uint8Array> = {};
    for (const name of ['slipway.yaml', 'model.onnx', 'data/holdout.csv', 'data/train.csv', 'README.md']) files[name] = await readFile(`${CREDIT_RISK_DIR}${name}`);
    const res = await push(t, await packageTar(files));
    expect(res.statusCode, res.body).toBe(201);
  }, 30_000);

  afterAll(async () => {
    await logger?.close();
    await t?.cleanup();
    vi.useRealTimers();
  });

  it('stores the reference profile at push, with evaluation-set fairness', async () => {
    const profile = await get<{ rows: number; evaluation: { labelled: number; metrics: Record<string, number>; fairness: Record<string, { groups: { group: string }[] }> } }>('/v1/pipelines/credit-risk/profile');
    expect(profile.rows).toBe(1000);
    expect(profile.evaluation.labelled).toBe(1000);
    expect(profile.evaluation.metrics.accuracy).toBeCloseTo(0.876, 3);
    expect(Object.keys(profile.evaluation.fairness)).toEqual(['sex', 'marital_status', 'age']);
    expect(profile.evaluation.fairness.age!.groups.map((g) => g.group)).toEqual(['age < 25', 'age ≥ 25']);
  });

  it('reports no drift for the held-out sample, drift on exactly income and age for the shifted one', async () => {
    runIds.push({ window: T0, ids: await replay(T0 + 1000, data.records) });
    const first = await get<DriftResponse>('/v1/pipelines/credit-risk/drift?window=5m');
    expect(first.window?.start).toBe(T0);
    expect(first.window?.rows).toBe(1000);
    expect(first.window?.drift.columns.filter((c) => c.drifted)).toEqual([]);
    expect(first.window?.drift.drifted).toBe(false);

    runIds.push({ window: T0 + WINDOW, ids: await replay(T0 + WINDOW + 1000, data.records.map(shifted)) });
    const second = await get<DriftResponse>('/v1/pipelines/credit-risk/drift?window=5m');
    expect(second.window?.start).toBe(T0 + WINDOW);
    expect(second.window!.drift.columns.filter((c) => c.drifted).map((c) => c.column).sort()).toEqual(['age', 'income']);
    const income = second.window!.drift.columns.find((c) => c.column === 'income')!;
    expect(income.method).toBe('ks');
    expect(income.histogram.kind).toBe('numeric');
    expect(income.histogram.reference.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(second.window!.drift.prediction.find((c) => c.column === 'score')?.drifted).toBe(true);

    const series = await get<MetricsResponse>(`/v1/pipelines/credit-risk/metrics?metric=drift&window=5m&from=${T0}&to=${T0 + 2 * WINDOW}`);
    expect(series.points!.map((p) => [p.start, p.driftedFeatures])).toEqual([
      [T0, []],
      [T0 + WINDOW, ['age', 'income']],
    ]);
    // The hour holds both windows merged, rolled up from their sketches.
    const hour = await get<MetricsResponse>(`/v1/pipelines/credit-risk/metrics?metric=drift&window=1h&from=${T0}&to=${T0 + 3_600_000}`);
    expect(hour.points!.map((p) => p.rows)).toEqual([2000]);
  });

  it('moves the CBPE estimate before labels arrive, then realized accuracy drops once they do', async () => {
    const range = `window=5m&from=${T0}&to=${T0 + 2 * WINDOW}`;
    const estimated = await get<MetricsResponse>(`/v1/pipelines/credit-risk/metrics?metric=estimated_performance&${range}`);
    const accuracy = estimated.points!.map((p) => (p.metrics as Record<string, { value: number; lower: number; upper: number }>).accuracy!);
    expect(accuracy).toHaveLength(2);
    expect((await get<MetricsResponse>(`/v1/pipelines/credit-risk/metrics?metric=performance&${range}`)).points).toEqual([]);
    // Outside the band of the reference window: the estimate moved.
    expect(accuracy[1]!.value).toBeLessThan(accuracy[0]!.lower);

    // Labels arrive: the applicants' true outcomes, row by row.
    for (const { window, ids } of runIds) {
      const items = ids.flatMap((runId, b) => Array.from({ length: 250 }, (_, row) => ({ target: { runId, row }, label: data.labels[b * 250 + row]!, at: window + 60_000, receivedAt: window + 120_000, actor: 'tester' })));
      const outcomes = await t.store.appendFeedback(items);
      expect(outcomes.every((o) => o.matched)).toBe(true);
    }
    const realized = await get<MetricsResponse>(`/v1/pipelines/credit-risk/metrics?metric=performance&${range}`);
    const acc = realized.points!.map((p) => (p.metrics as Record<string, number>).accuracy!);
    expect(realized.points!.map((p) => [p.start, p.labelled, p.labelCoverage])).toEqual([
      [T0, 1000, 1],
      [T0 + WINDOW, 1000, 1],
    ]);
    expect(acc[0]).toBeCloseTo(0.876, 3);
    expect(acc[1]).toBeLessThan(acc[0]! - 0.02);
    // The estimate, made before the labels, pointed the same way.
    expect(accuracy[1]!.value - accuracy[0]!.value).toBeLessThan(0);

    // Business KPIs per window correlate with the model metrics over the same windows.
    await t.store.appendKpis([
      { name: 'approved_revenue', value: 100, at: T0 + 1000, pipeline: 'credit-risk', deployment: null },
      { name: 'approved_revenue', value: 60, at: T0 + WINDOW + 1000, pipeline: 'credit-risk', deployment: null },
    ]);
    const kpi = await get<MetricsResponse>(`/v1/pipelines/credit-risk/metrics?metric=kpi_correlation&kpi=approved_revenue&${range}`);
    const byMetric = Object.fromEntries(kpi.correlations!.map((c) => [c.metric, c]));
    expect(byMetric['estimated.accuracy']).toMatchObject({ windows: 2, pearson: 1, spearman: 1 });
    expect(byMetric['realized.accuracy']).toMatchObject({ windows: 2, pearson: 1 });
    expect(byMetric.driftShare).toMatchObject({ windows: 2, pearson: -1 });
    const ops = await get<MetricsResponse>(`/v1/pipelines/credit-risk/metrics?metric=operational&${range}`);
    expect(ops.points!.map((p) => [p.start, p.requests])).toEqual([
      [T0, 4],
      [T0 + WINDOW, 4],
    ]);

    const fairness = await get<MetricsResponse>(`/v1/pipelines/credit-risk/metrics?metric=fairness&${range}`);
    const sex = (fairness.points![1]!.labelled as Record<string, { groups: { group: string; count: number }[]; equalOpportunityDifference: number | null }>).sex!;
    expect(sex.groups.map((g) => g.group)).toEqual(['female', 'male']);
    expect(sex.groups.reduce((s, g) => s + g.count, 0)).toBe(1000);
  });
});

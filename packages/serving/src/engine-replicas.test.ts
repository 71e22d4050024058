import type { VersionRecord } from '@slipway/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createServingEngine } from './engine.js';
import { matmulInputs, slowModel } from './testing/host-models.js';

// Over 1 MiB: it runs on worker threads, where replicas spread.
const model = slowModel(4);
const rec = { pipeline: 'p', version: 1, manifest: {} } as VersionRecord;
const engine = createServingEngine({ fetchModel: () => Promise.resolve(model.slice()), budgetBytes: 2 ** 30, workerThreads: 2 });
afterAll(() => engine.close());

describe('engine replicas', () => {
  it('loads N replicas on different hosts, spreads runs over them, and unloads to zero without refusing the next run', async () => {
    expect(engine.replicas(rec)).toStrictEqual({ desired: 1, ready: 0 });
    await engine.scale(rec, 1);
    const one = engine.usedBytes();
    await engine.scale(rec, 2);
    expect(engine.replicas(rec)).toStrictEqual({ desired: 2, ready: 2 });
    const loaded = engine.loaded();
    expect(loaded.map((v) => v.key).sort()).toStrictEqual(['p:1', 'p:1#1']);
    expect(new Set(loaded.map((v) => v.host.id)).size).toBe(2);
    // Memory is accounted per replica.
    expect(engine.usedBytes()).toBeGreaterThan(one * 1.5);

    const inputs = Array.from({ length: 24 }, () => matmulInputs(512, 4));
    const results = await Promise.all(inputs.map((i) => engine.infer(rec, { inputs: i })));
    expect(results.every((r) => r.outputs.get('y')?.shape.join() === '4,512')).toBe(true);
    // Both replicas served, and the caller's buffers are still its own (copied before the thread hop).
    expect(engine.loaded().every((v) => v.hits > 0)).toBe(true);
    expect(inputs.every((i) => i.get('x')?.data.length === 4 * 512)).toBe(true);
    expect(engine.inFlight(rec)).toBe(0);
    // 24 runs were in flight for a while: the integral the autoscaler averages grew.
    expect(engine.concurrencyArea(rec).area).toBeGreaterThan(0);

    await engine.scale(rec, 0);
    expect(engine.replicas(rec)).toStrictEqual({ desired: 0, ready: 0 });
    expect(engine.loaded()).toStrictEqual([]);
    // The first run after zero waits for its load and is served.
    const cold = await engine.infer(rec, { inputs: matmulInputs(512) });
    expect(cold.outputs.get('y')?.shape).toStrictEqual([1, 512]);
    expect(engine.replicas(rec).ready).toBe(1);
  });

  it('applies and removes a deployment’s serving overrides', async () => {
    await engine.scale(rec, 1);
    engine.configure(rec, { maxConcurrency: 1, maxQueue: 0 });
    const settled = await Promise.allSettled(Array.from({ length: 6 }, () => engine.infer(rec, { inputs: matmulInputs(512, 8) })));
    expect(settled.some((s) => s.status === 'rejected' && (s.reason as { code?: string }).code === 'overloaded')).toBe(true);
    engine.configure(rec, undefined);
    const all = await Promise.allSettled(Array.from({ length: 6 }, () => engine.infer(rec, { inputs: matmulInputs(512, 8) })));
    expect(all.every((s) => s.status === 'fulfilled')).toBe(true);
  });

  it('runs again on a fresh worker what a stopped worker thread lost, so no accepted run fails', async () => {
    await engine.scale(rec, 1);
    // One execution at a time: the others wait in the dispatcher while the worker stops.
    engine.configure(rec, { maxConcurrency: 1 });
    const host = engine.threadHosts.find((h) => h.id === engine.loaded()[0]?.host.id);
    expect(host).toBeDefined();
    const runs = Array.from({ length: 8 }, () => engine.infer(rec, { inputs: matmulInputs(512, 2) }));
    await host?.terminate();
    const results = await Promise.allSettled(runs);
    expect(results.map((r) => r.status)).toStrictEqual(results.map(() => 'fulfilled'));
    const retries = (await engine.metrics.registry.getSingleMetric('slipway_run_retries_total')?.get())?.values ?? [];
    expect(retries.find((v) => v.labels.pipeline === 'p')?.value ?? 0).toBeGreaterThan(0);
    // Loaded again, on a restarted worker.
    expect(engine.replicas(rec).ready).toBe(1);
    engine.configure(rec, undefined);
  });
});

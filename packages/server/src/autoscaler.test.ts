/**
 * The autoscaler on a real app: a deployment with min 0 scales to zero when idle, back to
 * one on the first request (served, not refused), to N under load and to zero again, with
 * every request of a generated load answered. Windows and timeouts are shortened.
 */
import type { VersionRecord } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, auth, createTestApp, packageTar, push, slowModel } from './testing/fixtures.js';

let t: TestApp;
let record: VersionRecord;
const body = { inputs: [{ name: 'x', shape: [2, 512], datatype: 'FP32', data: Array.from({ length: 1024 }, (_, i) => (i % 5) / 10) }] };
const infer = () => t.app.inject({ method: 'POST', url: '/v2/models/slow/infer', headers: auth, payload: body });

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms (replicas ${JSON.stringify(t.engine.replicas(record))})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  t = await createTestApp({ workerThreads: 2, deployments: { gpus: [], rolloutTickMs: 3_600_000, autoscaleTickMs: 50 } });
  expect((await push(t, await packageTar({ 'slipway.yaml': 'name: slow\nmodel: model.onnx\n', 'model.onnx': slowModel(24) }))).statusCode).toBe(201);
  await t.app.inject({ method: 'PUT', url: '/v1/pipelines/slow/aliases/production', headers: auth, payload: { version: 1 } });
  record = await t.registry.resolve('slow:v1');
});
afterAll(() => t.cleanup());

describe('autoscaling', () => {
  it('scales 0 → 1 → N → 0 under a generated load with no request lost', async () => {
    const scaling = { min: 0, max: 2, targetConcurrency: 1, stableWindowSeconds: 1, panicWindowSeconds: 0.2, scaleDownDelaySeconds: 0, idleTimeoutSeconds: 0.4 };
    const created = await t.app.inject({ method: 'POST', url: '/v1/deployments', headers: auth, payload: { pipeline: 'slow', environment: 'production', scaling } });
    expect(created.statusCode, created.body).toBe(200);
    const ready = () => t.engine.replicas(record).ready;
    const seen: number[] = [];
    const watch = setInterval(() => {
      if (seen.at(-1) !== ready()) seen.push(ready());
    }, 5);
    try {
      // Idle: unloaded after the idle timeout.
      await waitFor(() => ready() === 0, 5000, 'scale to zero when idle');
      expect((await t.app.inject({ url: '/v1/deployments/slow/production', headers: auth })).json()).toMatchObject({ state: 'idle', replicas: { ready: 0 } });

      // The first request after zero is queued during the load and served.
      const first = await infer();
      expect(first.statusCode, first.body).toBe(200);
      expect(ready()).toBe(1);

      // A generated load: 8 callers in a loop until the deployment reaches N replicas.
      const statuses: number[] = [];
      let stop = false;
      const callers = Array.from({ length: 8 }, async () => {
        while (!stop) statuses.push((await infer()).statusCode);
      });
      await waitFor(() => ready() === 2, 8000, 'scale to N under load');
      const hosts = new Set(t.engine.loaded().map((v) => v.host.id));
      expect(hosts.size).toBe(2);
      // Keep the load a little longer on two replicas.
      await new Promise((r) => setTimeout(r, 200));
      stop = true;
      await Promise.all(callers);
      expect(statuses.length).toBeGreaterThan(8);
      expect(statuses.filter((s) => s !== 200)).toStrictEqual([]);

      // Load gone: back to zero.
      await waitFor(() => ready() === 0, 8000, 'scale back to zero');
      expect((await t.app.inject({ url: '/metrics', headers: auth })).body).toMatch(/slipway_deployment_replicas\{pipeline="slow",version="1",state="desired"\} 0/);
    } finally {
      clearInterval(watch);
    }
    // Every step was taken: 1 (deployed warm) → 0 → 1 → 2 → … → 0.
    const path = seen.filter((n, i) => i === 0 || n !== seen[i - 1]);
    expect(path.slice(0, 2)).toStrictEqual([1, 0]);
    expect(path).toContain(2);
    expect(path.indexOf(1, 1)).toBeLessThan(path.indexOf(2));
    expect(path.at(-1)).toBe(0);
  });
});

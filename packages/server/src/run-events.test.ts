import type { RunEvent } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, classifierPackage, createTestApp, push, auth } from './testing/fixtures.js';

const events: RunEvent[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ observers: [(e) => events.push(e)] });
  await push(t, await classifierPackage());
});
afterAll(() => t.cleanup());

describe('run events', () => {
  it('tells observers about a run of /v1/runs with its inputs, outputs and timing', async () => {
    events.length = 0;
    const res = await t.app.inject({ headers: auth, method: 'POST', url: '/v1/runs', payload: { pipeline: 'tiny', inputs: { income: 1, owner: true, score: 2 } } });
    expect(res.statusCode).toBe(200);
    expect(events).toHaveLength(1);
    const [e] = events;
    expect(e).toMatchObject({ runId: res.json<{ id: string }>().id, surface: 'runs', record: { pipeline: 'tiny', version: 1 } });
    expect([...(e?.inputs.get('features')?.data ?? [])]).toEqual([1, 1, 2]);
    expect(e?.outputs?.get('probabilities')?.shape).toEqual([1, 2]);
    expect(e?.error).toBeUndefined();
    expect(e?.latencyMs).toBeGreaterThan(0);
    expect(e?.computeMs).toBeGreaterThanOrEqual(0);
    expect(e?.queueMs).toBeGreaterThanOrEqual(0);
    expect(Math.abs((e?.startedAt ?? 0) - Date.now())).toBeLessThan(5000);
  });

  it('carries the OIP request id, the caller-supplied prediction id and who called', async () => {
    events.length = 0;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v2/models/tiny/infer',
      headers: { ...auth, 'x-request-id': 'req-42' },
      payload: { id: 'loan-7', inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [0, 0, 0] }] },
    });
    expect(res.statusCode).toBe(200);
    expect(events.map((e) => [e.runId, e.predictionId, e.surface, e.caller])).toEqual([['req-42', 'loan-7', 'oip', 'tester']]);
  });

  it('reports a failed run with its error code and no outputs; bad input never reaches observers', async () => {
    events.length = 0;
    const late = await t.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: { ...auth, 'x-slipway-timeout-ms': '0.001' },
      payload: { pipeline: 'tiny', inputs: { income: 1, owner: true, score: 2 } },
    });
    const bad = await t.app.inject({ headers: auth, method: 'POST', url: '/v1/runs', payload: { pipeline: 'tiny', inputs: { income: 'x' } } });
    expect(bad.statusCode).toBe(400);
    expect(late.statusCode).toBe(504);
    expect(events.map((e) => [e.error, e.outputs])).toEqual([['deadline_exceeded', undefined]]);
  });
});

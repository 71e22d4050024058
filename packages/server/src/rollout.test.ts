/**
 * Rollouts end to end on a real app (SQLite, onnxruntime, HTTP inject): a canary whose
 * candidate fails is rolled back automatically within its window; a healthy canary steps
 * up and is promoted; a shadow never answers; a worker thread killed mid-rollout loses no
 * request.
 */
import { buildOnnxModel } from '@slipway/modelkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, auth, classifierModel, classifierPackage, createTestApp, packageTar, push, slowModel } from './testing/fixtures.js';

/**
 * The classifier, plus a branch that reshapes the features to [2, -1]: for an odd number of
 * rows (3 × odd values) the Reshape fails, so every single-row request errors.
 */
function failsOnOddBatches(): Uint8Array {
  return buildOnnxModel({
    name: 'fails_on_odd_batches',
    inputs: [{ name: 'features', datatype: 'FP32', shape: ['batch', 3] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['batch', 2] }],
    initializers: [
      { name: 'w', datatype: 'FP32', dims: [3, 2], values: [0, 1, 0, -1, 0, 0.5] },
      { name: 'b', datatype: 'FP32', dims: [2], values: [0, 0] },
      { name: 'pairs', datatype: 'INT64', dims: [2], values: [2, -1] },
      { name: 'zero', datatype: 'FP32', dims: [], values: [0] },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['features', 'w'], outputs: ['z'] },
      { op: 'Add', inputs: ['z', 'b'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['p'], attributes: { axis: 1 } },
      { op: 'Reshape', inputs: ['features', 'pairs'], outputs: ['paired'] },
      { op: 'ReduceSum', inputs: ['paired'], outputs: ['total'] },
      { op: 'Mul', inputs: ['total', 'zero'], outputs: ['nothing'] },
      { op: 'Add', inputs: ['p', 'nothing'], outputs: ['probabilities'] },
    ],
  });
}

type Status = { deployment: { rollout: { status: string; percent: number; reason: string | null } | null; target: string }; events: { kind: string; reason: string | null; percent: number; details: unknown }[]; stats: Record<string, unknown> };

const payload = (rows = 1) => ({ inputs: [{ name: 'features', shape: [rows, 3], datatype: 'FP32', data: Array.from({ length: rows }, () => [1, 0, 2]).flat() }] });

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('rollouts', () => {
  let t: TestApp;
  const infer = (key?: string) =>
    t.app.inject({ method: 'POST', url: '/v2/models/tiny/infer', headers: { ...auth, ...(key === undefined ? {} : { 'x-slipway-caller-key': key }) }, payload: payload() });
  const status = async () => (await t.app.inject({ url: '/v1/deployments/tiny/production/rollout', headers: auth })).json<Status>();
  const start = (body: object) => t.app.inject({ method: 'POST', url: '/v1/deployments/tiny/production/rollout', headers: auth, payload: body });

  beforeAll(async () => {
    t = await createTestApp({ deployments: { gpus: [], rolloutTickMs: 50, autoscaleTickMs: 3_600_000 } });
    expect((await push(t, await classifierPackage())).statusCode).toBe(201); // v1: stable
    const failing = await push(t, await packageTar({ 'slipway.yaml': 'name: tiny\nmodel: model.onnx\n', 'model.onnx': failsOnOddBatches() }));
    expect(failing.statusCode, failing.body).toBe(201); // v2: fails on odd batches
    expect((await push(t, await classifierPackage(undefined, classifierModel([2, -1, 0.5])))).statusCode).toBe(201); // v3: healthy
    await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/production', headers: auth, payload: { version: 1 } });
    expect((await t.app.inject({ method: 'POST', url: '/v1/deployments', headers: auth, payload: { pipeline: 'tiny', environment: 'production' } })).statusCode).toBe(200);
  });
  afterAll(() => t.cleanup());

  it('rolls a failing canary back automatically within its window, with the reason recorded, and traffic returns to stable', async () => {
    // The failing version really fails on one row and works on two.
    expect((await t.app.inject({ method: 'POST', url: '/v2/models/tiny/versions/2/infer', headers: auth, payload: payload(1) })).statusCode).toBe(500);
    expect((await t.app.inject({ method: 'POST', url: '/v2/models/tiny/versions/2/infer', headers: auth, payload: payload(2) })).statusCode).toBe(200);

    const windowSeconds = 2;
    const started = await start({ candidate: 'v2', steps: [50, 100], intervalSeconds: 3600, rollback: { windowSeconds, minRequests: 5, maxErrorRateIncrease: 0.05 } });
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ rollout: { strategy: 'canary', stable: 1, candidate: 2, percent: 50, status: 'running' } });

    let firstCandidateError: number | undefined;
    const rolledBackAfter = await waitFor(async () => {
      const res = await infer(`caller-${Math.random()}`);
      if (res.statusCode === 500) firstCandidateError ??= Date.now();
      return (await status()).deployment.rollout?.status === 'rolled_back';
    }, 10_000);
    expect(firstCandidateError).toBeDefined();
    // Within the configured window of the candidate's first failure (plus a tick).
    expect(rolledBackAfter).toBeLessThan(windowSeconds * 1000 + 500);

    const s = await status();
    expect(s.deployment.rollout).toMatchObject({ status: 'rolled_back', percent: 0 });
    // (The two-row check above succeeded on v2, so its rate is just under 100 %.)
    expect(s.deployment.rollout?.reason).toMatch(/^candidate error rate \d+\.\d% \(\d+ of \d+ runs\) exceeds stable's 0\.0% by more than rollback\.maxErrorRateIncrease 5\.0% over 2 s$/);
    expect(s.deployment.target).toBe('@production');
    expect(s.events.map((e) => e.kind)).toStrictEqual(['started', 'rolled_back']);
    expect(s.events[1]).toMatchObject({ reason: s.deployment.rollout?.reason });
    expect((s.events[1]?.details as { candidate: { errorRate: number } }).candidate.errorRate).toBeGreaterThan(0.5);

    // Every caller is back on stable.
    for (let i = 0; i < 30; i++) {
      const res = await infer(`caller-${i}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ model_version: '1' });
    }
    const metrics = (await t.app.inject({ url: '/metrics', headers: auth })).body;
    expect(metrics).toMatch(/slipway_rollout_rollbacks_total\{pipeline="tiny",environment="production"\} 1/);
    expect(metrics).toMatch(/slipway_rollout_candidate_percent\{pipeline="tiny",environment="production"\} 0/);
    // Recorded in the audit log too.
    await waitFor(async () => (await t.store.listAudit({ target: 'tiny/production', limit: 100 })).some((e) => e.action === 'rollout.rolled_back'), 2000);
  });

  it('keeps a caller on one side of a canary', async () => {
    const res = await start({ candidate: 3, steps: [30, 100], intervalSeconds: 3600 });
    expect(res.statusCode, res.body).toBe(200);
    for (let i = 0; i < 20; i++) {
      const first = (await infer(`sticky-${i}`)).json<{ model_version: string }>().model_version;
      for (let j = 0; j < 3; j++) expect((await infer(`sticky-${i}`)).json<{ model_version: string }>().model_version).toBe(first);
    }
    const aborted = await t.app.inject({ method: 'POST', url: '/v1/deployments/tiny/production/rollout/abort', headers: auth });
    expect(aborted.json()).toMatchObject({ rollout: { status: 'aborted', percent: 0 } });
    expect((await t.app.inject({ method: 'POST', url: '/v1/deployments/tiny/production/rollout/abort', headers: auth })).statusCode).toBe(409);
  });

  it('mirrors traffic to a shadow without ever answering with it, and rolls a failing shadow back', async () => {
    const res = await start({ strategy: 'shadow', candidate: 2, rollback: { windowSeconds: 2, minRequests: 5 } });
    expect(res.statusCode, res.body).toBe(200);
    await waitFor(async () => {
      const r = await infer();
      // Every answer comes from stable, while the shadow fails every copy.
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ model_version: '1' });
      return (await status()).deployment.rollout?.status === 'rolled_back';
    }, 10_000);
    const s = await status();
    expect(s.deployment.rollout?.reason).toMatch(/candidate error rate \d+\.\d% .* exceeds stable's 0\.0%/);
  });

  it('compares a healthy shadow with stable: agreement rate and latency', async () => {
    expect((await start({ strategy: 'shadow', candidate: 3 })).statusCode).toBe(200);
    for (let i = 0; i < 10; i++) expect((await infer()).json()).toMatchObject({ model_version: '1' });
    await waitFor(async () => ((await status()).stats.shadow as { mirrored: number } | undefined)?.mirrored === 10, 2000);
    const shadow = (await status()).stats.shadow as { mirrored: number; agreementRate: number; errors: number; candidate: { requests: number; p99Ms: number } };
    expect(shadow).toMatchObject({ mirrored: 10, errors: 0 });
    // v3 has other weights: its answers differ from v1's.
    expect(shadow.agreementRate).toBe(0);
    expect(shadow.candidate.requests).toBe(10);
    expect(shadow.candidate.p99Ms).toBeGreaterThan(0);
    await t.app.inject({ method: 'POST', url: '/v1/deployments/tiny/production/rollout/abort', headers: auth });
  });

  it('steps a healthy canary up on its schedule and promotes it, moving the alias', async () => {
    const res = await start({ candidate: 'v3', steps: [10, 50, 100], intervalSeconds: 0.2 });
    expect(res.statusCode, res.body).toBe(200);
    await waitFor(async () => (await status()).deployment.rollout?.status === 'promoted', 5000);
    const s = await status();
    expect(s.events.slice(-4).map((e) => [e.kind, e.percent])).toStrictEqual([
      ['started', 10],
      ['step', 50],
      ['step', 100],
      ['promoted', 100],
    ]);
    const alias = await t.app.inject({ url: '/v1/pipelines/tiny/aliases', headers: auth });
    expect(alias.json<{ aliases: { alias: string; version: number }[] }>().aliases).toContainEqual(expect.objectContaining({ alias: 'production', version: 3 }));
    for (let i = 0; i < 10; i++) expect((await infer(`k-${i}`)).json()).toMatchObject({ model_version: '3' });
  });

  it('refuses bad rollout requests, naming the field', async () => {
    const cases: [object, RegExp][] = [
      [{ candidate: 'v99' }, /candidate: v99 of "tiny" does not exist/],
      [{ candidate: 'v3' }, /candidate: v3 already serves production/],
      [{ candidate: 'v1', steps: [50, 10] }, /steps\[1\]: \(10\) must be larger/],
      [{ candidate: 'v1', strategy: 'blue-green' }, /strategy/],
    ];
    for (const [body, message] of cases) {
      const res = await start(body);
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(message);
    }
    expect((await t.app.inject({ method: 'POST', url: '/v1/deployments/tiny/dev/rollout', headers: auth, payload: { candidate: 1 } })).statusCode).toBe(404);
  });
});

describe('a worker killed mid-rollout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ workerThreads: 2, deployments: { gpus: [], rolloutTickMs: 3_600_000, autoscaleTickMs: 3_600_000 } });
    // Models over 1 MiB run on worker threads.
    for (const layers of [40, 41]) expect((await push(t, await packageTar({ 'slipway.yaml': 'name: slow\nmodel: model.onnx\n', 'model.onnx': slowModel(layers) }))).statusCode).toBe(201);
    await t.app.inject({ method: 'PUT', url: '/v1/pipelines/slow/aliases/production', headers: auth, payload: { version: 1 } });
    expect((await t.app.inject({ method: 'POST', url: '/v1/deployments', headers: auth, payload: { pipeline: 'slow', environment: 'production' } })).statusCode).toBe(200);
    const started = await t.app.inject({ method: 'POST', url: '/v1/deployments/slow/production/rollout', headers: auth, payload: { candidate: 2, steps: [50, 100], intervalSeconds: 3600 } });
    expect(started.statusCode, started.body).toBe(200);
  });
  afterAll(() => t.cleanup());

  it('keeps traffic flowing, restarts the worker and loses no accepted request', async () => {
    const body = { inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: Array.from({ length: 512 }, () => 0.5) }] };
    const hosts = new Set(t.engine.loaded().map((v) => v.host.id));
    expect(hosts.size).toBe(2); // stable and candidate on different threads
    const requests = Array.from({ length: 40 }, (_, i) => t.app.inject({ method: 'POST', url: '/v2/models/slow/infer', headers: { ...auth, 'x-slipway-caller-key': `c${i}` }, payload: body }));
    // Kill the stable version's worker while runs are in flight on it.
    const stable = await t.registry.resolve('slow:v1');
    const victim = t.engine.threadHosts.find((h) => h.id === t.engine.loaded().find((v) => v.key === 'slow:1')?.host.id);
    expect(victim).toBeDefined();
    const waitStart = Date.now();
    while (t.engine.inFlight(stable) < 3 && Date.now() - waitStart < 5000) await new Promise((r) => setTimeout(r, 1));
    expect(t.engine.inFlight(stable)).toBeGreaterThanOrEqual(3);
    await victim?.terminate();
    const answers = await Promise.all(requests);
    expect(answers.map((a) => a.statusCode)).toStrictEqual(answers.map(() => 200));
    expect(new Set(answers.map((a) => a.json<{ model_version: string }>().model_version))).toStrictEqual(new Set(['1', '2']));
    // The killed worker is restarted on demand and both versions serve again.
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => t.app.inject({ method: 'POST', url: '/v2/models/slow/infer', headers: { ...auth, 'x-slipway-caller-key': `c${i}` }, payload: body })));
    expect(after.every((a) => a.statusCode === 200)).toBe(true);
    expect(t.engine.loaded().map((v) => v.key).sort()).toStrictEqual(['slow:1', 'slow:2']);
  });
});

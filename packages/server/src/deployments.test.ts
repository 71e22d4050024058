import { join } from 'node:path';
import { buildOnnxModel } from '@slipway/modelkit';
import { createOnnxRuntime } from '@slipway/runtime';
import { createLocalArtifactStore } from '@slipway/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { type TestApp, auth, classifierModel, classifierPackage, createTestApp, packageTar, push } from './testing/fixtures.js';

let t: TestApp;

const infer = (headers: Record<string, string> = {}, url = '/v2/models/tiny/infer') =>
  t.app.inject({ method: 'POST', url, headers: { ...auth, ...headers }, payload: { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 0, 2] }] } });
const versionOf = async (headers: Record<string, string> = {}, url?: string) => {
  const res = await infer(headers, url);
  expect(res.statusCode, res.body).toBe(200);
  return Number(res.json<{ model_version: string }>().model_version);
};
const deploy = (payload: object, headers = auth) => t.app.inject({ method: 'POST', url: '/v1/deployments', headers, payload });

beforeAll(async () => {
  t = await createTestApp({ deployments: { gpus: [], rolloutTickMs: 3_600_000, autoscaleTickMs: 3_600_000 } });
  expect((await push(t, await classifierPackage())).statusCode).toBe(201);
  expect((await push(t, await classifierPackage(undefined, classifierModel([2, -1, 0.5])))).statusCode).toBe(201);
  expect((await push(t, await classifierPackage(undefined, classifierModel([3, -1, 0.5])))).statusCode).toBe(201);
  await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/production', headers: auth, payload: { version: 1 } });
});
afterAll(() => t.cleanup());

describe('environments', () => {
  it('lists the built-in ones and creates more', async () => {
    const list = await t.app.inject({ url: '/v1/environments', headers: auth });
    expect(list.json<{ environments: { name: string }[] }>().environments.map((e) => e.name)).toStrictEqual(['dev', 'staging', 'production']);
    const created = await t.app.inject({ method: 'POST', url: '/v1/environments', headers: auth, payload: { name: 'staging-eu', description: 'EU canary' } });
    expect(created.statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: '/v1/environments', headers: auth, payload: { name: 'staging-eu' } });
    expect(again.statusCode).toBe(409);
    const builtIn = await t.app.inject({ method: 'POST', url: '/v1/environments', headers: auth, payload: { name: 'production' } });
    expect(builtIn.statusCode).toBe(409);
    const bad = await t.app.inject({ method: 'POST', url: '/v1/environments', headers: auth, payload: { name: 'EU West' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/^name: must be lowercase/);
    const names = (await t.app.inject({ url: '/v1/environments', headers: auth })).json<{ environments: { name: string }[] }>().environments.map((e) => e.name);
    expect(names).toContain('staging-eu');
  });

  it('needs a token', async () => {
    expect((await t.app.inject({ url: '/v1/environments' })).statusCode).toBe(401);
    expect((await deploy({ pipeline: 'tiny', environment: 'production' }, {} as typeof auth)).statusCode).toBe(401);
  });
});

describe('deployments: bad input', () => {
  it.each<[string, object, number, RegExp]>([
    ['an unknown environment', { environment: 'qa' }, 400, /environment: unknown environment "qa"; known: dev, staging, production.*slipway environments create qa/],
    ['min > max', { scaling: { min: 3, max: 2 } }, 400, /scaling\.max: \(2\) must be ≥ scaling\.min \(3\)/],
    ['negative weights', { traffic: [{ version: 1, weight: -10 }, { version: 2, weight: 110 }] }, 400, /traffic\[0\]\.weight: \(-10\) must be ≥ 0/],
    ['weights not summing to 100', { traffic: [{ version: 1, weight: 50 }, { version: 2, weight: 40 }] }, 400, /traffic: weights must sum to 100, got 90/],
    ['a version in traffic that does not exist', { traffic: [{ version: 1, weight: 50 }, { version: 9, weight: 50 }] }, 400, /traffic\[1\]\.version: v9 of "tiny" does not exist/],
    ['a target that does not resolve', { target: '@nowhere' }, 400, /target: @nowhere of "tiny" does not resolve/],
    ['an unknown pipeline', { pipeline: 'ghost' }, 404, /pipeline "ghost" not found/],
  ])('refuses %s, naming the field', async (_, extra, status, message) => {
    const res = await deploy({ pipeline: 'tiny', environment: 'production', ...extra });
    expect(res.statusCode).toBe(status);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(message);
    // Nothing was stored, and the process still serves.
    expect((await t.app.inject({ url: '/v1/deployments', headers: auth })).json<{ deployments: unknown[] }>().deployments).toStrictEqual([]);
    expect((await infer()).statusCode).toBe(200);
  });
});

describe('deployments', () => {
  it('serves a pipeline without deployments as before (latest)', async () => {
    expect(await versionOf()).toBe(3);
  });

  it('routes by environment: production by default, others by header or ?env=', async () => {
    const prod = await deploy({ pipeline: 'tiny', environment: 'production' });
    expect(prod.statusCode, prod.body).toBe(200);
    expect(prod.json()).toMatchObject({ pipeline: 'tiny', environment: 'production', target: '@production', version: 1, state: 'ready', message: null });
    const staging = await deploy({ pipeline: 'tiny', environment: 'staging', target: 'v2', scaling: { min: 0, max: 2 } });
    expect(staging.json()).toMatchObject({ target: 'v2', version: 2 });

    expect(await versionOf()).toBe(1);
    expect(await versionOf({ 'x-slipway-environment': 'staging' })).toBe(2);
    expect(await versionOf({}, '/v2/models/tiny/infer?env=staging')).toBe(2);
    // An explicit version or alias is served as written.
    expect(await versionOf({ 'x-slipway-environment': 'staging' }, '/v2/models/tiny/versions/3/infer')).toBe(3);
    expect(await versionOf({}, '/v2/models/tiny@production/infer')).toBe(1);
    // The runs API routes the same way.
    const run = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: { ...auth, 'x-slipway-environment': 'staging' }, payload: { pipeline: 'tiny', inputs: { income: 1, owner: false, score: 2 } } });
    expect(run.json<{ version: number }>().version).toBe(2);

    const dev = await infer({ 'x-slipway-environment': 'dev' });
    expect(dev.statusCode).toBe(404);
    expect(dev.body).toMatch(/no deployment of \\"tiny\\" in \\"dev\\"/);
    const bad = await infer({ 'x-slipway-environment': 'Bad Env' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/x-slipway-environment/);

    const list = (await t.app.inject({ url: '/v1/deployments', headers: auth })).json<{ deployments: { environment: string }[] }>();
    expect(list.deployments.map((d) => d.environment)).toStrictEqual(['production', 'staging']);
    const one = await t.app.inject({ url: '/v1/deployments/tiny/staging', headers: auth });
    expect(one.json()).toMatchObject({ scaling: { min: 0, max: 2 } });
  });

  it('follows the alias it targets', async () => {
    await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/production', headers: auth, payload: { version: 2 } });
    expect(await versionOf()).toBe(2);
    await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/production', headers: auth, payload: { version: 1 } });
    expect(await versionOf()).toBe(1);
  });

  it('splits traffic by fixed weights (A/B), sticky per caller key', async () => {
    const res = await deploy({ pipeline: 'tiny', environment: 'production', traffic: [{ version: 1, weight: 50 }, { version: 3, weight: 50 }] });
    expect(res.statusCode, res.body).toBe(200);
    const seen = new Map<number, number>();
    for (let i = 0; i < 60; i++) {
      const v = await versionOf({ 'x-slipway-caller-key': `customer-${i}` });
      seen.set(v, (seen.get(v) ?? 0) + 1);
      // The same caller lands on the same version every time.
      expect(await versionOf({ 'x-slipway-caller-key': `customer-${i}` })).toBe(v);
    }
    expect([...seen.keys()].sort()).toStrictEqual([1, 3]);
    expect(seen.get(1)).toBeGreaterThan(15);
    expect(seen.get(3)).toBeGreaterThan(15);
    await deploy({ pipeline: 'tiny', environment: 'production' });
  });

  it('refuses a canary whose candidate has an incompatible signature, naming the differing fields', async () => {
    const wide = buildOnnxModel({
      name: 'wide',
      inputs: [{ name: 'features', datatype: 'FP32', shape: ['batch', 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['batch', 4] }],
      nodes: [{ op: 'Identity', inputs: ['features'], outputs: ['probabilities'] }],
    });
    const pushed = await push(t, await packageTar({ 'slipway.yaml': 'name: tiny\nmodel: model.onnx\n', 'model.onnx': wide }));
    expect(pushed.statusCode, pushed.body).toBe(201);
    const res = await t.app.inject({ method: 'POST', url: '/v1/deployments/tiny/production/rollout', headers: auth, payload: { candidate: 'v4' } });
    expect(res.statusCode).toBe(400);
    const issues = res.json<{ error: { details: { issues: { path: string; message: string }[] } } }>().error.details.issues;
    expect(issues.map((i) => i.path)).toStrictEqual(['candidate.signature.inputs.features.shape', 'candidate.signature.outputs.probabilities.shape']);
    expect(issues[0]?.message).toMatch(/^v1 has \[-1, 3\], v4 has \[-1, 4\]/);
    // Traffic is untouched.
    expect(await versionOf()).toBe(1);
  });

  it('marks a deployment that fits no worker unschedulable, in its status, as a metric and to its callers', async () => {
    const res = await deploy({ pipeline: 'tiny', environment: 'staging-eu', target: 'v1', resources: { accelerator: 'gpu', gpuMemory: '4GiB' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'unschedulable', message: 'unschedulable: needs gpu, none available' });
    const metrics = (await t.app.inject({ url: '/metrics', headers: auth })).body;
    expect(metrics).toMatch(/slipway_deployment_unschedulable\{pipeline="tiny",environment="staging-eu"\} 1/);
    expect(metrics).toMatch(/slipway_deployment_unschedulable\{pipeline="tiny",environment="production"\} 0/);
    const run = await infer({ 'x-slipway-environment': 'staging-eu' });
    expect(run.statusCode).toBe(503);
    expect(run.body).toMatch(/unschedulable: needs gpu, none available/);
  });

  it('keeps deployments and a running rollout across a restart', async () => {
    const started = await t.app.inject({ method: 'POST', url: '/v1/deployments/tiny/production/rollout', headers: auth, payload: { strategy: 'ab', candidate: 3, candidateWeight: 100 } });
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ rollout: { strategy: 'ab', stable: 1, candidate: 3, percent: 100, status: 'running' } });
    // A second server over the same database and artifacts, as after a restart.
    const again = createApp({
      store: t.store,
      artifacts: createLocalArtifactStore({ dir: join(t.dir, 'artifacts') }),
      runtime: createOnnxRuntime(),
      maxBodyBytes: 1 << 20,
      maxPackageBytes: 64 << 20,
      logLevel: 'silent',
      serving: { workerThreads: 1 },
      deployments: { gpus: [], rolloutTickMs: 3_600_000, autoscaleTickMs: 3_600_000 },
    });
    await again.app.ready();
    try {
      const res = await again.app.inject({ method: 'POST', url: '/v2/models/tiny/infer', headers: auth, payload: { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 0, 2] }] } });
      expect(res.json()).toMatchObject({ model_version: '3' });
      const staging = await again.app.inject({ method: 'POST', url: '/v2/models/tiny/infer', headers: { ...auth, 'x-slipway-environment': 'staging' }, payload: { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 0, 2] }] } });
      expect(staging.json()).toMatchObject({ model_version: '2' });
    } finally {
      // Closing the second app must not close the shared store.
      await again.app.close();
    }
    expect((await t.app.inject({ method: 'POST', url: '/v1/deployments/tiny/production/rollout/abort', headers: auth })).statusCode).toBe(200);
  });

  it('undeploys: the pipeline resolves as before', async () => {
    for (const env of ['production', 'staging', 'staging-eu']) {
      const res = await t.app.inject({ method: 'DELETE', url: `/v1/deployments/tiny/${env}`, headers: auth });
      expect(res.json()).toStrictEqual({ pipeline: 'tiny', environment: env, deleted: true });
    }
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/deployments/tiny/production', headers: auth })).statusCode).toBe(404);
    // Latest again: v4, which takes four features.
    const res = await t.app.inject({ method: 'POST', url: '/v2/models/tiny/infer', headers: auth, payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 0, 2, 3] }] } });
    expect(res.json()).toMatchObject({ model_version: '4' });
  });
});

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PushResponse, VersionRecord } from '@slipway/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLASSIFIER_MANIFEST, type TestApp, auth, classifierModel, classifierPackage, createTestApp, packageTar, push, tarOf } from './testing/fixtures.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true }).catch(() => [])).sort();
}

async function expectNothingStored(before: { pipelines: unknown; files: string[] }) {
  const now = await t.app.inject({ headers: auth, url: '/v1/pipelines' });
  expect(now.json()).toEqual(before.pipelines);
  expect(await listFiles(join(t.dir, 'artifacts'))).toEqual(before.files);
}

async function snapshot() {
  return { pipelines: (await t.app.inject({ headers: auth, url: '/v1/pipelines' })).json<unknown>(), files: await listFiles(join(t.dir, 'artifacts')) };
}

describe('push', () => {
  it('creates v1 with signature and lineage, and is idempotent for identical content', async () => {
    const first = await push(t, await classifierPackage());
    expect(first.statusCode).toBe(201);
    const body = first.json<PushResponse>();
    expect(body.ref).toBe('tiny:v1');
    expect(body.created).toBe(true);
    expect(body.version.signature.inputs).toEqual([expect.objectContaining({ name: 'features', datatype: 'FP32', shape: [-1, 3] })]);
    expect(body.version.lineage).toMatchObject({ codeCommit: 'abc123', dataset: { uri: 's3://bucket/credit.csv', digest: 'sha256:00ff' }, parameters: { lr: 0.1, epochs: 10 }, metrics: { auc: 0.81 } });
    expect(body.version.createdBy).toBe('tester');
    expect(body.version.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(body.version.artifacts.map((a) => a.path)).toEqual(['model.onnx', 'slipway.yaml']);

    const again = await push(t, await classifierPackage());
    expect(again.statusCode).toBe(200);
    expect(again.json<PushResponse>()).toMatchObject({ ref: 'tiny:v1', created: false });

    const changed = await push(t, await classifierPackage(CLASSIFIER_MANIFEST, classifierModel([2, -1, 0.5])));
    expect(changed.json<PushResponse>().ref).toBe('tiny:v2');
  });

  it('gives racing pushes of different content distinct versions', async () => {
    const bodies = await Promise.all([1, 2, 3, 4].map((w) => classifierPackage(CLASSIFIER_MANIFEST, classifierModel([w, 0, 0]))));
    const results = await Promise.all(bodies.map((b) => push(t, b)));
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(results.map((r) => r.json<PushResponse>().version.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('refuses pushes without a valid token and stores nothing', async () => {
    const before = await snapshot();
    const none = await push(t, await classifierPackage(), {});
    expect(none.statusCode).toBe(401);
    expect(none.json<{ error: { code: string } }>().error.code).toBe('unauthenticated');
    const wrong = await push(t, await classifierPackage(), { authorization: 'Bearer nope' });
    expect(wrong.statusCode).toBe(401);
    await expectNothingStored(before);
  });

  const rejections: [string, () => Promise<Buffer>, RegExp[]][] = [
    ['a manifest with several problems (all reported)', () => packageTar({ 'slipway.yaml': 'name: Bad Name\nruntime: tensorflow\ncolour: blue\n', 'model.onnx': classifierModel() }), [/name/, /runtime/, /colour/]],
    ['YAML that does not parse', () => packageTar({ 'slipway.yaml': 'name: [unclosed\n', 'model.onnx': classifierModel() }), [/YAML syntax/]],
    ['a missing manifest', () => packageTar({ 'model.onnx': classifierModel() }), [/slipway.yaml: is missing/]],
    ['a missing model file', () => packageTar({ 'slipway.yaml': 'name: tiny\nmodel: nope.onnx\n' }), [/"nope.onnx" is not in the package/]],
    ['a model file that is not ONNX', () => packageTar({ 'slipway.yaml': 'name: tiny\n', 'model.onnx': 'hello, not a model' }), [/model/i]],
    ['a truncated ONNX file', () => packageTar({ 'slipway.yaml': 'name: tiny\n', 'model.onnx': classifierModel().subarray(0, 40) }), [/model/i]],
    [
      'tabular features that do not fit the model input',
      () => classifierPackage(CLASSIFIER_MANIFEST.replace('    - { name: score, type: numeric }\n', '')),
      [/expand to 2 columns .* has 3/],
    ],
    ['an output that does not exist', () => classifierPackage(CLASSIFIER_MANIFEST.replace('probabilities: probabilities', 'probabilities: probs')), [/"probs" is not a model output/]],
    ['a path escaping the package', () => tarOf([{ name: 'slipway.yaml', content: 'name: tiny\n' }, { name: '../evil.sh', content: 'rm -rf /' }]), [/escapes the package/]],
    ['an absolute path', () => tarOf([{ name: '/etc/passwd', content: 'x' }]), [/not a relative path/]],
    ['a symbolic link', () => tarOf([{ name: 'slipway.yaml', content: 'name: tiny\n' }, { name: 'model.onnx', type: 'symlink', linkname: '/etc/passwd' }]), [/symbolic link/]],
    ['a hard link', () => tarOf([{ name: 'slipway.yaml', content: 'name: tiny\n' }, { name: 'model.onnx', type: 'link', linkname: '../../x' }]), [/hard link/]],
  ];

  it.each(rejections)('rejects %s with 422 naming the problem, storing nothing', async (_name, make, patterns) => {
    await push(t, await classifierPackage());
    const before = await snapshot();
    const res = await push(t, await make());
    expect(res.statusCode).toBe(422);
    const { error } = res.json<{ error: { code: string; message: string; details: { issues: unknown[] } } }>();
    expect(error.code).toBe('invalid_package');
    for (const p of patterns) expect(error.message).toMatch(p);
    await expectNothingStored(before);
  });

  it('rejects a body that is not a tar at all', async () => {
    const res = await push(t, Buffer.from('{"not":"a tar"}'.repeat(40)));
    expect(res.statusCode).toBe(422);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('invalid_package');
  });

  it('rejects a JSON body on the push route with a hint', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/pipelines', headers: auth, payload: { name: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/slipway push/);
  });
});

describe('versions and aliases', () => {
  beforeEach(async () => {
    await push(t, await classifierPackage());
    await push(t, await classifierPackage(CLASSIFIER_MANIFEST, classifierModel([3, 2, 1])));
  });

  it('resolves name, name:vN and name@alias everywhere', async () => {
    const set = await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/production', headers: auth, payload: { version: 'v1' } });
    expect(set.statusCode).toBe(200);
    const get = async (ref: string) => (await t.app.inject({ headers: auth, url: `/v1/versions/${encodeURIComponent(ref)}` })).json<VersionRecord>().version;
    expect(await get('tiny')).toBe(2);
    expect(await get('tiny:v1')).toBe(1);
    expect(await get('tiny:2')).toBe(2);
    expect(await get('tiny@production')).toBe(1);
    const meta = await t.app.inject({ headers: auth, url: '/v2/models/tiny@production' });
    expect(meta.json<{ name: string; versions: string[] }>()).toMatchObject({ name: 'tiny', versions: ['2', '1'] });
    const run = await t.app.inject({ headers: auth, method: 'POST', url: '/v1/runs', payload: { pipeline: 'tiny@production', inputs: { income: 1, owner: true, score: 0 } } });
    expect(run.json<{ version: number }>().version).toBe(1);
  });

  it('keeps every alias move with who and when, and the API sees moves at once', async () => {
    for (const v of [1, 2, 1]) {
      await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/production', headers: auth, payload: { version: v } });
      const run = await t.app.inject({ headers: auth, method: 'POST', url: '/v1/runs', payload: { pipeline: 'tiny@production', inputs: { income: 1, owner: true, score: 0 } } });
      expect(run.json<{ version: number }>().version).toBe(v);
    }
    const res = await t.app.inject({ headers: auth, url: '/v1/pipelines/tiny/aliases/production/history' });
    const { history } = res.json<{ history: { fromVersion: number | null; toVersion: number; actor: string; at: string }[] }>();
    expect(history.map((h) => [h.fromVersion, h.toVersion])).toEqual([[null, 1], [1, 2], [2, 1]]);
    expect(history.every((h) => h.actor === 'tester' && !Number.isNaN(Date.parse(h.at)))).toBe(true);
  });

  it.each([
    ['an unknown version', '/v1/pipelines/tiny/aliases/production', { version: 9 }, 404],
    ['a malformed version', '/v1/pipelines/tiny/aliases/production', { version: 'latest' }, 400],
    ['a missing version', '/v1/pipelines/tiny/aliases/production', {}, 400],
    ['a bad alias name', '/v1/pipelines/tiny/aliases/v2', { version: 1 }, 400],
    ['an unknown pipeline', '/v1/pipelines/nope/aliases/production', { version: 1 }, 404],
  ])('refuses moving an alias to %s', async (_n, url, payload, status) => {
    const res = await t.app.inject({ method: 'PUT', url, headers: auth, payload });
    expect(res.statusCode).toBe(status);
    expect(res.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(10);
    const aliases = await t.app.inject({ headers: auth, url: '/v1/pipelines/tiny/aliases' });
    expect(aliases.json()).toEqual({ aliases: [] });
  });

  it('answers 404 for unknown pipelines, versions and aliases', async () => {
    for (const url of ['/v1/pipelines/nope', '/v1/versions/tiny:v7', '/v1/versions/tiny@staging', '/v1/pipelines/nope/versions', '/v1/pipelines/tiny/aliases/staging/history']) {
      const res = await t.app.inject({ headers: auth, url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json<{ error: { code: string; requestId: string } }>().error).toMatchObject({ code: 'not_found', requestId: expect.any(String) as string });
    }
  });

  it('refuses to serve a corrupted artifact, and serves again once it is repaired', async () => {
    const record = (await t.app.inject({ headers: auth, url: '/v1/versions/tiny:v1' })).json<VersionRecord>();
    const model = record.artifacts.find((a) => a.path === 'model.onnx');
    const hex = model!.digest.slice('sha256:'.length);
    const file = join(t.dir, 'artifacts', 'sha256', hex.slice(0, 2), hex);
    const original = await readFile(file);
    const corrupted = Buffer.from(original);
    corrupted[corrupted.length - 5]! ^= 0xff;
    await writeFile(file, corrupted);
    const infer = () => t.app.inject({ headers: auth, method: 'POST', url: '/v2/models/tiny/versions/1/infer', payload: { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] } });
    const bad = await infer();
    expect(bad.statusCode).toBe(500);
    expect(bad.json<{ error: string }>().error).toMatch(/corrupted/);
    await writeFile(file, original);
    expect((await infer()).statusCode).toBe(200);
  });
});

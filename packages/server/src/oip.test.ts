import { DATATYPES, type Datatype, type InferResponse } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, classifierPackage, createTestApp, identityModel, packageTar, push, auth } from './testing/fixtures.js';

let t: TestApp;

const SAMPLE: Record<Datatype, unknown[]> = {
  BOOL: [true, false, true, false, false, true],
  UINT8: [0, 1, 2, 128, 254, 255],
  UINT16: [0, 1, 65535, 7, 8, 9],
  UINT32: [0, 1, 4294967295, 7, 8, 9],
  UINT64: [0, 1, 2 ** 53 - 1, 7, 8, 9],
  INT8: [-128, -1, 0, 1, 127, 5],
  INT16: [-32768, -1, 0, 1, 32767, 5],
  INT32: [-2147483648, -1, 0, 1, 2147483647, 5],
  INT64: [-(2 ** 53 - 1), -1, 0, 1, 2 ** 53 - 1, 5],
  FP16: [0, 1, -2, 0.5, 65504, -0.25],
  FP32: [0, 1.5, -2.25, 3.0517578125e-5, 1e10, -7],
  FP64: [0, 1.1, -2.2, Math.PI, 1e-300, -1e300],
  BYTES: ['a', '', 'héllo', '日本', 'x y', '{"json": 1}'],
};

beforeAll(async () => {
  t = await createTestApp({ maxBodyBytes: 64 * 1024 });
  for (const dt of DATATYPES) {
    const res = await push(t, await packageTar({ 'slipway.yaml': `name: id-${dt.toLowerCase()}\n`, 'model.onnx': identityModel(dt) }));
    expect(res.statusCode, await Promise.resolve(res.body)).toBe(201);
  }
  await push(t, await classifierPackage());
});
afterAll(() => t.cleanup());

const infer = (model: string, payload: unknown, path = `/v2/models/${model}/infer`) =>
  t.app.inject({ headers: auth, method: 'POST', url: path, payload: payload as object });

describe('Open Inference Protocol', () => {
  it('answers health and server metadata', async () => {
    expect((await t.app.inject({ headers: auth, url: '/v2/health/live' })).statusCode).toBe(200);
    expect((await t.app.inject({ headers: auth, url: '/v2/health/ready' })).statusCode).toBe(200);
    expect((await t.app.inject({ headers: auth, url: '/v2' })).json()).toMatchObject({ name: 'slipway', version: expect.any(String) as string, extensions: [] });
  });

  it('describes a model and its versions', async () => {
    const meta = (await t.app.inject({ headers: auth, url: '/v2/models/id-int64' })).json<{ inputs: unknown[]; versions: string[] }>();
    expect(meta).toMatchObject({ name: 'id-int64', versions: ['1'], inputs: [{ name: 'x', datatype: 'INT64', shape: [-1, 3] }], outputs: [{ name: 'y', datatype: 'INT64', shape: [-1, 3] }] });
    expect((await t.app.inject({ headers: auth, url: '/v2/models/id-int64/versions/1' })).statusCode).toBe(200);
    expect((await t.app.inject({ headers: auth, url: '/v2/models/id-int64/ready' })).json()).toEqual({ name: 'id-int64', ready: true });
    expect((await t.app.inject({ headers: auth, url: '/v2/models/id-int64/versions/1/ready' })).statusCode).toBe(200);
  });

  it.each(DATATYPES)('round-trips %s exactly, with flat and nested data', async (dt) => {
    const data = SAMPLE[dt];
    const flat = await infer(`id-${dt.toLowerCase()}`, { id: 'req-1', inputs: [{ name: 'x', shape: [2, 3], datatype: dt, data }] });
    expect(flat.statusCode, flat.body).toBe(200);
    const body = flat.json<InferResponse>();
    expect(body).toMatchObject({ model_name: `id-${dt.toLowerCase()}`, model_version: '1', id: 'req-1' });
    expect(body.outputs).toEqual([{ name: 'y', datatype: dt, shape: [2, 3], data }]);
    const nested = await infer(`id-${dt.toLowerCase()}`, { inputs: [{ name: 'x', shape: [2, 3], datatype: dt, data: [data.slice(0, 3), data.slice(3)] }] }, `/v2/models/id-${dt.toLowerCase()}/versions/1/infer`);
    expect(nested.json<InferResponse>().outputs[0]?.data).toEqual(data);
  });

  it('returns only the requested outputs', async () => {
    const res = await infer('tiny', { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [0, 0, 0] }], outputs: [{ name: 'probabilities' }] });
    const out = res.json<InferResponse>().outputs;
    expect(out.map((o) => o.name)).toEqual(['probabilities']);
    expect(out[0]?.data).toEqual([0.5, 0.5]);
  });

  const x = (over: object) => ({ inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3], ...over }] });
  it.each([
    ['a wrong tensor name', x({ name: 'nope' }), /unknown input "nope"/],
    ['a wrong datatype', x({ datatype: 'INT32' }), /inputs\[0\]\.datatype: is INT32 but input "x" needs FP32/],
    ['an unknown datatype', x({ datatype: 'FLOAT' }), /inputs\[0\]\.datatype: must be one of/],
    ['a wrong shape', x({ shape: [3, 1], data: [1, 2, 3] }), /inputs\[0\]\.shape: is \[3, 1\]/],
    ['a wrong rank', x({ shape: [3], data: [1, 2, 3] }), /inputs\[0\]\.shape/],
    ['a wrong element count', x({ data: [1, 2] }), /has 2 elements but shape \[1, 3\] needs 3/],
    ['a non-numeric element', x({ data: [1, 'two', 3] }), /inputs\[0\]\.data\[1\]: must be a number/],
    ['no inputs', { inputs: [] }, /inputs: must be a non-empty array/],
    ['a missing input', { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }, { name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }, /given twice/],
    ['an unknown output', { ...x({}), outputs: [{ name: 'z' }] }, /outputs\[0\]\.name: must be one of/],
    ['a body that is not an object', [1, 2, 3], /body: must be a JSON object/],
  ])('answers 400 {"error": "..."} for %s', async (_n, payload, pattern) => {
    const res = await infer('id-fp32', payload);
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: unknown }>();
    expect(typeof body.error).toBe('string');
    expect(body.error as string).toMatch(pattern);
  });

  it('names a missing input', async () => {
    const res = await infer('tiny', { inputs: [{ name: 'other', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] });
    expect(res.json<{ error: string }>().error).toMatch(/missing input "features"/);
  });

  it('answers 404 for unknown models and versions, 400 for malformed versions', async () => {
    expect((await infer('nope', x({}))).statusCode).toBe(404);
    expect((await infer('id-fp32', x({}), '/v2/models/id-fp32/versions/9/infer')).statusCode).toBe(404);
    expect((await t.app.inject({ headers: auth, url: '/v2/models/nope' })).json<{ error: string }>().error).toMatch(/pipeline "nope" not found/);
    expect((await infer('id-fp32', x({}), '/v2/models/id-fp32/versions/latest/infer')).statusCode).toBe(400);
  });

  it('answers 400 for non-JSON and truncated bodies, 413 above the size limit', async () => {
    const raw = (payload: string) => t.app.inject({ method: 'POST', url: '/v2/models/id-fp32/infer', headers: { ...auth, 'content-type': 'application/json' }, payload });
    const notJson = await raw('this is not json');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json<{ error: string }>().error).toMatch(/not valid JSON/);
    expect((await raw('{"inputs": [{"name": "x", "shape": [1,')).statusCode).toBe(400);
    const big = await raw(JSON.stringify(x({ data: new Array(20_000).fill(1.2345), shape: [1, 20_000] })));
    expect(big.statusCode).toBe(413);
    expect(big.json<{ error: string }>().error).toMatch(/SLIPWAY_MAX_BODY_BYTES/);
    expect((await infer('id-fp32', x({}))).statusCode).toBe(200);
  });
});

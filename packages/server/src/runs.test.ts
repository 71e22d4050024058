import type { RunResponse } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, classifierPackage, createTestApp, identityModel, packageTar, push, auth } from './testing/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await push(t, await classifierPackage());
  await push(t, await packageTar({ 'slipway.yaml': 'name: echo\n', 'model.onnx': identityModel('INT64', ['batch', 2]) }));
});
afterAll(() => t.cleanup());

const run = (payload: unknown) => t.app.inject({ headers: auth, method: 'POST', url: '/v1/runs', payload: payload as object });

describe('runs API', () => {
  it('runs one record and returns labelled predictions', async () => {
    const res = await run({ pipeline: 'tiny', inputs: { income: 0, owner: false, score: 0 } });
    expect(res.statusCode).toBe(200);
    const body = res.json<RunResponse>();
    expect(body).toMatchObject({ pipeline: 'tiny', version: 1, ref: 'tiny:v1', outputs: { probabilities: [[0.5, 0.5]] } });
    expect(body.predictions).toEqual([{ label: 'repaid', probabilities: { repaid: 0.5, default: 0.5 } }]);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('runs a list of records in order', async () => {
    const body = (await run({ pipeline: 'tiny:v1', inputs: [{ income: 5, owner: false, score: 0 }, { income: -5, owner: false, score: 0 }] })).json<RunResponse>();
    expect(body.predictions?.map((p) => p.label)).toEqual(['default', 'repaid']);
  });

  it('takes named tensors as nested arrays or full tensors', async () => {
    const nested = (await run({ pipeline: 'echo', inputs: { x: [[1, 2], [3, 4]] } })).json<RunResponse>();
    expect(nested.outputs).toEqual({ y: [[1, 2], [3, 4]] });
    const full = (await run({ pipeline: 'echo', inputs: { x: { shape: [1, 2], data: [7, 8] } } })).json<RunResponse>();
    expect(full.outputs).toEqual({ y: [[7, 8]] });
  });

  it.each([
    ['no pipeline', { inputs: {} }, /pipeline/],
    ['no inputs', { pipeline: 'tiny' }, /inputs: is required/],
    ['an unknown field', { pipeline: 'tiny', inputs: {}, extra: 1 }, /extra/],
    ['a missing feature', { pipeline: 'tiny', inputs: { income: 1, owner: true } }, /inputs\[0\]\.score: is missing; expected a finite number/],
    ['a feature of the wrong type', { pipeline: 'tiny', inputs: { income: 'lots', owner: true, score: 1 } }, /inputs\[0\]\.income: is "lots"/],
    ['an unknown feature', { pipeline: 'tiny', inputs: { income: 1, owner: true, score: 1, incme: 2 } }, /inputs\[0\]\.incme: is not a feature/],
    ['an empty record list', { pipeline: 'tiny', inputs: [] }, /at least one record/],
    ['a ragged nested array', { pipeline: 'echo', inputs: { x: [[1, 2], [3]] } }, /inputs\.x\[1\]: must be an array of 2 elements/],
    ['a wrong tensor shape', { pipeline: 'echo', inputs: { x: [1, 2] } }, /inputs\.x\.shape/],
    ['an unknown tensor', { pipeline: 'echo', inputs: { x: [[1, 2]], z: [1] } }, /inputs\.z: is not a model input/],
    ['a non-integer for INT64', { pipeline: 'echo', inputs: { x: [[1.5, 2]] } }, /must be an integer/],
    ['an invalid mode', { pipeline: 'tiny', inputs: {}, mode: 'turbo' }, /mode/],
    ['a malformed reference', { pipeline: 'tiny@', inputs: {} }, /not a valid alias/],
  ])('answers 400 naming the field for %s', async (_n, payload, pattern) => {
    const res = await run(payload);
    expect(res.statusCode).toBe(400);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(pattern);
  });

  it('answers 404 for an unknown pipeline or alias', async () => {
    expect((await run({ pipeline: 'nope', inputs: {} })).statusCode).toBe(404);
    expect((await run({ pipeline: 'tiny@staging', inputs: {} })).statusCode).toBe(404);
  });
});

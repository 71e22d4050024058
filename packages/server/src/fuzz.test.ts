import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, classifierPackage, createTestApp, identityModel, packageTar, push, auth } from './testing/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await push(t, await classifierPackage());
  await push(t, await packageTar({ 'slipway.yaml': 'name: echo\n', 'model.onnx': identityModel('FP32') }));
});
afterAll(() => t.cleanup());

// Random JSON, plus JSON shaped like real requests with random parts, so the fuzzer
// reaches the tensor decoder and the model, not only the first type check.
const tensorish = fc.record({
  name: fc.oneof(fc.constant('x'), fc.constant('features'), fc.string()),
  shape: fc.oneof(fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 3 }), fc.jsonValue()),
  datatype: fc.oneof(fc.constantFrom('FP32', 'INT64', 'BYTES', 'BOOL', 'FP16'), fc.string()),
  data: fc.oneof(fc.array(fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.string()), { maxLength: 12 }), fc.jsonValue()),
});
const body = fc.oneof(
  fc.jsonValue(),
  fc.record({ inputs: fc.array(tensorish, { maxLength: 3 }), outputs: fc.option(fc.jsonValue()) }),
  fc.record({ pipeline: fc.constantFrom('tiny', 'echo', 'tiny@production', 'nope', ''), inputs: fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('income', 'owner', 'score', 'x'), fc.jsonValue())) }),
);

describe('fuzzing the inference surfaces', () => {
  it('answers only 2xx or 4xx to random JSON and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/v2/models/echo/infer', '/v2/models/tiny/infer', '/v1/runs'), body, async (url, payload) => {
        const res = await t.app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
        expect(res.statusCode, `${url} ${JSON.stringify(payload)} → ${res.body}`).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/application\/json/);
      }),
      { numRuns: 400 },
    );
    const ok = await t.app.inject({ headers: auth, method: 'POST', url: '/v2/models/echo/infer', payload: { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] } });
    expect(ok.statusCode).toBe(200);
  });
});

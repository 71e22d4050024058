import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.js';
import { type TestApp, createTestApp } from './testing/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.cleanup());

describe('OpenAPI document', () => {
  it('is served and describes every registered route', async () => {
    const served = (await t.app.inject({ url: '/openapi.json' })).json<typeof openApiDocument>();
    expect(served.openapi).toBe('3.1.0');
    const paths = served.paths as Record<string, Record<string, unknown>>;
    const missing = t.routes
      .map((r) => ({ method: r.method.toLowerCase(), path: r.url.replace(/:m\b/, '{model_name}').replace(/:v\b/, '{model_version}').replace(/:(\w+)/g, '{$1}') }))
      .filter((r) => paths[r.path]?.[r.method] === undefined)
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
    expect(t.routes.length).toBeGreaterThanOrEqual(17);
  });

  it('describes no route that does not exist', () => {
    const registered = new Set(t.routes.map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:m\b/, '{model_name}').replace(/:v\b/, '{model_version}').replace(/:(\w+)/g, '{$1}')}`));
    const documented = Object.entries(openApiDocument.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented.filter((d) => !registered.has(d))).toEqual([]);
  });
});

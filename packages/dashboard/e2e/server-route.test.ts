// The server's dashboard route (packages/server/src/routes/dashboard.ts): index.html for
// `/` and client routes, hashed assets, a clear answer when the dashboard is not built,
// and API paths never swallowed by the app.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOnnxRuntime } from '@slipway/runtime';
import { createApp, type SlipwayApp } from '@slipway/server';
import { createLocalArtifactStore, createSqliteMetadataStore } from '@slipway/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
const apps: { app: SlipwayApp; close: () => Promise<void> }[] = [];

async function appServing(dashboardDir: string): Promise<SlipwayApp> {
  const store = createSqliteMetadataStore({ path: join(dir, `${apps.length}.db`) });
  await store.migrate();
  const app = createApp({
    store,
    artifacts: createLocalArtifactStore({ dir: join(dir, 'artifacts') }),
    runtime: createOnnxRuntime(),
    maxBodyBytes: 1024 * 1024,
    maxPackageBytes: 1024 * 1024,
    logLevel: 'silent',
    serving: { workerThreads: 0 },
    dashboardDir,
  });
  await app.app.ready();
  apps.push({ app, close: async () => (await app.app.close(), await store.close()) });
  return app;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-dashboard-route-'));
  await mkdir(join(dir, 'built/assets'), { recursive: true });
  await writeFile(join(dir, 'built/index.html'), '<!doctype html><title>Slipway</title><div id="root"></div>');
  await writeFile(join(dir, 'built/assets/index-abc123.js'), 'console.log("dashboard")');
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard route, built', () => {
  it.each(['/', '/pipelines/credit-risk', '/pipelines/credit-risk?tab=playground', '/governance'])('answers index.html for %s, never cached', async (url) => {
    const { app } = await appServing(join(dir, 'built'));
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<div id="root">');
  });

  it('serves hashed assets for a year and 404s a missing one', async () => {
    const { app } = await appServing(join(dir, 'built'));
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    expect((await app.inject({ url: '/assets/nope.js' })).statusCode).toBe(404);
  });

  it.each([
    { url: '/v1/nowhere', status: 404 },
    { url: '/v2/nowhere', status: 404 },
    { url: '/favicon.ico', status: 404 },
    { url: '/v1/pipelines', status: 401 },
  ])('leaves API paths and file names alone: $url → $status JSON', async ({ url, status }) => {
    const { app } = await appServing(join(dir, 'built'));
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('answers only GET: a POST to a client route is a 404', async () => {
    const { app } = await appServing(join(dir, 'built'));
    expect((await app.inject({ method: 'POST', url: '/pipelines/x' })).statusCode).toBe(404);
  });
});

describe('dashboard route, not built', () => {
  it.each(['/', '/pipelines/credit-risk'])('%s says to run `npm run build`, and the API still works', async (url) => {
    const { app } = await appServing(join(dir, 'missing'));
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(503);
    const body = res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toMatch(/dashboard is not built.*run `npm run build`/);
    expect((await app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
  });
});

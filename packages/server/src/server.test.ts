import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PipelinesResponse, RunResponse } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from './config.js';
import { startServer } from './server.js';

const examplesDir = resolve(import.meta.dirname, '../../../examples');
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-start-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const config = (extra: object = {}) => resolveServerConfig({ port: 0, dataDir, examplesDir, logLevel: 'silent', ...extra }, {});

describe('startServer (embedded: SQLite + local disk)', () => {
  it('deploys the examples warm, generates an admin token once, and keeps data across restarts without duplicates', async () => {
    const first = await startServer(config());
    let token: string;
    try {
      expect(first.examples).toEqual([
        // The default Regulation B policy keeps credit-risk (sex, age, marital_status) out of production.
        { ref: 'credit-risk@staging', created: true },
        { ref: 'sensor-mlp@production', created: true },
      ]);
      expect(first.newAdminToken).toMatch(/^slw_/);
      token = first.newAdminToken!;
      expect((await readFile(first.tokenFile, 'utf8')).trim()).toBe(token);
      expect((await stat(first.tokenFile)).mode & 0o777).toBe(0o600);

      const holdout = (await readFile(join(examplesDir, 'credit-risk/data/holdout.csv'), 'utf8')).split('\n');
      const header = holdout[0]!.split(',');
      const values = holdout[1]!.split(',');
      const record = Object.fromEntries(
        header.filter((h) => h !== 'default').map((h) => {
          const v = values[header.indexOf(h)]!;
          return [h, Number.isNaN(Number(v)) ? v : Number(v)];
        }),
      );
      const res = await fetch(`${first.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ pipeline: 'credit-risk@staging', inputs: record }) });
      expect(res.status).toBe(200);
      const run = (await res.json()) as RunResponse;
      expect(run.ref).toBe('credit-risk:v1');
      expect(['repaid', 'default']).toContain(run.predictions?.[0]?.label);

      const moved = await fetch(`${first.url}/v1/pipelines/credit-risk/aliases/canary`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"version":1}' });
      expect(moved.status).toBe(200);
      const blocked = await fetch(`${first.url}/v1/pipelines/credit-risk/aliases/production`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"version":1}' });
      expect(blocked.status).toBe(403);
    } finally {
      await first.close();
    }

    const second = await startServer(config());
    try {
      expect(second.examples.map((e) => e.created)).toEqual([false, false]);
      expect(second.newAdminToken).toBeUndefined();
      const { pipelines } = (await (await fetch(`${second.url}/v1/pipelines`, { headers: { authorization: `Bearer ${token}` } })).json()) as PipelinesResponse;
      expect(pipelines.map((p) => [p.name, p.versionCount, p.aliases])).toEqual([
        ['credit-risk', 1, { canary: 1, staging: 1 }],
        ['sensor-mlp', 1, { production: 1 }],
      ]);
    } finally {
      await second.close();
    }
  });

  it('reloads the versions that were hot before a restart, while already serving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-hot-'));
    const cfg = resolveServerConfig({ port: 0, dataDir: dir, examplesDir, logLevel: 'silent' }, {});
    try {
      const first = await startServer(cfg);
      const headers = { authorization: `Bearer ${first.newAdminToken!}` };
      const models = async (url: string) => ((await (await fetch(`${url}/v1/serving/models`, { headers })).json()) as { models: { pipeline: string }[] }).models.map((m) => m.pipeline).sort();
      expect(await models(first.url)).toEqual(['credit-risk', 'sensor-mlp']);
      await first.close();
      const second = await startServer({ ...cfg, examples: false });
      try {
        await expect.poll(() => models(second.url), { timeout: 10_000 }).toEqual(['credit-risk', 'sensor-mlp']);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says clearly when the port is taken', async () => {
    const server = await startServer(config({ examples: false }));
    try {
      const port = Number(new URL(server.url).port);
      await expect(startServer(config({ examples: false, port }))).rejects.toThrow(new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    } finally {
      await server.close();
    }
  });

  it('accepts SLIPWAY_ADMIN_TOKEN as the admin token', async () => {
    const adminToken = 'ci-admin-token-0123456789abcdef';
    const server = await startServer(resolveServerConfig({ port: 0, dataDir, examples: false, logLevel: 'silent' }, { SLIPWAY_ADMIN_TOKEN: adminToken }));
    try {
      const put = (auth: string) => fetch(`${server.url}/v1/pipelines/sensor-mlp/aliases/canary`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: auth }, body: '{"version":"v1"}' });
      expect((await put(`Bearer ${adminToken}`)).status).toBe(200);
      expect((await put('Bearer not-the-token')).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

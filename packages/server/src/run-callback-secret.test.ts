import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from './config.js';
import { CALLBACK_SECRET_FILE, loadCallbackSecret } from './run-callback-secret.js';

describe('loadCallbackSecret', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-secret-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('generates a key once, keeps it private in the data directory, and reuses it', async () => {
    const data = join(dir, 'nested', 'data');
    const first = await loadCallbackSecret(data, undefined);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(join(data, CALLBACK_SECRET_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadCallbackSecret(data, undefined)).toBe(first);
    expect((await readFile(join(data, CALLBACK_SECRET_FILE), 'utf8')).trim()).toBe(first);
  });

  it('prefers the configured key', async () => {
    expect(await loadCallbackSecret(join(dir, 'other'), 'configured-secret-0123')).toBe('configured-secret-0123');
  });
});

describe('run settings in the server config', () => {
  it('reads them from the environment', () => {
    const config = resolveServerConfig({}, { SLIPWAY_CALLBACK_ALLOW: '127.0.0.1/32,10.0.0.0/8', SLIPWAY_ASYNC_RUN_CONCURRENCY: '2', SLIPWAY_RUN_RECORD_MAX_BYTES: '64KiB' });
    expect(config).toMatchObject({ callbackAllow: ['127.0.0.1/32', '10.0.0.0/8'], asyncRunConcurrency: 2, runRecordMaxBytes: 65536 });
    expect(resolveServerConfig({}, {})).toMatchObject({ callbackAllow: [], asyncRunConcurrency: 4, runRecordMaxBytes: 1024 * 1024 });
  });

  it('reports every bad value naming its variable', () => {
    expect(() => resolveServerConfig({}, { SLIPWAY_CALLBACK_ALLOW: '10.0.0.0/99', SLIPWAY_CALLBACK_SECRET: 'short', SLIPWAY_RUN_RECORD_MAX_BYTES: 'lots' })).toThrow(
      /callbackSecret \(SLIPWAY_CALLBACK_SECRET\): must be at least 16 characters.*callbackAllow \(SLIPWAY_CALLBACK_ALLOW\): "10\.0\.0\.0\/99" is not an address or CIDR range.*runRecordMaxBytes \(SLIPWAY_RUN_RECORD_MAX_BYTES\): "lots" is not a size/,
    );
  });
});

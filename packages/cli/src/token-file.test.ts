import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveToken, tokenFilePath } from './token-file.js';

describe('resolveToken', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'slipway-token-'));
    await mkdir(join(cwd, '.slipway'));
    await writeFile(join(cwd, '.slipway', 'admin-token'), 'slw_from_file\n', { mode: 0o600 });
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('prefers --token, then SLIPWAY_TOKEN, then the token file', () => {
    expect(resolveToken('flag', { SLIPWAY_TOKEN: 'env' }, cwd)).toBe('flag');
    expect(resolveToken(undefined, { SLIPWAY_TOKEN: 'env' }, cwd)).toBe('env');
    expect(resolveToken(undefined, {}, cwd)).toBe('slw_from_file');
  });

  it('finds the file under SLIPWAY_DATA_DIR, and goes without when there is none', () => {
    expect(tokenFilePath({ SLIPWAY_DATA_DIR: '/srv/slipway' }, cwd)).toBe('/srv/slipway/admin-token');
    expect(resolveToken(undefined, { SLIPWAY_DATA_DIR: join(cwd, 'nowhere') }, cwd)).toBeUndefined();
  });
});

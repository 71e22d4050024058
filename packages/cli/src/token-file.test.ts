import { mkdtemp, rm, writeFile, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginConfigPath, readLogin, removeLogin, resolveServer, resolveToken, tokenFilePath, writeLogin } from './token-file.js';

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

describe('slipway login config', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'slipway-login-'));
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it('lives under SLIPWAY_CONFIG, XDG_CONFIG_HOME or HOME, and nowhere without them', () => {
    expect(loginConfigPath({ SLIPWAY_CONFIG: '/etc/slipway.json', HOME: '/home/a' })).toBe('/etc/slipway.json');
    expect(loginConfigPath({ XDG_CONFIG_HOME: '/cfg', HOME: '/home/a' })).toBe('/cfg/slipway/config.json');
    expect(loginConfigPath({ HOME: '/home/a' })).toBe('/home/a/.config/slipway/config.json');
    expect(loginConfigPath({})).toBeUndefined();
  });

  it('is written 0600 (also over a wider file) and supplies server and token after flags and env', async () => {
    const env = { HOME: home };
    const path = loginConfigPath(env)!;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '{}', { mode: 0o644 });
    writeLogin(env, { server: 'https://slipway.example', token: 'slw_login' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(readLogin(env)).toEqual({ server: 'https://slipway.example', token: 'slw_login' });
    expect(resolveServer(undefined, env)).toBe('https://slipway.example');
    expect(resolveServer('http://other:1', env)).toBe('http://other:1');
    expect(resolveServer(undefined, { ...env, SLIPWAY_SERVER: 'http://env:2' })).toBe('http://env:2');
    expect(resolveToken(undefined, env, home, 'https://slipway.example/')).toBe('slw_login');
    expect(resolveToken('flag', env, home, 'https://slipway.example')).toBe('flag');
    expect(resolveToken(undefined, { ...env, SLIPWAY_TOKEN: 'env' }, home, 'https://slipway.example')).toBe('env');
    // Another server: the login's token is not sent there.
    expect(resolveToken(undefined, env, home, 'http://other:1')).toBeUndefined();
    removeLogin(env);
    expect(readLogin(env)).toBeUndefined();
  });

  it('ignores a config file that is not a login', async () => {
    const env = { SLIPWAY_CONFIG: join(home, 'broken.json') };
    await writeFile(env.SLIPWAY_CONFIG, 'not json');
    expect(readLogin(env)).toBeUndefined();
  });
});

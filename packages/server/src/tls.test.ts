import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from './config.js';
import { startServer } from './server.js';
import { loadTls } from './tls.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function get(url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!hasOpenssl())('TLS (self-signed certificate made with openssl)', () => {
  it('serves HTTPS with HSTS when SLIPWAY_TLS_CERT and SLIPWAY_TLS_KEY are set, and nothing over plain HTTP', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const adminToken = 'tls-admin-token-0123456789abcdef';
    const server = await startServer(resolveServerConfig({ port: 0, dataDir: join(dir, 'data'), examples: false, logLevel: 'silent' }, { SLIPWAY_TLS_CERT: cert, SLIPWAY_TLS_KEY: key, SLIPWAY_ADMIN_TOKEN: adminToken }));
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = readFileSync(cert, 'utf8');
      const live = await get(`${server.url}/v2/health/live`, ca);
      expect(live.status).toBe(200);
      expect(live.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect((await get(`${server.url}/v1/pipelines`, ca)).status).toBe(401);
      expect((await get(`${server.url}/v1/pipelines`, ca, { authorization: `Bearer ${adminToken}` })).status).toBe(200);
      await expect(fetch(server.url.replace('https:', 'http:') + '/v2/health/live')).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('refuses half a configuration, an unreadable file, or a key that does not fit, naming the setting', async () => {
    await expect(loadTls({ tlsCert: cert })).rejects.toThrow(/tlsKey \(SLIPWAY_TLS_KEY\): is required with the other TLS file/);
    await expect(loadTls({ tlsCert: join(dir, 'missing.pem'), tlsKey: key })).rejects.toThrow(/cannot read the TLS certificate file .*missing\.pem \(ENOENT\); check SLIPWAY_TLS_CERT/);
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key');
    await expect(loadTls({ tlsCert: cert, tlsKey: garbage })).rejects.toThrow(/not a usable PEM pair/);
    expect(await loadTls({})).toBeUndefined();
  });
});

/**
 * Encryption at rest through the real start command: with a master key the example
 * models are stored encrypted (no run of the model's bytes is on disk) and still serve;
 * started with the wrong key the server refuses to serve them, naming the key, rather
 * than serving garbage.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseMasterKey } from '@slipway/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from './config.js';
import { startServer } from './server.js';

const examplesDir = resolve(import.meta.dirname, '../../../examples');
const adminToken = 'encryption-test-admin-token-0123';
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-enc-start-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function allFiles(dir: string): Promise<Buffer[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name))));
}

describe('encryption at rest (start command)', () => {
  it('stores artifacts without their plaintext, serves them with the key, and refuses a wrong key', async () => {
    const keyFile = join(dataDir, 'master.key');
    const key = randomBytes(32).toString('base64');
    await writeFile(keyFile, key, { mode: 0o600 });
    const config = (env: Record<string, string>) => resolveServerConfig({ port: 0, dataDir, examplesDir, logLevel: 'silent' }, { SLIPWAY_ADMIN_TOKEN: adminToken, ...env });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` };

    const first = await startServer(config({ SLIPWAY_MASTER_KEY_FILE: keyFile }));
    let body: unknown;
    try {
      const meta = await fetch(`${first.url}/v2/models/sensor-mlp@production`, { headers });
      expect(meta.status).toBe(200);
      const { inputs } = (await meta.json()) as { inputs: { name: string; datatype: string; shape: number[] }[] };
      const input = inputs[0]!;
      const width = input.shape[1] ?? 1;
      body = { inputs: [{ name: input.name, datatype: input.datatype, shape: [1, width], data: Array.from({ length: width }, () => 0.5) }] };
      const served = await fetch(`${first.url}/v2/models/sensor-mlp@production/infer`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect(served.status).toBe(200);
    } finally {
      await first.close();
    }

    // No 64-byte window of either example model appears in any artifact file.
    const stored = await allFiles(join(dataDir, 'artifacts'));
    expect(stored.length).toBeGreaterThan(0);
    for (const example of ['credit-risk', 'sensor-mlp']) {
      const model = await readFile(join(examplesDir, example, 'model.onnx'));
      const probe = model.subarray(Math.floor(model.length / 2), Math.floor(model.length / 2) + 64);
      for (const file of stored) expect(file.includes(probe)).toBe(false);
      expect(stored.some((f) => f.subarray(0, 4).toString() === 'SLPE')).toBe(true);
    }

    const wrong = randomBytes(32).toString('base64');
    const second = await startServer(config({ SLIPWAY_MASTER_KEY: wrong, SLIPWAY_EXAMPLES: 'false' }));
    try {
      const refused = await fetch(`${second.url}/v2/models/sensor-mlp@production/infer`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect(refused.status).toBe(500);
      const { error } = (await refused.json()) as { error: string };
      expect(error).toContain(`sealed under master key ${parseMasterKey(key).id}`);
    } finally {
      await second.close();
    }
    await expect(startServer(config({ SLIPWAY_MASTER_KEY: 'not-a-key' }))).rejects.toThrow(/SLIPWAY_MASTER_KEY: must be 32 random bytes in base64/);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEncryptedArtifactStore, createSqliteMetadataStore, parseMasterKey } from '@slipway/store';
import { describe, expect, it } from 'vitest';
import { channelConfig, masterKeySealer, parseChannelInput } from './alert-channels.js';
import { rotateMasterKey } from './encryption-rotation.js';

const key = () => parseMasterKey(randomBytes(32).toString('base64'));

describe('rotateMasterKey', () => {
  it('re-wraps artifacts and re-seals channel secrets, after which only the new key opens them', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'slipway-rotate-'));
    try {
      const [oldKey, newKey] = [key(), key()];
      const { digest } = await createEncryptedArtifactStore({ dir: join(dataDir, 'artifacts'), masterKey: oldKey }).put(Buffer.from('model bytes'));
      const store = createSqliteMetadataStore({ path: join(dataDir, 'slipway.db') });
      await store.migrate();
      const hook = 'https://hooks.example.com/T0/B0/secret-path';
      const config = channelConfig(parseChannelInput({ kind: 'webhook', name: 'ops', url: hook, secret: 'signing-secret-0123456789' }), masterKeySealer(oldKey));
      await store.putChannel({ id: 'c1', name: 'ops', kind: 'webhook', config, routing: { severities: [], pipelines: [], areas: [] }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
      await store.close();

      const result = await rotateMasterKey({ dataDir, from: [oldKey], to: newKey });
      expect(result).toEqual({ artifacts: { rewrapped: 1, unchanged: 0, encrypted: 0 }, secrets: 2 });

      expect(Buffer.from(await createEncryptedArtifactStore({ dir: join(dataDir, 'artifacts'), masterKey: newKey }).get(digest)).toString()).toBe('model bytes');
      const reopened = createSqliteMetadataStore({ path: join(dataDir, 'slipway.db') });
      try {
        const stored = (await reopened.getChannel('c1'))!.config;
        expect(JSON.stringify(stored)).not.toContain('secret-path');
        expect(JSON.stringify(stored)).toContain(newKey.id);
        expect(masterKeySealer(newKey).open(String(stored.url))).toBe(hook);
        expect(masterKeySealer(newKey).open(String(stored.secret))).toBe('signing-secret-0123456789');
        expect(() => masterKeySealer(oldKey).open(String(stored.url))).toThrow(/sealed under master key/);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

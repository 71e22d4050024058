import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMasterKey } from '@slipway/store';
import { describe, expect, it } from 'vitest';
import { loadMasterKey } from './encryption.js';
import { REDACTED, isSealedSecret, openSecret, redactSecrets, resealSecret, sealSecret } from './secrets.js';

const key = () => parseMasterKey(randomBytes(32).toString('base64'));

describe('sealSecret / openSecret', () => {
  it('round-trips, never containing the plaintext, and fresh each time', () => {
    const k = key();
    const url = 'https://hooks.example.com/services/T000/B000/XXXXSECRET';
    const sealed = sealSecret(k, url, 'channel:ops.url');
    expect(isSealedSecret(sealed)).toBe(true);
    expect(sealed).not.toContain('XXXXSECRET');
    expect(sealed).toContain(k.id);
    expect(sealSecret(k, url, 'channel:ops.url')).not.toBe(sealed);
    expect(openSecret(k, sealed, 'channel:ops.url')).toBe(url);
  });

  it.each([
    ['a wrong key', (s: string) => openSecret(key(), s, 'c'), /sealed under master key mk-[0-9a-f]{16}, which is not configured/],
    ['another context', (s: string, k = key()) => openSecret(k, s, 'other'), /not configured|does not open/],
    ['an unsealed value', () => openSecret(key(), 'plain', 'c'), /not sealed/],
  ])('refuses %s', (_label, open, message) => {
    const sealed = sealSecret(key(), 'pw', 'c');
    expect(() => open(sealed)).toThrow(message);
  });

  it('refuses a value sealed for another place or altered, naming the key', () => {
    const k = key();
    const sealed = sealSecret(k, 'pw', 'smtp:a.password');
    expect(() => openSecret(k, sealed, 'smtp:b.password')).toThrow(new RegExp(`does not open with master key ${k.id}`));
    const altered = `${sealed.slice(0, -4)}AAAA`;
    expect(() => openSecret(k, altered, 'smtp:a.password')).toThrow(/does not open/);
  });

  it('reseals under a new key', () => {
    const [a, b] = [key(), key()];
    const moved = resealSecret(a, b, sealSecret(a, 'pw'));
    expect(openSecret([a, b], moved)).toBe('pw');
    expect(() => openSecret(a, moved)).toThrow(/not configured/);
  });
});

describe('redactSecrets', () => {
  it('replaces secret fields at any depth and leaves the rest', () => {
    const input = { name: 'ops', config: { url: 'https://x', password: 'pw', port: 25, nested: [{ token: 't' }] }, secret: null };
    expect(redactSecrets(input)).toEqual({ name: 'ops', config: { url: REDACTED, password: REDACTED, port: 25, nested: [{ token: REDACTED }] }, secret: null });
    expect(input.config.password).toBe('pw');
  });
});

describe('loadMasterKey', () => {
  it('reads the key file, else the variable, else none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-key-'));
    try {
      const text = randomBytes(32).toString('base64');
      await writeFile(join(dir, 'key'), `${text}\n`);
      expect((await loadMasterKey({ masterKeyFile: join(dir, 'key') }))?.id).toBe(parseMasterKey(text).id);
      expect((await loadMasterKey({ masterKey: text }))?.id).toBe(parseMasterKey(text).id);
      expect(await loadMasterKey({})).toBeUndefined();
      await expect(loadMasterKey({ masterKeyFile: join(dir, 'missing') })).rejects.toThrow(/SLIPWAY_MASTER_KEY_FILE: cannot read .*missing \(ENOENT\); create it with `openssl rand -base64 32/);
      await writeFile(join(dir, 'bad'), 'not a key');
      await expect(loadMasterKey({ masterKeyFile: join(dir, 'bad') })).rejects.toThrow(/SLIPWAY_MASTER_KEY_FILE: must be 32 random bytes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

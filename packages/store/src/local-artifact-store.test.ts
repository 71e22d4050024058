import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactCorruptedError, InvalidInputError, SlipwayError } from '@slipway/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalArtifactStore } from './local-artifact-store.js';

const root = mkdtempSync(join(tmpdir(), 'slipway-artifacts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let stores = 0;
function freshStore() {
  stores += 1;
  const dir = join(root, `store-${stores}`);
  return { dir, store: createLocalArtifactStore({ dir }) };
}

const hexOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('createLocalArtifactStore', () => {
  it('stores bytes under their sha256 and reads them back', async () => {
    const { dir, store } = freshStore();
    const bytes = randomBytes(100_000);
    const hex = hexOf(bytes);

    expect(await store.put(bytes)).toStrictEqual({ digest: `sha256:${hex}`, size: 100_000 });
    expect(await store.has(`sha256:${hex}`)).toBe(true);
    expect(Buffer.from(await store.get(`sha256:${hex}`)).equals(bytes)).toBe(true);
    expect(readdirSync(join(dir, 'sha256', hex.slice(0, 2)))).toStrictEqual([hex]);
  });

  it('stores a view of a larger buffer by its own bytes only', async () => {
    const { store } = freshStore();
    const whole = randomBytes(64);
    const view = whole.subarray(16, 48);

    const { digest, size } = await store.put(view);

    expect(digest).toBe(`sha256:${hexOf(view)}`);
    expect(size).toBe(32);
    expect(Buffer.from(await store.get(digest)).equals(view)).toBe(true);
  });

  it('is idempotent and leaves no temporary files', async () => {
    const { dir, store } = freshStore();
    const bytes = new TextEncoder().encode('same bytes');
    const hex = hexOf(bytes);

    const results = await Promise.all([store.put(bytes), store.put(bytes), store.put(bytes)]);
    results.push(await store.put(bytes));

    for (const r of results) expect(r).toStrictEqual({ digest: `sha256:${hex}`, size: bytes.byteLength });
    expect(readdirSync(join(dir, 'sha256', hex.slice(0, 2)))).toStrictEqual([hex]);
  });

  it('stores the empty artifact', async () => {
    const { store } = freshStore();
    const { digest, size } = await store.put(new Uint8Array(0));
    expect(size).toBe(0);
    expect(await store.get(digest)).toHaveLength(0);
  });

  it('refuses to serve bytes that no longer match their digest, until pushed again', async () => {
    const { dir, store } = freshStore();
    const bytes = randomBytes(1000);
    const { digest } = await store.put(bytes);
    const hex = digest.slice('sha256:'.length);
    const tampered = Buffer.from(bytes);
    tampered[500] = (tampered[500] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'sha256', hex.slice(0, 2), hex), tampered);

    const error = await store.get(digest).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ArtifactCorruptedError);
    expect(error).toMatchObject({ code: 'artifact_corrupted', digest, actualDigest: `sha256:${hexOf(tampered)}` });
    await store.put(bytes);
    expect(Buffer.from(await store.get(digest)).equals(bytes)).toBe(true);
  });

  it('answers not_found for a digest it does not hold', async () => {
    const { store } = freshStore();
    const digest = `sha256:${'ab'.repeat(32)}`;

    expect(await store.has(digest)).toBe(false);
    const error = await store.get(digest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlipwayError);
    expect(error).toMatchObject({ code: 'not_found' });
    expect((error as SlipwayError).message).toContain(digest);
  });

  it.each([
    '',
    'sha256:',
    'ab'.repeat(32),
    `md5:${'ab'.repeat(16)}`,
    `sha256:${'AB'.repeat(32)}`,
    `sha256:${'ab'.repeat(31)}a`,
    `sha256:${'ab'.repeat(32)}0`,
    `sha256:${'ab'.repeat(32)}\n`,
    'sha256:../../../../etc/passwd',
    `sha256:../${'ab'.repeat(31)}`,
    `sha256:${'ab'.repeat(32)}/../../x`,
  ])('refuses the malformed digest %j', async (digest) => {
    const { store } = freshStore();
    await expect(store.get(digest)).rejects.toThrow(InvalidInputError);
    await expect(store.get(digest)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.has(digest)).rejects.toThrow(/digest: must be "sha256:" followed by 64 lowercase hex characters/);
  });
});

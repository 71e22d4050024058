import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnnxModel } from '@slipway/modelkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactKeyError, createEncryptedArtifactStore, parseMasterKey, rotateArtifactKeys } from './encrypted-artifact-store.js';
import { createLocalArtifactStore } from './local-artifact-store.js';

const newKey = () => parseMasterKey(randomBytes(32).toString('base64'));

/** A real ONNX model whose initializer holds a distinctive run of bytes. */
function modelWithMarker(): { model: Uint8Array; marker: Buffer } {
  const values = Array.from({ length: 64 }, (_, i) => 1000 + i * 0.5);
  const model = buildOnnxModel({
    name: 'marker',
    inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', 64] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch', 64] }],
    initializers: [{ name: 'w', datatype: 'FP32', dims: [64], values }],
    nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
  });
  return { model, marker: Buffer.from(new Float32Array(values.slice(0, 16)).buffer) };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  return out;
}

describe('createEncryptedArtifactStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-enc-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps the plaintext digest and bytes, but never the plaintext on disk', async () => {
    const { model, marker } = modelWithMarker();
    expect(Buffer.from(model).includes(marker)).toBe(true);
    const key = newKey();
    const store = createEncryptedArtifactStore({ dir, masterKey: key });
    const plain = createLocalArtifactStore({ dir: join(dir, 'plain') });
    const put = await store.put(model);
    expect(put).toEqual(await plain.put(model));
    expect(Buffer.from(await store.get(put.digest)).equals(Buffer.from(model))).toBe(true);
    expect(await store.has(put.digest)).toBe(true);

    const [file] = (await filesUnder(join(dir, 'sha256')));
    const onDisk = await readFile(file!);
    expect(onDisk.includes(marker)).toBe(false);
    expect(onDisk.subarray(0, 4).toString()).toBe('SLPE');
    expect(onDisk.toString('latin1')).toContain(key.id);
    // Two puts of the same bytes use fresh data keys and IVs.
    await store.put(model);
    expect((await readFile(file!)).equals(onDisk)).toBe(false);
  });

  it('refuses to serve with a wrong key, naming the key the object needs', async () => {
    const { model } = modelWithMarker();
    const right = newKey();
    const { digest } = await createEncryptedArtifactStore({ dir, masterKey: right }).put(model);
    const wrong = createEncryptedArtifactStore({ dir, masterKey: newKey() });
    const error = await wrong.get(digest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactKeyError);
    expect(error).toMatchObject({ code: 'artifact_corrupted', details: { keyId: right.id } });
    expect((error as Error).message).toContain(`sealed under master key ${right.id}`);
  });

  it('detects altered ciphertext and plaintext files instead of serving them', async () => {
    const { model } = modelWithMarker();
    const store = createEncryptedArtifactStore({ dir, masterKey: newKey() });
    const { digest } = await store.put(model);
    const [file] = await filesUnder(join(dir, 'sha256'));
    const bytes = await readFile(file!);
    bytes[bytes.length - 5]! ^= 0xff;
    await writeFile(file!, bytes);
    await expect(store.get(digest)).rejects.toThrow(/authentication with master key mk-[0-9a-f]{16} failed/);
    // A plaintext file (from before encryption) is served only when it is exactly the digest's bytes.
    await writeFile(file!, model);
    expect(Buffer.from(await store.get(digest)).equals(Buffer.from(model))).toBe(true);
    await writeFile(file!, Buffer.concat([Buffer.from(model), Buffer.from([0])]));
    await expect(store.get(digest)).rejects.toMatchObject({ code: 'artifact_corrupted', details: { digest } });
    await expect(store.get(`sha256:${'0'.repeat(64)}`)).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.get('sha256:../../etc/passwd')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('rotates the master key by re-wrapping data keys, leaving the ciphertext as it was', async () => {
    const oldKey = newKey();
    const newer = newKey();
    const store = createEncryptedArtifactStore({ dir, masterKey: oldKey });
    const payloads = [randomBytes(1000), randomBytes(5000), modelWithMarker().model];
    const digests = await Promise.all(payloads.map(async (p) => (await store.put(p)).digest));
    const ciphertextOf = (b: Buffer) => b.subarray(8 + b.readUInt32BE(4));
    const before = await Promise.all((await filesUnder(join(dir, 'sha256'))).sort().map((f) => readFile(f)));

    expect(await rotateArtifactKeys(dir, [oldKey], newer)).toEqual({ rewrapped: 3, unchanged: 0, encrypted: 0 });
    expect(await rotateArtifactKeys(dir, [oldKey], newer)).toEqual({ rewrapped: 0, unchanged: 3, encrypted: 0 });
    const after = await Promise.all((await filesUnder(join(dir, 'sha256'))).sort().map((f) => readFile(f)));
    after.forEach((b, i) => expect(ciphertextOf(b).equals(ciphertextOf(before[i]!))).toBe(true));

    const rotated = createEncryptedArtifactStore({ dir, masterKey: newer });
    for (const [i, d] of digests.entries()) expect(Buffer.from(await rotated.get(d)).equals(Buffer.from(payloads[i]!))).toBe(true);
    await expect(createEncryptedArtifactStore({ dir, masterKey: oldKey }).get(digests[0]!)).rejects.toThrow(/sealed under master key/);
    await expect(rotateArtifactKeys(dir, [newKey()], newKey())).rejects.toThrow(/not given as the old key/);
  });

  it('encrypts objects written before encryption was turned on when rotating', async () => {
    const { model, marker } = modelWithMarker();
    const { digest } = await createLocalArtifactStore({ dir }).put(model);
    const key = newKey();
    expect(await rotateArtifactKeys(dir, [], key)).toEqual({ rewrapped: 0, unchanged: 0, encrypted: 1 });
    const [file] = await filesUnder(join(dir, 'sha256'));
    expect((await readFile(file!)).includes(marker)).toBe(false);
    expect(Buffer.from(await createEncryptedArtifactStore({ dir, masterKey: key }).get(digest)).equals(Buffer.from(model))).toBe(true);
  });

  it('reads objects under a previous key until they are rotated', async () => {
    const oldKey = newKey();
    const { digest } = await createEncryptedArtifactStore({ dir, masterKey: oldKey }).put(Buffer.from('hello'));
    const store = createEncryptedArtifactStore({ dir, masterKey: newKey(), previousKeys: [oldKey] });
    expect(Buffer.from(await store.get(digest)).toString()).toBe('hello');
  });

  it.each(['', 'short', randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), `${randomBytes(32).toString('base64').slice(0, 43)}!`])('refuses master key %j', (text) => {
    expect(() => parseMasterKey(text, 'SLIPWAY_MASTER_KEY_FILE')).toThrow(/SLIPWAY_MASTER_KEY_FILE: must be 32 random bytes in base64/);
  });

  it('derives a stable key id from the key', () => {
    const text = randomBytes(32).toString('base64');
    expect(parseMasterKey(text).id).toBe(parseMasterKey(`${text}\n`).id);
    expect(parseMasterKey(text).id).toMatch(/^mk-[0-9a-f]{16}$/);
  });
});

/**
 * Artifacts encrypted at rest (envelope encryption): each object gets a random 256-bit
 * data key and is sealed with AES-256-GCM; the data key is itself sealed by the master
 * key and kept in the object's header with the master key's id. Addresses stay the
 * plaintext's sha256, so digests, lineage and deduplication are unchanged, and every
 * read is still verified against it. Rotating the master key rewrites only headers: the
 * ciphertext is never re-encrypted. A wrong or missing key is an `artifact_corrupted`
 * error naming the key id the object needs — never garbage served. Objects written before
 * encryption was turned on are still served when they match their digest, and
 * `rotateArtifactKeys` encrypts them.
 *
 * File layout: `SLPE` · u32 BE header length · header JSON · ciphertext.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ArtifactStore, ErrorCode, InvalidInputError, SlipwayError } from '@slipway/core';
import { assertContent, hasObject, isMissing, objectPath, readObject, sha256Hex, writeAtomically } from './artifact-files.js';

const MAGIC = Buffer.from('SLPE');

/** A 32-byte AES-256 master key and its id (derived from the key, so it names it without revealing it). */
export interface MasterKey {
  id: string;
  key: Buffer;
}

interface Header {
  v: 1;
  alg: 'AES-256-GCM';
  /** Id of the master key that wraps the data key. */
  kid: string;
  /** iv ‖ tag ‖ sealed data key, base64. */
  wrappedKey: string;
  iv: string;
  tag: string;
}

/** Reads a master key from its base64 text (32 bytes); throws naming `source` and the fix. */
export function parseMasterKey(base64: string, source = 'SLIPWAY_MASTER_KEY'): MasterKey {
  const text = base64.trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text) || key.length !== 32) {
    throw new InvalidInputError([{ path: source, message: `must be 32 random bytes in base64 (44 characters); make one with \`openssl rand -base64 32\`` }]);
  }
  return { id: `mk-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`, key };
}

function seal(key: Buffer, plaintext: Uint8Array): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/** Throws when the key or data is wrong (GCM authentication). */
function open_(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

function wrapKey(master: MasterKey, dataKey: Buffer): string {
  const { iv, tag, ciphertext } = seal(master.key, dataKey);
  return Buffer.concat([iv, tag, ciphertext]).toString('base64');
}

function unwrapKey(master: MasterKey, wrapped: string): Buffer {
  const bytes = Buffer.from(wrapped, 'base64');
  return open_(master.key, bytes.subarray(0, 12), bytes.subarray(12, 28), bytes.subarray(28));
}

function encode(header: Header, ciphertext: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json, ciphertext]);
}

/** A whole object file: a fresh data key seals the bytes, the master key seals the data key. */
function sealObject(master: MasterKey, plaintext: Uint8Array): Buffer {
  const dataKey = randomBytes(32);
  const { iv, tag, ciphertext } = seal(dataKey, plaintext);
  return encode({ v: 1, alg: 'AES-256-GCM', kid: master.id, wrappedKey: wrapKey(master, dataKey), iv: iv.toString('base64'), tag: tag.toString('base64') }, ciphertext);
}

function decode(bytes: Buffer): { header: Header; ciphertext: Buffer } | undefined {
  if (bytes.length < 8 || !bytes.subarray(0, 4).equals(MAGIC)) return undefined;
  const length = bytes.readUInt32BE(4);
  if (8 + length > bytes.length) return undefined;
  try {
    const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Header;
    if (header.v !== 1 || typeof header.kid !== 'string') return undefined;
    return { header, ciphertext: bytes.subarray(8 + length) };
  } catch {
    return undefined;
  }
}

/** An artifact that cannot be opened with the keys at hand: served as corrupted, naming the key. */
export class ArtifactKeyError extends SlipwayError {
  constructor(
    readonly digest: string,
    readonly keyId: string | null,
    reason: string,
    cause?: unknown,
  ) {
    super(ErrorCode.artifactCorrupted, `artifact ${digest} cannot be decrypted: ${reason}; it will not be served`, { details: { digest, keyId }, cause });
  }
}

export interface EncryptedArtifactStoreOptions {
  /** Root directory, same layout as the local store: `<dir>/sha256/<2 hex>/<hex>`. */
  dir: string;
  /** Encrypts new objects and opens objects sealed under it. */
  masterKey: MasterKey;
  /** Earlier master keys, to read objects not yet rotated. */
  previousKeys?: readonly MasterKey[];
}

export function createEncryptedArtifactStore({ dir, masterKey, previousKeys = [] }: EncryptedArtifactStoreOptions): ArtifactStore {
  const pathOf = (hex: string) => objectPath(dir, hex);
  const keys = new Map([masterKey, ...previousKeys].map((k) => [k.id, k]));

  return {
    async put(bytes) {
      const hex = sha256Hex(bytes);
      await writeAtomically(pathOf(hex), sealObject(masterKey, bytes));
      return { digest: `sha256:${hex}`, size: bytes.byteLength };
    },

    async get(digest) {
      const { hex, bytes } = await readObject(dir, digest);
      const decoded = decode(bytes);
      if (decoded === undefined) {
        // Written before encryption was turned on: served only if it is exactly what the digest names.
        assertContent(digest, hex, bytes);
        return bytes;
      }
      const { header, ciphertext } = decoded;
      const master = keys.get(header.kid);
      if (master === undefined) {
        throw new ArtifactKeyError(digest, header.kid, `it is sealed under master key ${header.kid}, but the configured key is ${masterKey.id}; set SLIPWAY_MASTER_KEY(_FILE) to that key or rotate with \`slipway keys rotate\``);
      }
      let plaintext: Buffer;
      try {
        plaintext = open_(unwrapKey(master, header.wrappedKey), Buffer.from(header.iv, 'base64'), Buffer.from(header.tag, 'base64'), ciphertext);
      } catch (error) {
        throw new ArtifactKeyError(digest, header.kid, `authentication with master key ${header.kid} failed (the object was altered); push the version again`, error);
      }
      assertContent(digest, hex, plaintext);
      return plaintext;
    },

    has: (digest) => hasObject(dir, digest),
  };
}

export interface RotationResult {
  /** Objects whose data key was re-wrapped under the new key. */
  rewrapped: number;
  /** Already under the new key. */
  unchanged: number;
  /** Plaintext objects (written before encryption was on) now encrypted under the new key. */
  encrypted: number;
}

/**
 * Re-wraps every object's data key under `to`, reading it with any of `from`; the
 * ciphertext is copied unchanged. Safe to re-run after an interruption: objects already
 * under `to` are skipped, and each header is replaced atomically.
 */
export async function rotateArtifactKeys(dir: string, from: readonly MasterKey[], to: MasterKey): Promise<RotationResult> {
  const keys = new Map([...from, to].map((k) => [k.id, k]));
  const result: RotationResult = { rewrapped: 0, unchanged: 0, encrypted: 0 };
  const root = join(dir, 'sha256');
  const prefixes = await readdir(root).catch((error: unknown) => {
    if (isMissing(error)) return [];
    throw error;
  });
  for (const prefix of prefixes) {
    for (const name of await readdir(join(root, prefix))) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      const path = join(root, prefix, name);
      const bytes = await readFile(path);
      const decoded = decode(bytes);
      const digest = `sha256:${name}`;
      if (decoded === undefined) {
        assertContent(digest, name, bytes);
        await writeAtomically(path, sealObject(to, bytes));
        result.encrypted += 1;
        continue;
      }
      if (decoded.header.kid === to.id) {
        result.unchanged += 1;
        continue;
      }
      const master = keys.get(decoded.header.kid);
      if (master === undefined) throw new ArtifactKeyError(digest, decoded.header.kid, `it is sealed under master key ${decoded.header.kid}, which was not given as the old key`);
      let dataKey: Buffer;
      try {
        dataKey = unwrapKey(master, decoded.header.wrappedKey);
      } catch (error) {
        throw new ArtifactKeyError(digest, decoded.header.kid, `its data key does not open with master key ${decoded.header.kid}`, error);
      }
      await writeAtomically(path, encode({ ...decoded.header, kid: to.id, wrappedKey: wrapKey(to, dataKey) }, decoded.ciphertext));
      result.rewrapped += 1;
    }
  }
  return result;
}


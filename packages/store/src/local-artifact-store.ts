/**
 * Artifacts on the local disk, content-addressed: the bytes of digest `sha256:<hex>` live
 * at `<dir>/sha256/<first 2 hex>/<hex>`. Files appear under their final name only once
 * complete, and every read is verified against the digest before it is served.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ArtifactCorruptedError, type ArtifactStore, ErrorCode, InvalidInputError, SlipwayError } from '@slipway/core';

export interface LocalArtifactStoreOptions {
  /** Root directory, created on the first `put`. */
  dir: string;
}

// Anchored and lowercase-only, so a digest can never name a path outside the store.
const DIGEST = /^sha256:([0-9a-f]{64})$/;

export function createLocalArtifactStore({ dir }: LocalArtifactStoreOptions): ArtifactStore {
  const pathOf = (hex: string) => join(dir, 'sha256', hex.slice(0, 2), hex);

  return {
    async put(bytes) {
      const hex = sha256Hex(bytes);
      const path = pathOf(hex);
      await mkdir(dirname(path), { recursive: true });
      // Written even when the file exists: pushing again is how a corrupted artifact is
      // repaired (see ArtifactCorruptedError), so the bytes on disk are not trusted.
      // Temp file in the same directory, flushed, then renamed over the final name: a
      // crash leaves at most a stray `.tmp` file, never a partial artifact.
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        const file = await open(tmp, 'wx');
        try {
          await file.writeFile(bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(tmp, path);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      return { digest: `sha256:${hex}`, size: bytes.byteLength };
    },

    async get(digest) {
      const hex = parseDigest(digest);
      let bytes: Buffer;
      try {
        bytes = await readFile(pathOf(hex));
      } catch (error) {
        if (isMissing(error)) throw notFound(digest);
        throw error;
      }
      const actual = sha256Hex(bytes);
      if (actual !== hex) throw new ArtifactCorruptedError(digest, `sha256:${actual}`);
      return bytes;
    },

    async has(digest) {
      try {
        await stat(pathOf(parseDigest(digest)));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
  };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function parseDigest(digest: string): string {
  const hex = DIGEST.exec(digest)?.[1];
  if (hex === undefined) {
    throw new InvalidInputError([{ path: 'digest', message: 'must be "sha256:" followed by 64 lowercase hex characters' }]);
  }
  return hex;
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function notFound(digest: string): SlipwayError {
  return new SlipwayError(ErrorCode.notFound, `artifact ${digest} is not in the artifact store; push the version that contains it again`, {
    details: { digest },
  });
}

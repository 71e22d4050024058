/**
 * Artifacts on the local disk, content-addressed: the bytes of digest `sha256:<hex>` live
 * at `<dir>/sha256/<first 2 hex>/<hex>`. Files appear under their final name only once
 * complete, and every read is verified against the digest before it is served.
 */
import { readFile, stat } from 'node:fs/promises';
import { ArtifactCorruptedError, type ArtifactStore } from '@slipway/core';
import { artifactNotFound, isMissing, objectPath, parseDigest, sha256Hex, writeAtomically } from './artifact-files.js';

export interface LocalArtifactStoreOptions {
  /** Root directory, created on the first `put`. */
  dir: string;
}

export function createLocalArtifactStore({ dir }: LocalArtifactStoreOptions): ArtifactStore {
  const pathOf = (hex: string) => objectPath(dir, hex);

  return {
    async put(bytes) {
      const hex = sha256Hex(bytes);
      const path = pathOf(hex);
      // Written even when the file exists: pushing again is how a corrupted artifact is
      // repaired (see ArtifactCorruptedError), so the bytes on disk are not trusted.
      await writeAtomically(path, bytes);
      return { digest: `sha256:${hex}`, size: bytes.byteLength };
    },

    async get(digest) {
      const hex = parseDigest(digest);
      let bytes: Buffer;
      try {
        bytes = await readFile(pathOf(hex));
      } catch (error) {
        if (isMissing(error)) throw artifactNotFound(digest);
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

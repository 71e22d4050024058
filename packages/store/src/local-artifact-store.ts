/**
 * Artifacts on the local disk, content-addressed: the bytes of digest `sha256:<hex>` live
 * at `<dir>/sha256/<first 2 hex>/<hex>`. Files appear under their final name only once
 * complete, and every read is verified against the digest before it is served.
 */
import type { ArtifactStore } from '@slipway/core';
import { assertContent, hasObject, objectPath, readObject, sha256Hex, writeAtomically } from './artifact-files.js';

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
      const { hex, bytes } = await readObject(dir, digest);
      assertContent(digest, hex, bytes);
      return bytes;
    },

    has: (digest) => hasObject(dir, digest),
  };
}

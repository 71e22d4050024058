/**
 * The on-disk layout both artifact stores share (plain and encrypted): the object of
 * digest `sha256:<hex>` lives at `<dir>/sha256/<first 2 hex>/<hex>` and appears under
 * that name only once complete.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ArtifactCorruptedError, ErrorCode, InvalidInputError, SlipwayError } from '@slipway/core';

// Anchored and lowercase-only, so a digest can never name a path outside the store.
const DIGEST = /^sha256:([0-9a-f]{64})$/;

export const objectPath = (dir: string, hex: string) => join(dir, 'sha256', hex.slice(0, 2), hex);

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The hex of a `sha256:<hex>` digest; refuses anything else. */
export function parseDigest(digest: string): string {
  const hex = DIGEST.exec(digest)?.[1];
  if (hex === undefined) {
    throw new InvalidInputError([{ path: 'digest', message: 'must be "sha256:" followed by 64 lowercase hex characters' }]);
  }
  return hex;
}

/**
 * Temp file in the same directory, flushed, then renamed over the final name: a crash
 * leaves at most a stray `.tmp` file, never a partial object.
 */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
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
}

export function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

export function artifactNotFound(digest: string): SlipwayError {
  return new SlipwayError(ErrorCode.notFound, `artifact ${digest} is not in the artifact store; push the version that contains it again`, {
    details: { digest },
  });
}

/** The stored bytes of `digest`, as they are on disk (not yet verified); `not_found` when absent. */
export async function readObject(dir: string, digest: string): Promise<{ hex: string; bytes: Buffer }> {
  const hex = parseDigest(digest);
  try {
    return { hex, bytes: await readFile(objectPath(dir, hex)) };
  } catch (error) {
    if (isMissing(error)) throw artifactNotFound(digest);
    throw error;
  }
}

/** Throws `ArtifactCorruptedError` unless `bytes` hash to `hex`: nothing unverified is served. */
export function assertContent(digest: string, hex: string, bytes: Uint8Array): void {
  const actual = sha256Hex(bytes);
  if (actual !== hex) throw new ArtifactCorruptedError(digest, `sha256:${actual}`);
}

export async function hasObject(dir: string, digest: string): Promise<boolean> {
  try {
    await stat(objectPath(dir, parseDigest(digest)));
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

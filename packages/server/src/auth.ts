/**
 * The admin token bootstrap: the first start generates a platform-wide admin token,
 * prints it once and writes it to a file only its owner can read, so the local CLI works
 * without copy-paste; `SLIPWAY_ADMIN_TOKEN` supplies it instead, for scripts and CI.
 * Tokens are stored as sha256 hashes only (see identity.ts for every other token).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MetadataStore } from '@slipway/core';
import { hashToken, newTokenSecret } from './identity.js';

export { hashToken } from './identity.js';

/** Makes sure an admin token exists; returns it only when it was generated now. */
export async function bootstrapAdminToken(store: MetadataStore, options: { adminToken?: string; tokenFile: string }): Promise<string | undefined> {
  const createdAt = new Date().toISOString();
  if (options.adminToken !== undefined) {
    const hash = hashToken(options.adminToken);
    if (!(await store.findTokenByHash(hash))) await store.createToken({ id: randomUUID(), name: 'admin', hash, role: 'admin', createdAt });
    return undefined;
  }
  if ((await store.countTokens()) > 0) return undefined;
  const token = newTokenSecret();
  await store.createToken({ id: randomUUID(), name: 'admin', hash: hashToken(token), role: 'admin', createdAt });
  await mkdir(dirname(options.tokenFile), { recursive: true });
  await writeFile(options.tokenFile, `${token}\n`, { mode: 0o600 });
  return token;
}

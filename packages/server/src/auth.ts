/**
 * Bearer-token authentication for mutating routes. Tokens are stored as sha256 hashes;
 * the first start generates an admin token, prints it once and writes it to a file only
 * its owner can read, so the local CLI works without copy-paste. (Roles and scopes come
 * with the governance issue.)
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, type MetadataStore, SlipwayError } from '@slipway/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './access.js';

export const hashToken = (token: string) => `sha256:${createHash('sha256').update(token).digest('hex')}`;

/** Makes sure an admin token exists; returns it only when it was generated now. */
export async function bootstrapAdminToken(store: MetadataStore, options: { adminToken?: string; tokenFile: string }): Promise<string | undefined> {
  const createdAt = new Date().toISOString();
  if (options.adminToken !== undefined) {
    const hash = hashToken(options.adminToken);
    if (!(await store.findTokenByHash(hash))) await store.createToken({ id: randomUUID(), name: 'admin', hash, role: 'admin', createdAt });
    return undefined;
  }
  if ((await store.countTokens()) > 0) return undefined;
  const token = `slw_${randomBytes(24).toString('base64url')}`;
  await store.createToken({ id: randomUUID(), name: 'admin', hash: hashToken(token), role: 'admin', createdAt });
  await mkdir(dirname(options.tokenFile), { recursive: true });
  await writeFile(options.tokenFile, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Returns the authenticated caller, or throws `unauthenticated`. */
export async function authenticate(store: MetadataStore, req: FastifyRequest): Promise<Principal> {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token) {
    throw new SlipwayError(ErrorCode.unauthenticated, 'this route needs a token: send "Authorization: Bearer <token>" (CLI: set SLIPWAY_TOKEN or --token)');
  }
  const record = token.length <= 512 ? await store.findTokenByHash(hashToken(token)) : undefined;
  if (!record) throw new SlipwayError(ErrorCode.unauthenticated, 'the bearer token is not valid; check SLIPWAY_TOKEN');
  return { tokenId: record.id, name: record.name, role: record.role };
}

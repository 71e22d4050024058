/**
 * Secrets kept by the platform (notification channel URLs, SMTP passwords, callback keys)
 * sealed with AES-256-GCM under the master key, so a copy of the database reveals none of
 * them. A sealed value is one string, `sealed:v1:<key id>:<base64 iv‖tag‖ciphertext>`,
 * that fits a text column. APIs and logs show `redactSecret` output, never the value.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ErrorCode, SlipwayError } from '@slipway/core';
import type { MasterKey } from '@slipway/store';

const PREFIX = 'sealed:v1:';

/** What APIs return and logs print in place of a secret. */
export const REDACTED = '[redacted]';

export function isSealedSecret(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** Seals `plaintext`; `context` (e.g. `channel:ops-mail.password`) binds it to its place, so a sealed value copied elsewhere does not open. */
export function sealSecret(key: MasterKey, plaintext: string, context = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${PREFIX}${key.id}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
}

/** Opens a sealed secret with the key it names; a wrong key, context or altered value is an error naming the key. */
export function openSecret(keys: MasterKey | readonly MasterKey[], sealed: string, context = ''): string {
  if (!isSealedSecret(sealed)) throw new SlipwayError(ErrorCode.internal, 'the stored secret is not sealed (expected "sealed:v1:…"); set it again');
  const [kid = '', body = ''] = sealed.slice(PREFIX.length).split(':');
  const key = [keys].flat().find((k) => k.id === kid);
  if (key === undefined) {
    throw new SlipwayError(ErrorCode.internal, `a stored secret is sealed under master key ${kid}, which is not configured; start with that key (SLIPWAY_MASTER_KEY_FILE)`, { details: { keyId: kid } });
  }
  const bytes = Buffer.from(body, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    decipher.setAAD(Buffer.from(context));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new SlipwayError(ErrorCode.internal, `a stored secret does not open with master key ${kid} (altered, or sealed for another place); set it again`, { details: { keyId: kid }, cause: error });
  }
}

/** Re-seals under `to` (key rotation); the plaintext never leaves this function. */
export function resealSecret(from: MasterKey | readonly MasterKey[], to: MasterKey, sealed: string, context = ''): string {
  return sealSecret(to, openSecret(from, sealed, context), context);
}

/**
 * A copy of `value` with the named fields replaced by `REDACTED` at any depth, for API
 * answers and log lines. Matching is by field name, case-insensitive.
 */
export function redactSecrets<T>(value: T, fields: readonly string[] = DEFAULT_SECRET_FIELDS): T {
  const names = new Set(fields.map((f) => f.toLowerCase()));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, names.has(k.toLowerCase()) && x !== null && x !== undefined ? REDACTED : walk(x)]));
  };
  return walk(value) as T;
}

export const DEFAULT_SECRET_FIELDS = ['password', 'secret', 'token', 'url', 'webhookUrl', 'callbackKey', 'apiKey', 'authorization'];

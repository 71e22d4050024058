/**
 * Rotating the master key of a stopped server: artifacts get their data keys re-wrapped
 * (the data is not re-encrypted) and every sealed secret in the metadata store is
 * re-sealed under the new key — today the notification channels' URLs, signing secrets and
 * SMTP passwords (`alert-channels.ts` seals them with the context `alert-channel`).
 */
import { join } from 'node:path';
import type { MetadataStore } from '@slipway/core';
import { type MasterKey, type RotationResult, createMetadataStore, rotateArtifactKeys } from '@slipway/store';
import { isSealedSecret, resealSecret } from './secrets.js';

/** The context alert-channels.ts binds channel secrets to. */
const CHANNEL_SECRET_CONTEXT = 'alert-channel';

export interface MasterKeyRotation {
  /** The server's data directory (artifacts, and the SQLite database unless `databaseUrl`). */
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Keys the data is sealed under now (empty when encryption was off). */
  from: readonly MasterKey[];
  to: MasterKey;
}

export interface MasterKeyRotationResult {
  artifacts: RotationResult;
  /** Sealed secrets re-sealed under the new key. */
  secrets: number;
}

/** Re-seals every sealed string at any depth of `value`; counts them. */
function resealDeep(value: unknown, reseal: (sealed: string) => string, count: { n: number }): unknown {
  if (typeof value === 'string' && isSealedSecret(value)) {
    count.n += 1;
    return reseal(value);
  }
  if (Array.isArray(value)) return value.map((v) => resealDeep(v, reseal, count));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resealDeep(v, reseal, count)]));
  return value;
}

/** Re-seals the channel secrets of `store` from `from` to `to`; returns how many. */
export async function resealStoredSecrets(store: MetadataStore, from: readonly MasterKey[], to: MasterKey): Promise<number> {
  const count = { n: 0 };
  for (const channel of await store.listChannels()) {
    const before = count.n;
    const config = resealDeep(channel.config, (s) => resealSecret([...from, to], to, s, CHANNEL_SECRET_CONTEXT), count) as Record<string, unknown>;
    if (count.n !== before) await store.putChannel({ ...channel, config });
  }
  return count.n;
}

export async function rotateMasterKey({ dataDir, databaseUrl, from, to }: MasterKeyRotation): Promise<MasterKeyRotationResult> {
  const artifacts = await rotateArtifactKeys(join(dataDir, 'artifacts'), from, to);
  const store = createMetadataStore(databaseUrl ?? join(dataDir, 'slipway.db'));
  try {
    await store.migrate();
    return { artifacts, secrets: await resealStoredSecrets(store, from, to) };
  } finally {
    await store.close();
  }
}

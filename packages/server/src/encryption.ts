/**
 * Encryption at rest, as the server starts it: the master key comes from a file
 * (`SLIPWAY_MASTER_KEY_FILE`, preferred: it stays out of the process environment) or from
 * `SLIPWAY_MASTER_KEY`, base64 of 32 bytes. With a key, artifacts are stored encrypted and
 * secrets are sealed under it; without one, artifacts are plain files (as before).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ArtifactStore, ErrorCode, SlipwayError } from '@slipway/core';
import { type MasterKey, createEncryptedArtifactStore, createLocalArtifactStore, parseMasterKey } from '@slipway/store';

// The CLI's `keys rotate` reaches the key parser through the server package.
export { parseMasterKey } from '@slipway/store';

export interface MasterKeySource {
  /** Path of a file holding the base64 key. */
  masterKeyFile?: string | undefined;
  /** The base64 key itself. */
  masterKey?: string | undefined;
}

/** The configured master key, or undefined when encryption at rest is off. */
export async function loadMasterKey({ masterKeyFile, masterKey }: MasterKeySource): Promise<MasterKey | undefined> {
  if (masterKeyFile !== undefined) {
    let text: string;
    try {
      text = await readFile(masterKeyFile, 'utf8');
    } catch (error) {
      throw new SlipwayError(ErrorCode.invalidInput, `SLIPWAY_MASTER_KEY_FILE: cannot read ${masterKeyFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}); create it with \`openssl rand -base64 32 > ${masterKeyFile}\``, {
        details: { issues: [{ path: 'SLIPWAY_MASTER_KEY_FILE', message: 'cannot be read' }] },
        cause: error,
      });
    }
    return parseMasterKey(text, 'SLIPWAY_MASTER_KEY_FILE');
  }
  return masterKey === undefined ? undefined : parseMasterKey(masterKey, 'SLIPWAY_MASTER_KEY');
}

/** The artifact store under `<dataDir>/artifacts`: encrypted when a master key is given. */
export function openArtifactStore(dataDir: string, masterKey: MasterKey | undefined): ArtifactStore {
  const dir = join(dataDir, 'artifacts');
  return masterKey === undefined ? createLocalArtifactStore({ dir }) : createEncryptedArtifactStore({ dir, masterKey });
}

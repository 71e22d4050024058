/**
 * The key that signs run callbacks: `SLIPWAY_CALLBACK_SECRET` when set, else one
 * generated on the first start and kept in the data directory (mode 0600), so receivers
 * keep verifying across restarts. The key is never logged.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CALLBACK_SECRET_FILE = 'callback-secret';

export async function loadCallbackSecret(dataDir: string, configured: string | undefined): Promise<string> {
  if (configured !== undefined) return configured;
  const file = join(dataDir, CALLBACK_SECRET_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored !== '') return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  await mkdir(dataDir, { recursive: true });
  try {
    // `wx`: of two servers starting at once on one data directory, the second reads the first's key.
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(file, 'utf8')).trim();
  }
}

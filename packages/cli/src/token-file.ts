/**
 * Where the token comes from when none is given: a server started here writes its admin
 * token to `<data dir>/admin-token` (mode 0600), so local use needs no copy-paste.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** `<SLIPWAY_DATA_DIR or ./.slipway>/admin-token`, absolute. */
export function tokenFilePath(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, env.SLIPWAY_DATA_DIR || '.slipway', 'admin-token');
}

/** `--token`, else `SLIPWAY_TOKEN`, else the token file when it exists, else none. */
export function resolveToken(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (flag) return flag;
  if (env.SLIPWAY_TOKEN) return env.SLIPWAY_TOKEN;
  try {
    return readFileSync(tokenFilePath(env, cwd), 'utf8').trim() || undefined;
  } catch {
    // No local server has run here: go without a token; the server says if it needs one.
    return undefined;
  }
}

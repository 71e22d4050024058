/**
 * Where the server and token come from when no flag gives them: `slipway login` saves
 * both to a config file only its owner can read (`$SLIPWAY_CONFIG`, else
 * `$XDG_CONFIG_HOME/slipway/config.json`, else `~/.config/slipway/config.json`); a server
 * started here writes its admin token to `<data dir>/admin-token` (mode 0600), so local
 * use needs no copy-paste at all.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** `<SLIPWAY_DATA_DIR or ./.slipway>/admin-token`, absolute. */
export function tokenFilePath(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, env.SLIPWAY_DATA_DIR || '.slipway', 'admin-token');
}

/** What `slipway login` saved. */
export interface LoginConfig {
  server: string;
  token: string;
}

/** The login config file, or undefined when the environment names no home for it. */
export function loginConfigPath(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SLIPWAY_CONFIG) return resolve(env.SLIPWAY_CONFIG);
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'slipway', 'config.json');
  if (env.HOME) return join(env.HOME, '.config', 'slipway', 'config.json');
  return undefined;
}

export function readLogin(env: NodeJS.ProcessEnv): LoginConfig | undefined {
  const path = loginConfigPath(env);
  if (path === undefined) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LoginConfig>;
    return typeof parsed.server === 'string' && typeof parsed.token === 'string' ? { server: parsed.server, token: parsed.token } : undefined;
  } catch {
    // Never logged in here (or the file is unreadable): go without it.
    return undefined;
  }
}

/** Saves the login with mode 0600, also when the file existed with wider permissions. */
export function writeLogin(env: NodeJS.ProcessEnv, login: LoginConfig): string {
  const path = loginConfigPath(env);
  if (path === undefined) throw new Error('no place for the login config: set HOME, XDG_CONFIG_HOME or SLIPWAY_CONFIG');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function removeLogin(env: NodeJS.ProcessEnv): string | undefined {
  const path = loginConfigPath(env);
  if (path !== undefined) rmSync(path, { force: true });
  return path;
}

/** `--server`, else `SLIPWAY_SERVER`, else the logged-in server, else none (the client's default). */
export function resolveServer(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return flag || env.SLIPWAY_SERVER || readLogin(env)?.server || undefined;
}

/**
 * `--token`, else `SLIPWAY_TOKEN`, else the login's token when it is for the same server,
 * else the local admin token file when it exists, else none.
 */
export function resolveToken(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string, server?: string): string | undefined {
  if (flag) return flag;
  if (env.SLIPWAY_TOKEN) return env.SLIPWAY_TOKEN;
  const login = readLogin(env);
  if (login !== undefined && (server === undefined || server.replace(/\/+$/, '') === login.server.replace(/\/+$/, ''))) return login.token;
  try {
    return readFileSync(tokenFilePath(env, cwd), 'utf8').trim() || undefined;
  } catch {
    // No local server has run here: go without a token; the server says if it needs one.
    return undefined;
  }
}

/**
 * Client configuration: options → environment (`SLIPWAY_SERVER`, `SLIPWAY_TOKEN`) →
 * defaults, resolved once into a frozen object. This is the only place the SDK reads
 * environment variables, so everything after it is a function of its config.
 */
import { InvalidInputError } from '@slipway/core';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ClientOptions {
  /** Base URL of the Slipway server. Default `SLIPWAY_SERVER`, else `http://127.0.0.1:8080`. */
  server?: string;
  /** Bearer token sent with every request. Default `SLIPWAY_TOKEN`; none when unset. */
  token?: string;
  /** Time a request may take before it fails as `unavailable`, in ms. Default 60 000 (pushes of large models take a while). */
  timeoutMs?: number;
  /** The `fetch` to use, for tests or proxies. Default the global `fetch`. */
  fetch?: typeof fetch;
}

export interface ResolvedClientConfig {
  /** Without a trailing `/`. */
  readonly server: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

export function resolveClientOptions(options: ClientOptions, env: NodeJS.ProcessEnv): ResolvedClientConfig {
  const server = nonEmpty(options.server) ?? nonEmpty(env.SLIPWAY_SERVER) ?? DEFAULT_SERVER;
  const protocol = URL.canParse(server) ? new URL(server).protocol : '';
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new InvalidInputError([{ path: 'server', message: `"${server}" is not an http(s) URL; write it like ${DEFAULT_SERVER}` }]);
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidInputError([{ path: 'timeoutMs', message: `must be a positive number of milliseconds, not ${timeoutMs}` }]);
  }
  return Object.freeze({
    server: server.replace(/\/+$/, ''),
    token: nonEmpty(options.token) ?? nonEmpty(env.SLIPWAY_TOKEN),
    timeoutMs,
    // Bound: browsers refuse a `fetch` called as a method of another object ("Illegal invocation").
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
  });
}

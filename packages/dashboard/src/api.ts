/**
 * The dashboard's view of the server: the SDK client (same origin, the signed-in token)
 * plus a typed GET for routes the SDK has no method for yet. Every failure is a
 * `SlipwayError`, so pages show the server's own message, which names the fix.
 */
import { ErrorCode, SlipwayError } from '@slipway/core';
import { ApiError, createClient, type SlipwayClient } from '@slipway/sdk';

export interface DashboardApi extends SlipwayClient {
  /** GET a JSON route by path (from `ApiPaths`); answers the parsed body. */
  get<T>(path: string): Promise<T>;
  /** POST a JSON body to a route the SDK has no method for; answers the parsed body. */
  post<T>(path: string, body: unknown): Promise<T>;
}

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export function createDashboardApi(token: string, server: string = window.location.origin): DashboardApi {
  // The environment argument is given so the SDK never looks for `process.env` in a browser.
  const client = createClient({ server, token, timeoutMs: 30_000 }, {});

  async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      response = await fetch(`${server}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new SlipwayError(ErrorCode.unavailable, `cannot reach the Slipway server at ${server}; is it running?`, { cause: error });
    }
    const answer = (await response.json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined;
    if (!response.ok) {
      const e = answer?.error;
      const code = typeof e?.code === 'string' && CODES.has(e.code) ? (e.code as ErrorCode) : ErrorCode.internal;
      const message = typeof e?.message === 'string' ? e.message : `${method} ${path} answered ${response.status}`;
      throw new ApiError(code, message, response.status, typeof e?.requestId === 'string' ? e.requestId : undefined);
    }
    return answer as T;
  }

  return { ...client, get: (path) => request('GET', path), post: (path, body) => request('POST', path, body) };
}

/** One readable line for an error a page shows. */
export function describeError(error: unknown): string {
  if (error instanceof SlipwayError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

/** True when the server refused the token itself (not a permission). */
export const isUnauthenticated = (error: unknown) => error instanceof SlipwayError && error.code === ErrorCode.unauthenticated;

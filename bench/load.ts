/**
 * One load run: autocannon POSTs the same JSON body over `connections` keep-alive
 * connections for `duration` seconds, to one URL or to a path chosen per request. Latency
 * percentiles are computed here from every 2xx response time: autocannon's own histogram
 * counts whole milliseconds, too coarse for a model that answers in a fraction of one.
 */
import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Called for every request to choose its path (a request stream over many models); default the URL's path. */
  nextPath?: () => string;
  /** Extra headers on every request: Slipway's bearer token, so authentication is part of what is measured. */
  headers?: Record<string, string>;
}

export interface LoadResult {
  /** Responses per second, any status (non-2xx are counted separately and must be 0). */
  rps: number;
  /** Milliseconds, over 2xx responses. */
  p50: number;
  p99: number;
  requests: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Count per HTTP status, to tell a 400 from a 503 when something went wrong. */
  statusCodes: Record<string, number>;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { nextPath } = options;
  const latencies: number[] = [];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: options.body,
        connections: options.connections,
        duration: options.duration,
        ...(nextPath === undefined ? {} : { requests: [{ setupRequest: (request) => ({ ...request, path: nextPath() }) }] }),
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const seconds = (performance.now() - started) / 1000;
        const sorted = Float64Array.from(latencies).sort();
        const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));
        resolve({
          rps: result.requests.total / seconds,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          requests: result.requests.total,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          statusCodes,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

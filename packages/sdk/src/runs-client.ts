/**
 * `client.runs`: async runs (submit, get, list, cancel, wait until finished) and
 * streaming runs as an async iterator of events. Breaking out of the iterator closes the
 * connection, which stops the run on the server.
 */
import {
  ApiPaths,
  ErrorCode,
  FINISHED_RUN_STATES,
  type RunRecord,
  type RunRequest,
  type RunState,
  type RunStreamEvent,
  type RunsResponse,
  SlipwayError,
} from '@slipway/core';
import { errorOfResponse } from './api-error.js';
import { parseServerSentEvents } from './sse.js';

/** An async run: `mode` is set for you; `callbackUrl` gets the finished record, signed. */
export type AsyncRunRequest = Omit<RunRequest, 'mode'>;

export interface RunListOptions {
  pipeline?: string;
  state?: RunState;
  /** Newest first, at most this many. Default 50 (server side). */
  limit?: number;
}

export interface WaitOptions {
  /** How often to poll, in ms. Default 250. */
  intervalMs?: number;
  /** Give up (throwing `unavailable`) after this many ms. Default 300000. */
  timeoutMs?: number;
}

export interface RunsClient {
  /** Queues an async run; answers its record (state `queued`). */
  submit(request: AsyncRunRequest): Promise<RunRecord>;
  get(id: string): Promise<RunRecord>;
  /** Run records of async and streaming runs, newest first. */
  list(options?: RunListOptions): Promise<RunRecord[]>;
  /** Cancels a queued or running run; a finished one throws `conflict` naming its state. */
  cancel(id: string): Promise<RunRecord>;
  /** Polls until the run is completed, failed or cancelled, and answers its record. */
  wait(id: string, options?: WaitOptions): Promise<RunRecord>;
  /** A streaming run: `output` events (partials), then `done` with the record, or `error`. */
  stream(request: Omit<RunRequest, 'mode' | 'callbackUrl'>): AsyncGenerator<RunStreamEvent>;
}

export interface RunsTransport {
  json: <T>(call: { method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown; headers?: Record<string, string> }) => Promise<T>;
  send: (call: { method: 'POST'; path: string; body: unknown; headers: Record<string, string> }) => Promise<Response>;
}

const EVENTS: ReadonlySet<string> = new Set(['output', 'done', 'error']);

export function createRunsClient({ json, send }: RunsTransport): RunsClient {
  const get = (id: string) => json<RunRecord>({ method: 'GET', path: ApiPaths.run(id) });
  return {
    submit: (request) => json<RunRecord>({ method: 'POST', path: ApiPaths.runs, body: { ...request, mode: 'async' } satisfies RunRequest }),
    get,
    list: async (options = {}) => {
      const query = new URLSearchParams();
      if (options.pipeline !== undefined) query.set('pipeline', options.pipeline);
      if (options.state !== undefined) query.set('state', options.state);
      if (options.limit !== undefined) query.set('limit', String(options.limit));
      const q = query.toString();
      return (await json<RunsResponse>({ method: 'GET', path: q === '' ? ApiPaths.runs : `${ApiPaths.runs}?${q}` })).runs;
    },
    cancel: (id) => json<RunRecord>({ method: 'DELETE', path: ApiPaths.run(id) }),
    wait: async (id, { intervalMs = 250, timeoutMs = 300_000 } = {}) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await get(id);
        if (FINISHED_RUN_STATES.includes(run.state)) return run;
        if (Date.now() + intervalMs > deadline) {
          throw new SlipwayError(ErrorCode.unavailable, `run "${id}" is still ${run.state} after ${timeoutMs} ms; wait longer or check it with \`slipway runs get ${id}\``, {
            details: { run: id, state: run.state },
          });
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
    async *stream(request) {
      const response = await send({ method: 'POST', path: ApiPaths.runs, body: { ...request, mode: 'stream' } satisfies RunRequest, headers: { accept: 'text/event-stream' } });
      if (!response.ok || response.body === null) {
        throw await errorOfResponse(response);
      }
      for await (const { event, data } of parseServerSentEvents(response.body)) {
        if (EVENTS.has(event)) yield { event, data: JSON.parse(data) as unknown } as RunStreamEvent;
      }
    },
  };
}

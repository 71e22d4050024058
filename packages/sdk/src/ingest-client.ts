/**
 * `client.ingest`: the prediction log (pages and a streamed JSON-lines export), ground
 * truth (feedback) and business KPIs — what monitoring reads, as the server ingests it.
 */
import {
  ApiPaths,
  type FeedbackItem,
  type FeedbackResponse,
  type KpiItem,
  type KpiNamesResponse,
  type KpiPushResponse,
  type KpiSeriesResponse,
  type PredictionsResponse,
} from '@slipway/core';
import { errorOfResponse } from './api-error.js';

export interface PredictionQueryOptions {
  /** Epoch ms, ISO-8601, or a duration ago (`1h`, `7d`). */
  since?: string | number;
  until?: string | number;
  /** `3` or `v3`. */
  version?: string | number;
  /** Rows; the server's default is 1000. */
  limit?: number;
  /** The `next` of the previous page. */
  after?: string;
}

export interface KpiSeriesOptions {
  pipeline?: string;
  /** Epoch ms, ISO-8601, or a duration ago; default 24 h before `to`. */
  from?: string | number;
  /** Default now. */
  to?: string | number;
  /** `5m`, `1h`, `1d`; default `1h`. */
  window?: string;
}

export interface IngestClient {
  /** One page of a pipeline's prediction log, oldest first; pass `next` as `after` for the next. */
  predictions(pipeline: string, options?: PredictionQueryOptions): Promise<PredictionsResponse>;
  /** The prediction log as flat rows (`feature.<name>`, `prediction.<field>`), streamed. */
  exportPredictions(pipeline: string, options?: PredictionQueryOptions): AsyncGenerator<Record<string, unknown>>;
  /** Ground-truth labels, one or many; unknown ids and refused items come back in the answer. */
  feedback(items: FeedbackItem | readonly FeedbackItem[]): Promise<FeedbackResponse>;
  pushKpis(items: KpiItem | readonly KpiItem[]): Promise<KpiPushResponse>;
  kpiSeries(name: string, options?: KpiSeriesOptions): Promise<KpiSeriesResponse>;
  kpiNames(pipeline?: string): Promise<string[]>;
}

export interface IngestTransport {
  json: <T>(call: { method: 'GET' | 'POST'; path: string; body?: unknown }) => Promise<T>;
  send: (call: { method: 'GET'; path: string; headers: Record<string, string> }) => Promise<Response>;
}

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, String(v));
  const q = query.toString();
  return q === '' ? path : `${path}?${q}`;
}

const bulk = <T>(items: T | readonly T[]): T | { items: readonly T[] } => (Array.isArray(items) ? { items } : (items as T));

export function createIngestClient({ json, send }: IngestTransport): IngestClient {
  const predictionsPath = (pipeline: string, o: PredictionQueryOptions, format?: 'jsonl') =>
    withQuery(ApiPaths.predictions(pipeline), { since: o.since, until: o.until, version: o.version, limit: o.limit, after: o.after, format });
  return {
    predictions: (pipeline, options = {}) => json<PredictionsResponse>({ method: 'GET', path: predictionsPath(pipeline, options) }),
    async *exportPredictions(pipeline, options = {}) {
      const response = await send({ method: 'GET', path: predictionsPath(pipeline, options, 'jsonl'), headers: { accept: 'application/x-ndjson' } });
      if (!response.ok || response.body === null) {
        throw await errorOfResponse(response);
      }
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim() !== '') yield JSON.parse(line) as Record<string, unknown>;
          newline = buffered.indexOf('\n');
        }
      }
      if (buffered.trim() !== '') yield JSON.parse(buffered) as Record<string, unknown>;
    },
    feedback: (items) => json<FeedbackResponse>({ method: 'POST', path: ApiPaths.feedback, body: bulk(items) }),
    pushKpis: (items) => json<KpiPushResponse>({ method: 'POST', path: ApiPaths.kpis, body: bulk(items) }),
    kpiSeries: (name, o = {}) => json<KpiSeriesResponse>({ method: 'GET', path: withQuery(ApiPaths.kpis, { name, pipeline: o.pipeline, from: o.from, to: o.to, window: o.window }) }),
    kpiNames: async (pipeline) => (await json<KpiNamesResponse>({ method: 'GET', path: withQuery(ApiPaths.kpis, { pipeline }) })).names,
  };
}

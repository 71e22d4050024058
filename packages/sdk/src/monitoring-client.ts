/**
 * `client.monitoring`: every monitoring chart's series (`metrics`), the latest drift with
 * its histogram pairs, and reference profiles (read, or recompute from a CSV).
 */
import { ApiPaths, type DriftResponse, type MetricsParams, type MetricsResponse, type ProfileRequest, type ProfileResponse } from '@slipway/core';

export interface MonitoringClient {
  /** `GET /v1/pipelines/{p}/metrics`: one chart family over a time range. */
  metrics(pipeline: string, params: MetricsParams): Promise<MetricsResponse>;
  /** The newest window's drift per feature and for the prediction; `window` defaults to 5m. */
  drift(pipeline: string, options?: { window?: string; version?: number }): Promise<DriftResponse>;
  /** A version's reference profile (default the latest version). */
  profile(pipeline: string, version?: number): Promise<ProfileResponse>;
  /** Recomputes a version's reference profile from CSV text (needs the push permission). */
  recomputeProfile(pipeline: string, request: ProfileRequest): Promise<ProfileResponse>;
}

type Json = <T>(call: { method: 'GET' | 'POST'; path: string; body?: unknown }) => Promise<T>;

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text === '' ? path : `${path}?${text}`;
}

export function createMonitoringClient({ json }: { json: Json }): MonitoringClient {
  return {
    metrics: (pipeline, params) => json<MetricsResponse>({ method: 'GET', path: withQuery(ApiPaths.monitoringMetrics(pipeline), { ...params }) }),
    drift: (pipeline, options = {}) => json<DriftResponse>({ method: 'GET', path: withQuery(ApiPaths.drift(pipeline), options) }),
    profile: (pipeline, version) => json<ProfileResponse>({ method: 'GET', path: withQuery(ApiPaths.profile(pipeline), { version }) }),
    recomputeProfile: (pipeline, request) => json<ProfileResponse>({ method: 'POST', path: ApiPaths.profile(pipeline), body: request }),
  };
}

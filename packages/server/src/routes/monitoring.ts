/**
 * Monitoring analysis routes: the metrics API (every chart from one endpoint), the latest
 * drift with histogram pairs, and reference profiles (read, and recompute from a CSV).
 */
import { type FieldIssue, InvalidInputError, METRIC_NAMES, Permission, SlipwayError, zodIssues } from '@slipway/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Access } from '../access.js';
import type { MonitoringMetrics } from '../monitoring-metrics.js';
import type { MonitoringService } from '../monitoring-service.js';
import type { Registry } from '../registry.js';

type Name = { Params: { name: string }; Querystring: Record<string, string | undefined> };

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DAY = 86_400_000;

/** `5m` → 300000; null when malformed. */
export function parseWindow(text: string): number | null {
  const m = /^(\d{1,6})(s|m|h|d)$/.exec(text);
  if (m === null) return null;
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  return ms >= 1000 && ms <= 31 * DAY ? ms : null;
}

/** ISO-8601 or epoch ms → epoch ms; null when malformed. */
export function parseTime(text: string): number | null {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

const profileBodySchema = z.strictObject({
  version: z.union([z.string().min(1), z.number().int().min(1)]).optional(),
  csv: z.string().min(1),
  file: z.string().min(1).max(200).optional(),
});

export interface MonitoringRouteOptions {
  registry: Registry;
  access: Access;
  monitoring: MonitoringService;
  metrics: MonitoringMetrics;
  now: () => number;
}

export function registerMonitoringRoutes(app: FastifyInstance, { registry, access, monitoring, metrics, now }: MonitoringRouteOptions): void {
  /** Reads the common query parameters, reporting every bad one. */
  function common(query: Record<string, string | undefined>, allowed: readonly string[]) {
    const issues: FieldIssue[] = [];
    for (const key of Object.keys(query)) if (!allowed.includes(key)) issues.push({ path: key, message: `is not a parameter of this route; use ${allowed.join(', ')}` });
    const windowMs = query.window === undefined ? 300_000 : parseWindow(query.window);
    if (windowMs === null) issues.push({ path: 'window', message: `is "${query.window}"; give a length such as 5m, 1h or 1d (30s to 31d)` });
    const to = query.to === undefined ? now() : parseTime(query.to);
    if (to === null) issues.push({ path: 'to', message: `is "${query.to}"; give an ISO-8601 time or epoch milliseconds` });
    const from = query.from === undefined ? (to ?? now()) - DAY : parseTime(query.from);
    if (from === null) issues.push({ path: 'from', message: `is "${query.from}"; give an ISO-8601 time or epoch milliseconds` });
    if (from !== null && to !== null && from >= to) issues.push({ path: 'from', message: `must be before to (${new Date(to).toISOString()})` });
    let version: number | undefined;
    if (query.version !== undefined) {
      version = /^v?\d+$/.test(query.version) ? Number(query.version.replace(/^v/, '')) : NaN;
      if (!(version >= 1)) issues.push({ path: 'version', message: `is "${query.version}"; give a version number such as 3 or v3` });
    }
    return { issues, windowMs: windowMs!, from: from!, to: to!, ...(version === undefined ? {} : { version }) };
  }

  /** The pipeline must exist (404 naming it) before its series are read. */
  async function pipeline(name: string): Promise<string> {
    await registry.resolve(name, 'pipeline');
    return name;
  }

  app.get<Name>('/v1/pipelines/:name/metrics', async (req) => {
    await access.require(req, Permission.read);
    const q = common(req.query, ['metric', 'window', 'from', 'to', 'version', 'kpi']);
    const metric = req.query.metric;
    if (metric === undefined || !(METRIC_NAMES as readonly string[]).includes(metric)) {
      q.issues.unshift({ path: 'metric', message: `${metric === undefined ? 'is required' : `is "${metric}"`}; choose one of ${METRIC_NAMES.join(', ')}` });
    }
    if (q.issues.length > 0) throw new InvalidInputError(q.issues);
    const name = await pipeline(req.params.name);
    await monitoring.flush();
    return metrics.metrics({
      pipeline: name,
      metric: metric as (typeof METRIC_NAMES)[number],
      windowMs: q.windowMs,
      from: q.from,
      to: q.to,
      ...(q.version === undefined ? {} : { version: q.version }),
      ...(req.query.kpi === undefined ? {} : { kpi: req.query.kpi }),
    });
  });

  app.get<Name>('/v1/pipelines/:name/drift', async (req) => {
    await access.require(req, Permission.read);
    const q = common(req.query, ['window', 'version']);
    if (q.issues.length > 0) throw new InvalidInputError(q.issues);
    const name = await pipeline(req.params.name);
    await monitoring.flush();
    return metrics.latestDrift({ pipeline: name, windowMs: q.windowMs, now: now(), ...(q.version === undefined ? {} : { version: q.version }) });
  });

  app.get<Name>('/v1/pipelines/:name/profile', async (req) => {
    await access.require(req, Permission.read);
    const q = common(req.query, ['version']);
    if (q.issues.length > 0) throw new InvalidInputError(q.issues);
    const record = await registry.resolve(q.version === undefined ? req.params.name : `${req.params.name}:v${q.version}`, 'pipeline');
    const profile = await monitoring.monitored(record.pipeline, record.version);
    if (profile === null) {
      throw new SlipwayError('not_found', `${record.pipeline}:v${record.version} has no reference profile; add monitoring.reference to its slipway.yaml or run \`slipway profile ${record.pipeline}:v${record.version} -f data.csv\``);
    }
    return profile.record;
  });

  app.post<Name & { Body: unknown }>('/v1/pipelines/:name/profile', async (req) => {
    await access.require(req, Permission.push);
    const parsed = profileBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
    const { version, csv, file = 'upload.csv' } = parsed.data;
    const ref = version === undefined ? req.params.name : String(version).startsWith('@') ? `${req.params.name}${String(version)}` : `${req.params.name}:${/^\d+$/.test(String(version)) ? 'v' : ''}${String(version)}`;
    const record = await registry.resolve(ref, 'version');
    return monitoring.recomputeProfile(record, csv, file);
  });
}

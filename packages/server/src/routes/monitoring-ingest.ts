/**
 * Monitoring ingest routes: the prediction log (`GET /v1/pipelines/{p}/predictions`, as
 * JSON pages or streamed JSON lines), ground truth (`POST /v1/feedback`) and business
 * KPIs (`POST` / `GET /v1/kpis`). Bulk bodies are checked item by item: good items are
 * stored, bad ones are answered by index with every problem.
 */
import { Readable } from 'node:stream';
import {
  ApiPaths,
  type FieldIssue,
  InvalidInputError,
  type KpiRecord,
  MAX_FEEDBACK_ITEMS,
  MAX_KPI_ITEMS,
  MAX_PREDICTIONS_EXPORT,
  MAX_PREDICTIONS_PAGE,
  PIPELINE_NAME,
  Permission,
  parseDurationMs,
  parseTimeMs,
  parseVersion,
  zodIssues,
} from '@slipway/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Access } from '../access.js';
import type { MonitoringIngest, ParsedFeedbackItem } from '../monitoring-ingest.js';

export interface MonitoringIngestRouteOptions {
  access: Access;
  ingest: MonitoringIngest;
}

const DAY_MS = 86_400_000;

/** Query issues by parameter; an unknown parameter is named with the ones this route takes. */
function queryIssues(error: z.ZodError, allowed: readonly string[]): FieldIssue[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: key, message: `is not a query parameter of this route; it takes ${allowed.join(', ')}` }))
      : zodIssues(new z.ZodError([i])),
  );
}

/** Runs a parser that throws `InvalidInputError`, collecting its issues instead. */
function collect<T>(issues: FieldIssue[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InvalidInputError) {
      issues.push(...err.issues);
      return undefined;
    }
    throw err;
  }
}

const queryString = z.string().max(500);

const predictionsQuery = z.strictObject({
  since: queryString.optional(),
  until: queryString.optional(),
  version: queryString.optional(),
  limit: z.coerce.number().int().min(1).optional(),
  after: z.string().min(1).max(500).optional(),
  format: z.enum(['json', 'jsonl']).default('json'),
});

const at = z.union([z.number().int().min(0), z.string().min(1).max(100)]);

const feedbackItem = z
  .strictObject({
    runId: z.string().min(1).max(200).optional(),
    predictionId: z.string().min(1).max(200).optional(),
    pipeline: z.string().regex(PIPELINE_NAME, 'must be a pipeline name').optional(),
    row: z.number().int().min(0).max(10_000_000).default(0),
    label: z.union([z.string().min(1).max(1000), z.number()], { error: 'must be a class label (string) or a number (regression target)' }),
    at: at.optional(),
  })
  .superRefine((item, ctx) => {
    if ((item.runId === undefined) === (item.predictionId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['runId'], message: 'give exactly one of runId (a run or OIP request id) or predictionId (your own id, with pipeline)' });
    }
    if (item.predictionId !== undefined && item.pipeline === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pipeline'], message: 'is required with predictionId (prediction ids are unique per pipeline)' });
    }
  });

const kpiItem = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'must be 1–100 characters of letters, digits, "_", ".", ":", "-"'),
  value: z.number(),
  at: at.optional(),
  pipeline: z.string().regex(PIPELINE_NAME, 'must be a pipeline name').optional(),
  deployment: z.string().min(1).max(200).optional(),
});

const kpiQuery = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  pipeline: z.string().regex(PIPELINE_NAME, 'must be a pipeline name').optional(),
  from: queryString.optional(),
  to: queryString.optional(),
  window: queryString.optional(),
});

/** `{ items: [...] }` or one item; the item list, bounded, and whether it came as `items`. */
function itemsOf(body: unknown, max: number): { raw: unknown[]; bulk: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError([{ path: 'body', message: 'must be a JSON object: one item, or {"items": [...]} for many' }]);
  }
  if (!('items' in body)) return { raw: [body], bulk: false };
  const { items } = body;
  if (!Array.isArray(items) || items.length === 0 || items.length > max) {
    throw new InvalidInputError([{ path: 'items', message: `must be an array of 1 to ${max} items; split larger uploads` }]);
  }
  return { raw: items, bulk: true };
}

/**
 * Parses every item; returns the good ones (with their index) and the bad ones by index.
 * When no item is good the whole request is refused, naming every problem.
 */
function parseItems<T>({ raw, bulk }: { raw: unknown[]; bulk: boolean }, parse: (item: unknown, path: string) => T | FieldIssue[]): { good: { index: number; value: T }[]; rejected: { index: number; issues: FieldIssue[] }[] } {
  const good: { index: number; value: T }[] = [];
  const rejected: { index: number; issues: FieldIssue[] }[] = [];
  raw.forEach((item, index) => {
    const path = bulk ? `items[${index}]` : '';
    const result = parse(item, path);
    if (Array.isArray(result)) rejected.push({ index, issues: result });
    else good.push({ index, value: result });
  });
  if (good.length === 0) throw new InvalidInputError(rejected.flatMap((r) => r.issues).slice(0, 100));
  return { good, rejected };
}

function timeOf(value: number | string | undefined, path: string, issues: FieldIssue[]): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  return collect(issues, () => parseTimeMs(value, path));
}

export function registerMonitoringIngestRoutes(app: FastifyInstance, { access, ingest }: MonitoringIngestRouteOptions): void {
  app.get<{ Params: { name: string } }>('/v1/pipelines/:name/predictions', async (req, reply) => {
    const pipeline = req.params.name;
    await access.require(req, Permission.read, { pipeline });
    const parsed = predictionsQuery.safeParse(req.query);
    if (!parsed.success) throw new InvalidInputError(queryIssues(parsed.error, Object.keys(predictionsQuery.shape)));
    const q = parsed.data;
    const issues: FieldIssue[] = [];
    const now = Date.now();
    const max = q.format === 'jsonl' ? MAX_PREDICTIONS_EXPORT : MAX_PREDICTIONS_PAGE;
    const limit = q.limit ?? Math.min(1000, max);
    if (limit > max) issues.push({ path: 'limit', message: `(${limit}) must be ≤ ${max} for format=${q.format}; page with \`after\`${q.format === 'json' ? ' or export with format=jsonl' : ''}` });
    const since = q.since === undefined ? undefined : collect(issues, () => parseTimeMs(q.since as string, 'since', now));
    const until = q.until === undefined ? undefined : collect(issues, () => parseTimeMs(q.until as string, 'until', now));
    const version = q.version === undefined ? undefined : collect(issues, () => parseVersion(q.version as string, 'version'));
    if (since !== undefined && until !== undefined && since >= until) issues.push({ path: 'until', message: 'must be after since' });
    if (issues.length > 0) throw new InvalidInputError(issues);
    const query = { pipeline, limit, ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }), ...(version === undefined ? {} : { version }), ...(q.after === undefined ? {} : { after: q.after }) };
    if (q.format === 'json') return ingest.listPredictions(query);
    const lines = await ingest.exportPredictions(query);
    const stream = Readable.from(lines);
    // Headers are gone once streaming starts: a failure now can only end the stream early.
    stream.on('error', (err) => req.log.error({ err, requestId: req.id }, 'prediction export failed mid-stream'));
    return reply.type('application/x-ndjson; charset=utf-8').send(stream);
  });

  app.post(ApiPaths.feedback, async (req) => {
    const who = await access.require(req, Permission.feedback);
    const { good, rejected } = parseItems<ParsedFeedbackItem>(itemsOf(req.body, MAX_FEEDBACK_ITEMS), (item, path) => {
      const parsed = feedbackItem.safeParse(item);
      if (!parsed.success) return zodIssues(parsed.error, path);
      const issues: FieldIssue[] = [];
      const labelAt = timeOf(parsed.data.at, path ? `${path}.at` : 'at', issues);
      if (issues.length > 0) return issues;
      const { runId, predictionId, pipeline, row, label } = parsed.data;
      return { index: 0, row, label, ...(runId === undefined ? {} : { runId }), ...(predictionId === undefined ? {} : { predictionId }), ...(pipeline === undefined ? {} : { pipeline }), ...(labelAt === undefined ? {} : { at: labelAt }) };
    });
    return ingest.feedback(
      good.map((g) => ({ ...g.value, index: g.index })),
      rejected,
      who.name,
    );
  });

  app.post(ApiPaths.kpis, async (req) => {
    await access.require(req, Permission.feedback);
    const now = Date.now();
    const { good, rejected } = parseItems<KpiRecord>(itemsOf(req.body, MAX_KPI_ITEMS), (item, path) => {
      const parsed = kpiItem.safeParse(item);
      if (!parsed.success) return zodIssues(parsed.error, path);
      const issues: FieldIssue[] = [];
      const kpiAt = timeOf(parsed.data.at, path ? `${path}.at` : 'at', issues);
      if (issues.length > 0) return issues;
      const { name, value, pipeline, deployment } = parsed.data;
      return { name, value, at: kpiAt ?? now, pipeline: pipeline ?? null, deployment: deployment ?? null };
    });
    return ingest.pushKpis(
      good.map((g) => g.value),
      rejected,
    );
  });

  app.get(ApiPaths.kpis, async (req) => {
    await access.require(req, Permission.read);
    const parsed = kpiQuery.safeParse(req.query);
    if (!parsed.success) throw new InvalidInputError(queryIssues(parsed.error, Object.keys(kpiQuery.shape)));
    const q = parsed.data;
    if (q.name === undefined) return { names: await ingest.kpiNames(q.pipeline) };
    const issues: FieldIssue[] = [];
    const now = Date.now();
    const to = q.to === undefined ? now : collect(issues, () => parseTimeMs(q.to as string, 'to', now));
    const from = q.from === undefined ? (to ?? now) - DAY_MS : collect(issues, () => parseTimeMs(q.from as string, 'from', now));
    const windowMs = q.window === undefined ? 3_600_000 : collect(issues, () => parseDurationMs(q.window as string, 'window'));
    if (from !== undefined && to !== undefined && from >= to) issues.push({ path: 'to', message: 'must be after from' });
    if (windowMs !== undefined && from !== undefined && to !== undefined && (to - from) / windowMs > 10_000) {
      issues.push({ path: 'window', message: `is too small for the range: at most 10000 windows; use a window of at least ${Math.ceil((to - from) / 10_000 / 60_000)}m` });
    }
    if (issues.length > 0 || from === undefined || to === undefined || windowMs === undefined) throw new InvalidInputError(issues);
    return ingest.kpiSeries({ name: q.name, ...(q.pipeline === undefined ? {} : { pipeline: q.pipeline }), from, to, windowMs });
  });
}

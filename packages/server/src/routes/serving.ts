/**
 * Serving controls: keep a version warm (pinned) or let it go (Mystic's warmup/cooldown),
 * list what is loaded, and the Prometheus metrics.
 */
import { InvalidInputError, Permission, zodIssues } from '@slipway/core';
import type { ServingEngine } from '@slipway/serving';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Access } from '../access.js';
import type { Registry } from '../registry.js';

const warmupSchema = z.strictObject({
  /** `v3`, `3` or `@production`; default: the latest version. */
  version: z.union([z.string().min(1), z.number().int().min(1)]).optional(),
  /** How long to keep it pinned; default until `cooldown`. */
  durationSeconds: z.number().positive().max(365 * 24 * 3600).optional(),
});

type Name = { Params: { name: string }; Body: unknown };

/** `cooldown` for a pin without end, the end time of a live pin, null when not pinned. */
function pinView(until: number): string | null {
  if (until === Infinity) return 'cooldown';
  return until > Date.now() ? new Date(until).toISOString() : null;
}

export interface ServingRouteOptions {
  registry: Registry;
  access: Access;
  engine: ServingEngine;
}

export function registerServingRoutes(app: FastifyInstance, { registry, access, engine }: ServingRouteOptions): void {
  function target(name: string, body: unknown) {
    const parsed = warmupSchema.safeParse(body ?? {});
    if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
    const { version, durationSeconds } = parsed.data;
    const ref = version === undefined ? name : String(version).startsWith('@') ? `${name}${String(version)}` : `${name}:${String(version)}`;
    return { record: registry.resolve(ref, 'version'), durationSeconds };
  }

  const view = (key: string) => {
    const v = engine.loaded().find((x) => x.key === key);
    return v && { pipeline: v.record.pipeline, version: v.record.version, host: v.host.id, bytes: v.bytes, loadMs: v.loadMs, warmupMs: v.warmupMs, hits: v.hits, pinnedUntil: pinView(v.pinnedUntil) };
  };

  app.post<Name>('/v1/pipelines/:name/warmup', async (req) => {
    await access.require(req, Permission.deploy, { pipeline: req.params.name });
    const { record, durationSeconds } = target(req.params.name, req.body);
    const r = await record;
    const loaded = await engine.pin(r, durationSeconds === undefined ? Infinity : Date.now() + durationSeconds * 1000);
    return view(loaded.key);
  });
  app.post<Name>('/v1/pipelines/:name/cooldown', async (req) => {
    await access.require(req, Permission.deploy, { pipeline: req.params.name });
    const r = await target(req.params.name, req.body).record;
    await engine.cooldown(r);
    return { pipeline: r.pipeline, version: r.version, loaded: engine.isLoaded(r) };
  });
  app.get('/v1/serving/models', async (req) => {
    const who = await access.require(req, Permission.read);
    return {
      budgetBytes: engine.budgetBytes,
      usedBytes: engine.usedBytes(),
      models: await access.visible(who, engine.loaded().map((v) => view(v.key)!), (m) => m.pipeline),
    };
  });
  app.get('/metrics', async (_req, reply) => {
    void reply.header('content-type', engine.metrics.registry.contentType);
    return engine.metrics.registry.metrics();
  });
}

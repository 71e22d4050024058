/**
 * Alert routes: rules (list, apply a `{rules}` document or its YAML, delete), alerts
 * (firing and resolved), an on-demand evaluation, and notification channels (create,
 * list redacted, delete, test, delivery history).
 */
import { ApiPaths, InvalidInputError, Permission, zodIssues } from '@slipway/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Access } from '../access.js';
import type { AlertService } from '../alert-service.js';

export interface AlertRouteOptions {
  alerts: AlertService;
  access: Access;
}

const limit = z.coerce.number().int().min(1).max(500).default(50);
const alertsQuery = z.strictObject({ state: z.enum(['firing', 'resolved']).optional(), pipeline: z.string().min(1).optional(), limit });
const rulesQuery = z.strictObject({ pipeline: z.string().min(1).optional() });
const applyBody = z.union([z.strictObject({ rules: z.array(z.unknown()) }), z.strictObject({ yaml: z.string().min(1).max(1_000_000) })]);
const historyQuery = z.strictObject({ limit });

function parse<T>(schema: z.ZodType<T>, value: unknown, hint?: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error).map((i) => (hint === undefined ? i : { ...i, message: `${i.message} (${hint})` })));
  return parsed.data;
}

type ById = { Params: { id: string } };

export function registerAlertRoutes(app: FastifyInstance, { alerts, access }: AlertRouteOptions): void {
  app.get(ApiPaths.alerts, async (req) => {
    const who = await access.require(req, Permission.read);
    // Only alerts of pipelines the caller's projects can see.
    return { alerts: await access.visible(who, await alerts.listAlerts(parse(alertsQuery, req.query)), (a) => a.pipeline) };
  });
  app.post(ApiPaths.alertsEvaluate, async (req) => {
    await access.require(req, Permission.operate);
    return alerts.evaluate();
  });

  app.get(ApiPaths.alertRules, async (req) => {
    await access.require(req, Permission.read);
    return { rules: await alerts.listRules(parse(rulesQuery, req.query).pipeline) };
  });
  app.put(ApiPaths.alertRules, async (req) => {
    await access.require(req, Permission.operate);
    const body = parse(applyBody, req.body, 'send {"rules": [...]} or {"yaml": "<rules.yaml text>"}');
    return { rules: await alerts.applyRules('yaml' in body ? body.yaml : body) };
  });
  app.delete<{ Params: { pipeline: string; name: string } }>(`${ApiPaths.alertRules}/:pipeline/:name`, async (req) => {
    await access.require(req, Permission.operate, { pipeline: req.params.pipeline });
    await alerts.deleteRule(req.params.pipeline, req.params.name);
    return { pipeline: req.params.pipeline, name: req.params.name, deleted: true };
  });

  app.get(ApiPaths.alertChannels, async (req) => {
    await access.require(req, Permission.read);
    return { channels: await alerts.listChannels() };
  });
  app.post(ApiPaths.alertChannels, async (req, reply) => {
    await access.require(req, Permission.operate);
    void reply.status(201);
    return alerts.createChannel(req.body);
  });
  app.delete<ById>(`${ApiPaths.alertChannels}/:id`, async (req) => {
    await access.require(req, Permission.operate);
    await alerts.deleteChannel(req.params.id);
    return { id: req.params.id, deleted: true };
  });
  app.post<ById>(`${ApiPaths.alertChannels}/:id/test`, async (req) => {
    await access.require(req, Permission.operate);
    return alerts.testChannel(req.params.id);
  });
  app.get<ById>(`${ApiPaths.alertChannels}/:id/notifications`, async (req) => {
    await access.require(req, Permission.read);
    return { notifications: await alerts.notifications({ channelId: req.params.id, ...parse(historyQuery, req.query) }) };
  });
}

/**
 * Incident routes: list and show (with alerts, timeline and a ticket-ready summary),
 * acknowledge, resolve, add a note, assign an owner, and the classification rules that
 * decide an incident's experience areas.
 */
import { ApiPaths, InvalidInputError, Permission, zodIssues } from '@slipway/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Access } from '../access.js';
import type { IncidentService } from '../incident-service.js';

export interface IncidentRouteOptions {
  incidents: IncidentService;
  access: Access;
}

const listQuery = z.strictObject({
  state: z.enum(['open', 'acknowledged', 'resolved']).optional(),
  pipeline: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const noteBody = z.strictObject({ note: z.string().min(1).max(10_000).optional() });
const textBody = z.strictObject({ text: z.string().min(1, 'must not be empty').max(10_000) });
const assignBody = z.strictObject({ owner: z.string().min(1).max(200) });
const classificationBody = z.strictObject({ rules: z.array(z.unknown()) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
  return parsed.data;
}

type ById = { Params: { id: string } };

export function registerIncidentRoutes(app: FastifyInstance, { incidents, access }: IncidentRouteOptions): void {
  app.get(ApiPaths.incidents, async (req) => {
    const who = await access.require(req, Permission.read);
    // Only incidents of pipelines the caller's projects can see.
    return { incidents: await access.visible(who, await incidents.list(parse(listQuery, req.query)), (i) => i.pipeline) };
  });
  app.get(ApiPaths.incidentClassification, async (req) => {
    await access.require(req, Permission.read);
    return { rules: await incidents.classification() };
  });
  app.put(ApiPaths.incidentClassification, async (req) => {
    await access.require(req, Permission.operate);
    return { rules: await incidents.setClassification(parse(classificationBody, req.body).rules) };
  });
  app.get<ById>(`${ApiPaths.incidents}/:id`, async (req) => {
    await access.require(req, Permission.read);
    return incidents.view(req.params.id);
  });
  app.post<ById>(`${ApiPaths.incidents}/:id/ack`, async (req) => {
    const who = await access.require(req, Permission.operate);
    return incidents.acknowledge(req.params.id, who.name, parse(noteBody, req.body).note);
  });
  app.post<ById>(`${ApiPaths.incidents}/:id/resolve`, async (req) => {
    const who = await access.require(req, Permission.operate);
    return incidents.resolve(req.params.id, who.name, parse(noteBody, req.body).note);
  });
  app.post<ById>(`${ApiPaths.incidents}/:id/notes`, async (req, reply) => {
    const who = await access.require(req, Permission.operate);
    void reply.status(201);
    return incidents.note(req.params.id, who.name, parse(textBody, req.body).text);
  });
  app.post<ById>(`${ApiPaths.incidents}/:id/assign`, async (req) => {
    const who = await access.require(req, Permission.operate);
    return incidents.assign(req.params.id, parse(assignBody, req.body).owner, who.name);
  });
}

/** Open Inference Protocol (KServe V2) REST routes. They parse, call the data plane, serialise. */
import { Permission } from '@slipway/core';
import type { FastifyInstance } from 'fastify';
import type { Access } from '../access.js';
import type { Inference } from '../inference.js';
import { runControls } from '../run-controls.js';
import { deploymentSelector } from './deployments.js';

type M = { Params: { m: string } };
type MV = { Params: { m: string; v: string } };

export const SERVER_METADATA = { name: 'slipway', version: '0.1.0', extensions: [] as string[] };

export function registerOipRoutes(app: FastifyInstance, inference: Inference, access: Access): void {
  app.get('/v2/health/live', () => ({ live: true }));
  app.get('/v2/health/ready', () => ({ ready: true }));
  app.get('/v2', async (req) => {
    await access.authenticate(req);
    return SERVER_METADATA;
  });

  // Metadata and readiness need `run` or `read`: a caller checks readiness of what it calls.
  const see = (req: Parameters<Access['require']>[0] & { params: { m: string } }) => access.require(req, [Permission.read, Permission.run], { pipeline: req.params.m });
  app.get<M>('/v2/models/:m', async (req) => (await see(req), inference.modelMetadata(req.params.m)));
  app.get<MV>('/v2/models/:m/versions/:v', async (req) => (await see(req), inference.modelMetadata(req.params.m, req.params.v)));
  app.get<M>('/v2/models/:m/ready', async (req) => (await see(req), inference.modelReady(req.params.m)));
  app.get<MV>('/v2/models/:m/versions/:v/ready', async (req) => (await see(req), inference.modelReady(req.params.m, req.params.v)));
  app.post<M>('/v2/models/:m/infer', async (req, reply) => {
    const who = await access.require(req, Permission.run, { pipeline: req.params.m });
    return inference.infer(req.params.m, undefined, req.body, runControls(req, reply), { requestId: req.id, caller: who.name, ...deploymentSelector(req) });
  });
  app.post<MV>('/v2/models/:m/versions/:v/infer', async (req, reply) => {
    const who = await access.require(req, Permission.run, { pipeline: req.params.m });
    return inference.infer(req.params.m, req.params.v, req.body, runControls(req, reply), { requestId: req.id, caller: who.name });
  });
}

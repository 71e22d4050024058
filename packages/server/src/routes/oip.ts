/** Open Inference Protocol (KServe V2) REST routes. They parse, call the data plane, serialise. */
import type { FastifyInstance } from 'fastify';
import type { Inference } from '../inference.js';
import { runControls } from '../run-controls.js';

type M = { Params: { m: string } };
type MV = { Params: { m: string; v: string } };

export const SERVER_METADATA = { name: 'slipway', version: '0.1.0', extensions: [] as string[] };

export function registerOipRoutes(app: FastifyInstance, inference: Inference): void {
  app.get('/v2/health/live', () => ({ live: true }));
  app.get('/v2/health/ready', () => ({ ready: true }));
  app.get('/v2', () => SERVER_METADATA);

  app.get<M>('/v2/models/:m', (req) => inference.modelMetadata(req.params.m));
  app.get<MV>('/v2/models/:m/versions/:v', (req) => inference.modelMetadata(req.params.m, req.params.v));
  app.get<M>('/v2/models/:m/ready', (req) => inference.modelReady(req.params.m));
  app.get<MV>('/v2/models/:m/versions/:v/ready', (req) => inference.modelReady(req.params.m, req.params.v));
  app.post<M>('/v2/models/:m/infer', (req, reply) => inference.infer(req.params.m, undefined, req.body, runControls(req, reply), { requestId: req.id }));
  app.post<MV>('/v2/models/:m/versions/:v/infer', (req, reply) => inference.infer(req.params.m, req.params.v, req.body, runControls(req, reply), { requestId: req.id }));
}

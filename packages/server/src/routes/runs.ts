/** The runs API: `POST /v1/runs` with friendly tabular or named-tensor inputs. */
import { ApiPaths } from '@slipway/core';
import type { FastifyInstance } from 'fastify';
import type { Inference } from '../inference.js';
import { runControls } from '../run-controls.js';

export function registerRunRoutes(app: FastifyInstance, inference: Inference): void {
  app.post(ApiPaths.runs, (req, reply) => inference.run(req.body, runControls(req, reply), { requestId: req.id }));
}

/**
 * The runs API: `POST /v1/runs` in three modes (sync answers the outputs, async answers
 * 202 with a run record, stream answers server-sent events), and the run records of
 * async and streaming runs: `GET /v1/runs`, `GET` and `DELETE /v1/runs/{id}`.
 */
import { ApiPaths, InvalidInputError, Permission, type RunsResponse } from '@slipway/core';
import type { FastifyInstance } from 'fastify';
import type { Access } from '../access.js';
import type { Inference } from '../inference.js';
import { runControls } from '../run-controls.js';
import { deploymentSelector } from './deployments.js';
import type { RunService } from '../run-service.js';
import { disconnectSignal, writeEventStream } from '../run-stream.js';

export interface RunRoutesOptions {
  inference: Inference;
  runs: RunService;
  access: Access;
}

const MODES = ['sync', 'async', 'stream'] as const;
type Mode = (typeof MODES)[number];

/** The body's `mode`: sync when absent; anything else is refused naming the modes. */
export function runModeOf(body: unknown): Mode {
  const mode = typeof body === 'object' && body !== null ? (body as { mode?: unknown }).mode : undefined;
  if (mode === undefined) return 'sync';
  if (typeof mode === 'string' && (MODES as readonly string[]).includes(mode)) return mode as Mode;
  throw new InvalidInputError([{ path: 'mode', message: `${JSON.stringify(mode)} is not a run mode; use "sync" (the default), "async" or "stream"` }]);
}

type ById = { Params: { id: string } };

export function registerRunRoutes(app: FastifyInstance, { inference, runs, access }: RunRoutesOptions): void {
  app.post(ApiPaths.runs, async (req, reply) => {
    const mode = runModeOf(req.body);
    // Every mode needs `run` in the pipeline's project (and counts against its rate limit).
    const pipeline = runs.pipelineOf(req.body);
    const who = await access.require(req, Permission.run, pipeline === undefined ? {} : { pipeline });
    if (mode === 'sync') return inference.run(req.body, runControls(req, reply), { requestId: req.id, caller: who.name, ...deploymentSelector(req) });
    if (mode === 'async') {
      const record = await runs.submit(req.body, who.name, deploymentSelector(req));
      void reply.status(202).header('location', ApiPaths.run(record.id));
      return record;
    }
    const { id, events } = await runs.stream(req.body, who.name, disconnectSignal(reply), deploymentSelector(req));
    await writeEventStream(reply, id, events);
    return reply;
  });

  app.get(ApiPaths.runs, async (req): Promise<RunsResponse> => {
    const who = await access.require(req, Permission.read);
    // Only runs of pipelines the caller's projects can see.
    return { runs: await access.visible(who, await runs.list(req.query), (r) => r.pipeline) };
  });

  app.get<ById>(`${ApiPaths.runs}/:id`, async (req) => {
    await access.require(req, Permission.read);
    const run = await runs.get(req.params.id);
    await access.require(req, Permission.read, { pipeline: run.pipeline });
    return run;
  });

  app.delete<ById>(`${ApiPaths.runs}/:id`, async (req) => {
    await access.require(req, Permission.run);
    const run = await runs.get(req.params.id);
    await access.require(req, Permission.run, { pipeline: run.pipeline });
    return runs.cancel(req.params.id);
  });
}

/**
 * Deployment routes: environments, deployments and their rollouts. They parse, check
 * access, call the deployment service and serialise.
 */
import {
  ApiPaths,
  CALLER_KEY_HEADER,
  type DeploymentsResponse,
  ENVIRONMENT_HEADER,
  type EnvironmentsResponse,
  InvalidInputError,
  Permission,
  environmentNameSchema,
} from '@slipway/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Access } from '../access.js';
import type { DeploymentSelector, DeploymentService } from '../deployment-service.js';

export interface DeploymentRouteOptions {
  deployments: DeploymentService;
  access: Access;
}

type One = { Params: { pipeline: string; environment: string } };

/** The deployment a run asks for: `x-slipway-environment` (or `?env=`) and `x-slipway-caller-key`. */
export function deploymentSelector(req: FastifyRequest): DeploymentSelector {
  const header = req.headers[ENVIRONMENT_HEADER];
  const query = (req.query as Record<string, unknown> | undefined)?.env;
  const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  const selector: DeploymentSelector = {};
  if (raw !== undefined) {
    const parsed = environmentNameSchema.safeParse(raw);
    if (!parsed.success) throw new InvalidInputError([{ path: typeof header === 'string' ? `header ${ENVIRONMENT_HEADER}` : 'query env', message: `${JSON.stringify(raw)} ${parsed.error.issues[0]?.message ?? 'is not an environment name'}` }]);
    selector.environment = parsed.data;
  }
  const callerKey = req.headers[CALLER_KEY_HEADER];
  if (typeof callerKey === 'string' && callerKey !== '') selector.callerKey = callerKey;
  return selector;
}

export function registerDeploymentRoutes(app: FastifyInstance, { deployments, access }: DeploymentRouteOptions): void {
  app.get(ApiPaths.environments, async (req): Promise<EnvironmentsResponse> => {
    await access.require(req, Permission.read);
    return { environments: await deployments.environments() };
  });
  app.post(ApiPaths.environments, async (req, reply) => {
    await access.require(req, Permission.deploy);
    const created = await deployments.createEnvironment(req.body);
    void reply.status(201);
    return created;
  });

  app.get(ApiPaths.deployments, async (req): Promise<DeploymentsResponse> => {
    const who = await access.require(req, Permission.read);
    // Only deployments of pipelines the caller's projects can see.
    return { deployments: await access.visible(who, await deployments.list(), (d) => d.pipeline) };
  });
  app.post(ApiPaths.deployments, async (req) => {
    const pipeline = (req.body as { pipeline?: unknown } | null)?.pipeline;
    const who = await access.require(req, Permission.deploy, typeof pipeline === 'string' ? { pipeline } : {});
    return deployments.apply(req.body, who.name);
  });
  app.get<One>('/v1/deployments/:pipeline/:environment', async (req) => {
    await access.require(req, Permission.read, { pipeline: req.params.pipeline });
    return deployments.get(req.params.pipeline, req.params.environment);
  });
  app.delete<One>('/v1/deployments/:pipeline/:environment', async (req) => {
    await access.require(req, Permission.deploy, { pipeline: req.params.pipeline });
    return deployments.remove(req.params.pipeline, req.params.environment);
  });

  app.get<One>('/v1/deployments/:pipeline/:environment/rollout', async (req) => {
    await access.require(req, Permission.read, { pipeline: req.params.pipeline });
    return deployments.rolloutStatus(req.params.pipeline, req.params.environment);
  });
  app.post<One>('/v1/deployments/:pipeline/:environment/rollout', async (req) => {
    const who = await access.require(req, Permission.deploy, { pipeline: req.params.pipeline });
    return deployments.startRollout(req.params.pipeline, req.params.environment, req.body, who.name);
  });
  app.post<One>('/v1/deployments/:pipeline/:environment/rollout/promote', async (req) => {
    const who = await access.require(req, Permission.deploy, { pipeline: req.params.pipeline });
    return deployments.promoteRollout(req.params.pipeline, req.params.environment, who.name);
  });
  app.post<One>('/v1/deployments/:pipeline/:environment/rollout/abort', async (req) => {
    const who = await access.require(req, Permission.deploy, { pipeline: req.params.pipeline });
    return deployments.abortRollout(req.params.pipeline, req.params.environment, who.name);
  });
}

/**
 * `client.deployments`: environments, deployments of a pipeline in an environment, and
 * their rollouts (canary, shadow, A/B), as `/v1/deployments` exposes them.
 */
import {
  ApiPaths,
  type DeploymentRequest,
  type DeploymentView,
  type DeploymentsResponse,
  type EnvironmentRecord,
  type EnvironmentsResponse,
  type RolloutRequest,
  type RolloutStatusResponse,
} from '@slipway/core';

export interface DeploymentsClient {
  environments(): Promise<EnvironmentRecord[]>;
  createEnvironment(name: string, description?: string): Promise<EnvironmentRecord>;
  list(): Promise<DeploymentView[]>;
  get(pipeline: string, environment: string): Promise<DeploymentView>;
  /** Creates or replaces the deployment of `request.pipeline` in `request.environment`. */
  apply(request: DeploymentRequest): Promise<DeploymentView>;
  remove(pipeline: string, environment: string): Promise<{ pipeline: string; environment: string; deleted: boolean }>;
  startRollout(pipeline: string, environment: string, request: RolloutRequest): Promise<DeploymentView>;
  rolloutStatus(pipeline: string, environment: string): Promise<RolloutStatusResponse>;
  promoteRollout(pipeline: string, environment: string): Promise<DeploymentView>;
  abortRollout(pipeline: string, environment: string): Promise<DeploymentView>;
}

type Json = <T>(call: { method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown }) => Promise<T>;

export function createDeploymentsClient({ json }: { json: Json }): DeploymentsClient {
  return {
    environments: async () => (await json<EnvironmentsResponse>({ method: 'GET', path: ApiPaths.environments })).environments,
    createEnvironment: (name, description) => json<EnvironmentRecord>({ method: 'POST', path: ApiPaths.environments, body: description === undefined ? { name } : { name, description } }),
    list: async () => (await json<DeploymentsResponse>({ method: 'GET', path: ApiPaths.deployments })).deployments,
    get: (pipeline, environment) => json<DeploymentView>({ method: 'GET', path: ApiPaths.deployment(pipeline, environment) }),
    apply: (request) => json<DeploymentView>({ method: 'POST', path: ApiPaths.deployments, body: request }),
    remove: (pipeline, environment) => json<{ pipeline: string; environment: string; deleted: boolean }>({ method: 'DELETE', path: ApiPaths.deployment(pipeline, environment) }),
    startRollout: (pipeline, environment, request) => json<DeploymentView>({ method: 'POST', path: ApiPaths.rollout(pipeline, environment), body: request }),
    rolloutStatus: (pipeline, environment) => json<RolloutStatusResponse>({ method: 'GET', path: ApiPaths.rollout(pipeline, environment) }),
    promoteRollout: (pipeline, environment) => json<DeploymentView>({ method: 'POST', path: ApiPaths.rolloutAction(pipeline, environment, 'promote') }),
    abortRollout: (pipeline, environment) => json<DeploymentView>({ method: 'POST', path: ApiPaths.rolloutAction(pipeline, environment, 'abort') }),
  };
}

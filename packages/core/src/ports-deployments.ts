/**
 * What the deployment service keeps in the metadata database: user-defined environments,
 * deployments (with their rollout state) and the rollout event log.
 */
import type { DeploymentRecord, EnvironmentRecord, RolloutEvent } from './deployment.js';

export interface DeploymentStore {
  /** User-defined environments only; the built-in ones are not stored. */
  listEnvironments(): Promise<EnvironmentRecord[]>;
  /** Throws `conflict` when it exists. */
  createEnvironment(env: { name: string; description: string; createdAt: string }): Promise<EnvironmentRecord>;
  /** Creates or replaces the deployment of `record.pipeline` in `record.environment`. */
  putDeployment(record: DeploymentRecord): Promise<void>;
  getDeployment(pipeline: string, environment: string): Promise<DeploymentRecord | undefined>;
  /** Ordered by pipeline, then environment. */
  listDeployments(): Promise<DeploymentRecord[]>;
  /** False when there was none. */
  deleteDeployment(pipeline: string, environment: string): Promise<boolean>;
  /** Appends under the next `seq` of the deployment; returns the stored event. */
  appendRolloutEvent(event: Omit<RolloutEvent, 'seq'>): Promise<RolloutEvent>;
  /** Oldest first. */
  listRolloutEvents(pipeline: string, environment: string): Promise<RolloutEvent[]>;
}

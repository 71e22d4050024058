/** Table types of deployments (see migrations-deployments.ts); structured fields are JSON text. */

export interface EnvironmentsTable {
  name: string;
  description: string;
  created_at: string;
}

export interface DeploymentsTable {
  pipeline: string;
  environment: string;
  target: string;
  scaling: string;
  serving: string | null;
  resources: string;
  traffic: string | null;
  rollout: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface RolloutEventsTable {
  pipeline: string;
  environment: string;
  seq: number;
  kind: string;
  stable: number;
  candidate: number;
  percent: number;
  reason: string | null;
  actor: string;
  at: string;
  details: string | null;
}

export interface DeploymentTables {
  environments: EnvironmentsTable;
  deployments: DeploymentsTable;
  rollout_events: RolloutEventsTable;
}

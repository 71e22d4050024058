/**
 * Deployments as data: the request schema (every problem reported with its field path),
 * the stored record, rollouts and their events, and the wire types of `/v1/deployments`.
 * Pure: the deployment service validates with these and the SDK and CLI share the types.
 */
import { z } from 'zod';
import { parseByteSize } from './byte-size.js';
import { InvalidInputError } from './errors.js';
import { zodIssues } from './manifest.js';

/** Environments that always exist; more are created with `POST /v1/environments`. */
export const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'production'] as const;

/** The environment inference uses when a request names none and a deployment there exists. */
export const DEFAULT_ENVIRONMENT = 'production';

/** Header naming the environment of a run; `?env=` does the same. */
export const ENVIRONMENT_HEADER = 'x-slipway-environment';
/** Header with a caller's stable key: the same key always lands on the same side of a canary or A/B split. */
export const CALLER_KEY_HEADER = 'x-slipway-caller-key';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
export const environmentNameSchema = z.string().regex(NAME, 'must be lowercase letters, digits and dashes, starting with a letter (e.g. "staging-eu")');

const byteSize = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const bytes = parseByteSize(v);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a size such as 512MiB or 8GiB, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return bytes;
});

/** Autoscaling (Knative's model). Every duration in seconds; defaults as documented per field. */
export const scalingSchema = z.strictObject({
  /** Fewest replicas; 0 allows scale to zero after `idleTimeoutSeconds`. Default 1. */
  min: z.number().int().min(0).max(1024).default(1),
  /** Most replicas. Default 1 (or `min` when larger is asked: then an error names both). */
  max: z.number().int().min(1).max(1024).default(1),
  /** In-flight requests (running and queued) one replica should carry. Default 4. */
  targetConcurrency: z.number().positive().max(100_000).default(4),
  /** Averaging window of the stable mode. Default 60. */
  stableWindowSeconds: z.number().positive().max(3600).default(60),
  /** Averaging window of the panic mode. Default 6. */
  panicWindowSeconds: z.number().positive().max(3600).default(6),
  /** Panic when the panic window asks for this many times the current replicas. Default 2. */
  panicThreshold: z.number().min(1).max(100).default(2),
  /** A queue wait above this adds a replica whatever the concurrency says. Default 1000 ms. */
  maxQueueMs: z.number().positive().max(3_600_000).default(1000),
  /** Desired must stay higher this long before scaling up. Default 0. */
  scaleUpDelaySeconds: z.number().min(0).max(3600).default(0),
  /** Desired must stay lower this long before scaling down. Default 30. */
  scaleDownDelaySeconds: z.number().min(0).max(3600).default(30),
  /** At most this many times the current replicas in one step up. Default 10. */
  maxScaleUpRate: z.number().min(1).max(1000).default(10),
  /** At most divide the current replicas by this in one step down. Default 2. */
  maxScaleDownRate: z.number().min(1).max(1000).default(2),
  /** With `min` 0: unload every replica after this long without a request. Default 300. */
  idleTimeoutSeconds: z.number().positive().max(86_400).default(300),
});
export type ScalingPolicy = z.infer<typeof scalingSchema>;

export const resourcesSchema = z.strictObject({
  /** `gpu` places replicas only on workers with a GPU (and selects onnxruntime's CUDA provider). Default cpu. */
  accelerator: z.enum(['cpu', 'gpu']).default('cpu'),
  /** Free GPU memory one replica needs: `4GiB`. */
  gpuMemory: byteSize.optional(),
  /** Memory one replica needs: `512MiB`. */
  memory: byteSize.optional(),
});
export type ResourceNeeds = z.infer<typeof resourcesSchema>;

export const servingOverridesSchema = z.strictObject({
  maxConcurrency: z.number().int().min(1).max(1024).optional(),
  maxQueue: z.number().int().min(0).max(1_000_000).optional(),
  queueTimeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  batching: z
    .strictObject({
      maxBatchSize: z.number().int().min(1).max(65536),
      maxDelayMicros: z.number().int().min(0).max(10_000_000).default(1000),
      preferredBatchSizes: z.array(z.number().int().min(1)).default([]),
    })
    .optional(),
});
export type ServingOverrides = z.infer<typeof servingOverridesSchema>;

/** A fixed split of traffic between versions (A/B): weights ≥ 0 summing to 100. */
const trafficSchema = z.array(z.strictObject({ version: z.number().int().min(1), weight: z.number() })).min(1);
export type TrafficSplit = z.infer<typeof trafficSchema>;

/** `@alias`, `vN` or `N`. */
const TARGET = /^(@[a-z][a-z0-9-]*|v?[1-9]\d*)$/;

export const deploymentRequestSchema = z
  .strictObject({
    pipeline: z.string().min(1, 'must name a pipeline'),
    environment: environmentNameSchema,
    /** `@production` (follows the alias) or `v3` (fixed). Default: `@<environment>`. */
    target: z.string().regex(TARGET, 'must be @alias (follows the alias) or vN (a fixed version)').optional(),
    scaling: scalingSchema.default(scalingSchema.parse({})),
    serving: servingOverridesSchema.optional(),
    resources: resourcesSchema.default(resourcesSchema.parse({})),
    traffic: trafficSchema.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.scaling.max < d.scaling.min) ctx.addIssue({ code: 'custom', path: ['scaling', 'max'], message: `(${d.scaling.max}) must be ≥ scaling.min (${d.scaling.min})` });
    const b = d.serving?.batching;
    b?.preferredBatchSizes.forEach((size, i) => {
      if (size > b.maxBatchSize) ctx.addIssue({ code: 'custom', path: ['serving', 'batching', 'preferredBatchSizes', i], message: `(${size}) must be ≤ serving.batching.maxBatchSize (${b.maxBatchSize})` });
    });
    if (d.traffic !== undefined) {
      d.traffic.forEach((t, i) => {
        if (t.weight < 0) ctx.addIssue({ code: 'custom', path: ['traffic', i, 'weight'], message: `(${t.weight}) must be ≥ 0` });
      });
      const sum = d.traffic.reduce((s, t) => s + t.weight, 0);
      if (Math.abs(sum - 100) > 1e-9) ctx.addIssue({ code: 'custom', path: ['traffic'], message: `weights must sum to 100, got ${sum}` });
      const seen = new Set<number>();
      d.traffic.forEach((t, i) => {
        if (seen.has(t.version)) ctx.addIssue({ code: 'custom', path: ['traffic', i, 'version'], message: `v${t.version} is listed twice` });
        seen.add(t.version);
      });
    }
  });
export type DeploymentRequest = z.input<typeof deploymentRequestSchema>;
export type DeploymentSpec = z.output<typeof deploymentRequestSchema>;

/** Parses a deployment request; throws `InvalidInputError` naming every problem. */
export function parseDeploymentRequest(value: unknown): DeploymentSpec {
  const parsed = deploymentRequestSchema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
  return parsed.data;
}

/** When the candidate is worse than the stable version by these margins over the window, the rollout rolls back. */
export const rollbackPolicySchema = z.strictObject({
  /** Window of run statistics compared. Default 60 s. */
  windowSeconds: z.number().positive().max(86_400).default(60),
  /** Candidate runs in the window before any verdict. Default 20. */
  minRequests: z.number().int().min(1).max(1_000_000).default(20),
  /** Candidate error rate − stable error rate above this rolls back. Default 0.05 (5 points). */
  maxErrorRateIncrease: z.number().min(0).max(1).default(0.05),
  /** Candidate p99 above stable p99 × this (plus `p99MarginMs`) rolls back. Default 1.5. */
  maxP99Ratio: z.number().min(1).max(1000).default(1.5),
  /** Slack added to the p99 comparison so microsecond models do not roll back on noise. Default 5 ms. */
  p99MarginMs: z.number().min(0).max(600_000).default(5),
});
export type RollbackPolicy = z.infer<typeof rollbackPolicySchema>;

export const RolloutStrategy = { canary: 'canary', shadow: 'shadow', ab: 'ab' } as const;
export type RolloutStrategy = (typeof RolloutStrategy)[keyof typeof RolloutStrategy];

export const rolloutRequestSchema = z
  .strictObject({
    strategy: z.enum(['canary', 'shadow', 'ab']).default('canary'),
    /** The candidate version: `v4` or `4`. */
    candidate: z.union([z.number().int().min(1), z.string().regex(/^v?[1-9]\d*$/, 'must be a version: v4 or 4')]),
    /** Canary: percentages of traffic to the candidate, in order. Default [5, 25, 50, 100]. */
    steps: z.array(z.number().min(0).max(100)).min(1).default([5, 25, 50, 100]),
    /** Canary: time between steps. Default 600 s. */
    intervalSeconds: z.number().positive().max(7 * 86_400).default(600),
    /** A/B: percentage of traffic to the candidate. Default 50. */
    candidateWeight: z.number().optional(),
    rollback: rollbackPolicySchema.default(rollbackPolicySchema.parse({})),
  })
  .superRefine((r, ctx) => {
    r.steps.forEach((s, i) => {
      if (i > 0 && s <= (r.steps[i - 1] ?? 0)) ctx.addIssue({ code: 'custom', path: ['steps', i], message: `(${s}) must be larger than the step before it (${r.steps[i - 1]})` });
    });
    if (r.candidateWeight !== undefined && (r.candidateWeight < 0 || r.candidateWeight > 100)) {
      ctx.addIssue({ code: 'custom', path: ['candidateWeight'], message: `(${r.candidateWeight}) must be from 0 to 100` });
    }
  });
export type RolloutRequest = z.input<typeof rolloutRequestSchema>;
export type RolloutSpec = z.output<typeof rolloutRequestSchema>;

export function parseRolloutRequest(value: unknown): RolloutSpec {
  const parsed = rolloutRequestSchema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
  return parsed.data;
}

export type RolloutStatus = 'running' | 'promoted' | 'rolled_back' | 'aborted';

/** A rollout's live state, kept in its deployment's record. */
export interface RolloutState {
  strategy: RolloutStrategy;
  stable: number;
  candidate: number;
  /** Share of traffic routed to the candidate now (shadow: 0, it only gets copies). */
  percent: number;
  steps: number[];
  /** Index in `steps` of the current step (canary). */
  step: number;
  intervalSeconds: number;
  /** ISO time of the next step (canary). */
  nextStepAt: string | null;
  rollback: RollbackPolicy;
  status: RolloutStatus;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
}

export type DeploymentState = 'ready' | 'scaling' | 'unschedulable' | 'idle';

export interface DeploymentRecord {
  pipeline: string;
  environment: string;
  /** `@alias` or `vN`. */
  target: string;
  scaling: ScalingPolicy;
  serving: ServingOverrides | null;
  resources: ResourceNeeds;
  traffic: TrafficSplit | null;
  rollout: RolloutState | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface EnvironmentRecord {
  name: string;
  description: string;
  /** True for dev, staging and production, which cannot be deleted. */
  builtIn: boolean;
  createdAt: string | null;
}

export type RolloutEventKind = 'started' | 'step' | 'promoted' | 'rolled_back' | 'aborted';

/** One change of a rollout, kept for audit and alerting. */
export interface RolloutEvent {
  pipeline: string;
  environment: string;
  seq: number;
  kind: RolloutEventKind;
  stable: number;
  candidate: number;
  /** Candidate share after the event. */
  percent: number;
  reason: string | null;
  actor: string;
  at: string;
  /** Statistics behind an automatic decision. */
  details: Record<string, unknown> | null;
}

/** A deployment as the API answers it: the record plus what the node is doing with it. */
export interface DeploymentView extends DeploymentRecord {
  /** The version the target resolves to now (undefined when the alias points nowhere). */
  version: number | null;
  state: DeploymentState;
  /** Why it cannot run here: `unschedulable: needs gpu, none available`. */
  message: string | null;
  replicas: { desired: number; ready: number };
}

export interface DeploymentsResponse {
  deployments: DeploymentView[];
}
export interface EnvironmentsResponse {
  environments: EnvironmentRecord[];
}
export interface RolloutStatusResponse {
  deployment: DeploymentView;
  events: RolloutEvent[];
  /** Window statistics of the stable and candidate versions, and the shadow comparison. */
  stats: Record<string, unknown>;
}

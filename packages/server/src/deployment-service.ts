/**
 * The deployment service: environments, deployments of a pipeline in an environment, the
 * router the data plane asks which version serves a request, and rollouts (canary, shadow,
 * A/B) driven by a tick that rolls back automatically when the candidate is worse than
 * stable. Deployments are read from the store once and kept in memory, so routing a
 * request costs two map lookups; every change goes to the store first.
 *
 * Pipelines without deployments resolve exactly as before: the router answers undefined.
 */
import {
  DEFAULT_ENVIRONMENT,
  DEFAULT_ENVIRONMENTS,
  type DeploymentRecord,
  type DeploymentView,
  type EnvironmentRecord,
  ErrorCode,
  InvalidInputError,
  type MetadataStore,
  type RolloutEvent,
  type RolloutState,
  SlipwayError,
  type Tensor,
  type VersionRecord,
  environmentNameSchema,
  parseDeploymentRequest,
  parseRolloutRequest,
  zodIssues,
} from '@slipway/core';
import type { ServingEngine } from '@slipway/serving';
import { Counter, Gauge } from 'prom-client';
import { z } from 'zod';
import { type WorkerResources, placeDeployment } from './placement.js';
import type { PromotionGate, Registry } from './registry.js';
import { chooseArm, nextRolloutAction, rollbackVerdict, signatureDifferences, stickyPoint, trafficArms } from './rollout-policy.js';
import { type RolloutStats, createRolloutStats } from './rollout-stats.js';

/** How a request names its deployment: an environment (header or `?env=`) and a caller key for stickiness. */
export interface DeploymentSelector {
  environment?: string;
  callerKey?: string;
}

/** Where the router sends a request: the version that answers, and a candidate that gets a copy. */
export interface RoutedRun {
  record: VersionRecord;
  shadow?: { record: VersionRecord; deployment: string };
}

export interface DeploymentServiceOptions {
  store: MetadataStore;
  registry: Registry;
  engine: ServingEngine;
  /** Checked before a deployment or rollout starts serving a version (`via: 'deployment'`). */
  promotionGates?: readonly PromotionGate[];
  /** What the workers of this node offer; `placement.ts`. */
  workers: () => readonly WorkerResources[];
  /** Told about every rollout event once stored (audit, alerting). */
  onRolloutEvent?: (event: RolloutEvent) => void;
  /** Where warnings go (a failed mirror, a failed tick). */
  onError?: (error: unknown, what: string) => void;
  /** Injectable clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Random point in [0, 100) for requests without a caller key. Default `Math.random() * 100`. */
  random?: () => number;
}

const key = (pipeline: string, environment: string) => `${pipeline}/${environment}`;
const iso = (ms: number) => new Date(ms).toISOString();

const environmentRequestSchema = z.strictObject({ name: environmentNameSchema, description: z.string().max(500).default('') });

/** Whether two outputs agree (shadow comparison): same shape and values within 1e-5, relative to their size. */
function outputsAgree(a: ReadonlyMap<string, Tensor>, b: ReadonlyMap<string, Tensor>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, x] of a) {
    const y = b.get(name);
    if (y === undefined || x.shape.join() !== y.shape.join() || x.data.length !== y.data.length) return false;
    for (let i = 0; i < x.data.length; i++) {
      const p = x.data[i];
      const q = y.data[i];
      if (typeof p === 'number' && typeof q === 'number') {
        if (Math.abs(p - q) > 1e-5 * Math.max(1, Math.abs(p), Math.abs(q))) return false;
      } else if (p !== q) return false;
    }
  }
  return true;
}

export type DeploymentService = ReturnType<typeof createDeploymentService>;

export function createDeploymentService(options: DeploymentServiceOptions) {
  const { store, registry, engine, promotionGates = [] } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? (() => Math.random() * 100);
  /** pipeline → environment → deployment. */
  const byPipeline = new Map<string, Map<string, DeploymentRecord>>();
  /** Why a deployment cannot run here, by `key`. */
  const unschedulable = new Map<string, string>();
  let loaded: Promise<void> | undefined;
  let ready = false;

  const registers = [engine.metrics.registry];
  const metrics = {
    rollbacks: new Counter({ name: 'slipway_rollout_rollbacks_total', help: 'Automatic rollbacks of rollouts, by deployment', labelNames: ['pipeline', 'environment'], registers }),
    candidatePercent: new Gauge({ name: 'slipway_rollout_candidate_percent', help: 'Share of traffic routed to the candidate of a running rollout', labelNames: ['pipeline', 'environment'], registers }),
    unschedulable: new Gauge({ name: 'slipway_deployment_unschedulable', help: '1 while a deployment fits on no worker (see its status message)', labelNames: ['pipeline', 'environment'], registers }),
  };

  const stats: RolloutStats = createRolloutStats({ accepts: (pipeline) => byPipeline.has(pipeline) });

  function remember(d: DeploymentRecord): void {
    let envs = byPipeline.get(d.pipeline);
    if (envs === undefined) byPipeline.set(d.pipeline, (envs = new Map<string, DeploymentRecord>()));
    envs.set(d.environment, d);
    const placed = placeDeployment(d.resources, options.workers());
    if (placed.ok) unschedulable.delete(key(d.pipeline, d.environment));
    else unschedulable.set(key(d.pipeline, d.environment), placed.reason);
    metrics.unschedulable.set({ pipeline: d.pipeline, environment: d.environment }, placed.ok ? 0 : 1);
    metrics.candidatePercent.set({ pipeline: d.pipeline, environment: d.environment }, d.rollout?.status === 'running' ? d.rollout.percent : 0);
  }

  function forget(pipeline: string, environment: string): void {
    const envs = byPipeline.get(pipeline);
    envs?.delete(environment);
    if (envs?.size === 0) byPipeline.delete(pipeline);
    unschedulable.delete(key(pipeline, environment));
    metrics.unschedulable.remove({ pipeline, environment });
    metrics.candidatePercent.remove({ pipeline, environment });
  }

  /** Reads the stored deployments once; every method waits for it. */
  function load(): Promise<void> {
    loaded ??= store.listDeployments().then((all) => {
      for (const d of all) remember(d);
      ready = true;
    });
    return loaded;
  }

  async function environments(): Promise<EnvironmentRecord[]> {
    const builtIn: EnvironmentRecord[] = DEFAULT_ENVIRONMENTS.map((name) => ({ name, description: '', builtIn: true, createdAt: null }));
    return [...builtIn, ...(await store.listEnvironments())];
  }

  async function requireEnvironment(name: string, path = 'environment'): Promise<void> {
    const known = (await environments()).map((e) => e.name);
    if (!known.includes(name)) {
      throw new InvalidInputError([{ path, message: `unknown environment "${name}"; known: ${known.join(', ')} (create one with \`slipway environments create ${name}\`)` }]);
    }
  }

  async function requireDeployment(pipeline: string, environment: string): Promise<DeploymentRecord> {
    await load();
    const d = byPipeline.get(pipeline)?.get(environment);
    if (d === undefined) {
      throw new SlipwayError(ErrorCode.notFound, `no deployment of "${pipeline}" in "${environment}"; create one with \`slipway deploy ${pipeline}@${environment} --env ${environment}\``, {
        details: { pipeline, environment },
      });
    }
    return d;
  }

  /** The version a deployment's target names now. */
  function resolveTarget(d: Pick<DeploymentRecord, 'pipeline' | 'target'>): Promise<VersionRecord> {
    return registry.resolve(d.target.startsWith('@') ? `${d.pipeline}${d.target}` : `${d.pipeline}:${d.target.startsWith('v') ? d.target : `v${d.target}`}`, 'target');
  }

  const versionRef = (pipeline: string, version: number) => registry.resolve(`${pipeline}:v${version}`, 'version');

  async function gate(record: VersionRecord, environment: string, actor: string): Promise<void> {
    for (const g of promotionGates) await g({ record, environment, actor, via: 'deployment' });
  }

  async function save(d: DeploymentRecord): Promise<DeploymentRecord> {
    await store.putDeployment(d);
    remember(d);
    return d;
  }

  async function event(d: DeploymentRecord, kind: RolloutEvent['kind'], actor: string, reason: string | null, details: Record<string, unknown> | null): Promise<RolloutEvent> {
    const r = d.rollout as RolloutState;
    const stored = await store.appendRolloutEvent({ pipeline: d.pipeline, environment: d.environment, kind, stable: r.stable, candidate: r.candidate, percent: r.percent, reason, actor, at: iso(now()), details });
    options.onRolloutEvent?.(stored);
    return stored;
  }

  async function view(d: DeploymentRecord): Promise<DeploymentView> {
    let record: VersionRecord | undefined;
    try {
      record = await resolveTarget(d);
    } catch {
      record = undefined;
    }
    const message = unschedulable.get(key(d.pipeline, d.environment)) ?? null;
    const replicas = record === undefined ? { desired: 0, ready: 0 } : engine.replicas(record);
    const state = message !== null ? 'unschedulable' : replicas.ready === 0 ? 'idle' : replicas.ready < replicas.desired ? 'scaling' : 'ready';
    return { ...d, version: record?.version ?? null, state, message, replicas };
  }

  /** Ends a running rollout; `promoted` moves the target to the candidate. */
  async function finish(d: DeploymentRecord, status: 'promoted' | 'rolled_back' | 'aborted', actor: string, reason: string | null, details: Record<string, unknown> | null): Promise<DeploymentRecord> {
    const r = d.rollout as RolloutState;
    let target = d.target;
    if (status === 'promoted') {
      // An alias target follows the alias: promoting moves it (its own gates apply); a fixed target becomes the candidate.
      if (target.startsWith('@')) await registry.setAlias(d.pipeline, target.slice(1), r.candidate, actor);
      else target = `v${r.candidate}`;
    }
    const rollout: RolloutState = { ...r, status, percent: status === 'promoted' ? 100 : 0, reason, endedAt: iso(now()), nextStepAt: null };
    const next = await save({ ...d, target, rollout, updatedAt: iso(now()) });
    if (status === 'rolled_back') metrics.rollbacks.inc({ pipeline: d.pipeline, environment: d.environment });
    await event(next, status, actor, reason, details);
    stats.resetShadow(key(d.pipeline, d.environment));
    return next;
  }

  return {
    stats,
    load,

    environments,
    async createEnvironment(body: unknown): Promise<EnvironmentRecord> {
      const parsed = environmentRequestSchema.safeParse(body);
      if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
      if ((DEFAULT_ENVIRONMENTS as readonly string[]).includes(parsed.data.name)) {
        throw new SlipwayError(ErrorCode.conflict, `environment "${parsed.data.name}" is built in and always exists`, { details: { environment: parsed.data.name } });
      }
      return store.createEnvironment({ name: parsed.data.name, description: parsed.data.description, createdAt: iso(now()) });
    },

    /**
     * Creates or replaces a deployment. The target must resolve, the promotion gates pass
     * and (when it fits a worker) the version is loaded and warmed before it is stored, so
     * its first request is not a cold start. An unschedulable deployment is stored with
     * its reason in the status.
     */
    async apply(body: unknown, actor: string): Promise<DeploymentView> {
      await load();
      const spec = parseDeploymentRequest(body);
      await requireEnvironment(spec.environment);
      await registry.getPipeline(spec.pipeline);
      const target = spec.target ?? `@${spec.environment}`;
      const issues = [];
      let record: VersionRecord | undefined;
      try {
        record = await resolveTarget({ pipeline: spec.pipeline, target });
      } catch (error) {
        issues.push({ path: 'target', message: `${target} of "${spec.pipeline}" does not resolve (${error instanceof Error ? error.message : String(error)}); point the alias first or name a version` });
      }
      for (const [i, t] of (spec.traffic ?? []).entries()) {
        try {
          await versionRef(spec.pipeline, t.version);
        } catch {
          issues.push({ path: `traffic[${i}].version`, message: `v${t.version} of "${spec.pipeline}" does not exist` });
        }
      }
      if (issues.length > 0 || record === undefined) throw new InvalidInputError(issues);
      await gate(record, spec.environment, actor);
      const existing = byPipeline.get(spec.pipeline)?.get(spec.environment);
      const at = iso(now());
      const d: DeploymentRecord = {
        pipeline: spec.pipeline,
        environment: spec.environment,
        target,
        scaling: spec.scaling,
        serving: spec.serving ?? null,
        resources: spec.resources,
        traffic: spec.traffic ?? null,
        rollout: existing?.rollout ?? null,
        createdBy: existing?.createdBy ?? actor,
        createdAt: existing?.createdAt ?? at,
        updatedAt: at,
      };
      const placed = placeDeployment(d.resources, options.workers());
      if (placed.ok) {
        engine.configure(record, d.serving ?? undefined);
        // Replicas beyond the first go to other worker threads: started now, a scale-up only loads the model.
        if (d.scaling.max > 1) await engine.startHosts();
        if (d.scaling.min > 0) await engine.scale(record, d.scaling.min);
        else await engine.warm(record);
      }
      return view(await save(d));
    },

    async get(pipeline: string, environment: string): Promise<DeploymentView> {
      return view(await requireDeployment(pipeline, environment));
    },

    async list(): Promise<DeploymentView[]> {
      await load();
      const all = [...byPipeline.values()].flatMap((envs) => [...envs.values()]);
      all.sort((a, b) => (a.pipeline === b.pipeline ? (a.environment < b.environment ? -1 : 1) : a.pipeline < b.pipeline ? -1 : 1));
      return Promise.all(all.map(view));
    },

    async remove(pipeline: string, environment: string): Promise<{ pipeline: string; environment: string; deleted: true }> {
      const d = await requireDeployment(pipeline, environment);
      await store.deleteDeployment(pipeline, environment);
      forget(pipeline, environment);
      try {
        const record = await resolveTarget(d);
        engine.configure(record, undefined);
        // Back to one replica on demand, as without a deployment.
        await engine.scale(record, Math.min(1, engine.replicas(record).ready));
      } catch {
        // The target no longer resolves: nothing of it is configured.
      }
      return { pipeline, environment, deleted: true };
    },

    /** Places every deployment again (after the workers' resources are known). */
    refreshPlacement(): void {
      for (const d of [...byPipeline.values()].flatMap((envs) => [...envs.values()])) remember(d);
    },

    /** The deployments in memory (the autoscaler reads them every tick). */
    deployments(): DeploymentRecord[] {
      return [...byPipeline.values()].flatMap((envs) => [...envs.values()]);
    },
    resolveTarget,
    isUnschedulable: (d: Pick<DeploymentRecord, 'pipeline' | 'environment'>) => unschedulable.has(key(d.pipeline, d.environment)),

    /**
     * The data plane's question: which version answers a request for `pipeline` (a bare
     * name, no version or alias). Undefined when the pipeline has no deployment to use:
     * then it resolves as it always did.
     */
    /** False when `route` would surely answer undefined (no deployment, no environment asked for): no promise on the hot path. */
    applies(pipeline: string, selector: DeploymentSelector = {}): boolean {
      return !ready || byPipeline.has(pipeline) || selector.environment !== undefined;
    },

    async route(pipeline: string, selector: DeploymentSelector = {}): Promise<RoutedRun | undefined> {
      // An explicit version or alias is served as written.
      if (pipeline.includes('@') || pipeline.includes(':')) return undefined;
      if (!ready) await load();
      const envs = byPipeline.get(pipeline);
      if (envs === undefined) {
        if (selector.environment !== undefined) await requireEnvironment(selector.environment, 'environment');
        return undefined;
      }
      const environment = selector.environment ?? (envs.has(DEFAULT_ENVIRONMENT) ? DEFAULT_ENVIRONMENT : undefined);
      if (environment === undefined) return undefined;
      const d = envs.get(environment) ?? (await requireDeployment(pipeline, environment));
      const reason = unschedulable.get(key(pipeline, environment));
      if (reason !== undefined) throw new SlipwayError(ErrorCode.unavailable, `deployment ${pipeline} in ${environment} is ${reason}`, { details: { pipeline, environment } });
      const target = await resolveTarget(d);
      const arms = trafficArms(target.version, d.traffic, d.rollout);
      const version = arms.length === 1 ? (arms[0]?.version ?? target.version) : chooseArm(arms, selector.callerKey === undefined ? random() : stickyPoint(selector.callerKey));
      const record = version === target.version ? target : await versionRef(pipeline, version);
      const r = d.rollout;
      if (r?.status === 'running' && r.strategy === 'shadow') return { record, shadow: { record: await versionRef(pipeline, r.candidate), deployment: key(pipeline, environment) } };
      return { record };
    },

    /** Runs a copy of a request on a shadow candidate, off the response path, and compares. */
    mirror(shadow: NonNullable<RoutedRun['shadow']>, inputs: ReadonlyMap<string, Tensor>, answer: ReadonlyMap<string, Tensor>): void {
      const started = performance.now();
      const finished = (outputs: ReadonlyMap<string, Tensor> | undefined) => {
        const latencyMs = performance.now() - started;
        stats.shadow(shadow.deployment, shadow.record.pipeline, shadow.record.version, { at: now(), latencyMs, error: outputs === undefined, agreed: outputs !== undefined && outputsAgree(answer, outputs) });
      };
      engine.infer(shadow.record, { inputs }).then(
        (result) => finished(result.outputs),
        () => finished(undefined),
      );
    },

    async startRollout(pipeline: string, environment: string, body: unknown, actor: string): Promise<DeploymentView> {
      const d = await requireDeployment(pipeline, environment);
      const spec = parseRolloutRequest(body);
      if (d.rollout?.status === 'running') {
        throw new SlipwayError(ErrorCode.conflict, `a ${d.rollout.strategy} rollout of v${d.rollout.candidate} is already running in ${environment}; promote or abort it first (\`slipway rollout abort ${pipeline} --env ${environment}\`)`);
      }
      const stable = await resolveTarget(d);
      const candidateVersion = typeof spec.candidate === 'number' ? spec.candidate : Number(spec.candidate.replace(/^v/, ''));
      let candidate: VersionRecord;
      try {
        candidate = await versionRef(pipeline, candidateVersion);
      } catch {
        throw new InvalidInputError([{ path: 'candidate', message: `v${candidateVersion} of "${pipeline}" does not exist; list versions with \`slipway versions ${pipeline}\`` }]);
      }
      if (candidate.version === stable.version) throw new InvalidInputError([{ path: 'candidate', message: `v${candidate.version} already serves ${environment}; name another version` }]);
      const differences = signatureDifferences(stable.signature, candidate.signature, { stable: `v${stable.version}`, candidate: `v${candidate.version}` });
      if (differences.length > 0) {
        throw new InvalidInputError(
          differences.map((i) => ({ path: `candidate.signature.${i.path}`, message: `${i.message}; a candidate must take the stable version's inputs and give its outputs` })),
        );
      }
      await gate(candidate, environment, actor);
      if (unschedulable.has(key(pipeline, environment))) throw new SlipwayError(ErrorCode.unavailable, `deployment ${pipeline} in ${environment} is ${unschedulable.get(key(pipeline, environment))}`);
      // Loaded and warm before it gets its first request.
      await engine.warm(candidate);
      engine.configure(candidate, d.serving ?? undefined);
      const t = now();
      const percent = spec.strategy === 'canary' ? (spec.steps[0] as number) : spec.strategy === 'ab' ? (spec.candidateWeight ?? 50) : 0;
      const rollout: RolloutState = {
        strategy: spec.strategy,
        stable: stable.version,
        candidate: candidate.version,
        percent,
        steps: spec.strategy === 'canary' ? spec.steps : [],
        step: 0,
        intervalSeconds: spec.intervalSeconds,
        nextStepAt: spec.strategy === 'canary' ? iso(t + spec.intervalSeconds * 1000) : null,
        rollback: spec.rollback,
        status: 'running',
        reason: null,
        startedAt: iso(t),
        endedAt: null,
      };
      stats.resetShadow(key(pipeline, environment));
      const next = await save({ ...d, rollout, updatedAt: iso(t) });
      await event(next, 'started', actor, null, { strategy: spec.strategy, steps: rollout.steps, rollback: spec.rollback });
      return view(next);
    },

    async promoteRollout(pipeline: string, environment: string, actor: string): Promise<DeploymentView> {
      const d = await requireDeployment(pipeline, environment);
      if (d.rollout?.status !== 'running') throw new SlipwayError(ErrorCode.conflict, `no rollout is running for ${pipeline} in ${environment}; start one with \`slipway rollout start\``);
      return view(await finish(d, 'promoted', actor, 'promoted by hand', null));
    },

    async abortRollout(pipeline: string, environment: string, actor: string): Promise<DeploymentView> {
      const d = await requireDeployment(pipeline, environment);
      if (d.rollout?.status !== 'running') throw new SlipwayError(ErrorCode.conflict, `no rollout is running for ${pipeline} in ${environment}`);
      return view(await finish(d, 'aborted', actor, 'aborted by hand', null));
    },

    async rolloutStatus(pipeline: string, environment: string) {
      const d = await requireDeployment(pipeline, environment);
      const events = await store.listRolloutEvents(pipeline, environment);
      const r = d.rollout;
      const t = now();
      const windowMs = (r?.rollback.windowSeconds ?? 60) * 1000;
      const windows = r === null ? {} : { stable: stats.window(pipeline, r.stable, t, windowMs), candidate: stats.window(pipeline, r.candidate, t, windowMs) };
      const shadow = stats.shadowStats(key(pipeline, environment), t, windowMs);
      return { deployment: await view(d), events, stats: { ...windows, ...(shadow === undefined ? {} : { shadow }) } };
    },

    /**
     * One step of every running rollout: the rollback verdict over its window, then the
     * next canary step or promotion when due. Errors of one deployment do not stop the others.
     */
    async tick(): Promise<void> {
      await load();
      for (const d of [...byPipeline.values()].flatMap((envs) => [...envs.values()])) {
        const r = d.rollout;
        if (r?.status !== 'running') continue;
        try {
          const t = now();
          const windowMs = r.rollback.windowSeconds * 1000;
          const stable = stats.window(d.pipeline, r.stable, t, windowMs);
          const candidate = stats.window(d.pipeline, r.candidate, t, windowMs);
          const verdict = rollbackVerdict(stable, candidate, r.rollback);
          const action = nextRolloutAction(r, verdict, t);
          switch (action.action) {
            case 'hold':
              break;
            case 'rollback':
              await finish(d, 'rolled_back', 'system', action.reason, { stable, candidate });
              break;
            case 'promote':
              try {
                await finish(d, 'promoted', 'system', `all steps passed (${r.steps.join(', ')} %)`, { stable, candidate });
              } catch (error) {
                // A gate refused moving the alias: stop here instead of retrying every tick.
                await finish(d, 'aborted', 'system', `promotion refused: ${error instanceof Error ? error.message : String(error)}`, { stable, candidate });
              }
              break;
            case 'step': {
              const next = await save({ ...d, rollout: { ...r, step: action.step, percent: action.percent, nextStepAt: iso(t + r.intervalSeconds * 1000) }, updatedAt: iso(t) });
              await event(next, 'step', 'system', `step ${action.step + 1} of ${r.steps.length}`, { stable, candidate });
              break;
            }
          }
        } catch (error) {
          options.onError?.(error, `rollout tick of ${d.pipeline} in ${d.environment}`);
        }
      }
    },
  };
}

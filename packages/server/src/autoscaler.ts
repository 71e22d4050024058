/**
 * The autoscaler's actuator on one node: every tick it samples each deployed version's
 * runs in flight and queue wait, asks the policy (`autoscaling-policy.ts`) how many replicas
 * it should have, and tells the serving engine (`engine.scale`), which loads replicas on
 * the node's worker hosts or unloads them. A version deployed in several environments gets
 * the largest count any of them asks for.
 */
import type { DeploymentRecord, VersionRecord } from '@slipway/core';
import type { ServingEngine } from '@slipway/serving';
import { Gauge } from 'prom-client';
import { type AutoscaleDecision, type AutoscalerState, type ConcurrencySample, decideReplicas, initialAutoscalerState } from './autoscaling-policy.js';
import type { DeploymentService } from './deployment-service.js';

export interface AutoscalerOptions {
  deployments: DeploymentService;
  engine: ServingEngine;
  /** Time between ticks. Default 2000 ms. */
  tickMs?: number;
  now?: () => number;
  onError?: (error: unknown, what: string) => void;
}

interface Tracked {
  samples: ConcurrencySample[];
  /** The engine's concurrency integral at the last tick. */
  area?: { area: number; at: number };
  state: AutoscalerState;
  last: AutoscaleDecision | undefined;
}

export type Autoscaler = ReturnType<typeof createAutoscaler>;

export function createAutoscaler(options: AutoscalerOptions) {
  const { deployments, engine } = options;
  const tickMs = options.tickMs ?? 2000;
  const now = options.now ?? Date.now;
  const tracked = new Map<string, Tracked>();
  /** Replicas last asked of the engine, by version. */
  const applied = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const replicasGauge = new Gauge({
    name: 'slipway_deployment_replicas',
    help: 'Replicas of a deployed version: desired by the autoscaler, and loaded',
    labelNames: ['pipeline', 'version', 'state'],
    registers: [engine.metrics.registry],
  });

  /** The versions a deployment serves now: its target and a running rollout's candidate. */
  async function versionsOf(d: DeploymentRecord): Promise<VersionRecord[]> {
    const target = await deployments.resolveTarget(d);
    const out = [target];
    const extra = new Set<number>();
    if (d.rollout?.status === 'running') extra.add(d.rollout.candidate).add(d.rollout.stable);
    for (const t of d.traffic ?? []) extra.add(t.version);
    extra.delete(target.version);
    for (const v of extra) out.push(await deployments.resolveTarget({ pipeline: d.pipeline, target: `v${v}` }));
    return out;
  }

  async function tick(): Promise<void> {
    const t = now();
    const wanted = new Map<string, { record: VersionRecord; desired: number }>();
    const seen = new Set<string>();
    for (const d of deployments.deployments()) {
      if (deployments.isUnschedulable(d)) continue;
      let records: VersionRecord[];
      try {
        records = await versionsOf(d);
      } catch (error) {
        options.onError?.(error, `autoscaling ${d.pipeline} in ${d.environment}`);
        continue;
      }
      for (const record of records) {
        const versionKey = `${record.pipeline}:${record.version}`;
        const id = `${d.pipeline}/${d.environment}/${versionKey}`;
        seen.add(id);
        let tr = tracked.get(id);
        if (tr === undefined) tracked.set(id, (tr = { samples: [], state: initialAutoscalerState(t), last: undefined }));
        // The average concurrency since the last tick (so runs shorter than a tick count too); the count now on the first.
        const area = engine.concurrencyArea(record);
        const concurrency = tr.area === undefined || area.at <= tr.area.at ? engine.inFlight(record) : (area.area - tr.area.area) / (area.at - tr.area.at);
        tr.area = area;
        tr.samples.push({ at: t, concurrency, queueMs: deployments.stats.queueMs(record.pipeline, record.version, t, Math.max(tickMs, 1000)) });
        const from = t - d.scaling.stableWindowSeconds * 1000;
        while (tr.samples.length > 0 && (tr.samples[0] as ConcurrencySample).at <= from) tr.samples.shift();
        const current = applied.get(versionKey) ?? engine.replicas(record).ready;
        const decision = decideReplicas({ now: t, current, samples: tr.samples, policy: d.scaling, state: tr.state });
        tr.state = decision.state;
        tr.last = decision;
        const prior = wanted.get(versionKey);
        if (prior === undefined || decision.desired > prior.desired) wanted.set(versionKey, { record, desired: decision.desired });
      }
    }
    for (const id of [...tracked.keys()]) if (!seen.has(id)) tracked.delete(id);
    for (const [versionKey, { record, desired }] of wanted) {
      replicasGauge.set({ pipeline: record.pipeline, version: String(record.version), state: 'desired' }, desired);
      replicasGauge.set({ pipeline: record.pipeline, version: String(record.version), state: 'ready' }, engine.replicas(record).ready);
      // Applied again when the loaded count drifted (an eviction, a cold start after zero).
      if (applied.get(versionKey) === desired && engine.replicas(record).ready === desired) continue;
      applied.set(versionKey, desired);
      engine.scale(record, desired).catch((error: unknown) => {
        // Asked again on the next tick.
        applied.delete(versionKey);
        options.onError?.(error, `scaling ${versionKey} to ${desired}`);
      });
    }
  }

  function once(): Promise<void> {
    running ??= tick().finally(() => (running = undefined));
    return running;
  }

  return {
    /** One tick now (tests drive it; the timer calls it too). Ticks never overlap. */
    tick: once,
    /** The last decision for a version of a deployment. */
    decision: (pipeline: string, environment: string, version: number) => tracked.get(`${pipeline}/${environment}/${pipeline}:${version}`)?.last,
    start(): void {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        once().catch((error: unknown) => options.onError?.(error, 'autoscaler tick'));
      }, tickMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

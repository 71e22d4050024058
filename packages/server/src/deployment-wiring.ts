/**
 * Wires deployments into an app: the service, the workers this node advertises (its
 * serving engine's hosts, with the GPUs `nvidia-smi` lists), the autoscaler and the
 * rollout ticks. `createApp` calls it; `start` runs when the app is ready, `stop` before close.
 */
import type { MetadataStore, RolloutEvent, RunEvent } from '@slipway/core';
import type { ServingEngine } from '@slipway/serving';
import { cpus } from 'node:os';
import { createAutoscaler } from './autoscaler.js';
import { createDeploymentService } from './deployment-service.js';
import { type GpuDevice, type WorkerResources, detectGpus } from './placement.js';
import type { PromotionGate, Registry } from './registry.js';

export interface DeploymentAppOptions {
  /** Time between rollout checks (rollback verdicts, canary steps). Default 1000 ms. */
  rolloutTickMs?: number;
  /** Time between autoscaler ticks. Default 2000 ms. */
  autoscaleTickMs?: number;
  /** The node's GPUs. Default: read from `nvidia-smi` at start (none when it is absent). */
  gpus?: GpuDevice[];
  /** Injectable clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

export interface DeploymentWiring {
  store: MetadataStore;
  registry: Registry;
  engine: ServingEngine;
  promotionGates: readonly PromotionGate[];
  options?: DeploymentAppOptions;
  onRolloutEvent?: (event: RolloutEvent) => void;
  onError: (error: unknown, what: string) => void;
}

export function createDeployments({ store, registry, engine, promotionGates, options = {}, onRolloutEvent, onError }: DeploymentWiring) {
  let gpus: GpuDevice[] = options.gpus ?? [];
  const cores = cpus().length;
  const workers = (): WorkerResources[] => [
    { id: 'inline', cores: 1, memoryBytes: engine.budgetBytes, gpus },
    ...engine.threadHosts.map((h) => ({ id: h.id, cores: Math.max(1, Math.floor(cores / engine.threadHosts.length)), memoryBytes: engine.budgetBytes, gpus })),
  ];
  const service = createDeploymentService({
    store,
    registry,
    engine,
    promotionGates,
    workers,
    onError,
    ...(onRolloutEvent === undefined ? {} : { onRolloutEvent }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const autoscaler = createAutoscaler({ deployments: service, engine, onError, ...(options.autoscaleTickMs === undefined ? {} : { tickMs: options.autoscaleTickMs }), ...(options.now === undefined ? {} : { now: options.now }) });
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;

  return {
    service,
    autoscaler,
    workers,
    observer: (event: RunEvent) => service.stats.observe(event),
    async start(): Promise<void> {
      if (options.gpus === undefined) gpus = await detectGpus();
      await service.load();
      service.refreshPlacement();
      autoscaler.start();
      timer = setInterval(() => {
        ticking ??= service.tick().finally(() => (ticking = undefined));
      }, options.rolloutTickMs ?? 1000);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await autoscaler.stop();
      await ticking;
    },
  };
}

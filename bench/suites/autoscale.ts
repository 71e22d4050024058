/**
 * Autoscaler reaction time to a 10× load step: a deployment (min 1, target concurrency 1)
 * carries 1 concurrent caller until steady, then 10; the time from the step until the
 * autoscaler has asked for the replicas the new load needs (desired) and until they are
 * loaded and serving (ready) is measured, per repetition on a fresh in-process app (real
 * SQLite, onnxruntime and worker threads; the data plane called directly, no HTTP). Every
 * request must be answered.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { buildOnnxModel } from '@slipway/modelkit';
import { createOnnxRuntime } from '@slipway/runtime';
import { type SlipwayApp, createApp, readPackageTar } from '@slipway/server';
import { createLocalArtifactStore, createSqliteMetadataStore } from '@slipway/store';
import { pack } from 'tar-stream';
import type { ResolvedBenchConfig } from '../config.js';
import { progress } from '../compare.js';
import { type TargetCheck, formatTargets } from '../report.js';
import { median } from '../stats.js';
import { type SuiteContext, type SuiteResult, heading } from './context.js';

/** Autoscaler tick, ms. */
const TICK_MS = 100;
const PANIC_WINDOW_S = 1;
const BASE_CALLERS = 1;
const STEP = 10;

export interface AutoscaleRep {
  /** Step → the autoscaler's desired count reaches the target. */
  desiredMs: number;
  /** Step → that many replicas loaded and serving. */
  readyMs: number;
  replicasBefore: number;
  replicasAfter: number;
  requests: number;
  failed: number;
}

export interface AutoscaleResult extends SuiteResult {
  maxReplicas: number;
  reps: AutoscaleRep[];
  desiredMedianMs: number;
  readyMedianMs: number;
}

/** A MatMul chain over one 1 MiB weight: a few ms per run, so callers really queue, and on worker threads. */
function model(layers: number): Uint8Array {
  const n = 512;
  const values = new Float32Array(n * n).map((_, i) => ((i % 7) - 3) / (n * 4));
  return buildOnnxModel({
    name: 'autoscale',
    inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', n] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch', n] }],
    initializers: [{ name: 'W', datatype: 'FP32', dims: [n, n], values }],
    nodes: Array.from({ length: layers }, (_, i) => ({ op: 'MatMul', inputs: [i === 0 ? 'x' : `h${i}`, 'W'], outputs: [i === layers - 1 ? 'y' : `h${i + 1}`] })),
  });
}

async function tar(files: Record<string, Uint8Array | string>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const [name, content] of Object.entries(files)) p.entry({ name }, Buffer.from(content));
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function oneRep(dir: string, maxReplicas: number, baseMs: number): Promise<AutoscaleRep> {
  const store = createSqliteMetadataStore({ path: join(dir, 'slipway.db') });
  await store.migrate();
  const built: SlipwayApp = createApp({
    store,
    artifacts: createLocalArtifactStore({ dir: join(dir, 'artifacts') }),
    runtime: createOnnxRuntime(),
    maxBodyBytes: 1 << 20,
    maxPackageBytes: 64 << 20,
    logLevel: 'silent',
    serving: { workerThreads: maxReplicas },
    deployments: { gpus: [], autoscaleTickMs: TICK_MS, rolloutTickMs: 3_600_000 },
  });
  await built.app.ready();
  try {
    await built.registry.push(await readPackageTar(await tar({ 'slipway.yaml': 'name: autoscale\nmodel: model.onnx\n', 'model.onnx': model(8) })), 'bench');
    const record = await built.registry.resolve('autoscale:v1');
    await built.deployments.apply(
      {
        pipeline: 'autoscale',
        environment: 'production',
        target: 'v1',
        scaling: { min: 1, max: maxReplicas, targetConcurrency: 1, stableWindowSeconds: 10, panicWindowSeconds: PANIC_WINDOW_S, scaleDownDelaySeconds: 60 },
      },
      'bench',
    );
    const body = { inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: Array.from({ length: 512 }, (_, i) => (i % 5) / 10) }] };
    let callers = BASE_CALLERS;
    let stop = false;
    let requests = 0;
    let failed = 0;
    const caller = async (index: number) => {
      while (!stop && index < callers) {
        requests++;
        await built.inference.infer('autoscale', undefined, body, {}, { requestId: `bench-${requests}` }).catch(() => failed++);
      }
    };
    const running = [caller(0)];
    await new Promise((r) => setTimeout(r, baseMs));
    const replicasBefore = built.engine.replicas(record).ready;
    // The step: ten times the callers.
    const stepAt = performance.now();
    callers = BASE_CALLERS * STEP;
    for (let i = BASE_CALLERS; i < callers; i++) running.push(caller(i));
    let desiredMs = NaN;
    let readyMs = NaN;
    while (performance.now() - stepAt < 30_000) {
      const decision = built.autoscaler.decision('autoscale', 'production', 1);
      if (Number.isNaN(desiredMs) && (decision?.desired ?? 0) >= maxReplicas) desiredMs = performance.now() - stepAt;
      if (built.engine.replicas(record).ready >= maxReplicas) {
        readyMs = performance.now() - stepAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const replicasAfter = built.engine.replicas(record).ready;
    stop = true;
    await Promise.all(running);
    return { desiredMs, readyMs, replicasBefore, replicasAfter, requests, failed };
  } finally {
    await built.app.close();
    await store.close();
  }
}

export async function runAutoscale({ config, workDir }: SuiteContext): Promise<AutoscaleResult> {
  // One replica per worker thread, at most 4: placement spreads replicas over threads.
  const maxReplicas = Math.max(2, Math.min(4, cpus().length));
  const baseMs = config.quick ? 1000 : 3000;
  const reps: AutoscaleRep[] = [];
  for (let i = 0; i < config.reps; i++) {
    progress(`autoscale: repetition ${i + 1} of ${config.reps}: ${BASE_CALLERS} → ${BASE_CALLERS * STEP} callers, up to ${maxReplicas} replicas…`);
    const dir = await mkdtemp(join(workDir, 'autoscale-'));
    try {
      reps.push(await oneRep(dir, maxReplicas, baseMs));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const problems: string[] = [];
  for (const [i, r] of reps.entries()) {
    if (r.failed > 0) problems.push(`repetition ${i + 1}: ${r.failed} of ${r.requests} requests failed`);
    if (Number.isNaN(r.readyMs)) problems.push(`repetition ${i + 1}: ${maxReplicas} replicas not ready within 30 s (${r.replicasAfter} were)`);
  }
  const desiredMedianMs = median(reps.map((r) => r.desiredMs));
  const readyMedianMs = median(reps.map((r) => r.readyMs));
  const goalMs = PANIC_WINDOW_S * 1000 + 2 * TICK_MS + 1000;
  const targets: TargetCheck[] = [{ name: '10× step → replicas ready', goal: `≤ ${goalMs} ms (panic window + 2 ticks + 1 s of loads)`, measured: `${Math.round(readyMedianMs)} ms`, met: readyMedianMs <= goalMs }];
  return { maxReplicas, reps, desiredMedianMs, readyMedianMs, targets, problems };
}

export function formatAutoscale(result: AutoscaleResult, config: ResolvedBenchConfig): string {
  const rows = result.reps.map(
    (r, i) => `rep ${i + 1}   desired after ${r.desiredMs.toFixed(0).padStart(5)} ms   ready after ${r.readyMs.toFixed(0).padStart(5)} ms   replicas ${r.replicasBefore} → ${r.replicasAfter}   ${r.requests} requests, ${r.failed} failed`,
  );
  return [
    ...heading(
      `autoscale — reaction to a 10× load step (${BASE_CALLERS} → ${BASE_CALLERS * STEP} concurrent callers, target concurrency 1, up to ${result.maxReplicas} replicas)`,
      `autoscaler tick ${TICK_MS} ms, panic window ${PANIC_WINDOW_S} s, stable window 10 s; ${config.reps} repetition(s), fresh in-process app each`,
    ),
    ...rows,
    `median      desired after ${result.desiredMedianMs.toFixed(0)} ms, ready after ${result.readyMedianMs.toFixed(0)} ms`,
    ...formatTargets(result.targets),
  ].join('\n');
}

/**
 * Overhead: what the platform costs per request. `POST /v2/models/{name}/infer` on
 * Slipway and on a bare node:http + onnxruntime server (bare-server.ts) serving the same
 * file, one row per request, per model × concurrency.
 */
import type { ResolvedBenchConfig } from '../config.js';
import { measureCell, progress, warmUp } from '../compare.js';
import { type BenchModel, loadBenchModel } from '../models.js';
import { probeSameAnswers } from '../probe.js';
import { type Cell, type TargetCheck, formatCells, formatTargets, signedMs, times } from '../report.js';
import { startServerProcess } from '../server-process.js';
import { type SlipwayServer, startSlipway } from '../slipway.js';
import { type SuiteContext, type SuiteResult, heading } from './context.js';

export interface OverheadResult extends SuiteResult {
  models: BenchModel[];
  cells: Cell[];
}

/** Least Slipway ÷ bare req/s at c=32, per model that has a target. */
const THROUGHPUT_TARGETS: Readonly<Record<string, number>> = { 'sensor-mlp': 0.85, 'heavy-mlp': 0.95 };
const THROUGHPUT_CONCURRENCY = 32;
/** Most Slipway p50 − bare p50 at c=1, every model. */
const P50_BUDGET_MS = 0.3;

/** The targets the measured cells can be checked against (a cell that was not measured has none). */
export function overheadTargets(cells: readonly Cell[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const c of cells) {
    const least = THROUGHPUT_TARGETS[c.model];
    if (least !== undefined && c.concurrency === THROUGHPUT_CONCURRENCY) {
      checks.push({ name: `${c.model} c=${c.concurrency} req/s`, goal: `≥ ${times(least)} bare`, measured: times(c.ratio.throughput), met: c.ratio.throughput >= least });
    }
    if (c.concurrency === 1) {
      checks.push({ name: `${c.model} c=1 p50`, goal: `≤ bare ${signedMs(P50_BUDGET_MS)} ms`, measured: `${signedMs(c.ratio.p50DiffMs)} ms`, met: c.ratio.p50DiffMs <= P50_BUDGET_MS });
    }
  }
  return checks;
}

async function benchmarkModel(config: ResolvedBenchConfig, model: BenchModel, slipway: SlipwayServer): Promise<Cell[]> {
  const bare = await startServerProcess(`bare server (${model.name})`, 'bench/bare-server.ts', ['--model', model.modelFile, '--port', '0']);
  try {
    const path = `/v2/models/${encodeURIComponent(model.name)}/infer`;
    const targets = { slipway: { url: slipway.url + path, body: model.body, headers: slipway.headers }, baseline: { url: bare.url + path, body: model.body } };
    await probeSameAnswers(targets.slipway.url, targets.baseline.url, model.body, slipway.headers);
    await warmUp(model.name, targets, Math.max(...config.concurrency), config.warmup);
    const cells: Cell[] = [];
    for (const connections of config.concurrency) {
      cells.push(await measureCell({ model: model.name, baseline: 'bare', targets, connections, reps: config.reps, duration: config.duration }));
    }
    return cells;
  } finally {
    await bare.stop();
  }
}

export async function runOverhead({ config, workDir }: SuiteContext): Promise<OverheadResult> {
  const models = await Promise.all(config.models.map((name) => loadBenchModel(name, workDir)));
  progress('overhead: starting Slipway (deploys and warms the examples)…');
  const slipway = await startSlipway();
  try {
    for (const m of models) if (m.packageDir !== undefined) await slipway.push(m.packageDir);
    const cells: Cell[] = [];
    for (const model of models) cells.push(...(await benchmarkModel(config, model, slipway)));
    return { models, cells, targets: overheadTargets(cells), problems: cells.flatMap((c) => c.problems.map((p) => `${c.model} c=${c.concurrency} ${p}`)) };
  } finally {
    await slipway.stop();
  }
}

export function formatOverhead(result: OverheadResult, config: ResolvedBenchConfig): string {
  return [
    ...heading(
      'overhead — POST /v2/models/{name}/infer, one FP32 row per request; Slipway vs a bare node:http + onnxruntime server',
      `median of ${config.reps} × ${config.duration} s per cell after ${config.warmup} s warm-up`,
    ),
    ...formatCells(result.cells),
    'The bare server does the same work minus the platform: 1.00× means the platform costs nothing.',
    ...formatTargets(result.targets),
  ].join('\n');
}

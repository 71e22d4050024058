/**
 * Batching: single-row requests at concurrency 64 to a model pushed with dynamic
 * batching, against the bare server, which runs each request alone. The mean batch size
 * comes from Slipway's `/metrics` (`slipway_batch_rows` sum ÷ count, which the server
 * observes per request: the mean over requests of the batch each ran in) over the
 * measured repetitions only, with the time per request in each stage.
 */
import type { Manifest } from '@slipway/core';
import type { ResolvedBenchConfig } from '../config.js';
import { measureCell, progress, warmUp } from '../compare.js';
import { MLP_INPUT, type MlpSpec, writeMlpPackage } from '../mlp.js';
import { oneRowBody } from '../models.js';
import { type ServingCounters, countersSince, servingCounters } from '../prometheus.js';
import { probeSameAnswers } from '../probe.js';
import { type Cell, type TargetCheck, formatCells, formatTargets, times } from '../report.js';
import { startServerProcess } from '../server-process.js';
import { startSlipway } from '../slipway.js';
import { type SuiteContext, type SuiteResult, heading } from './context.js';

/** Enough compute per row (~1.3 M multiply-adds) that running 32 rows at once pays. */
const MODEL: MlpSpec = { name: 'batch-mlp', widths: [256, 1024, 1024, 16], seed: 11 };
const BATCHING: NonNullable<Manifest['batching']> = { maxBatchSize: 32, maxDelayMicros: 2000, preferredBatchSizes: [] };
const CONCURRENCY = 64;
const TARGET = 2;

export interface BatchingResult extends SuiteResult {
  model: MlpSpec & { batching: typeof BATCHING; modelBytes: number };
  cell: Cell;
  /** `slipway_batch_rows` sum ÷ count during the measured repetitions: rows in a request's batch, averaged over requests. */
  meanBatchRows: number;
  /** Slipway's counters over the measured repetitions: where its time went. */
  counted: ServingCounters;
}

export async function runBatching({ config, workDir }: SuiteContext): Promise<BatchingResult> {
  const pkg = await writeMlpPackage(workDir, MODEL, { batching: BATCHING });
  const body = oneRowBody({ name: MLP_INPUT, width: pkg.inputWidth });
  progress('batching: starting Slipway…');
  const slipway = await startSlipway();
  try {
    await slipway.push(pkg.dir);
    const bare = await startServerProcess('bare server (batching)', 'bench/bare-server.ts', ['--model', pkg.modelFile, '--port', '0']);
    try {
      const path = `/v2/models/${MODEL.name}/infer`;
      const targets = { slipway: { url: slipway.url + path, body, headers: slipway.headers }, baseline: { url: bare.url + path, body } };
      await probeSameAnswers(targets.slipway.url, targets.baseline.url, body, slipway.headers);
      await warmUp(MODEL.name, targets, CONCURRENCY, config.warmup);
      const before = servingCounters(await slipway.metrics(), MODEL.name);
      const cell = await measureCell({ model: MODEL.name, baseline: 'bare', targets, connections: CONCURRENCY, reps: config.reps, duration: config.duration });
      const counted = countersSince(before, servingCounters(await slipway.metrics(), MODEL.name));
      const target: TargetCheck = {
        name: `${MODEL.name} c=${CONCURRENCY} req/s`,
        goal: `≥ ${times(TARGET)} bare`,
        measured: times(cell.ratio.throughput),
        met: cell.ratio.throughput >= TARGET,
      };
      return {
        model: { ...MODEL, batching: BATCHING, modelBytes: pkg.modelBytes },
        cell,
        meanBatchRows: counted.batchRowsSum / counted.batchRowsCount,
        counted,
        targets: [target],
        problems: cell.problems.map((p) => `${cell.model} c=${CONCURRENCY} ${p}`),
      };
    } finally {
      await bare.stop();
    }
  } finally {
    await slipway.stop();
  }
}

/** Slipway's mean time per request in each stage, from its own histograms. */
function whereTimeGoes(c: ServingCounters): string[] {
  const perRun = (seconds: number) => `${((seconds / c.runs) * 1000).toFixed(2)} ms`;
  return [
    'mean batch: slipway_batch_rows sum ÷ count, observed per request (the rows of the execution it ran in), so weighted by requests.',
    `Slipway per request (/metrics): queued ${perRun(c.queueSeconds)}, waiting for its batch ${perRun(c.batchWaitSeconds)}, its batch's execution ${perRun(c.computeSeconds)}.`,
  ];
}

export function formatBatching(result: BatchingResult, config: ResolvedBenchConfig): string {
  const { batching, widths } = result.model;
  return [
    ...heading(
      `batching — MLP ${widths.join('→')}, one row per request at c=${CONCURRENCY}; Slipway batching ` +
        `(maxBatchSize ${batching.maxBatchSize}, maxDelayMicros ${batching.maxDelayMicros}) vs a bare server running each request alone`,
      `median of ${config.reps} × ${config.duration} s after ${config.warmup} s warm-up; mean batch from /metrics over the measured repetitions`,
    ),
    ...formatCells([result.cell], { header: 'mean batch', values: [result.meanBatchRows.toFixed(1)] }),
    ...whereTimeGoes(result.counted),
    ...formatTargets(result.targets),
  ].join('\n');
}

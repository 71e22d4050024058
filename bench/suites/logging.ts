/**
 * Logging: what the prediction log costs serving. One Slipway server serves the
 * credit-risk example twice — as deployed (`credit-risk`, every run logged: tabular
 * default sampleRate 1) and as a copy with `monitoring.sampleRate: 0` (`credit-risk-nolog`)
 * — and the two are loaded back to back, alternating, at the same concurrency. Same
 * model, same process, same request: the difference is the logging.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from '@slipway/core';
import { parseDocument } from 'yaml';
import type { ResolvedBenchConfig } from '../config.js';
import { measureCell, progress, warmUp } from '../compare.js';
import { loadBenchModel } from '../models.js';
import { EXAMPLES_DIR } from '../paths.js';
import { type Cell, type TargetCheck, formatCells, formatTargets, times } from '../report.js';
import { startSlipway } from '../slipway.js';
import { type SuiteContext, type SuiteResult, heading } from './context.js';

export const LOGGED = 'credit-risk';
export const UNLOGGED = 'credit-risk-nolog';
/** Least logged ÷ unlogged req/s: logging may cost at most 5 % of throughput. */
export const LOGGING_TARGET = 0.95;

export interface LoggingResult extends SuiteResult {
  cells: Cell[];
  /** Rows the logger dropped during the run (queue full or failed writes); the log kept up when 0. */
  droppedRows: number;
}

export function loggingTargets(cells: readonly Cell[]): TargetCheck[] {
  return cells.map((c) => ({
    name: `${c.model} c=${c.concurrency} req/s, logged`,
    goal: `≥ ${times(LOGGING_TARGET)} unlogged`,
    measured: times(c.ratio.throughput),
    met: c.ratio.throughput >= LOGGING_TARGET,
  }));
}

/** Copies the credit-risk example under `workDir` as `credit-risk-nolog` with logging off. */
export async function writeUnloggedCopy(workDir: string): Promise<string> {
  const dir = join(workDir, UNLOGGED);
  await cp(join(EXAMPLES_DIR, LOGGED), dir, { recursive: true });
  const doc = parseDocument(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  doc.set('name', UNLOGGED);
  doc.setIn(['monitoring', 'sampleRate'], 0);
  await writeFile(join(dir, MANIFEST_FILE), doc.toString());
  return dir;
}

/** Sum of `slipway_prediction_log_dropped_total` over its reasons, from Prometheus text. */
export function droppedRowsOf(metrics: string): number {
  let total = 0;
  for (const m of metrics.matchAll(/^slipway_prediction_log_dropped_total\{[^}]*\} (\S+)$/gm)) total += Number(m[1]);
  return total;
}

export async function runLogging({ config, workDir }: SuiteContext): Promise<LoggingResult> {
  const model = await loadBenchModel(LOGGED, workDir);
  progress('logging: starting Slipway (deploys and warms the examples)…');
  const server = await startSlipway({ label: 'slipway server (logging)' });
  try {
    await server.push(await writeUnloggedCopy(workDir));
    const target = (name: string) => ({ url: `${server.url}/v2/models/${name}/infer`, body: model.body, headers: server.headers });
    const targets = { slipway: target(LOGGED), baseline: target(UNLOGGED) };
    await warmUp('logging', targets, Math.max(...config.concurrency), config.warmup);
    const cells: Cell[] = [];
    for (const connections of config.concurrency) {
      cells.push(await measureCell({ model: LOGGED, baseline: 'no-log', targets, connections, reps: config.reps, duration: config.duration }));
    }
    const droppedRows = droppedRowsOf(await server.metrics());
    return { cells, droppedRows, targets: loggingTargets(cells), problems: cells.flatMap((c) => c.problems.map((p) => `${c.model} c=${c.concurrency} ${p}`)) };
  } finally {
    await server.stop();
  }
}

export function formatLogging(result: LoggingResult, config: ResolvedBenchConfig): string {
  return [
    ...heading(
      'logging — POST /v2/models/{name}/infer, one row per request; prediction log on (slipway: sampleRate 1) vs off (no-log: sampleRate 0), same model and server',
      `median of ${config.reps} × ${config.duration} s per cell after ${config.warmup} s warm-up`,
    ),
    ...formatCells(result.cells),
    `Rows the logger dropped (queue full or failed writes): ${result.droppedRows}${result.droppedRows > 0 ? ' — the log did not keep up, so the logged figures are flattered' : ''}.`,
    ...formatTargets(result.targets),
  ].join('\n');
}

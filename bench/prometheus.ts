/**
 * Reading Slipway's `GET /metrics` (Prometheus text format): the serving engine's counters
 * a suite needs, summed over label sets, and the change between two scrapes. Pure.
 */

/** Sum of every sample named exactly `name` whose labels include all of `where`. */
export function sumSamples(text: string, name: string, where: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = new Map([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (!Object.entries(where).every(([k, v]) => labels.get(k) === v)) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** The serving engine's counters at one scrape (cumulative since the server started). */
export interface ServingCounters {
  cacheHits: number;
  cacheMisses: number;
  evictions: number;
  /** Versions loaded, and the seconds their loads took (`slipway_model_load_seconds` count and sum). */
  loads: number;
  loadSeconds: number;
  /**
   * `slipway_batch_rows` count and sum. The server observes it once per run (request),
   * with the rows of the execution that run was part of: sum ÷ count is the batch size
   * averaged over requests, not over executions.
   */
  batchRowsCount: number;
  batchRowsSum: number;
  /** Runs (requests) and the seconds they spent, summed: queued for a slot, waiting for their batch to fill, in their batch's execution. */
  runs: number;
  queueSeconds: number;
  batchWaitSeconds: number;
  computeSeconds: number;
}

/** The counters, over all pipelines or only `pipeline`'s. */
export function servingCounters(text: string, pipeline?: string): ServingCounters {
  const where: Record<string, string> = pipeline === undefined ? {} : { pipeline };
  return {
    cacheHits: sumSamples(text, 'slipway_model_cache_hits_total', where),
    cacheMisses: sumSamples(text, 'slipway_model_cache_misses_total', where),
    evictions: sumSamples(text, 'slipway_model_evictions_total', where),
    loads: sumSamples(text, 'slipway_model_load_seconds_count', where),
    loadSeconds: sumSamples(text, 'slipway_model_load_seconds_sum', where),
    batchRowsCount: sumSamples(text, 'slipway_batch_rows_count', where),
    batchRowsSum: sumSamples(text, 'slipway_batch_rows_sum', where),
    runs: sumSamples(text, 'slipway_run_compute_seconds_count', where),
    queueSeconds: sumSamples(text, 'slipway_run_queue_seconds_sum', where),
    batchWaitSeconds: sumSamples(text, 'slipway_run_batch_wait_seconds_sum', where),
    computeSeconds: sumSamples(text, 'slipway_run_compute_seconds_sum', where),
  };
}

/** What happened between two scrapes. */
export function countersSince(before: ServingCounters, after: ServingCounters): ServingCounters {
  return {
    cacheHits: after.cacheHits - before.cacheHits,
    cacheMisses: after.cacheMisses - before.cacheMisses,
    evictions: after.evictions - before.evictions,
    loads: after.loads - before.loads,
    loadSeconds: after.loadSeconds - before.loadSeconds,
    batchRowsCount: after.batchRowsCount - before.batchRowsCount,
    batchRowsSum: after.batchRowsSum - before.batchRowsSum,
    runs: after.runs - before.runs,
    queueSeconds: after.queueSeconds - before.queueSeconds,
    batchWaitSeconds: after.batchWaitSeconds - before.batchWaitSeconds,
    computeSeconds: after.computeSeconds - before.computeSeconds,
  };
}

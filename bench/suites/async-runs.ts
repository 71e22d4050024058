/**
 * Async runs: how fast the durable queue drains and how long a run waits from enqueue to
 * start. Submitters post `mode: "async"` runs of the sensor-mlp example as fast as the
 * server answers 202; the run records then give each run's enqueue→start wait
 * (`timings.queueMs`) and the drain rate (completed runs ÷ first enqueue to last finish).
 * Every submitted run must complete: one lost or failed is a problem.
 */
import type { RunRecord, RunsResponse } from '@slipway/core';
import type { ResolvedBenchConfig } from '../config.js';
import { progress } from '../compare.js';
import { type TargetCheck, formatTargets } from '../report.js';
import { startSlipway } from '../slipway.js';
import { percentile } from '../stats.js';
import { type SuiteContext, type SuiteResult, heading } from './context.js';

const PIPELINE = 'sensor-mlp';
/** Concurrent submitters. */
const SUBMITTERS = 8;
/** The list endpoint answers at most this many, so one list sees every run. */
const MAX_RUNS = 1000;
const DRAIN_TIMEOUT_MS = 120_000;
/** Runs submitted one at a time, each after the last finished. */
const IDLE_RUNS = 20;

export interface AsyncRunsResult extends SuiteResult {
  submitted: number;
  completed: number;
  failed: number;
  /** Completed runs per second, first enqueue to last finish. */
  throughput: number;
  /** Time to answer the submit (202), ms. */
  submitP50: number;
  submitP99: number;
  /** Enqueue → start, ms. */
  startP50: number;
  startP99: number;
  computeP50: number;
  /** Enqueue → start of runs submitted one at a time to an idle queue, ms. */
  idleStartP50: number;
  idleStartP99: number;
}

/** Runs to submit: 200 per second of `--duration`, between 100 and the list limit. */
export function asyncRunCount(config: Pick<ResolvedBenchConfig, 'duration'>): number {
  return Math.max(100, Math.min(MAX_RUNS, Math.round(config.duration * 200)));
}

/** The suite's figures from the finished records and the submit latencies. */
export function summarizeAsyncRuns(runs: readonly RunRecord[], submitMs: readonly number[]): Omit<AsyncRunsResult, 'targets' | 'problems' | 'idleStartP50' | 'idleStartP99'> {
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const done = runs.filter((r) => r.state === 'completed');
  const waits = sorted(done.map((r) => r.timings.queueMs ?? 0));
  const computes = sorted(done.map((r) => r.timings.computeMs ?? 0));
  const submits = sorted([...submitMs]);
  const first = Math.min(...runs.map((r) => Date.parse(r.timings.enqueuedAt)));
  const last = Math.max(...done.map((r) => Date.parse(r.timings.finishedAt ?? r.timings.enqueuedAt)));
  const seconds = Math.max(0.001, (last - first) / 1000);
  return {
    submitted: submitMs.length,
    completed: done.length,
    failed: runs.filter((r) => r.state === 'failed').length,
    throughput: done.length / seconds,
    submitP50: percentile(submits, 50),
    submitP99: percentile(submits, 99),
    startP50: percentile(waits, 50),
    startP99: percentile(waits, 99),
    computeP50: percentile(computes, 50),
  };
}

export async function runAsyncRuns({ config }: SuiteContext): Promise<AsyncRunsResult> {
  const count = asyncRunCount(config);
  progress(`async runs: starting Slipway, then ${count} async runs of ${PIPELINE} from ${SUBMITTERS} submitters…`);
  const server = await startSlipway({ label: 'slipway server (async runs)' });
  try {
    const headers = { ...server.headers, 'content-type': 'application/json' };
    const body = JSON.stringify({ pipeline: PIPELINE, mode: 'async', inputs: { signal: [Array.from({ length: 16 }, (_, i) => Math.round(Math.sin(i + 1) * 1000) / 1000)] } });
    const submitMs: number[] = [];
    const problems: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        while (next < count) {
          next += 1;
          const started = performance.now();
          const res = await fetch(`${server.url}/v1/runs`, { method: 'POST', headers, body });
          submitMs.push(performance.now() - started);
          if (res.status !== 202) problems.push(`submit answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
          else await res.arrayBuffer();
        }
      }),
    );
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let runs: RunRecord[] = [];
    for (;;) {
      const res = await fetch(`${server.url}/v1/runs?pipeline=${PIPELINE}&limit=${MAX_RUNS}`, { headers: server.headers });
      runs = ((await res.json()) as RunsResponse).runs;
      if (runs.every((r) => r.state !== 'queued' && r.state !== 'running')) break;
      if (Date.now() > deadline) {
        problems.push(`${runs.filter((r) => r.state === 'queued' || r.state === 'running').length} runs still pending after ${DRAIN_TIMEOUT_MS / 1000} s`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const summary = summarizeAsyncRuns(runs, submitMs);
    // Then one at a time into an idle queue: the wait a lone run sees.
    const idle: number[] = [];
    for (let i = 0; i < IDLE_RUNS; i++) {
      const { id } = (await (await fetch(`${server.url}/v1/runs`, { method: 'POST', headers, body })).json()) as RunRecord;
      for (;;) {
        const run = (await (await fetch(`${server.url}/v1/runs/${id}`, { headers: server.headers })).json()) as RunRecord;
        if (run.state === 'completed' || run.state === 'failed') {
          idle.push(run.timings.queueMs ?? NaN);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    idle.sort((a, b) => a - b);
    const idleStart = { idleStartP50: percentile(idle, 50), idleStartP99: percentile(idle, 99) };
    if (summary.completed !== count) problems.push(`${count} submitted, ${summary.completed} completed, ${summary.failed} failed`);
    const targets: TargetCheck[] = [{ name: 'async runs completed', goal: `all ${count}`, measured: String(summary.completed), met: summary.completed === count }];
    return { ...summary, ...idleStart, targets, problems };
  } finally {
    await server.stop();
  }
}

export function formatAsyncRuns(result: AsyncRunsResult, config: ResolvedBenchConfig): string {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  return [
    ...heading(
      `async runs — POST /v1/runs mode "async" (${PIPELINE}, one row), ${SUBMITTERS} submitters, durable SQLite queue, executor concurrency 4`,
      `${result.submitted} runs (${config.quick ? 'quick' : `${config.duration} s × 200`}); figures from the run records`,
    ),
    `throughput        ${result.throughput.toFixed(1)} runs/s (first enqueue → last finish)`,
    `submit (202)      p50 ${ms(result.submitP50)}   p99 ${ms(result.submitP99)}`,
    `enqueue → start   p50 ${ms(result.startP50)}   p99 ${ms(result.startP99)}   (under the backlog of ${result.submitted} runs)`,
    `enqueue → start   p50 ${ms(result.idleStartP50)}   p99 ${ms(result.idleStartP99)}   (idle queue, ${IDLE_RUNS} runs one at a time)`,
    `compute           p50 ${ms(result.computeP50)}`,
    `completed ${result.completed} of ${result.submitted}, failed ${result.failed}`,
    ...formatTargets(result.targets),
  ].join('\n');
}

/**
 * The benchmark's results: each cell (model × concurrency) summarised as medians and
 * Slipway/bare ratios, printed as a table, and written whole (every repetition's raw
 * numbers included) as JSON. Summaries and the table are pure functions of the runs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedBenchConfig } from './config.js';
import type { LoadResult } from './load.js';
import type { BenchModel } from './models.js';
import { median } from './stats.js';

export const SERVERS = ['slipway', 'bare'] as const;
export type ServerKind = (typeof SERVERS)[number];

export interface CellMedians {
  rps: number;
  p50: number;
  p99: number;
}

export interface Cell {
  model: string;
  concurrency: number;
  /** Per repetition, which server was loaded first (the order alternates). */
  firstInRep: ServerKind[];
  runs: Record<ServerKind, LoadResult[]>;
  median: Record<ServerKind, CellMedians>;
  ratio: {
    /** Median Slipway req/s ÷ median bare req/s: the headline. */
    throughput: number;
    /** Slipway ÷ bare req/s per repetition, each pair run back to back. */
    pairedThroughput: number[];
    /** Median Slipway p50 − median bare p50, ms. */
    p50DiffMs: number;
    p99DiffMs: number;
  };
  /** One line per repetition that saw errors or non-2xx answers; empty when the cell is valid. */
  problems: string[];
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
  arch: string;
  node: string;
  /** As resolved by each server; they must agree for the comparison to be fair. */
  onnxruntime: Record<ServerKind, string>;
}

export interface BenchReport {
  benchmark: 'serving';
  startedAt: string;
  config: ResolvedBenchConfig;
  machine: MachineInfo;
  models: BenchModel[];
  cells: Cell[];
  /** False when any request failed: then the figures measure errors, not serving. */
  ok: boolean;
}

function problemsOf(server: ServerKind, runs: readonly LoadResult[]): string[] {
  return runs.flatMap((r, rep) => {
    if (r.errors === 0 && r.non2xx === 0) return [];
    const codes = Object.entries(r.statusCodes)
      .map(([code, n]) => `${code}×${n}`)
      .join(', ');
    return [`${server} rep ${rep + 1}: ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts); statuses ${codes || 'none'}`];
  });
}

export function summarizeCell(model: string, concurrency: number, firstInRep: ServerKind[], runs: Record<ServerKind, LoadResult[]>): Cell {
  const medians = (rs: readonly LoadResult[]): CellMedians => ({
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
  });
  const slipway = medians(runs.slipway);
  const bare = medians(runs.bare);
  return {
    model,
    concurrency,
    firstInRep,
    runs,
    median: { slipway, bare },
    ratio: {
      throughput: slipway.rps / bare.rps,
      pairedThroughput: runs.slipway.map((r, i) => r.rps / (runs.bare[i]?.rps ?? NaN)),
      p50DiffMs: slipway.p50 - bare.p50,
      p99DiffMs: slipway.p99 - bare.p99,
    },
    problems: SERVERS.flatMap((s) => problemsOf(s, runs[s])),
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => n.toFixed(3);
const signedMs = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(3)}`;
const ratio = (n: number) => `${n.toFixed(2)}×`;

/** The table printed at the end of a run, with a loud block when any request failed. */
export function formatTable(report: BenchReport): string {
  const { config } = report;
  const columns = ['model', 'conc', 'slipway req/s', 'p50 ms', 'p99 ms', 'bare req/s', 'p50 ms', 'p99 ms', 'slipway/bare', 'range', 'Δp50 ms', 'Δp99 ms', ''];
  const rows = report.cells.map((c) => {
    const paired = c.ratio.pairedThroughput;
    return [
      c.model,
      String(c.concurrency),
      int(c.median.slipway.rps),
      ms(c.median.slipway.p50),
      ms(c.median.slipway.p99),
      int(c.median.bare.rps),
      ms(c.median.bare.p50),
      ms(c.median.bare.p99),
      ratio(c.ratio.throughput),
      paired.length > 1 ? `${Math.min(...paired).toFixed(2)}–${Math.max(...paired).toFixed(2)}` : '-',
      signedMs(c.ratio.p50DiffMs),
      signedMs(c.ratio.p99DiffMs),
      c.problems.length > 0 ? '!! FAILED REQUESTS' : '',
    ];
  });
  const widths = columns.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    `Serving benchmark — POST /v2/models/{name}/infer, one FP32 row per request`,
    `median of ${config.reps} × ${config.duration} s per cell after ${config.warmup} s warm-up; ` +
      `${report.machine.cpus} CPUs, Node ${report.machine.node}, onnxruntime ${report.machine.onnxruntime.bare}`,
    '',
    line(columns),
    ...rows.map(line),
    '',
    'slipway/bare: throughput ratio of the medians (1.00× = no platform overhead); range: the per-repetition ratios.',
    'Δp50/Δp99: Slipway latency minus bare latency, in ms.',
  ];
  const failed = report.cells.filter((c) => c.problems.length > 0);
  if (failed.length > 0) {
    out.push('', '!! SOME REQUESTS FAILED — the figures above measure errors, not serving:');
    for (const c of failed) for (const p of c.problems) out.push(`!!   ${c.model} c=${c.concurrency} ${p}`);
  }
  return out.join('\n');
}

/** Writes `serving-<ISO timestamp>.json` under `outDir`; returns its path. */
export async function writeReport(report: BenchReport, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, `serving-${report.startedAt.replace(/:/g, '-')}.json`);
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

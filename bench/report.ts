/**
 * The building blocks of every suite's results: a cell (one model × concurrency, Slipway
 * side by side with its baseline) summarised as medians and ratios, tables, targets
 * (PASS/MISS, informative only) and the JSON file. All but `writeReport` are pure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadResult } from './load.js';
import { median } from './stats.js';

export const SERVERS = ['slipway', 'baseline'] as const;
export type ServerKind = (typeof SERVERS)[number];

export interface CellMedians {
  rps: number;
  p50: number;
  p99: number;
}

export interface Cell {
  model: string;
  concurrency: number;
  /** What Slipway is compared with, as the table names it: `bare` (node:http + onnxruntime) or `python` (FastAPI + scikit-learn). */
  baseline: string;
  /** Per repetition, which server was loaded first (the order alternates). */
  firstInRep: ServerKind[];
  runs: Record<ServerKind, LoadResult[]>;
  median: Record<ServerKind, CellMedians>;
  ratio: {
    /** Median Slipway req/s ÷ median baseline req/s: the headline. */
    throughput: number;
    /** Slipway ÷ baseline req/s per repetition, each pair run back to back. */
    pairedThroughput: number[];
    /** Median Slipway p50 − median baseline p50, ms. */
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
  /** As resolved by the bare baselines and by Slipway; they must agree for the comparison to be fair. */
  onnxruntime: { bare: string; slipway: string };
  /** Load average (1, 5, 15 min) when the run started: how busy the machine already was. */
  loadAverage: number[];
}

/** A goal a suite reports against. Informative: a miss never fails the run. */
export interface TargetCheck {
  /** What is measured, e.g. `sensor-mlp c=32 req/s`. */
  name: string;
  /** The goal, e.g. `≥ 0.85× bare`. */
  goal: string;
  measured: string;
  met: boolean;
}

/** One line per repetition with failed requests (non-2xx, connection errors) or no answer at all. */
export function problemsOf(label: string, runs: readonly LoadResult[]): string[] {
  return runs.flatMap((r, rep) => {
    if (r.requests === 0) return [`${label} rep ${rep + 1}: no answer during the whole repetition (the server stalled)`];
    if (r.errors === 0 && r.non2xx === 0) return [];
    const codes = Object.entries(r.statusCodes)
      .map(([code, n]) => `${code}×${n}`)
      .join(', ');
    return [`${label} rep ${rep + 1}: ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts); statuses ${codes || 'none'}`];
  });
}

export function mediansOf(runs: readonly LoadResult[]): CellMedians {
  return { rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)) };
}

export function summarizeCell(model: string, concurrency: number, baseline: string, firstInRep: ServerKind[], runs: Record<ServerKind, LoadResult[]>): Cell {
  const slipway = mediansOf(runs.slipway);
  const base = mediansOf(runs.baseline);
  return {
    model,
    concurrency,
    baseline,
    firstInRep,
    runs,
    median: { slipway, baseline: base },
    ratio: {
      throughput: slipway.rps / base.rps,
      pairedThroughput: runs.slipway.map((r, i) => r.rps / (runs.baseline[i]?.rps ?? NaN)),
      p50DiffMs: slipway.p50 - base.p50,
      p99DiffMs: slipway.p99 - base.p99,
    },
    problems: [...problemsOf('slipway', runs.slipway), ...problemsOf(baseline, runs.baseline)],
  };
}

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const ms = (n: number) => n.toFixed(3);
export const signedMs = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(3)}`;
export const times = (n: number) => `${n.toFixed(2)}×`;
/** Bytes in KiB, MiB or GiB, whichever reads best. */
export function size(bytes: number): string {
  const [value, unit] = Math.abs(bytes) >= 2 ** 30 ? [bytes / 2 ** 30, 'GiB'] : Math.abs(bytes) >= 2 ** 20 ? [bytes / 2 ** 20, 'MiB'] : [bytes / 2 ** 10, 'KiB'];
  return `${value.toFixed(1)} ${unit}`;
}
/** `min–max` of per-repetition values, or `-` for a single one. */
export const range = (values: readonly number[], digits = 2) =>
  values.length > 1 ? `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}` : '-';

/** Left-aligned first column, right-aligned numbers, two spaces between. */
export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map(line)];
}

/**
 * The side-by-side table of cells sharing one baseline; `extra` adds a column (one value
 * per cell). Rows with failed requests are flagged, and listed under the table.
 */
export function formatCells(cells: readonly Cell[], extra?: { header: string; values: readonly string[] }): string[] {
  const b = cells[0]?.baseline ?? 'baseline';
  const columns = ['model', 'conc', 'slipway req/s', 'p50 ms', 'p99 ms', `${b} req/s`, 'p50 ms', 'p99 ms', `slipway/${b}`, 'range', 'Δp50 ms', 'Δp99 ms'];
  if (extra) columns.push(extra.header);
  columns.push('');
  const rows = cells.map((c, i) => [
    c.model,
    String(c.concurrency),
    int(c.median.slipway.rps),
    ms(c.median.slipway.p50),
    ms(c.median.slipway.p99),
    int(c.median.baseline.rps),
    ms(c.median.baseline.p50),
    ms(c.median.baseline.p99),
    times(c.ratio.throughput),
    range(c.ratio.pairedThroughput),
    signedMs(c.ratio.p50DiffMs),
    signedMs(c.ratio.p99DiffMs),
    ...(extra ? [extra.values[i] ?? ''] : []),
    c.problems.length > 0 ? '!! FAILED REQUESTS' : '',
  ]);
  return [
    ...renderTable(columns, rows),
    '',
    `slipway/${b}: Slipway's median req/s ÷ ${b}'s; range: the same ratio per repetition (each pair ran back to back).`,
    `Δp50/Δp99: Slipway latency minus ${b} latency, in ms.`,
    ...formatProblems(cells.flatMap((c) => c.problems.map((p) => `${c.model} c=${c.concurrency} ${p}`))),
  ];
}

/** PASS/MISS lines; a MISS is information, not a failure. */
export function formatTargets(checks: readonly TargetCheck[]): string[] {
  if (checks.length === 0) return [];
  const rows = checks.map((t) => [t.met ? 'PASS' : 'MISS', t.name, t.goal, t.measured]);
  return ['', 'targets (informative: a MISS does not fail the run):', ...renderTable(['', 'measured', 'target', 'value'], rows).map((l) => `  ${l}`)];
}

/** The loud block under a table whose figures include failed requests. */
export function formatProblems(problems: readonly string[]): string[] {
  if (problems.length === 0) return [];
  return ['', '!! SOME REQUESTS FAILED — the figures above measure errors, not serving:', ...problems.map((p) => `!!   ${p}`)];
}

/** Writes `serving-<ISO timestamp>.json` under `outDir`; returns its path. */
export async function writeReport(report: { startedAt: string }, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, `serving-${report.startedAt.replace(/:/g, '-')}.json`);
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

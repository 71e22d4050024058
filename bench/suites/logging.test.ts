/**
 * The logging suite: its pure parts as tables, and one short run of the real suite (a
 * Slipway child, both pipelines loaded for half a second each) as a smoke test.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_FILE, parseManifest } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBenchConfig } from '../config.js';
import type { LoadResult } from '../load.js';
import { summarizeCell } from '../report.js';
import { UNLOGGED, droppedRowsOf, formatLogging, loggingTargets, runLogging, writeUnloggedCopy } from './logging.js';

const run = (rps: number): LoadResult => ({ rps, p50: 1, p99: 1, requests: rps, errors: 0, timeouts: 0, non2xx: 0, statusCodes: {} });

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'slipway-bench-logging-'));
});
afterAll(() => rm(workDir, { recursive: true, force: true }));

describe('logging suite', () => {
  it('meets its target when logging costs less than 5 % of throughput', () => {
    const cell = (logged: number) => summarizeCell('credit-risk', 32, 'no-log', ['slipway'], { slipway: [run(logged)], baseline: [run(1000)] });
    expect(loggingTargets([cell(960), cell(940)]).map((t) => [t.goal, t.measured, t.met])).toEqual([
      ['≥ 0.95× unlogged', '0.96×', true],
      ['≥ 0.95× unlogged', '0.94×', false],
    ]);
  });

  it('sums the dropped-rows counter over its reasons', () => {
    const metrics = [
      '# HELP slipway_prediction_log_dropped_total Prediction log rows dropped',
      'slipway_prediction_log_dropped_total{reason="queue_full"} 12',
      'slipway_prediction_log_dropped_total{reason="write_failed"} 3',
      'slipway_prediction_log_write_errors_total{what="predictions"} 1',
    ].join('\n');
    expect(droppedRowsOf(metrics)).toBe(15);
    expect(droppedRowsOf('')).toBe(0);
  });

  it('writes a valid copy of credit-risk with logging off', async () => {
    const dir = await writeUnloggedCopy(workDir);
    const manifest = parseManifest(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
    expect([manifest.name, manifest.monitoring?.sampleRate]).toEqual([UNLOGGED, 0]);
  });

  it('measures logged against unlogged serving on a real server', { timeout: 90_000 }, async () => {
    const config = resolveBenchConfig(['--quick', '--suite', 'logging', '--duration', '0.5', '--warmup', '0.2', '--concurrency', '4'], {});
    const result = await runLogging({ config, workDir: await mkdtemp(join(workDir, 'run-')) });
    expect(result.problems).toEqual([]);
    const [cell] = result.cells;
    expect(cell?.median.slipway.rps).toBeGreaterThan(0);
    expect(cell?.median.baseline.rps).toBeGreaterThan(0);
    expect(formatLogging(result, config)).toMatch(/== logging/);
    console.log(formatLogging(result, config));
  });
});

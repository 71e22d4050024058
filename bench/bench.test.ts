/**
 * Smoke test of the benchmarks: the real harness (`bench/run.ts`) in `--quick` mode on the
 * cheap suites — overhead (one model, concurrency 1), batching (one short repetition) and
 * coldstart (the 1 MiB model and one promotion) — as `npm run bench` runs them minus the
 * build. Every server must have answered 2xx and the JSON report must hold what
 * bench/README.md promises. The heavy suites (density, python) run by hand.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';
import { SERVERS } from './report.js';
import type { BenchReport } from './suites/index.js';

const run = promisify(execFile);

describe('npm run bench --quick', () => {
  let outDir: string;

  beforeAll(async () => {
    // The Slipway child imports the built server; `npm test` builds it in `typecheck`, a
    // bare `npx vitest run bench` may not have.
    if (!existsSync(join(REPO_ROOT, 'packages/server/dist/index.js'))) {
      await run('npx', ['tsc', '-b', 'packages/server'], { cwd: REPO_ROOT });
    }
    outDir = await mkdtemp(join(tmpdir(), 'slipway-bench-test-'));
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  // About 15 s; the longer timeout is headroom for a busy machine, not the budget.
  it('measures the cheap suites with every request answered 2xx and writes the JSON report', { timeout: 60_000 }, async () => {
    const args = ['--quick', '--suite', 'overhead,batching,coldstart', '--duration', '0.5', '--warmup', '0.2', '--models', 'sensor-mlp', '--concurrency', '1', '--out-dir', outDir];
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: REPO_ROOT });
    expect(stdout).toContain('slipway/bare');
    expect(stdout).toContain('== coldstart');
    expect(stdout).not.toContain('!!');

    const files = (await readdir(outDir)).filter((f) => /^serving-.+\.json$/.test(f));
    expect(files).toHaveLength(1);
    const report = JSON.parse(await readFile(join(outDir, files[0]!), 'utf8')) as BenchReport;
    expect(report).toMatchObject({ benchmark: 'serving', ok: true, errors: {}, config: { quick: true, reps: 1, suites: ['overhead', 'batching', 'coldstart'], coldSizes: [1] } });
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.machine.onnxruntime.bare).toMatch(/^\d+\.\d+\.\d+/);

    const overhead = report.suites.overhead!;
    expect(overhead.cells).toHaveLength(1);
    const [cell] = overhead.cells;
    expect(cell).toMatchObject({ model: 'sensor-mlp', concurrency: 1, baseline: 'bare', problems: [] });
    for (const server of SERVERS) {
      const [result] = cell!.runs[server];
      expect(result, server).toMatchObject({ errors: 0, non2xx: 0 });
      expect(result!.statusCodes['200'], server).toBe(result!.requests);
      expect(result!.rps, server).toBeGreaterThan(0);
      expect(result!.p50, server).toBeGreaterThan(0);
      expect(cell!.median[server].rps, server).toBe(result!.rps);
    }
    expect(overhead.targets.map((t) => t.name)).toEqual(['sensor-mlp c=1 p50']);

    const batching = report.suites.batching!;
    expect(batching.cell).toMatchObject({ concurrency: 64, problems: [] });
    // Every measured request ran in a batch of at least its own row.
    expect(batching.meanBatchRows).toBeGreaterThanOrEqual(1);
    expect(batching.counted.runs).toBeGreaterThan(0);

    const { sizes, promotion, targets } = report.suites.coldstart!;
    expect(sizes).toHaveLength(1);
    expect(sizes[0]).toMatchObject({ name: 'cold-1mib', sizeMiB: 1 });
    expect(sizes[0]!.median.slipwayMs).toBeGreaterThan(0);
    expect(sizes[0]!.median.baselineMs).toBeGreaterThan(0);
    expect(promotion.reps).toHaveLength(1);
    expect(promotion.reps[0]!.version).toBe(2);
    expect(targets).toHaveLength(2);
  });
});

/**
 * Smoke test of the serving benchmark: the real harness (`bench/run.ts`) in `--quick` mode
 * on one model at concurrency 1, as `npm run bench` runs it minus the build. Both servers
 * must have answered 2xx and the JSON report must hold what bench/README.md promises.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';
import { type BenchReport, SERVERS } from './report.js';

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

  it('measures both servers answering 2xx and writes the JSON report', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--quick', '--duration', '0.5', '--warmup', '0.2', '--models', 'sensor-mlp', '--concurrency', '1', '--out-dir', outDir],
      { cwd: REPO_ROOT },
    );
    expect(stdout).toContain('slipway/bare');
    expect(stdout).not.toContain('!!');

    const files = (await readdir(outDir)).filter((f) => /^serving-.+\.json$/.test(f));
    expect(files).toHaveLength(1);
    const report = JSON.parse(await readFile(join(outDir, files[0]!), 'utf8')) as BenchReport;
    expect(report).toMatchObject({ benchmark: 'serving', ok: true, config: { quick: true, reps: 1, models: ['sensor-mlp'], concurrency: [1] } });
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.machine.onnxruntime.bare).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.cells).toHaveLength(1);

    const [cell] = report.cells;
    expect(cell).toMatchObject({ model: 'sensor-mlp', concurrency: 1, problems: [] });
    for (const server of SERVERS) {
      const [result] = cell!.runs[server];
      expect(result, server).toMatchObject({ errors: 0, non2xx: 0 });
      expect(result!.statusCodes['200'], server).toBe(result!.requests);
      expect(result!.rps, server).toBeGreaterThan(0);
      expect(result!.p50, server).toBeGreaterThan(0);
      expect(cell!.median[server].rps, server).toBe(result!.rps);
    }
    expect(cell!.ratio.throughput).toBeGreaterThan(0);
    expect(Number.isFinite(cell!.ratio.p50DiffMs)).toBe(true);
  });
});

/**
 * `npm run bench`: Slipway's serving benchmarks. Each suite (overhead, batching,
 * coldstart, density, python; `--suite` picks) measures Slipway side by side with its
 * baseline in the same run, several repetitions, medians; prints its table as it finishes;
 * the whole run goes into one JSON file. See bench/README.md for reading the tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { USAGE, type Suite, resolveBenchConfig } from './config.js';
import { progress } from './compare.js';
import { REPO_ROOT } from './paths.js';
import { type MachineInfo, writeReport } from './report.js';
import { killAllServers } from './server-process.js';
import { type BenchReport, type SuiteResults, runSuite } from './suites/index.js';

function onnxruntimeVersion(fromDir: string): string {
  const pkg = createRequire(join(fromDir, 'package.json'))('onnxruntime-node/package.json') as { version: string };
  return pkg.version;
}

function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    onnxruntime: { bare: onnxruntimeVersion(join(REPO_ROOT, 'bench')), slipway: onnxruntimeVersion(join(REPO_ROOT, 'packages', 'runtime')) },
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) return console.log(USAGE);
  const config = resolveBenchConfig(process.argv.slice(2), process.env);
  process.on('exit', killAllServers);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      killAllServers();
      process.exit(code);
    });
  }
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  if (machine.onnxruntime.bare !== machine.onnxruntime.slipway) {
    progress(`!! onnxruntime differs: bare ${machine.onnxruntime.bare}, Slipway ${machine.onnxruntime.slipway}; the comparison is not like for like`);
  }
  console.log(
    `Slipway serving benchmarks — ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `onnxruntime ${machine.onnxruntime.slipway}; load average at start ${machine.loadAverage.join(' ')}`,
  );

  // Generated models live here for the run only.
  const workDir = await mkdtemp(join(tmpdir(), 'slipway-bench-models-'));
  const suites: SuiteResults = {};
  const errors: Partial<Record<Suite, string>> = {};
  try {
    for (const name of config.suites) {
      try {
        console.log(`\n${await runSuite(name, { config, workDir }, suites)}`);
      } catch (error) {
        // One suite failing does not cost the others' results.
        errors[name] = error instanceof Error ? error.message : String(error);
        console.log(`\n== ${name}\n!! FAILED: ${errors[name]}`);
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const ok = Object.keys(errors).length === 0 && Object.values(suites).every((r) => r === undefined || r.problems.length === 0);
  const report: BenchReport = { benchmark: 'serving', startedAt, config, machine, suites, errors, ok };
  const path = await writeReport(report, config.outDir);
  console.log(`\nwrote ${relative(process.cwd(), path)}`);
  if (!report.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

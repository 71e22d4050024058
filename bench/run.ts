/**
 * `npm run bench`: the serving benchmark. For each example model it measures
 * `POST /v2/models/{name}/infer` on Slipway and on a bare `node:http` + onnxruntime
 * server (bare-server.ts), same model file and same body, both as child processes. Each
 * cell (model × concurrency) runs `reps` repetitions, alternating which server goes first,
 * and reports medians; see bench/README.md for reading the table.
 */
import { cpus, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { USAGE, resolveBenchConfig, type ResolvedBenchConfig } from './config.js';
import { runLoad, type LoadResult } from './load.js';
import { loadBenchModel, type BenchModel } from './models.js';
import { EXAMPLES_DIR, REPO_ROOT } from './paths.js';
import { probeSameAnswers } from './probe.js';
import { type BenchReport, type Cell, type MachineInfo, type ServerKind, formatTable, summarizeCell, writeReport } from './report.js';
import { killAllServers, startServerProcess } from './server-process.js';

const progress = (line: string) => console.error(line);

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
  };
}

async function benchmarkModel(config: ResolvedBenchConfig, model: BenchModel, slipwayUrl: string): Promise<Cell[]> {
  const bare = await startServerProcess(`bare server (${model.name})`, 'bench/bare-server.ts', ['--model', model.modelFile, '--port', '0']);
  try {
    const path = `/v2/models/${encodeURIComponent(model.name)}/infer`;
    const urls: Record<ServerKind, string> = { slipway: slipwayUrl + path, bare: bare.url + path };
    await probeSameAnswers(urls.slipway, urls.bare, model.body);
    if (config.warmup > 0) {
      progress(`${model.name}: warming up both servers for ${config.warmup} s each`);
      for (const url of Object.values(urls)) {
        await runLoad({ url, body: model.body, connections: Math.max(...config.concurrency), duration: config.warmup });
      }
    }
    const cells: Cell[] = [];
    for (const connections of config.concurrency) {
      const runs: Record<ServerKind, LoadResult[]> = { slipway: [], bare: [] };
      const firstInRep: ServerKind[] = [];
      for (let rep = 0; rep < config.reps; rep++) {
        // Alternating which server goes first keeps slow drift (thermal, caches, GC) from favouring one.
        const order: ServerKind[] = rep % 2 === 0 ? ['slipway', 'bare'] : ['bare', 'slipway'];
        firstInRep.push(order[0]!);
        for (const server of order) {
          const result = await runLoad({ url: urls[server], body: model.body, connections, duration: config.duration });
          runs[server].push(result);
          const failed = result.errors + result.non2xx > 0 ? `  !! ${result.non2xx} non-2xx, ${result.errors} errors` : '';
          progress(
            `${model.name} c=${connections} rep ${rep + 1}/${config.reps} ${server.padEnd(7)}: ` +
              `${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(3)} ms, p99 ${result.p99.toFixed(3)} ms${failed}`,
          );
        }
      }
      cells.push(summarizeCell(model.name, connections, firstInRep, runs));
    }
    return cells;
  } finally {
    await bare.stop();
  }
}

async function runServingBenchmark(config: ResolvedBenchConfig): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  if (machine.onnxruntime.bare !== machine.onnxruntime.slipway) {
    progress(`!! onnxruntime differs: bare ${machine.onnxruntime.bare}, Slipway ${machine.onnxruntime.slipway}; the comparison is not like for like`);
  }
  const models = await Promise.all(config.models.map(loadBenchModel));
  progress('starting the Slipway server (pushes and warms the examples)…');
  const slipway = await startServerProcess('slipway server', 'bench/slipway-server.ts', ['--examples-dir', EXAMPLES_DIR]);
  try {
    const cells: Cell[] = [];
    for (const model of models) cells.push(...(await benchmarkModel(config, model, slipway.url)));
    return { benchmark: 'serving', startedAt, config, machine, models, cells, ok: cells.every((c) => c.problems.length === 0) };
  } finally {
    await slipway.stop();
  }
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
  const report = await runServingBenchmark(config);
  console.log(formatTable(report));
  const path = await writeReport(report, config.outDir);
  console.log(`\nwrote ${relative(process.cwd(), path)}`);
  if (!report.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

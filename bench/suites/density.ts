/**
 * Density: many pipelines, a memory budget that holds only some of them. Generates N
 * small MLPs of varied sizes, pushes them to two Slipway servers — one capped at a quarter
 * of their total size, one with the default budget (everything fits: the baseline) — and
 * sends both the same Zipf(1.1) request stream. Reports the cache's hit rate, loads and
 * evictions from `/metrics`, latency, and the capped server's peak RSS against its budget.
 */
import { join } from 'node:path';
import { Random } from '@slipway/modelkit';
import type { ResolvedBenchConfig } from '../config.js';
import { progress } from '../compare.js';
import { type LoadResult, runLoad } from '../load.js';
import { MLP_INPUT, type MlpPackage, writeMlpPackage } from '../mlp.js';
import { oneRowBody } from '../models.js';
import { type ServingCounters, countersSince, servingCounters } from '../prometheus.js';
import { type TargetCheck, formatProblems, formatTargets, int, mediansOf, size, problemsOf, renderTable } from '../report.js';
import { readProcMemory, sampleRss } from '../rss.js';
import { type SlipwayServer, startSlipway } from '../slipway.js';
import { median } from '../stats.js';
import { shuffled, zipfSampler } from '../zipf.js';
import { type SuiteContext, type SuiteResult, heading } from './context.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const WIDTH = 16;
const [MIN_BYTES, MAX_BYTES] = [16 * KiB, 2 * MiB];
const ZIPF_S = 1.1;
const SEED = 1729;
const CONCURRENCY = 8;
const BUDGET_FRACTION = 0.25;
const PUSH_CONCURRENCY = 4;
const RSS_EVERY_MS = 20;
/** Allowance above budget + idle RSS for allocator slack (freed memory the allocator keeps). */
const RSS_SLACK = 64 * MiB;

const SERVER_KINDS = ['capped', 'uncapped'] as const;
type DensityServerKind = (typeof SERVER_KINDS)[number];

interface DensityRep {
  load: LoadResult;
  counted: ServingCounters;
}

export interface DensityServer {
  kind: DensityServerKind;
  budgetBytes: number;
  pushMs: { total: number; median: number };
  /** After the pushes, before the stream: the server with no benchmark model loaded. */
  idleRss: number;
  /** Highest resident memory during the stream (warm-up included). */
  peakRss: number;
  reps: DensityRep[];
  median: { rps: number; p50: number; p99: number; hitRate: number; loadsPerSec: number; loadMs: number; evictionsPerSec: number };
  /** At the end of the stream. */
  end: { usedBytes: number; loaded: number; loadedFileBytes: number };
}

export interface DensityResult extends SuiteResult {
  pipelines: number;
  totalModelBytes: number;
  generateMs: number;
  servers: Record<DensityServerKind, DensityServer>;
}

/** Sizes log-uniform between 16 KiB and 2 MiB: MLPs 16 → hidden → 16. */
async function generatePipelines(workDir: string, n: number): Promise<MlpPackage[]> {
  const random = new Random(SEED);
  const packages: MlpPackage[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = Math.exp(random.uniform(Math.log(MIN_BYTES), Math.log(MAX_BYTES)));
    const hidden = Math.max(1, Math.round((bytes / 4 - WIDTH) / (2 * WIDTH + 1)));
    const name = `density-${String(i).padStart(4, '0')}`;
    packages.push(await writeMlpPackage(join(workDir, 'density'), { name, widths: [WIDTH, hidden, WIDTH], seed: i }));
  }
  return packages;
}

async function pushAll(server: SlipwayServer, packages: readonly MlpPackage[]): Promise<DensityServer['pushMs']> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < packages.length) times.push((await server.push(packages[next++]!.dir)).ms);
  };
  await Promise.all(Array.from({ length: PUSH_CONCURRENCY }, worker));
  return { total: performance.now() - started, median: median(times) };
}

/**
 * The stream's peak RSS: the kernel's high-water mark when the stream raised it (exact),
 * else the highest sample (the mark still holds a higher peak from before the stream).
 */
export function streamPeak(hwmBefore: number, hwmAfter: number, sampledPeak: number): number {
  return hwmAfter > hwmBefore ? hwmAfter : sampledPeak;
}

function densityTargets(capped: DensityServer): TargetCheck {
  const limit = capped.budgetBytes + capped.idleRss + RSS_SLACK;
  return {
    name: 'capped peak RSS',
    goal: `≤ budget + idle RSS + ${size(RSS_SLACK)} (${size(limit)})`,
    measured: `${size(capped.peakRss)} (budget + ${size(capped.peakRss - capped.budgetBytes)})`,
    met: capped.peakRss <= limit,
  };
}

export async function runDensity({ config, workDir }: SuiteContext): Promise<DensityResult> {
  progress(`density: generating ${config.pipelines} pipelines…`);
  const generateStarted = performance.now();
  const packages = await generatePipelines(workDir, config.pipelines);
  const generateMs = performance.now() - generateStarted;
  const totalModelBytes = packages.reduce((sum, p) => sum + p.modelBytes, 0);
  const fileBytes = new Map(packages.map((p) => [p.name, p.modelBytes]));

  const servers: Partial<Record<DensityServerKind, SlipwayServer>> = {};
  try {
    servers.capped = await startSlipway({ label: 'slipway (capped)', modelMemory: totalModelBytes * BUDGET_FRACTION });
    servers.uncapped = await startSlipway({ label: 'slipway (uncapped)' });
    const live = { capped: servers.capped, uncapped: servers.uncapped };
    const pushMs = {} as Record<DensityServerKind, DensityServer['pushMs']>;
    for (const kind of SERVER_KINDS) {
      progress(`density: pushing ${packages.length} pipelines to the ${kind} server…`);
      pushMs[kind] = await pushAll(live[kind], packages);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = { capped: await readProcMemory(live.capped.pid), uncapped: await readProcMemory(live.uncapped.pid) };

    // Which pipeline gets which popularity rank is shuffled, so popularity is independent of size.
    const names = shuffled(packages.map((p) => p.name), new Random(SEED + 1));
    const body = oneRowBody({ name: MLP_INPUT, width: WIDTH });
    const stream = (seed: number) => {
      const draw = zipfSampler(names.length, ZIPF_S, new Random(seed));
      return () => `/v2/models/${names[draw()]}/infer`;
    };
    const samplers = { capped: sampleRss(live.capped.pid, RSS_EVERY_MS), uncapped: sampleRss(live.uncapped.pid, RSS_EVERY_MS) };
    const reps: Record<DensityServerKind, DensityRep[]> = { capped: [], uncapped: [] };
    if (config.warmup > 0) {
      progress(`density: warming both servers up with the stream for ${config.warmup} s each`);
      for (const kind of SERVER_KINDS) await runLoad({ url: live[kind].url, headers: live[kind].headers, body, connections: CONCURRENCY, duration: config.warmup, nextPath: stream(SEED + 2) });
    }
    for (let rep = 0; rep < config.reps; rep++) {
      const order: DensityServerKind[] = rep % 2 === 0 ? [...SERVER_KINDS] : [...SERVER_KINDS].reverse();
      for (const kind of order) {
        const server = live[kind];
        const before = servingCounters(await server.metrics());
        // The same seed for both servers in a repetition: the same sequence of requests.
        const load = await runLoad({ url: server.url, headers: server.headers, body, connections: CONCURRENCY, duration: config.duration, nextPath: stream(SEED + 3 + rep) });
        const counted = countersSince(before, servingCounters(await server.metrics()));
        reps[kind].push({ load, counted });
        progress(
          `density ${kind} rep ${rep + 1}/${config.reps}: ${Math.round(load.rps)} req/s, p50 ${load.p50.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms, ` +
            `hit rate ${(hitRate(counted) * 100).toFixed(1)} %, ${counted.loads} loads, ${counted.evictions} evictions`,
        );
      }
    }
    const sampled = { capped: await samplers.capped.stop(), uncapped: await samplers.uncapped.stop() };

    const summarize = async (kind: DensityServerKind): Promise<DensityServer> => {
      const server = live[kind];
      const hwmAfter = (await readProcMemory(server.pid)).hwm;
      const models = await server.models();
      const mine = models.models.filter((m) => fileBytes.has(m.pipeline));
      const { rps, p50, p99 } = mediansOf(reps[kind].map((r) => r.load));
      const perSec = (pick: (c: ServingCounters) => number) => median(reps[kind].map((r) => pick(r.counted) / config.duration));
      return {
        kind,
        budgetBytes: models.budgetBytes,
        pushMs: pushMs[kind],
        idleRss: idle[kind].rss,
        peakRss: streamPeak(idle[kind].hwm, hwmAfter, sampled[kind].peak),
        reps: reps[kind],
        median: {
          rps,
          p50,
          p99,
          hitRate: median(reps[kind].map((r) => hitRate(r.counted))),
          loadsPerSec: perSec((c) => c.loads),
          loadMs: median(reps[kind].map((r) => (r.counted.loadSeconds / r.counted.loads) * 1000)),
          evictionsPerSec: perSec((c) => c.evictions),
        },
        end: { usedBytes: models.usedBytes, loaded: mine.length, loadedFileBytes: mine.reduce((sum, m) => sum + (fileBytes.get(m.pipeline) ?? 0), 0) },
      };
    };
    const result = { capped: await summarize('capped'), uncapped: await summarize('uncapped') };
    const problems = SERVER_KINDS.flatMap((kind) => problemsOf(`${kind} server`, reps[kind].map((r) => r.load)));
    return { pipelines: packages.length, totalModelBytes, generateMs, servers: result, targets: [densityTargets(result.capped)], problems };
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
}

function hitRate(c: ServingCounters): number {
  return c.cacheHits / (c.cacheHits + c.cacheMisses);
}

export function formatDensity(result: DensityResult, config: ResolvedBenchConfig): string {
  const rows = SERVER_KINDS.map((kind) => {
    const s = result.servers[kind];
    return [
      kind,
      size(s.budgetBytes),
      `${(s.median.hitRate * 100).toFixed(1)} %`,
      int(s.median.rps),
      s.median.p50.toFixed(2),
      s.median.p99.toFixed(2),
      s.median.loadsPerSec.toFixed(1),
      s.median.loadMs.toFixed(1),
      s.median.evictionsPerSec.toFixed(1),
      size(s.idleRss),
      size(s.peakRss),
      // Only the capped server's budget binds; the other's is far above its use.
      kind === 'capped' ? size(s.peakRss - s.budgetBytes) : '-',
      `${s.end.loaded}`,
      size(s.end.usedBytes),
      (s.end.usedBytes / s.end.loadedFileBytes).toFixed(2),
    ];
  });
  const { capped, uncapped } = result.servers;
  return [
    ...heading(
      `density — ${result.pipelines} pipelines (MLPs of ${size(MIN_BYTES)}–${size(MAX_BYTES)}, ${size(result.totalModelBytes)} in all), ` +
        `Zipf(${ZIPF_S}) stream at c=${CONCURRENCY}; memory budget ${BUDGET_FRACTION * 100} % of their size vs the default budget (all fit)`,
      `median of ${config.reps} × ${config.duration} s per server after ${config.warmup} s of the stream as warm-up; ` +
        `generated in ${(result.generateMs / 1000).toFixed(1)} s; pushed (${PUSH_CONCURRENCY} at a time) in ${(capped.pushMs.total / 1000).toFixed(1)} s ` +
        `and ${(uncapped.pushMs.total / 1000).toFixed(1)} s, median ${capped.pushMs.median.toFixed(1)} / ${uncapped.pushMs.median.toFixed(1)} ms per push`,
    ),
    ...renderTable(
      ['server', 'budget', 'hit rate', 'req/s', 'p50 ms', 'p99 ms', 'loads/s', 'load ms', 'evictions/s', 'idle RSS', 'peak RSS', 'peak−budget', 'loaded', 'used', 'used/file'],
      rows,
    ),
    '',
    'hit rate, loads, load ms (mean per load: session creation and warm-up), evictions: from /metrics over the measured repetitions; peak RSS: VmRSS every 20 ms and VmHWM of the server process during the stream;',
    'idle RSS: after the pushes, before the stream; loaded/used: benchmark models loaded at the end and the memory the server measured for them;',
    'used/file: that memory ÷ their .onnx size.',
    ...formatTargets(result.targets),
    ...formatProblems(result.problems),
  ].join('\n');
}

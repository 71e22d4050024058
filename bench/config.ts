/**
 * Benchmark configuration: defaults (or the `--quick` preset) → environment
 * (`SLIPWAY_BENCH_*`) → flags, resolved once into a frozen object. Every bad value is
 * reported at once.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_MODEL_NAMES } from './models.js';
import { REPO_ROOT } from './paths.js';

/** The benchmarks `npm run bench` can run, in the order it runs them. */
export const SUITES = ['overhead', 'batching', 'coldstart', 'density', 'python', 'logging', 'drift', 'async-runs', 'autoscale'] as const;
export type Suite = (typeof SUITES)[number];

export interface BenchOptions {
  /** Suites to run. Default all of `SUITES`. */
  suites?: Suite[];
  /** Seconds of load per repetition. Default 5 (`--quick`: 1). */
  duration?: number;
  /** Repetitions per cell; the table shows their median. Default 3 (`--quick`: 1). */
  reps?: number;
  /** Seconds of unmeasured load on each server before a model's first repetition. Default 2 (`--quick`: 0.5). */
  warmup?: number;
  /** Models the overhead suite measures (examples and generated). Default all of `BENCH_MODEL_NAMES`. */
  models?: string[];
  /** Concurrent connections, one cell each (overhead and python suites). Default `[1, 32]`. */
  concurrency?: number[];
  /** Cold-start model sizes in MiB. Default `[1, 50, 200]` (`--quick`: `[1]`). */
  coldSizes?: number[];
  /** Pipelines the density suite generates. Default 1000 (`--quick`: 100). */
  pipelines?: number;
  /** Where the JSON report goes. Default `bench/results`. */
  outDir?: string;
}

export interface ResolvedBenchConfig {
  readonly suites: readonly Suite[];
  readonly duration: number;
  readonly reps: number;
  readonly warmup: number;
  readonly quick: boolean;
  readonly models: readonly string[];
  readonly concurrency: readonly number[];
  readonly coldSizes: readonly number[];
  readonly pipelines: number;
  readonly outDir: string;
}

const DEFAULTS = { duration: 5, reps: 3, warmup: 2, pipelines: 1000, coldSizes: '1,50,200' };
const QUICK = { duration: 1, reps: 1, warmup: 0.5, pipelines: 100, coldSizes: '1' };

const ENV = {
  suites: 'SLIPWAY_BENCH_SUITE',
  duration: 'SLIPWAY_BENCH_DURATION',
  reps: 'SLIPWAY_BENCH_REPS',
  warmup: 'SLIPWAY_BENCH_WARMUP',
  models: 'SLIPWAY_BENCH_MODELS',
  concurrency: 'SLIPWAY_BENCH_CONCURRENCY',
  coldSizes: 'SLIPWAY_BENCH_COLD_SIZES',
  pipelines: 'SLIPWAY_BENCH_PIPELINES',
  outDir: 'SLIPWAY_BENCH_OUT_DIR',
  quick: 'SLIPWAY_BENCH_QUICK',
} as const;

export const USAGE = `Usage: npm run bench -- [options]
  --suite <a,b>        suites to run (default ${SUITES.join(',')}; env ${ENV.suites})
  --duration <s>       seconds of load per repetition (default 5; env ${ENV.duration})
  --reps <n>           repetitions per cell, median reported (default 3; env ${ENV.reps})
  --warmup <s>         unmeasured load per server before measuring (default 2; env ${ENV.warmup})
  --quick              1 s, 1 rep, 0.5 s warm-up, small cold start and density: a smoke run (env ${ENV.quick}=1)
  --models <a,b>       overhead: models (default ${BENCH_MODEL_NAMES.join(',')}; env ${ENV.models})
  --concurrency <a,b>  overhead, python, logging: concurrent connections (default 1,32; env ${ENV.concurrency})
  --cold-sizes <a,b>   coldstart: model sizes in MiB (default ${DEFAULTS.coldSizes}; env ${ENV.coldSizes})
  --pipelines <n>      density: generated pipelines (default ${DEFAULTS.pipelines}; env ${ENV.pipelines})
  --out-dir <dir>      where the JSON goes (default bench/results; env ${ENV.outDir})`;

const list = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s !== '');

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      options: {
        suite: { type: 'string' },
        duration: { type: 'string' },
        reps: { type: 'string' },
        warmup: { type: 'string' },
        quick: { type: 'boolean' },
        models: { type: 'string' },
        concurrency: { type: 'string' },
        'cold-sizes': { type: 'string' },
        pipelines: { type: 'string' },
        'out-dir': { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, { cause: error });
  }
}

/** Parses `argv` (without node and script) over `env`; throws listing every problem. */
export function resolveBenchConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ResolvedBenchConfig {
  const flags = parseFlags(argv);
  const fromEnv = (key: keyof typeof ENV): string | undefined => (env[ENV[key]] === '' ? undefined : env[ENV[key]]);
  const quick = flags.quick ?? ['1', 'true'].includes(fromEnv('quick') ?? '');
  const base = quick ? QUICK : DEFAULTS;
  const issues: string[] = [];

  const number = (name: 'duration' | 'reps' | 'warmup' | 'pipelines', raw: string | undefined, integer: boolean, min: number): number => {
    if (raw === undefined) return base[name];
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      issues.push(`--${name} (${raw}) must be ${integer ? 'an integer' : 'a number'} ≥ ${min}`);
    }
    return n;
  };
  const duration = number('duration', flags.duration ?? fromEnv('duration'), false, 0.1);
  const reps = number('reps', flags.reps ?? fromEnv('reps'), true, 1);
  const warmup = number('warmup', flags.warmup ?? fromEnv('warmup'), false, 0);
  const pipelines = number('pipelines', flags.pipelines ?? fromEnv('pipelines'), true, 2);

  const suitesText = flags.suite ?? fromEnv('suites') ?? SUITES.join(',');
  const suites = list(suitesText);
  for (const s of suites) {
    if (!(SUITES as readonly string[]).includes(s)) issues.push(`--suite: "${s}" is not one of ${SUITES.join(', ')}`);
  }
  if (suites.length === 0) issues.push(`--suite must name at least one of ${SUITES.join(', ')}`);

  const models = list(flags.models ?? fromEnv('models') ?? BENCH_MODEL_NAMES.join(','));
  for (const m of models) {
    if (!BENCH_MODEL_NAMES.includes(m)) issues.push(`--models: "${m}" is not one of ${BENCH_MODEL_NAMES.join(', ')}`);
  }
  if (models.length === 0) issues.push(`--models must name at least one of ${BENCH_MODEL_NAMES.join(', ')}`);

  const concurrencyText = flags.concurrency ?? fromEnv('concurrency') ?? '1,32';
  const concurrency = list(concurrencyText).map(Number);
  if (concurrency.length === 0 || concurrency.some((c) => !Number.isInteger(c) || c < 1)) {
    issues.push(`--concurrency (${concurrencyText}) must be a comma-separated list of integers ≥ 1, e.g. 1,32`);
  }

  const coldText = flags['cold-sizes'] ?? fromEnv('coldSizes') ?? base.coldSizes;
  const coldSizes = list(coldText).map(Number);
  if (coldSizes.length === 0 || coldSizes.some((c) => !Number.isFinite(c) || c < 0.05 || c > 1024)) {
    issues.push(`--cold-sizes (${coldText}) must be a comma-separated list of sizes in MiB between 0.05 and 1024, e.g. 1,50,200`);
  }

  if (issues.length > 0) throw new Error(`invalid benchmark options:\n  ${issues.join('\n  ')}\n${USAGE}`);
  const outDir = flags['out-dir'] ?? fromEnv('outDir');
  return Object.freeze({
    // Run order is fixed (SUITES order), whatever order they were named in.
    suites: Object.freeze(SUITES.filter((s) => suites.includes(s))),
    duration,
    reps,
    warmup,
    quick,
    models: Object.freeze(models),
    concurrency: Object.freeze(concurrency),
    coldSizes: Object.freeze(coldSizes),
    pipelines,
    outDir: outDir === undefined ? join(REPO_ROOT, 'bench', 'results') : resolve(outDir),
  });
}

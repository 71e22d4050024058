/**
 * Benchmark configuration: defaults (or the `--quick` preset) → environment
 * (`SLIPWAY_BENCH_*`) → flags, resolved once into a frozen object. Every bad value is
 * reported at once.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_MODEL_NAMES } from './models.js';
import { REPO_ROOT } from './paths.js';

export interface BenchOptions {
  /** Seconds of load per repetition. Default 5 (`--quick`: 1). */
  duration?: number;
  /** Repetitions per cell; the table shows their median. Default 3 (`--quick`: 1). */
  reps?: number;
  /** Seconds of unmeasured load on each server before a model's first repetition. Default 2 (`--quick`: 0.5). */
  warmup?: number;
  /** Example pipelines to benchmark. Default all of `BENCH_MODEL_NAMES`. */
  models?: string[];
  /** Concurrent connections, one cell each. Default `[1, 32]`. */
  concurrency?: number[];
  /** Where the JSON report goes. Default `bench/results`. */
  outDir?: string;
}

export interface ResolvedBenchConfig {
  readonly duration: number;
  readonly reps: number;
  readonly warmup: number;
  readonly quick: boolean;
  readonly models: readonly string[];
  readonly concurrency: readonly number[];
  readonly outDir: string;
}

const DEFAULTS = { duration: 5, reps: 3, warmup: 2 };
const QUICK = { duration: 1, reps: 1, warmup: 0.5 };

const ENV = {
  duration: 'SLIPWAY_BENCH_DURATION',
  reps: 'SLIPWAY_BENCH_REPS',
  warmup: 'SLIPWAY_BENCH_WARMUP',
  models: 'SLIPWAY_BENCH_MODELS',
  concurrency: 'SLIPWAY_BENCH_CONCURRENCY',
  outDir: 'SLIPWAY_BENCH_OUT_DIR',
  quick: 'SLIPWAY_BENCH_QUICK',
} as const;

export const USAGE = `Usage: npm run bench -- [options]
  --duration <s>       seconds of load per repetition (default 5; env ${ENV.duration})
  --reps <n>           repetitions per cell, median reported (default 3; env ${ENV.reps})
  --warmup <s>         unmeasured load per server before measuring (default 2; env ${ENV.warmup})
  --quick              1 s, 1 rep, 0.5 s warm-up: a smoke run (env ${ENV.quick}=1)
  --models <a,b>       example pipelines (default ${BENCH_MODEL_NAMES.join(',')}; env ${ENV.models})
  --concurrency <a,b>  concurrent connections (default 1,32; env ${ENV.concurrency})
  --out-dir <dir>      where the JSON goes (default bench/results; env ${ENV.outDir})`;

const list = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s !== '');

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      options: {
        duration: { type: 'string' },
        reps: { type: 'string' },
        warmup: { type: 'string' },
        quick: { type: 'boolean' },
        models: { type: 'string' },
        concurrency: { type: 'string' },
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

  const number = (name: 'duration' | 'reps' | 'warmup', raw: string | undefined, integer: boolean, min: number): number => {
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

  const models = list(flags.models ?? fromEnv('models') ?? BENCH_MODEL_NAMES.join(','));
  for (const m of models) {
    if (!(BENCH_MODEL_NAMES as readonly string[]).includes(m)) issues.push(`--models: "${m}" is not one of ${BENCH_MODEL_NAMES.join(', ')}`);
  }
  if (models.length === 0) issues.push(`--models must name at least one of ${BENCH_MODEL_NAMES.join(', ')}`);

  const concurrencyText = flags.concurrency ?? fromEnv('concurrency') ?? '1,32';
  const concurrency = list(concurrencyText).map(Number);
  if (concurrency.length === 0 || concurrency.some((c) => !Number.isInteger(c) || c < 1)) {
    issues.push(`--concurrency (${concurrencyText}) must be a comma-separated list of integers ≥ 1, e.g. 1,32`);
  }

  if (issues.length > 0) throw new Error(`invalid benchmark options:\n  ${issues.join('\n  ')}\n${USAGE}`);
  const outDir = flags['out-dir'] ?? fromEnv('outDir');
  return Object.freeze({
    duration,
    reps,
    warmup,
    quick,
    models: Object.freeze(models),
    concurrency: Object.freeze(concurrency),
    outDir: outDir === undefined ? join(REPO_ROOT, 'bench', 'results') : resolve(outDir),
  });
}

/**
 * Cold start: how long the first request to an unloaded version takes, request to first
 * prediction, for models of several sizes (FP32 MLPs), against onnxruntime's own
 * `InferenceSession.create(bytes)` + one run on the same file in a fresh child process
 * (cold-load.ts; why a child: see there and bench/README.md). Then promotion: push a new
 * version, move the alias (Slipway loads and warms it before the move returns), and time
 * the first request to `name@alias` against the steady-state p50.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { InferResponse, JsonTensor } from '@slipway/core';
import type { ColdLoad } from '../cold-load.js';
import type { ResolvedBenchConfig } from '../config.js';
import { progress } from '../compare.js';
import { MLP_INPUT, type MlpPackage, type MlpSpec, mlpBytes, writeMlpPackage } from '../mlp.js';
import { oneRowBody } from '../models.js';
import { REPO_ROOT } from '../paths.js';
import { postJson } from '../http-client.js';
import { sameOutputs } from '../probe.js';
import { type TargetCheck, formatTargets, range, renderTable, times } from '../report.js';
import { type SlipwayServer, startSlipway } from '../slipway.js';
import { median, percentile } from '../stats.js';
import { type SuiteContext, type SuiteResult, heading } from './context.js';

const MiB = 2 ** 20;
const [IN, OUT, WIDE] = [256, 16, 1024];
/** Initialises onnxruntime in the baseline child before the clock starts. */
const WARM_MODEL: MlpSpec = { name: 'cold-warm', widths: [IN, 4, OUT], seed: 1 };
/** Cold start: Slipway ≤ FACTOR × baseline + SLACK_MS. */
const FACTOR = 1.2;
const SLACK_MS = 10;
/** Promotion: first request after the move ≤ PROMOTION_FACTOR × steady-state p50. */
const PROMOTION_FACTOR = 2;
const PROMOTION_MAX_MIB = 64;
const PROMOTION_ALIAS = 'production';
/** Sequential requests after the first whose median is the steady state. */
const STEADY_REQUESTS = 30;

/** MLP widths whose weights come to about `bytes`: 1024-wide square layers, or one narrower layer below ~4 MiB. */
export function coldWidths(bytes: number): number[] {
  const square = Math.round((bytes - mlpBytes([IN, WIDE, OUT])) / mlpBytes([WIDE, WIDE]));
  if (square >= 1) return [IN, ...Array<number>(square + 1).fill(WIDE), OUT];
  return [IN, Math.max(1, Math.round((bytes / 4 - OUT) / (IN + 1 + OUT))), OUT];
}

/** The cold-start size the promotion uses: the largest up to 64 MiB, else the smallest. */
export function promotionSize(sizesMiB: readonly number[]): number {
  const fit = sizesMiB.filter((s) => s <= PROMOTION_MAX_MIB);
  return fit.length > 0 ? Math.max(...fit) : Math.min(...sizesMiB);
}

interface SlipwayCold {
  /** Client-side: request sent → response read. */
  firstMs: number;
  /** Server-side, from `GET /v1/serving/models`: session creation and the warm-up run. */
  loadMs: number;
  warmupMs: number;
  /** Where the version was placed: `inline` or `thread-N`. */
  host: string;
  /** The request right after: compute plus HTTP, warm. */
  warmMs: number;
}

interface ColdRep {
  firstInRep: 'slipway' | 'baseline';
  slipway: SlipwayCold;
  baseline: Omit<ColdLoad, 'outputs'>;
}

export interface ColdSize {
  sizeMiB: number;
  name: string;
  widths: number[];
  modelBytes: number;
  pushMs: number;
  reps: ColdRep[];
  median: { slipwayMs: number; loadMs: number; warmupMs: number; otherMs: number; warmMs: number; baselineMs: number; readMs: number; createMs: number; runMs: number };
  /** Median Slipway ÷ median baseline. */
  ratio: number;
  /** FACTOR × baseline + SLACK_MS. */
  limitMs: number;
}

interface PromotionRep {
  version: number;
  pushMs: number;
  /** `PUT …/aliases/{alias}`: includes loading and warming the new version. */
  moveMs: number;
  firstMs: number;
  /** The request after the first: how quickly the new version settles. */
  secondMs: number;
  steadyP50Ms: number;
}

export interface Promotion {
  name: string;
  sizeMiB: number;
  modelBytes: number;
  reps: PromotionRep[];
  median: { moveMs: number; firstMs: number; secondMs: number; steadyP50Ms: number };
  /** Median first ÷ median steady p50. */
  ratio: number;
}

export interface ColdstartResult extends SuiteResult {
  sizes: ColdSize[];
  promotion: Promotion;
}

const exec = promisify(execFile);
const infer = (url: string, body: string, headers: Record<string, string>) => postJson<InferResponse>(url, body, headers);

async function baselineCold(pkg: MlpPackage, warm: MlpPackage, body: string): Promise<ColdLoad> {
  const args = ['--import', 'tsx', 'bench/cold-load.ts', '--model', pkg.modelFile, '--warm-model', warm.modelFile, '--body', body];
  const { stdout } = await exec(process.execPath, args, { cwd: REPO_ROOT, maxBuffer: 16 * MiB });
  return JSON.parse(stdout) as ColdLoad;
}

async function slipwayCold(slipway: SlipwayServer, name: string, body: string): Promise<SlipwayCold & { outputs: JsonTensor[] }> {
  await slipway.cooldown(name);
  const url = `${slipway.url}/v2/models/${name}/infer`;
  const { answer: first, ms: firstMs } = await infer(url, body, slipway.headers);
  const loaded = (await slipway.models()).models.find((m) => m.pipeline === name);
  if (loaded === undefined) throw new Error(`${name} answered but is not listed in /v1/serving/models`);
  const { ms: warmMs } = await infer(url, body, slipway.headers);
  return { firstMs, loadMs: loaded.loadMs, warmupMs: loaded.warmupMs, host: loaded.host, warmMs, outputs: first.outputs };
}

async function measureSize(slipway: SlipwayServer, config: ResolvedBenchConfig, workDir: string, warm: MlpPackage, sizeMiB: number): Promise<ColdSize> {
  const name = `cold-${sizeMiB}mib`;
  const widths = coldWidths(sizeMiB * MiB);
  const pkg = await writeMlpPackage(workDir, { name, widths, seed: 3 });
  const body = oneRowBody({ name: MLP_INPUT, width: IN });
  const { ms: pushMs } = await slipway.push(pkg.dir);
  const reps: ColdRep[] = [];
  for (let rep = 0; rep < config.reps; rep++) {
    // Alternating which goes first keeps page-cache and frequency drift from favouring one.
    const slipwayFirst = rep % 2 === 0;
    const b1 = slipwayFirst ? undefined : await baselineCold(pkg, warm, body);
    const { outputs, ...s } = await slipwayCold(slipway, name, body);
    const b = b1 ?? (await baselineCold(pkg, warm, body));
    if (!sameOutputs(outputs, b.outputs)) throw new Error(`${name}: Slipway and onnxruntime disagree on the first prediction`);
    const baseline = { readMs: b.readMs, createMs: b.createMs, runMs: b.runMs, totalMs: b.totalMs };
    reps.push({ firstInRep: slipwayFirst ? 'slipway' : 'baseline', slipway: s, baseline });
    progress(`coldstart ${name} rep ${rep + 1}/${config.reps}: slipway ${s.firstMs.toFixed(1)} ms (load ${s.loadMs.toFixed(1)}, warm-up ${s.warmupMs.toFixed(1)}, ${s.host}), onnxruntime ${b.totalMs.toFixed(1)} ms`);
  }
  const m = (pick: (r: ColdRep) => number) => median(reps.map(pick));
  const slipwayMs = m((r) => r.slipway.firstMs);
  const baselineMs = m((r) => r.baseline.totalMs);
  return {
    sizeMiB,
    name,
    widths,
    modelBytes: pkg.modelBytes,
    pushMs,
    reps,
    median: {
      slipwayMs,
      loadMs: m((r) => r.slipway.loadMs),
      warmupMs: m((r) => r.slipway.warmupMs),
      otherMs: m((r) => r.slipway.firstMs - r.slipway.loadMs - r.slipway.warmupMs),
      warmMs: m((r) => r.slipway.warmMs),
      baselineMs,
      readMs: m((r) => r.baseline.readMs),
      createMs: m((r) => r.baseline.createMs),
      runMs: m((r) => r.baseline.runMs),
    },
    ratio: slipwayMs / baselineMs,
    limitMs: FACTOR * baselineMs + SLACK_MS,
  };
}

async function measurePromotion(slipway: SlipwayServer, config: ResolvedBenchConfig, workDir: string): Promise<Promotion> {
  const sizeMiB = promotionSize(config.coldSizes);
  const name = 'promote';
  const widths = coldWidths(sizeMiB * MiB);
  const body = oneRowBody({ name: MLP_INPUT, width: IN });
  const url = `${slipway.url}/v2/models/${encodeURIComponent(`${name}@${PROMOTION_ALIAS}`)}/infer`;
  // Each version is a different model (another seed), pushed then deleted from the work folder.
  const push = async (v: number) => {
    const pkg = await writeMlpPackage(workDir, { name, widths, seed: 100 + v }, {}, `${name}-v${v}`);
    const pushed = await slipway.push(pkg.dir);
    await rm(pkg.dir, { recursive: true, force: true });
    return { ...pushed, modelBytes: pkg.modelBytes };
  };
  const v1 = await push(1);
  await slipway.setAlias(name, PROMOTION_ALIAS, v1.version);
  const reps: PromotionRep[] = [];
  for (let rep = 0; rep < config.reps; rep++) {
    const { version, ms: pushMs } = await push(rep + 2);
    const moveMs = await slipway.setAlias(name, PROMOTION_ALIAS, version);
    const { answer: first, ms: firstMs } = await infer(url, body, slipway.headers);
    if (first.model_version !== String(version)) throw new Error(`${name}@${PROMOTION_ALIAS} answered from version ${first.model_version} after the move to ${version}`);
    const steady: number[] = [];
    for (let i = 0; i < STEADY_REQUESTS; i++) steady.push((await infer(url, body, slipway.headers)).ms);
    const steadyP50Ms = percentile(Float64Array.from(steady).sort(), 50);
    reps.push({ version, pushMs, moveMs, firstMs, secondMs: steady[0]!, steadyP50Ms });
    progress(`promotion ${name} v${version}: alias move ${moveMs.toFixed(1)} ms, first request ${firstMs.toFixed(2)} ms, steady p50 ${steadyP50Ms.toFixed(2)} ms`);
  }
  const m = (pick: (r: PromotionRep) => number) => median(reps.map(pick));
  const medians = { moveMs: m((r) => r.moveMs), firstMs: m((r) => r.firstMs), secondMs: m((r) => r.secondMs), steadyP50Ms: m((r) => r.steadyP50Ms) };
  return { name, sizeMiB, modelBytes: v1.modelBytes, reps, median: medians, ratio: medians.firstMs / medians.steadyP50Ms };
}

function coldstartTargets(sizes: readonly ColdSize[], promotion: Promotion): TargetCheck[] {
  return [
    ...sizes.map((s) => ({
      name: `${s.name} first request`,
      goal: `≤ ${FACTOR}× onnxruntime + ${SLACK_MS} ms (${s.limitMs.toFixed(1)} ms)`,
      measured: `${s.median.slipwayMs.toFixed(1)} ms`,
      met: s.median.slipwayMs <= s.limitMs,
    })),
    {
      name: `${promotion.name}@${PROMOTION_ALIAS} first request after the move`,
      goal: `≤ ${PROMOTION_FACTOR}× steady p50`,
      measured: times(promotion.ratio),
      met: promotion.ratio <= PROMOTION_FACTOR,
    },
  ];
}

export async function runColdstart({ config, workDir }: SuiteContext): Promise<ColdstartResult> {
  const warm = await writeMlpPackage(workDir, WARM_MODEL);
  progress('coldstart: starting Slipway…');
  const slipway = await startSlipway();
  try {
    const sizes: ColdSize[] = [];
    for (const size of config.coldSizes) sizes.push(await measureSize(slipway, config, workDir, warm, size));
    const promotion = await measurePromotion(slipway, config, workDir);
    return { sizes, promotion, targets: coldstartTargets(sizes, promotion), problems: [] };
  } finally {
    await slipway.stop();
  }
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

export function formatColdstart(result: ColdstartResult, config: ResolvedBenchConfig): string {
  const sizeRows = result.sizes.map((s) => [
    s.name,
    f1(s.modelBytes / MiB),
    s.reps[0]?.slipway.host ?? '',
    f1(s.median.slipwayMs),
    range(s.reps.map((r) => r.slipway.firstMs), 1),
    f1(s.median.loadMs),
    f1(s.median.warmupMs),
    f1(s.median.otherMs),
    f2(s.median.warmMs),
    f1(s.median.baselineMs),
    f1(s.median.readMs),
    f1(s.median.createMs),
    f2(s.median.runMs),
    times(s.ratio),
  ]);
  const p = result.promotion;
  const promotionRows = p.reps.map((r) => [`${p.name} v${r.version}`, f1(r.pushMs), f1(r.moveMs), f2(r.firstMs), f2(r.secondMs), f2(r.steadyP50Ms), times(r.firstMs / r.steadyP50Ms)]);
  promotionRows.push(['median', '', f1(p.median.moveMs), f2(p.median.firstMs), f2(p.median.secondMs), f2(p.median.steadyP50Ms), times(p.ratio)]);
  return [
    ...heading(
      'coldstart — first POST /v2/models/{name}/infer to an unloaded version (request → first prediction) vs onnxruntime create(bytes) + one run in a fresh process',
      `median of ${config.reps} repetitions per size, cooldown before each; FP32 MLPs 256→…→16, one row`,
    ),
    ...renderTable(
      ['model', 'MiB', 'host', 'slipway ms', 'range', 'load ms', 'warm-up ms', 'other ms', 'warm ms', 'ort ms', 'read ms', 'create ms', 'run ms', 'slipway/ort'],
      sizeRows,
    ),
    '',
    'slipway ms: client-side, cold request; load/warm-up: the server’s session creation and warm-up run (/v1/serving/models);',
    'other: the rest (artifact read and digest check, the request’s own run, HTTP); warm ms: the next request.',
    'ort ms = read + create + run in a fresh process whose onnxruntime is already initialised.',
    '',
    `promotion — push a new version of a ${f1(p.modelBytes / MiB)} MiB model, move @${PROMOTION_ALIAS} (Slipway preloads), first request vs steady p50 of the next ${STEADY_REQUESTS}`,
    ...renderTable(['version', 'push ms', 'alias move ms', 'first ms', 'second ms', 'steady p50 ms', 'first/p50'], promotionRows),
    ...formatTargets(result.targets),
  ].join('\n');
}

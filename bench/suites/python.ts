/**
 * Python peer: the credit-risk model served as a data scientist would without Slipway —
 * FastAPI + uvicorn + scikit-learn (bench/python/credit_risk_server.py, Debian's packages,
 * `/usr/bin/python3`) — against Slipway's `POST /v1/runs` on `credit-risk@production`,
 * the same applicant record to both. Skipped, visibly, when those packages are missing.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type FeatureSpec, MANIFEST_FILE, type RunResponse, parseManifest } from '@slipway/core';
import type { ResolvedBenchConfig } from '../config.js';
import { measureCell, progress, warmUp } from '../compare.js';
import { postJson } from '../http-client.js';
import { EXAMPLES_DIR } from '../paths.js';
import { type Cell, formatCells } from '../report.js';
import { startCommandServer } from '../server-process.js';
import { startSlipway } from '../slipway.js';
import { type SuiteContext, type SuiteResult, heading } from './context.js';

const PYTHON = '/usr/bin/python3';
const APT_PACKAGES = 'python3-fastapi python3-uvicorn python3-sklearn';
const PIPELINE = 'credit-risk';
const ALIAS = 'production';

export interface PythonResult extends SuiteResult {
  /** Why the suite did not run, with the fix. */
  skipped?: string;
  record?: Record<string, string | number | boolean>;
  /** P(label) each server answered for the record (the last class): the two models are trained apart, so close, not equal. */
  agreement?: { label: string; slipway: number; python: number };
  cells: Cell[];
}

/** The first row of a CSV as a record typed by the features (numbers, booleans, category strings). */
export function firstRecord(csv: string, features: readonly FeatureSpec[]): Record<string, string | number | boolean> {
  const [header = '', row = ''] = csv.split('\n');
  const values = new Map(header.split(',').map((column, i) => [column.trim(), (row.split(',')[i] ?? '').trim()]));
  return Object.fromEntries(
    features.map((f) => {
      const raw = values.get(f.name);
      if (raw === undefined) throw new Error(`the CSV has no column "${f.name}"`);
      return [f.name, f.type === 'numeric' ? Number(raw) : f.type === 'boolean' ? raw === 'true' || raw === '1' : raw];
    }),
  );
}

async function pythonReady(): Promise<boolean> {
  return promisify(execFile)(PYTHON, ['-c', 'import fastapi, uvicorn, sklearn']).then(
    () => true,
    () => false,
  );
}

/** P(class) from a `predictions` answer, or an error naming the server. */
function probability(answer: unknown, label: string, server: string): number {
  const p = (answer as Pick<RunResponse, 'predictions'>).predictions?.[0]?.probabilities[label];
  if (typeof p !== 'number') throw new Error(`${server} answered without predictions[0].probabilities.${label}: ${JSON.stringify(answer).slice(0, 300)}`);
  return p;
}

export async function runPython({ config }: SuiteContext): Promise<PythonResult> {
  if (!(await pythonReady())) {
    return {
      skipped: `${PYTHON} cannot import fastapi, uvicorn and sklearn; install them with \`apt-get install -y ${APT_PACKAGES}\``,
      cells: [],
      targets: [],
      problems: [],
    };
  }
  const dir = join(EXAMPLES_DIR, PIPELINE);
  const manifest = parseManifest(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  const features = manifest.tabular?.features ?? [];
  const classLabels = manifest.outputs?.classLabels ?? [];
  const l2 = manifest.lineage?.parameters?.l2;
  if (features.length === 0 || classLabels.length === 0 || typeof l2 !== 'number') {
    throw new Error(`examples/${PIPELINE}/${MANIFEST_FILE} lacks tabular.features, outputs.classLabels or lineage.parameters.l2`);
  }
  const record = firstRecord(await readFile(join(dir, 'data', 'holdout.csv'), 'utf8'), features);
  const spec = JSON.stringify({ features, classLabels, l2 });

  progress('python: starting Slipway and the FastAPI peer (it trains at start)…');
  const slipway = await startSlipway();
  try {
    const python = await startCommandServer('python peer', PYTHON, ['bench/python/credit_risk_server.py', '--train', join(dir, 'data', 'train.csv'), '--spec', spec]);
    try {
      const targets = {
        slipway: { url: `${slipway.url}/v1/runs`, body: JSON.stringify({ pipeline: `${PIPELINE}@${ALIAS}`, inputs: record }), headers: slipway.headers },
        baseline: { url: `${python.url}/predict`, body: JSON.stringify(record) },
      };
      const label = classLabels.at(-1)!;
      const agreement = {
        label,
        slipway: probability((await postJson(targets.slipway.url, targets.slipway.body, slipway.headers)).answer, label, 'Slipway'),
        python: probability((await postJson(targets.baseline.url, targets.baseline.body)).answer, label, 'the Python peer'),
      };
      await warmUp(PIPELINE, targets, Math.max(...config.concurrency), config.warmup);
      const cells: Cell[] = [];
      for (const connections of config.concurrency) {
        cells.push(await measureCell({ model: `${PIPELINE}@${ALIAS}`, baseline: 'python', targets, connections, reps: config.reps, duration: config.duration }));
      }
      const problems = cells.flatMap((c) => c.problems.map((p) => `${c.model} c=${c.concurrency} ${p}`));
      return { record, agreement, cells, targets: [], problems };
    } finally {
      await python.stop();
    }
  } finally {
    await slipway.stop();
  }
}

export function formatPython(result: PythonResult, config: ResolvedBenchConfig): string {
  const title = `python — credit-risk, one applicant record per request: Slipway POST /v1/runs (${PIPELINE}@${ALIAS}) vs FastAPI + uvicorn + scikit-learn POST /predict`;
  if (result.skipped !== undefined) return [`== ${title}`, `!! SKIPPED: ${result.skipped}`].join('\n');
  const a = result.agreement;
  return [
    ...heading(title, `median of ${config.reps} × ${config.duration} s per cell after ${config.warmup} s warm-up; uvicorn: one worker, as \`uvicorn app:app\` starts`),
    ...formatCells(result.cells),
    ...(a ? ['', `same record, P(${a.label}): Slipway ${a.slipway.toFixed(4)}, Python ${a.python.toFixed(4)} (trained apart: gradient descent vs lbfgs)`] : []),
  ].join('\n');
}

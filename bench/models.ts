/**
 * The models the overhead suite measures and the one request body each is measured with:
 * a single FP32 row, byte-for-byte the same for Slipway and the bare server. Examples come
 * from `examples/` (the server deploys them itself); generated models are built into the
 * run's work folder and pushed by the suite.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type InferRequest, MANIFEST_FILE, type Manifest, featureWidth, parseManifest } from '@slipway/core';
import { MLP_INPUT, type MlpSpec, writeMlpPackage } from './mlp.js';
import { EXAMPLES_DIR } from './paths.js';

/** The model input a one-row request fills. */
export interface RowInput {
  name: string;
  width: number;
}

/** How to find each example's input: fixed for the signal model, from the manifest for tabular ones. */
const EXAMPLE_INPUTS = {
  // `signal` FP32 [batch, 16]: the sensor window length, fixed by the model's architecture.
  'sensor-mlp': (): RowInput => ({ name: 'signal', width: 16 }),
  'credit-risk': (manifest: Manifest): RowInput => {
    const tabular = manifest.tabular;
    if (tabular?.input === undefined) throw new Error(`examples/credit-risk/${MANIFEST_FILE}: tabular.input is missing; cannot size the request`);
    return { name: tabular.input, width: featureWidth(tabular.features) };
  },
} as const;

/** Generated models. `heavy-mlp`: three 512×512 layers, ~3 MiB of weights, well over 50 µs of compute per run. */
const GENERATED: Record<string, Omit<MlpSpec, 'name'>> = {
  'heavy-mlp': { widths: [512, 512, 512, 512, 16], seed: 7 },
};

export const BENCH_MODEL_NAMES: readonly string[] = [...Object.keys(EXAMPLE_INPUTS), ...Object.keys(GENERATED)];

export interface BenchModel {
  /** Pipeline name, also the OIP model name in `/v2/models/{name}/infer`. */
  name: string;
  /** The .onnx file Slipway serves for this model, which the bare server loads. */
  modelFile: string;
  /** The package folder to push; absent for examples, which the server deploys itself. */
  packageDir?: string;
  input: RowInput;
  /** The JSON request body sent to both servers. */
  body: string;
}

/** Deterministic, varied values: a benchmark should not ride on a run of zeros. */
function row(width: number): number[] {
  return Array.from({ length: width }, (_, i) => Math.round(Math.sin(i + 1) * 1000) / 1000);
}

/** An OIP request body holding one row of `input`. */
export function oneRowBody(input: RowInput): string {
  const request: InferRequest = { inputs: [{ name: input.name, datatype: 'FP32', shape: [1, input.width], data: row(input.width) }] };
  return JSON.stringify(request);
}

async function loadExample(name: keyof typeof EXAMPLE_INPUTS): Promise<BenchModel> {
  const dir = join(EXAMPLES_DIR, name);
  const text = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch((error: unknown) => {
    throw new Error(`examples/${name}/${MANIFEST_FILE} cannot be read; generate the examples with \`npm run train-examples\``, { cause: error });
  });
  const manifest = parseManifest(text);
  const input = EXAMPLE_INPUTS[name](manifest);
  return { name, modelFile: join(dir, manifest.model), input, body: oneRowBody(input) };
}

/** Loads an example, or builds a generated model's package under `workDir`. */
export async function loadBenchModel(name: string, workDir: string): Promise<BenchModel> {
  if (name in EXAMPLE_INPUTS) return loadExample(name as keyof typeof EXAMPLE_INPUTS);
  const spec = GENERATED[name];
  if (spec === undefined) throw new Error(`no benchmark is defined for "${name}"; choose one of ${BENCH_MODEL_NAMES.join(', ')}`);
  const pkg = await writeMlpPackage(workDir, { name, ...spec });
  const input = { name: MLP_INPUT, width: pkg.inputWidth };
  return { name, modelFile: pkg.modelFile, packageDir: pkg.dir, input, body: oneRowBody(input) };
}

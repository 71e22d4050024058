/**
 * The benchmarked example pipelines and the one request body each is measured with: a
 * single FP32 row, byte-for-byte the same for Slipway and the bare server.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type InferRequest, MANIFEST_FILE, type Manifest, featureWidth, parseManifest } from '@slipway/core';
import { EXAMPLES_DIR } from './paths.js';

/** The model input a one-row request fills. */
interface RowInput {
  name: string;
  width: number;
}

/** How to find each model's input: fixed for the signal model, from the manifest for tabular ones. */
const ROW_INPUTS = {
  // `signal` FP32 [batch, 16]: the sensor window length, fixed by the model's architecture.
  'sensor-mlp': (): RowInput => ({ name: 'signal', width: 16 }),
  'credit-risk': (manifest: Manifest): RowInput => {
    const tabular = manifest.tabular;
    if (tabular?.input === undefined) throw new Error(`examples/credit-risk/${MANIFEST_FILE}: tabular.input is missing; cannot size the request`);
    return { name: tabular.input, width: featureWidth(tabular.features) };
  },
} as const;

export const BENCH_MODEL_NAMES = Object.keys(ROW_INPUTS) as readonly (keyof typeof ROW_INPUTS)[];

export interface BenchModel {
  /** Pipeline name, also the OIP model name in `/v2/models/{name}/infer`. */
  name: string;
  /** The .onnx file Slipway serves for this example, which the bare server loads. */
  modelFile: string;
  input: RowInput;
  /** The JSON request body sent to both servers. */
  body: string;
}

/** Deterministic, varied values: a benchmark should not ride on a run of zeros. */
function row(width: number): number[] {
  return Array.from({ length: width }, (_, i) => Math.round(Math.sin(i + 1) * 1000) / 1000);
}

export async function loadBenchModel(name: string): Promise<BenchModel> {
  if (!(name in ROW_INPUTS)) throw new Error(`no benchmark is defined for "${name}"; choose one of ${BENCH_MODEL_NAMES.join(', ')}`);
  const dir = join(EXAMPLES_DIR, name);
  const text = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch((error: unknown) => {
    throw new Error(`examples/${name}/${MANIFEST_FILE} cannot be read; generate the examples with \`npm run train-examples\``, { cause: error });
  });
  const manifest = parseManifest(text);
  const input = ROW_INPUTS[name as keyof typeof ROW_INPUTS](manifest);
  const request: InferRequest = { inputs: [{ name: input.name, datatype: 'FP32', shape: [1, input.width], data: row(input.width) }] };
  return { name, modelFile: join(dir, manifest.model), input, body: JSON.stringify(request) };
}

/**
 * The cold-start baseline, run as a fresh child per measurement: onnxruntime's own
 * `InferenceSession.create(bytes)` and one run, on the same file and request Slipway gets.
 * onnxruntime is initialised first with a tiny model, because Slipway paid that once at
 * start-up; the clock then covers exactly file → session → first prediction, as Slipway's
 * cold request does (minus HTTP).
 *
 *   node --import tsx bench/cold-load.ts --model big.onnx --warm-model tiny.onnx --body '{"inputs":[…]}'
 *
 * prints one JSON line: the phases in ms and the outputs, which must match Slipway's.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { InferRequest, JsonTensor } from '@slipway/core';
import { InferenceSession } from 'onnxruntime-node';
import { SESSION_OPTIONS, runSession } from './ort-baseline.js';

export interface ColdLoad {
  readMs: number;
  createMs: number;
  runMs: number;
  totalMs: number;
  outputs: JsonTensor[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, 'warm-model': { type: 'string' }, body: { type: 'string' } } });
  if (values.model === undefined || values['warm-model'] === undefined || values.body === undefined) {
    throw new Error('--model <file.onnx>, --warm-model <file.onnx> and --body <OIP request JSON> are required');
  }
  const { inputs } = JSON.parse(values.body) as InferRequest;
  const warm = await InferenceSession.create(values['warm-model'], SESSION_OPTIONS);
  await runSession(warm, inputs);
  await warm.release();

  const t0 = performance.now();
  const bytes = await readFile(values.model);
  const t1 = performance.now();
  const session = await InferenceSession.create(bytes, SESSION_OPTIONS);
  const t2 = performance.now();
  const outputs = await runSession(session, inputs);
  const t3 = performance.now();
  const result: ColdLoad = { readMs: t1 - t0, createMs: t2 - t1, runMs: t3 - t2, totalMs: t3 - t0, outputs };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(`cold-load: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

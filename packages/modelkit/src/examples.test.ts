import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { featureWidth, parseManifest } from '@slipway/core';
import { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExamples } from './examples.js';

const COMMITTED = fileURLToPath(new URL('../../../examples/', import.meta.url));
const EXAMPLES = ['credit-risk', 'sensor-mlp'];

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

describe('the committed examples', () => {
  let fresh: string;
  beforeAll(async () => {
    fresh = await mkdtemp(join(tmpdir(), 'slipway-examples-'));
    await writeExamples(fresh);
  });
  afterAll(async () => {
    await rm(fresh, { recursive: true, force: true });
  });

  it.each(EXAMPLES)('%s is byte-identical to a fresh training run (run `npm run train-examples` and commit if not)', async (example) => {
    const files = await listFiles(join(fresh, example));
    expect(await listFiles(join(COMMITTED, example))).toEqual(files);
    for (const file of files) {
      expect({ file, sha256: await sha256(join(COMMITTED, example, file)) }).toEqual({ file, sha256: await sha256(join(fresh, example, file)) });
    }
  });

  it.each(EXAMPLES)('%s is a valid package that fits its model, under 1 MB', async (example) => {
    const dir = join(COMMITTED, example);
    const manifest = parseManifest(await readFile(join(dir, 'slipway.yaml'), 'utf8'));
    expect(manifest.name).toBe(example);
    expect(manifest.lineage?.dataset?.digest).toBe(`sha256:${await sha256(join(dir, 'data/train.csv'))}`);
    const session = await InferenceSession.create(join(dir, manifest.model));
    const input = session.inputMetadata[0];
    const probabilities = session.outputMetadata.find((o) => o.name === manifest.outputs?.probabilities);
    expect(input?.isTensor && input.type === 'float32' && input.shape[0] === 'batch').toBe(true);
    if (input?.isTensor && manifest.tabular) expect(input.shape[1]).toBe(featureWidth(manifest.tabular.features));
    expect(probabilities?.isTensor && probabilities.shape[1] === manifest.outputs?.classLabels?.length).toBe(true);
    await session.release();
    let bytes = 0;
    for (const file of await listFiles(dir)) bytes += (await stat(join(dir, file))).size;
    expect(bytes).toBeLessThan(1024 * 1024);
  });
});

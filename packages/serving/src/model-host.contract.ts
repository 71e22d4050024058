/**
 * The contract every `ModelHost` passes: load with warm-up, exact runs for every datatype,
 * errors, and unloading that lets runs in flight finish. Implementations call
 * `describeModelHostContract` from their own test file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATATYPES, SlipwayError } from '@slipway/core';
import { buildOnnxModel } from '@slipway/modelkit';
import { everyDatatypeInputs, everyDatatypeModel, matmulInputs, matmulModel, rejection, slowModel } from './testing/host-models.js';
import type { ModelHost } from './types.js';

/** Reshapes `[batch, 3]` to `[2, -1]`: refuses the warm-up's single row, serves two. */
function evenRowsModel(): Uint8Array {
  return buildOnnxModel({
    name: 'even_rows',
    inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', 3] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [2, 'cols'] }],
    initializers: [{ name: 'shape', datatype: 'INT64', dims: [2], values: [2, -1] }],
    nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
  });
}

async function expectCode(promise: Promise<unknown>, code: string, message: RegExp): Promise<SlipwayError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(SlipwayError);
  expect((error as SlipwayError).code).toBe(code);
  expect((error as SlipwayError).message).toMatch(message);
  return error as SlipwayError;
}

export function describeModelHostContract(name: string, factory: () => ModelHost): void {
  describe(`ModelHost contract: ${name}`, () => {
    let host: ModelHost;
    beforeAll(() => {
      host = factory();
    });
    afterAll(() => host.close());

    it('loads a version, warms it up and reports what each step cost', async () => {
      const report = await host.load('mm:1', matmulModel(64));
      expect(report.signature).toEqual({
        inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 64], symbolicDims: { 0: 'batch' } }],
        outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 64], symbolicDims: { 0: 'batch' } }],
      });
      expect(report.loadMs).toBeGreaterThan(0);
      expect(report.warmupMs).toBeGreaterThan(0);
      const y = (await host.infer('mm:1', { inputs: matmulInputs(64, 3) })).get('y');
      expect(y?.shape).toEqual([3, 64]);
      await host.unload('mm:1');
    });

    it('returns every datatype exactly, and only the outputs asked for', async () => {
      await host.load('every:1', everyDatatypeModel());
      const all = await host.infer('every:1', { inputs: everyDatatypeInputs() });
      const expected = everyDatatypeInputs();
      for (const datatype of DATATYPES) expect(all.get(`y_${datatype}`), datatype).toEqual(expected.get(`x_${datatype}`));
      const some = await host.infer('every:1', { inputs: everyDatatypeInputs(), outputs: ['y_BYTES', 'y_INT64'] });
      expect([...some.keys()].sort()).toEqual(['y_BYTES', 'y_INT64']);
      await host.unload('every:1');
    });

    it('refuses to run a version it does not hold, as unavailable', async () => {
      await expectCode(host.infer('absent:1', { inputs: matmulInputs(64) }), 'unavailable', /version absent:1 is not loaded on model host/);
    });

    it('refuses a second load of the same version', async () => {
      await host.load('twice:1', matmulModel(8));
      await expectCode(host.load('twice:1', matmulModel(8)), 'conflict', /already loaded/);
      await host.unload('twice:1');
    });

    it('reports a model that does not load as invalid_package and holds nothing', async () => {
      const error = await expectCode(host.load('bad:1', new TextEncoder().encode('not a model')), 'invalid_package', /not a loadable ONNX model/);
      expect(error.details).toEqual({ issues: [{ path: 'model', message: expect.stringMatching(/onnxruntime reported/) as unknown }] });
      await expectCode(host.infer('bad:1', { inputs: matmulInputs(64) }), 'unavailable', /not loaded/);
    });

    it('keeps a version whose warm-up the model refuses: real requests may still fit it', async () => {
      await host.load('even:1', evenRowsModel());
      const y = (await host.infer('even:1', { inputs: new Map([['x', { datatype: 'FP32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }]]) })).get('y');
      expect(y).toEqual({ datatype: 'FP32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) });
      await host.unload('even:1');
    });

    it('lets a run in flight finish before unloading, and refuses runs after', async () => {
      await host.load('slow:1', slowModel());
      const order: string[] = [];
      const run = host.infer('slow:1', { inputs: matmulInputs(512, 64) }).then((outputs) => (order.push('run'), outputs));
      const unloading = host.unload('slow:1').then(() => order.push('unload'));
      const [outputs] = await Promise.all([run, unloading]);
      expect(order).toEqual(['run', 'unload']);
      expect(outputs.get('y')?.shape).toEqual([64, 512]);
      await expectCode(host.infer('slow:1', { inputs: matmulInputs(512) }), 'unavailable', /not loaded/);
    });

    it('unloads everything when closed', async () => {
      const closing = factory();
      await closing.load('a:1', matmulModel(8));
      await closing.load('b:1', matmulModel(8));
      await closing.close();
      await expectCode(closing.infer('a:1', { inputs: matmulInputs(8) }), 'unavailable', /not loaded/);
    });
  });
}

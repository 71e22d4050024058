/**
 * The ONNX model runtime: loads model bytes into an onnxruntime-node session, reads the
 * model's signature from the session, and runs it. `infer` is the serving hot path, so it
 * does no more than wrap tensors, run, and unwrap the results.
 */
import { InferenceSession, type Tensor as OrtTensor } from 'onnxruntime-node';
import {
  ErrorCode,
  type FieldIssue,
  InvalidInputError,
  InvalidPackageError,
  type ModelInstance,
  type ModelRuntime,
  type ModelSignature,
  SlipwayError,
  type Tensor,
  type TensorSpec,
} from '@slipway/core';
import { unsupportedValueTypes } from './onnx-graph.js';
import { datatypeOfOrt, fromOrtTensor, toOrtTensor } from './tensor-convert.js';

export interface OnnxRuntimeOptions {
  /** Threads one operator may use. Default 0: onnxruntime picks one per physical core. */
  intraOpNumThreads?: number;
  /** Threads for running independent operators side by side. Default 0: onnxruntime picks. */
  interOpNumThreads?: number;
  /** Graph rewrites applied at load. Default `'all'`. */
  graphOptimizationLevel?: InferenceSession.SessionOptions['graphOptimizationLevel'];
  /** Execution providers in order of preference. Default `['cpu']`. */
  executionProviders?: InferenceSession.SessionOptions['executionProviders'];
  /**
   * Let intra-op threads spin-wait between runs. Default false: spinning buys a few
   * microseconds per run but burns whole cores that a server needs for HTTP (measured:
   * 3.6× the CPU for the same work).
   */
  allowSpinning?: boolean;
}

function reported(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sessionOptions(options: OnnxRuntimeOptions): InferenceSession.SessionOptions {
  const issues: FieldIssue[] = [];
  const session: InferenceSession.SessionOptions = {
    executionProviders: options.executionProviders ?? ['cpu'],
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    extra: { session: { intra_op: { allow_spinning: options.allowSpinning === true ? '1' : '0' } } },
  };
  // Checked here because onnxruntime only complains when a model loads, and that failure
  // would be blamed on the model.
  for (const key of ['intraOpNumThreads', 'interOpNumThreads'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (Number.isSafeInteger(value) && value >= 0) session[key] = value;
    else issues.push({ path: key, message: `must be a non-negative integer (0 lets onnxruntime choose), got ${value}` });
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
  return session;
}

/** Reads the signature from the session; reports every input and output Slipway cannot exchange. */
function signatureOf(session: InferenceSession): ModelSignature {
  const issues: FieldIssue[] = [];
  const specs = (values: readonly InferenceSession.ValueMetadata[], kind: 'input' | 'output'): TensorSpec[] =>
    values.flatMap((value) => {
      if (!value.isTensor) {
        issues.push({
          path: 'model',
          message: `${kind} "${value.name}" is a sequence, map or optional value, not a tensor; Slipway exchanges tensors only (for scikit-learn classifiers, convert with zipmap disabled)`,
        });
        return [];
      }
      const datatype = datatypeOfOrt(value.type);
      if (datatype === undefined) {
        issues.push({ path: 'model', message: `${kind} "${value.name}" has element type ${value.type}, which Slipway cannot exchange; cast it to a wider type in the model` });
        return [];
      }
      const spec: TensorSpec = { name: value.name, datatype, shape: value.shape.map((d) => (typeof d === 'number' ? d : -1)) };
      value.shape.forEach((d, i) => {
        // onnxruntime reports an unnamed dynamic dim as ''; only real names are kept.
        if (typeof d === 'string' && d !== '') (spec.symbolicDims ??= {})[i] = d;
      });
      return [spec];
    });
  const signature = { inputs: specs(session.inputMetadata, 'input'), outputs: specs(session.outputMetadata, 'output') };
  if (issues.length > 0) throw new InvalidPackageError(issues);
  return signature;
}

function loadFailure(model: Uint8Array, error: unknown): InvalidPackageError {
  if (model.byteLength === 0) {
    return new InvalidPackageError([{ path: 'model', message: 'is empty (0 bytes); package the .onnx file your framework exported' }]);
  }
  // onnxruntime refuses some element types (complex64, bfloat16...) without saying which
  // input or output declares them, so the graph is read to name them.
  const typeIssues = unsupportedValueTypes(model).map((message) => ({ path: 'model', message }));
  const issues =
    typeIssues.length > 0
      ? [...typeIssues, { path: 'model', message: `was refused by onnxruntime: ${reported(error)}` }]
      : [
          {
            path: 'model',
            message: `is not a loadable ONNX model (onnxruntime reported: ${reported(error)}); check that it is the .onnx file your framework exported and that it was not truncated`,
          },
        ];
  return new InvalidPackageError(issues, { cause: error });
}

function deepFreeze(signature: ModelSignature): ModelSignature {
  for (const spec of [...signature.inputs, ...signature.outputs]) {
    Object.freeze(spec.shape);
    if (spec.symbolicDims) Object.freeze(spec.symbolicDims);
    Object.freeze(spec);
  }
  Object.freeze(signature.inputs);
  Object.freeze(signature.outputs);
  return Object.freeze(signature);
}

function createInstance(session: InferenceSession, signature: ModelSignature): ModelInstance {
  let running = 0;
  let unloading: Promise<void> | undefined;
  // Resolves the wait of `unload` once the last in-flight run settles.
  let onIdle: (() => void) | undefined;

  return {
    metadata: () => signature,

    async infer(inputs: ReadonlyMap<string, Tensor>, outputs?: readonly string[]): Promise<Map<string, Tensor>> {
      if (unloading !== undefined) {
        throw new SlipwayError(ErrorCode.unavailable, 'the model was unloaded; resolve the pipeline again to run its current version');
      }
      running++;
      try {
        const feeds: Record<string, OrtTensor> = {};
        for (const [name, tensor] of inputs) feeds[name] = toOrtTensor(name, tensor);
        // An empty `outputs` list means "no preference", like an absent one: all outputs.
        const results = outputs !== undefined && outputs.length > 0 ? await session.run(feeds, outputs) : await session.run(feeds);
        const tensors = new Map<string, Tensor>();
        for (const name in results) tensors.set(name, fromOrtTensor(results[name] as OrtTensor));
        return tensors;
      } catch (error) {
        if (error instanceof SlipwayError) throw error;
        throw new SlipwayError(ErrorCode.pipelineError, `the model failed to run: ${reported(error)}`, { cause: error });
      } finally {
        if (--running === 0) onIdle?.();
      }
    },

    unload(): Promise<void> {
      // Runs already started finish before the session's memory is released.
      unloading ??= (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => (onIdle = resolve))).then(() => session.release());
      return unloading;
    },
  };
}

/** Creates the `onnx` runtime. Throws `InvalidInputError` for a bad thread count. */
export function createOnnxRuntime(options: OnnxRuntimeOptions = {}): ModelRuntime {
  const config = sessionOptions(options);
  return {
    kind: 'onnx',
    async load(model: Uint8Array): Promise<ModelInstance> {
      let loaded: InferenceSession;
      try {
        loaded = await InferenceSession.create(model, config);
      } catch (error) {
        throw loadFailure(model, error);
      }
      try {
        return createInstance(loaded, deepFreeze(signatureOf(loaded)));
      } catch (error) {
        await loaded.release();
        throw error;
      }
    },
  };
}

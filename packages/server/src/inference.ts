/**
 * The data plane shared by both inference surfaces: the Open Inference Protocol
 * (`/v2/.../infer`) and the runs API (`/v1/runs`). Both resolve a reference, check the
 * inputs against the version's signature, run the model and shape the answer.
 */
import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  type FieldIssue,
  type RunEvent,
  type RunObserver,
  SlipwayError,
  type InferResponse,
  InvalidInputError,
  type ModelMetadataResponse,
  type RunResponse,
  type RunStreamOutput,
  type Tensor,
  type VersionRecord,
  checkInputs,
  decodeClassPredictions,
  decodeTensor,
  encodeTensor,
  formatVersionRef,
  oipTensorMetadata,
  zodIssues,
} from '@slipway/core';
import { z } from 'zod';
import { type RunControls, type ServingEngine, splitRows } from '@slipway/serving';
import type { DeploymentService, RoutedRun } from './deployment-service.js';
import type { Registry } from './registry.js';
import { runInputsToTensors, toNested } from './run-inputs.js';

const runRequestSchema = z.strictObject({
  pipeline: z.string().min(1, 'must name a pipeline: name, name:vN or name@alias'),
  inputs: z.unknown().refine((v) => v !== undefined, 'is required'),
  mode: z.literal('sync').optional(),
});

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError([{ path, message: 'must be a JSON object' }]);
  }
  return value as Record<string, unknown>;
}

export type Inference = ReturnType<typeof createInference>;

/** Who asked, for the run's record: the request id, and the caller once authenticated. */
export interface RunContext {
  requestId: string;
  caller?: string;
  /** The run's id when it has one already (async and streaming runs); default a new one. */
  runId?: string;
  /** The deployment environment asked for (`x-slipway-environment`, `?env=`), and the caller's sticky key. */
  environment?: string;
  callerKey?: string;
}

/** A run whose version is resolved and whose inputs fit its signature. */
export interface PreparedRun {
  record: VersionRecord;
  inputs: Map<string, Tensor>;
  /** A shadow candidate that gets a copy of the run (deployments). */
  shadow?: RoutedRun['shadow'];
}

export interface InferenceOptions {
  registry: Registry;
  engine: ServingEngine;
  /** Told about every run once it finishes; see `RunEvent`. */
  observers?: readonly RunObserver[];
  /** Which version serves a bare pipeline name that has deployments; `deployment-service.ts`. */
  router?: Pick<DeploymentService, 'applies' | 'route' | 'mirror'>;
}

export function createInference({ registry, engine, observers = [], router }: InferenceOptions) {
  /** A bare pipeline name goes through its deployments (if it has any); anything else resolves as written. */
  async function resolveRouted(m: string, v: string | undefined, field: string, context?: RunContext): Promise<RoutedRun> {
    // Checked without a promise first: most pipelines have no deployment, and this is the hot path.
    const routed = v === undefined && router?.applies(m, context) === true ? await router.route(m, context) : undefined;
    return routed ?? { record: await registry.resolve(v === undefined ? m : `${m}:${v}`, field) };
  }

  /** `m` is an OIP model name (a pipeline, or `name@alias`); `v` an optional version. */
  async function resolveModel(m: string, v?: string, context?: RunContext): Promise<VersionRecord> {
    return (await resolveRouted(m, v, 'model_name', context)).record;
  }

  /** Runs the model and tells the observers how it went. */
  async function execute(run: Omit<RunEvent, 'startedAt' | 'latencyMs'> & { started: number }, controls: RunControls, outputs?: readonly string[], shadow?: RoutedRun['shadow']): Promise<Map<string, Tensor>> {
    const { started, ...event } = run;
    // The shadow's copy is taken first: a run on a worker thread may give its buffers away.
    const mirrored = shadow === undefined ? undefined : new Map([...run.inputs].map(([name, t]) => [name, { ...t, data: t.data.slice() }]));
    const notify = (outcome: Pick<RunEvent, 'outputs' | 'error' | 'queueMs' | 'computeMs'>) => {
      const latencyMs = performance.now() - started;
      const e: RunEvent = { ...event, ...outcome, startedAt: Date.now() - latencyMs, latencyMs };
      for (const observe of observers) observe(e);
    };
    const inputs = run.inputs as Map<string, Tensor>;
    try {
      const { outputs: result, timings } = await engine.infer(run.record, outputs === undefined ? { inputs } : { inputs, outputs }, controls);
      if (observers.length > 0) notify({ outputs: result, queueMs: timings.queueMs, computeMs: timings.computeMs });
      if (shadow !== undefined && mirrored !== undefined) router?.mirror(shadow, mirrored, result);
      return result;
    } catch (error) {
      if (observers.length > 0) notify({ error: error instanceof SlipwayError ? error.code : ErrorCode.internal });
      throw error;
    }
  }

  /** Resolves a run's reference and checks its inputs against the version's signature; nothing runs yet. */
  async function prepareRun(pipeline: string, given: unknown, context?: RunContext): Promise<PreparedRun> {
    const { record, shadow } = await resolveRouted(pipeline, undefined, 'pipeline', context);
    const inputs = runInputsToTensors(record, given);
    checkInputs(new Map([...inputs].map(([name, tensor]) => [name, { tensor, path: `inputs.${name}` }])), record.signature.inputs);
    return shadow === undefined ? { record, inputs } : { record, inputs, shadow };
  }

  /** Runs a prepared run through the data plane and shapes its answer; `context.runId` names it (default a new id). */
  async function runPrepared({ record, inputs, shadow }: PreparedRun, controls: RunControls, context: RunContext | undefined, started: number): Promise<RunResponse> {
    const id = context?.runId ?? randomUUID();
    const result = await execute({ runId: id, surface: 'runs', record, inputs, caller: context?.caller, started }, controls, undefined, shadow);
    const outputs: Record<string, unknown> = {};
    for (const [name, tensor] of result) outputs[name] = toNested(tensor);
    const response: RunResponse = {
      id,
      pipeline: record.pipeline,
      version: record.version,
      ref: formatVersionRef(record.pipeline, record.version),
      outputs,
      timings: { totalMs: 0 },
    };
    const { probabilities, classLabels } = record.manifest.outputs ?? {};
    const probs = probabilities === undefined ? undefined : result.get(probabilities);
    if (classLabels && probs) response.predictions = decodeClassPredictions(probs, classLabels);
    response.timings.totalMs = Math.round((performance.now() - started) * 1000) / 1000;
    return response;
  }

  return {
    resolveModel,

    async modelMetadata(m: string, v?: string): Promise<ModelMetadataResponse> {
      const record = await resolveModel(m, v);
      const versions = await registry.listVersions(record.pipeline);
      return {
        name: record.pipeline,
        versions: versions.map((x) => String(x.version)),
        platform: 'onnxruntime_onnx',
        inputs: record.signature.inputs.map(oipTensorMetadata),
        outputs: record.signature.outputs.map(oipTensorMetadata),
      };
    },

    /** Loads the version if needed; true once it can serve. */
    async modelReady(m: string, v?: string): Promise<{ name: string; ready: boolean }> {
      const record = await resolveModel(m, v);
      await engine.warm(record);
      return { name: record.pipeline, ready: true };
    },

    async infer(m: string, v: string | undefined, body: unknown, controls: RunControls = {}, context?: RunContext): Promise<InferResponse> {
      const started = performance.now();
      const { record, shadow } = await resolveRouted(m, v, 'model_name', context);
      const request = object(body, 'body');
      if (!Array.isArray(request.inputs) || request.inputs.length === 0) {
        throw new InvalidInputError([{ path: 'inputs', message: 'must be a non-empty array of tensors {name, shape, datatype, data}' }]);
      }
      const decoded = new Map<string, { tensor: Tensor; path: string }>();
      request.inputs.forEach((t, i) => {
        const { name, tensor } = decodeTensor(t, `inputs[${i}]`);
        if (decoded.has(name)) throw new InvalidInputError([{ path: `inputs[${i}].name`, message: `"${name}" is given twice` }]);
        decoded.set(name, { tensor, path: `inputs[${i}]` });
      });
      checkInputs(decoded, record.signature.inputs);
      let requested: string[] | undefined;
      if (request.outputs !== undefined) {
        const known = new Set(record.signature.outputs.map((o) => o.name));
        const issues: FieldIssue[] = [];
        if (!Array.isArray(request.outputs)) issues.push({ path: 'outputs', message: 'must be an array of {name}' });
        else {
          requested = request.outputs.map((o: unknown, i) => {
            const name = typeof o === 'object' && o !== null ? (o as { name?: unknown }).name : undefined;
            if (typeof name !== 'string' || !known.has(name)) {
              issues.push({ path: `outputs[${i}].name`, message: `must be one of the model's outputs: ${[...known].join(', ')}` });
            }
            return String(name);
          });
        }
        if (issues.length > 0) throw new InvalidInputError(issues);
      }
      const inputs = new Map([...decoded].map(([name, { tensor }]) => [name, tensor]));
      const predictionId = typeof request.id === 'string' ? request.id : undefined;
      const run = { runId: context?.requestId ?? randomUUID(), predictionId, surface: 'oip' as const, record, inputs, caller: context?.caller, started };
      const result = await execute(run, controls, requested, shadow);
      const response: InferResponse = {
        model_name: record.pipeline,
        model_version: String(record.version),
        outputs: [...result].map(([name, tensor]) => encodeTensor(name, tensor)),
      };
      if (predictionId !== undefined) response.id = predictionId;
      return response;
    },

    async run(body: unknown, controls: RunControls = {}, context?: RunContext): Promise<RunResponse> {
      const started = performance.now();
      const parsed = runRequestSchema.safeParse(body);
      if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
      return runPrepared(await prepareRun(parsed.data.pipeline, parsed.data.inputs, context), controls, context, started);
    },

    prepareRun,
    runPrepared,

    /**
     * A run as partial results: one per record for a list of tabular records (each run
     * alone, so the first answers before the last starts), else one. The code-pipelines
     * issue yields true partials through the same iterable.
     */
    async *streamRun(prepared: PreparedRun, controls: RunControls = {}, context?: RunContext): AsyncGenerator<RunStreamOutput> {
      const { record, inputs } = prepared;
      const rows = record.manifest.tabular ? (inputs.values().next().value?.shape[0] ?? 1) : 1;
      const parts = rows > 1 ? splitRows(inputs, Array.from({ length: rows }, () => 1)) : [inputs];
      for (const [from, part] of parts.entries()) {
        controls.signal?.throwIfAborted();
        const response = await runPrepared({ record, inputs: part }, controls, context, performance.now());
        yield { from, count: rows > 1 ? 1 : rows, version: record.version, outputs: response.outputs, ...(response.predictions ? { predictions: response.predictions } : {}) };
      }
    },
  };
}

/**
 * The OpenAPI 3.1 document served at `/openapi.json`. A test checks that every route the
 * server registers is described here, so the document cannot fall behind the code.
 */
import { DATATYPES, TIMEOUT_HEADER } from '@slipway/core';
import { monitoringIngestPaths, monitoringIngestSchemas } from './openapi-monitoring-ingest.js';
import { governancePaths, governanceSchemas } from './openapi-governance.js';
import { alertPaths, alertSchemas } from './openapi-alerts.js';
import { deploymentHeaders, deploymentPaths, deploymentSchemas } from './openapi-deployments.js';
import { policyPaths, policySchemas } from './openapi-policies.js';
import { profilePaths, profileSchemas } from './openapi-profiles.js';
import { ref, json, param } from './openapi-parts.js';

const errors = {
  '400': json(ref('Error'), 'Bad input; the message names the field and the fix'),
  '404': json(ref('Error'), 'Unknown pipeline, version or alias'),
};
const oipErrors = {
  '400': json(ref('OipError'), 'Bad input'),
  '404': json(ref('OipError'), 'Unknown model or version'),
};
const timeoutHeader = {
  name: TIMEOUT_HEADER,
  in: 'header',
  required: false,
  schema: { type: 'number', exclusiveMinimum: 0, maximum: 3_600_000 },
  description: 'Deadline for this run in milliseconds; a run still queued then is answered 504',
};
const overload = {
  '429': json(ref('Error'), 'Queue full (serving.maxQueue); retry after the Retry-After seconds'),
  '503': json(ref('Error'), 'Waited longer than serving.queueTimeoutMs; retry after the Retry-After seconds'),
  '504': json(ref('Error'), `The ${TIMEOUT_HEADER} deadline passed while queued`),
};
const authed = [{ bearer: [] }];
const dashboardPage = {
  '200': { description: 'index.html of the dashboard', content: { 'text/html': { schema: { type: 'string' } } } },
  '503': json(ref('Error'), 'The dashboard is not built; the message says to run `npm run build`'),
};

const tensor = {
  type: 'object',
  required: ['name', 'shape', 'datatype', 'data'],
  properties: {
    name: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
    datatype: { enum: DATATYPES },
    data: { type: 'array', description: 'Row-major, flat or nested' },
    parameters: { type: 'object' },
  },
};

const modelOps = (withVersion: boolean) => {
  const params = [param('model_name', 'Pipeline name, or name@alias'), ...(withVersion ? [param('model_version', 'Version number, e.g. 3')] : [])];
  return {
    metadata: { get: { tags: ['inference'], summary: 'Model metadata', parameters: params, responses: { '200': json(ref('ModelMetadata')), ...oipErrors } } },
    ready: { get: { tags: ['inference'], summary: 'Model readiness (loads the version if needed)', parameters: params, responses: { '200': json({ type: 'object' }), ...oipErrors } } },
    infer: {
      post: {
        tags: ['inference'],
        summary: 'Inference (Open Inference Protocol)',
        parameters: [...params, timeoutHeader, ...(withVersion ? [] : deploymentHeaders)],
        requestBody: { required: true, content: { 'application/json': { schema: ref('InferRequest') } } },
        responses: { '200': json(ref('InferResponse')), ...oipErrors, '413': json(ref('OipError'), 'Body over the size limit'), ...overload },
      },
    },
  };
};

const v = modelOps(false);
const vv = modelOps(true);

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Slipway API',
    version: '0.1.0',
    description: 'Management, runs and Open Inference Protocol (KServe V2) APIs of Slipway.',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      ...monitoringIngestSchemas,
      ...governanceSchemas,
      ...alertSchemas,
      ...deploymentSchemas,
      ...policySchemas,
      ...profileSchemas,
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'requestId'],
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' }, requestId: { type: 'string' } },
          },
        },
      },
      OipError: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
      Tensor: tensor,
      InferRequest: {
        type: 'object',
        required: ['inputs'],
        properties: {
          id: { type: 'string' },
          parameters: { type: 'object' },
          inputs: { type: 'array', items: ref('Tensor') },
          outputs: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
        },
      },
      InferResponse: {
        type: 'object',
        required: ['model_name', 'outputs'],
        properties: { model_name: { type: 'string' }, model_version: { type: 'string' }, id: { type: 'string' }, outputs: { type: 'array', items: ref('Tensor') } },
      },
      TensorMetadata: { type: 'object', properties: { name: { type: 'string' }, datatype: { enum: DATATYPES }, shape: { type: 'array', items: { type: 'integer' } } } },
      ModelMetadata: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          versions: { type: 'array', items: { type: 'string' } },
          platform: { type: 'string' },
          inputs: { type: 'array', items: ref('TensorMetadata') },
          outputs: { type: 'array', items: ref('TensorMetadata') },
        },
      },
      Version: {
        type: 'object',
        description: 'An immutable, content-addressed version with its signature and lineage',
        properties: {
          pipeline: { type: 'string' },
          version: { type: 'integer' },
          digest: { type: 'string' },
          manifest: { type: 'object' },
          signature: { type: 'object', properties: { inputs: { type: 'array', items: ref('TensorMetadata') }, outputs: { type: 'array', items: ref('TensorMetadata') } } },
          artifacts: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, digest: { type: 'string' }, size: { type: 'integer' } } } },
          lineage: { type: 'object' },
          createdBy: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      PipelineSummary: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          description: { type: ['string', 'null'] },
          latestVersion: { type: 'integer' },
          versionCount: { type: 'integer' },
          aliases: { type: 'object', additionalProperties: { type: 'integer' } },
          createdAt: { type: 'string' },
          updatedAt: { type: 'string' },
        },
      },
      Alias: { type: 'object', properties: { pipeline: { type: 'string' }, alias: { type: 'string' }, version: { type: 'integer' }, updatedBy: { type: 'string' }, updatedAt: { type: 'string' } } },
      AliasEvent: {
        type: 'object',
        properties: { pipeline: { type: 'string' }, alias: { type: 'string' }, fromVersion: { type: ['integer', 'null'] }, toVersion: { type: 'integer' }, actor: { type: 'string' }, at: { type: 'string' } },
      },
      LoadedVersion: {
        type: 'object',
        properties: {
          pipeline: { type: 'string' },
          version: { type: 'integer' },
          host: { type: 'string', description: 'inline (HTTP thread) or thread-N' },
          bytes: { type: 'integer', description: 'Measured memory' },
          loadMs: { type: 'number' },
          warmupMs: { type: 'number' },
          hits: { type: 'integer' },
          pinnedUntil: { type: ['string', 'null'] },
        },
      },
      RunRequest: {
        type: 'object',
        required: ['pipeline', 'inputs'],
        properties: {
          pipeline: { type: 'string', description: 'name, name:vN or name@alias' },
          inputs: { description: 'A record, a list of records (tabular pipelines), or model inputs by name' },
          mode: { enum: ['sync', 'async', 'stream'], description: 'sync (default): the outputs; async: 202 and a run record; stream: server-sent events' },
          callbackUrl: { type: 'string', description: 'async only: POSTed the run record when it finishes, signed (x-slipway-timestamp, x-slipway-signature: v1=HMAC-SHA256 of "timestamp.body")' },
        },
      },
      RunRecord: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          mode: { enum: ['async', 'stream'] },
          state: { enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] },
          pipeline: { type: 'string' },
          ref: { type: 'string' },
          version: { type: ['integer', 'null'] },
          environment: { type: ['string', 'null'], description: 'Deployment environment asked for at submit (x-slipway-environment, ?env=); async runs are routed with it when they execute' },
          callerKey: { type: ['string', 'null'], description: 'x-slipway-caller-key at submit (sticky canary arm)' },
          inputs: { description: 'As submitted; null when over the record cap (inputsTruncated)' },
          inputsTruncated: { type: 'boolean' },
          outputs: { description: '{outputs, predictions?} (async) or the partials (stream); null until completed or over the cap' },
          outputsTruncated: { type: 'boolean' },
          error: { type: ['object', 'null'], properties: { class: { enum: ['input_error', 'pipeline_error', 'oom', 'timeout', 'unavailable', 'internal'] }, code: { type: 'string' }, message: { type: 'string' } } },
          callback: { type: ['object', 'null'], properties: { url: { type: 'string' }, state: { enum: ['pending', 'delivered', 'failed'] }, attempts: { type: 'array', items: { type: 'object' } } } },
          timings: { type: 'object', properties: { enqueuedAt: { type: 'string' }, startedAt: { type: ['string', 'null'] }, finishedAt: { type: ['string', 'null'] }, queueMs: { type: ['number', 'null'] }, computeMs: { type: ['number', 'null'] } } },
          executions: { type: 'integer' },
          createdBy: { type: 'string' },
        },
      },
      RunResponse: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          pipeline: { type: 'string' },
          version: { type: 'integer' },
          ref: { type: 'string' },
          outputs: { type: 'object' },
          predictions: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' }, probabilities: { type: 'object' } } } },
          timings: { type: 'object' },
        },
      },
    },
  },
  paths: {
    '/v2/health/live': { get: { tags: ['inference'], summary: 'Liveness', responses: { '200': json({ type: 'object' }) } } },
    '/v2/health/ready': { get: { tags: ['inference'], summary: 'Readiness', responses: { '200': json({ type: 'object' }) } } },
    '/v2': { get: { tags: ['inference'], summary: 'Server metadata', responses: { '200': json({ type: 'object' }) } } },
    '/v2/models/{model_name}': v.metadata,
    '/v2/models/{model_name}/ready': v.ready,
    '/v2/models/{model_name}/infer': v.infer,
    '/v2/models/{model_name}/versions/{model_version}': vv.metadata,
    '/v2/models/{model_name}/versions/{model_version}/ready': vv.ready,
    '/v2/models/{model_name}/versions/{model_version}/infer': vv.infer,
    '/v1/runs': {
      post: {
        tags: ['runs'],
        summary: 'Run a pipeline: sync (default), async (202 + run record; auth) or stream (server-sent events output…, done | error; auth)',
        parameters: [timeoutHeader],
        requestBody: { required: true, content: { 'application/json': { schema: ref('RunRequest') } } },
        responses: {
          '200': { description: 'sync: the outputs; stream: text/event-stream', content: { 'application/json': { schema: ref('RunResponse') }, 'text/event-stream': { schema: { type: 'string' } } } },
          '202': json(ref('RunRecord'), 'async: queued; poll Location'),
          '401': json(ref('Error'), 'async and stream runs need a token'),
          ...errors,
          ...overload,
        },
      },
      get: {
        tags: ['runs'],
        summary: 'Run records of async and streaming runs, newest first',
        security: authed,
        parameters: [
          { name: 'pipeline', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'state', in: 'query', required: false, schema: { enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
        ],
        responses: { '200': json({ type: 'object', properties: { runs: { type: 'array', items: ref('RunRecord') } } }), ...errors },
      },
    },
    '/v1/runs/{id}': {
      get: { tags: ['runs'], summary: 'One run record', security: authed, parameters: [param('id', 'Run id')], responses: { '200': json(ref('RunRecord')), ...errors } },
      delete: {
        tags: ['runs'],
        summary: 'Cancel a run: queued at once; running is marked cancelled and its execution aborted (a computing model finishes, its result dropped)',
        security: authed,
        parameters: [param('id', 'Run id')],
        responses: { '200': json(ref('RunRecord')), ...errors, '409': json(ref('Error'), 'The run already finished; the message names its state') },
      },
    },
    '/v1/pipelines': {
      get: { tags: ['registry'], summary: 'List pipelines', responses: { '200': json({ type: 'object', properties: { pipelines: { type: 'array', items: ref('PipelineSummary') } } }) } },
      post: {
        tags: ['registry'],
        summary: 'Push a package (tar of the package folder); identical content returns the existing version',
        security: authed,
        parameters: [{ name: 'project', in: 'query', required: false, schema: { type: 'string' }, description: "Project of a new pipeline; default the token's project" }],
        requestBody: { required: true, content: { 'application/x-tar': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          '201': json({ type: 'object', properties: { ref: { type: 'string' }, created: { type: 'boolean' }, version: ref('Version') } }, 'New version'),
          '200': json({ type: 'object' }, 'Identical content: the existing version'),
          '401': json(ref('Error'), 'Missing or invalid token'),
          '413': json(ref('Error'), 'Package over the size limit'),
          '422': json(ref('Error'), 'Package rejected; details.issues lists every problem'),
        },
      },
    },
    '/v1/pipelines/{name}': { get: { tags: ['registry'], summary: 'One pipeline', parameters: [param('name', 'Pipeline name')], responses: { '200': json(ref('PipelineSummary')), ...errors } } },
    '/v1/pipelines/{name}/versions': {
      get: { tags: ['registry'], summary: 'Versions, newest first', parameters: [param('name', 'Pipeline name')], responses: { '200': json({ type: 'object', properties: { versions: { type: 'array', items: ref('Version') } } }), ...errors } },
    },
    '/v1/versions/{ref}': {
      get: { tags: ['registry'], summary: 'Resolve name, name:vN or name@alias to a version', parameters: [param('ref', 'name, name:vN or name@alias')], responses: { '200': json(ref('Version')), ...errors } },
    },
    '/v1/pipelines/{name}/aliases': {
      get: { tags: ['registry'], summary: 'Aliases of a pipeline', parameters: [param('name', 'Pipeline name')], responses: { '200': json({ type: 'object', properties: { aliases: { type: 'array', items: ref('Alias') } } }), ...errors } },
    },
    '/v1/pipelines/{name}/aliases/{alias}': {
      put: {
        tags: ['registry'],
        summary: 'Point an alias at a version (history kept)',
        security: authed,
        parameters: [param('name', 'Pipeline name'), param('alias', 'Alias name')],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['version'], properties: { version: { type: ['integer', 'string'] } } } } } },
        responses: { '200': json(ref('Alias')), ...errors, '401': json(ref('Error'), 'Missing or invalid token') },
      },
    },
    '/v1/pipelines/{name}/aliases/{alias}/history': {
      get: {
        tags: ['registry'],
        summary: 'Every move of an alias, oldest first',
        parameters: [param('name', 'Pipeline name'), param('alias', 'Alias name')],
        responses: { '200': json({ type: 'object', properties: { history: { type: 'array', items: ref('AliasEvent') } } }), ...errors },
      },
    },
    '/v1/pipelines/{name}/warmup': {
      post: {
        tags: ['serving'],
        summary: 'Load a version and keep it loaded (pinned) for a while or until cooldown',
        security: authed,
        parameters: [param('name', 'Pipeline name')],
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', properties: { version: { type: ['string', 'integer'], description: 'v3, 3 or @alias; default latest' }, durationSeconds: { type: 'number' } } },
            },
          },
        },
        responses: { '200': json(ref('LoadedVersion')), ...errors, '401': json(ref('Error'), 'Missing or invalid token') },
      },
    },
    '/v1/pipelines/{name}/cooldown': {
      post: {
        tags: ['serving'],
        summary: 'Release a pin and unload the version once idle',
        security: authed,
        parameters: [param('name', 'Pipeline name')],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { version: { type: ['string', 'integer'] } } } } } },
        responses: { '200': json({ type: 'object' }), ...errors, '401': json(ref('Error'), 'Missing or invalid token') },
      },
    },
    '/v1/serving/models': {
      get: {
        tags: ['serving'],
        summary: 'Loaded versions, their measured memory and the budget',
        responses: { '200': json({ type: 'object', properties: { budgetBytes: { type: 'integer' }, usedBytes: { type: 'integer' }, models: { type: 'array', items: ref('LoadedVersion') } } }) },
      },
    },
    ...monitoringIngestPaths,
    ...governancePaths,
    ...alertPaths,
    ...deploymentPaths,
    ...policyPaths,
    ...profilePaths,
    '/metrics': { get: { tags: ['meta'], summary: 'Prometheus metrics (text format, slipway_ prefix)', responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/openapi.json': { get: { tags: ['meta'], summary: 'This document', responses: { '200': json({ type: 'object' }) } } },
    // The dashboard: public static files; its data comes from the API above with the signed-in token.
    '/': { get: { tags: ['dashboard'], summary: 'The web dashboard (single-page app)', responses: dashboardPage } },
    '/*': { get: { tags: ['dashboard'], summary: 'Dashboard client routes (e.g. /pipelines/credit-risk) answer the app; API paths and file names are never caught', responses: dashboardPage } },
    '/assets/*': { get: { tags: ['dashboard'], summary: "The dashboard's built assets (content-hashed, cached for a year)", responses: { '200': { description: 'A JavaScript, CSS or image file' }, '404': { description: 'No such asset' } } } },
  },
};

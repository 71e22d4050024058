/**
 * OpenAPI paths and schemas of environments, deployments and rollouts, spread into
 * openapi.ts so that file stays one readable document.
 */
import { CALLER_KEY_HEADER, ENVIRONMENT_HEADER } from '@slipway/core';
import { ref, json, param, body } from './openapi-parts.js';

const errors = {
  '400': json(ref('Error'), 'Bad input; details.issues names every field and the fix'),
  '401': json(ref('Error'), 'Missing or invalid token'),
  '403': json(ref('Error'), 'The token lacks the permission'),
  '404': json(ref('Error'), 'Unknown pipeline or deployment'),
};
const conflict = { '409': json(ref('Error'), 'A rollout is already running, or none is') };
const authed = [{ bearer: [] }];
const one = [param('pipeline', 'Pipeline name'), param('environment', 'Environment name')];

/** Headers the inference routes read to pick a deployment. */
export const deploymentHeaders = [
  { name: ENVIRONMENT_HEADER, in: 'header', required: false, schema: { type: 'string' }, description: 'Environment whose deployment serves the run (also `?env=`); default production when deployed there' },
  { name: CALLER_KEY_HEADER, in: 'header', required: false, schema: { type: 'string' }, description: 'Stable caller key: the same key always lands on the same side of a canary or A/B split' },
];

export const deploymentSchemas = {
  DeploymentRequest: {
    type: 'object',
    required: ['pipeline', 'environment'],
    properties: {
      pipeline: { type: 'string' },
      environment: { type: 'string' },
      target: { type: 'string', description: '@alias (follows it) or vN (fixed); default @<environment>' },
      scaling: {
        type: 'object',
        properties: {
          min: { type: 'integer', minimum: 0, default: 1 },
          max: { type: 'integer', minimum: 1, default: 1 },
          targetConcurrency: { type: 'number', default: 4 },
          stableWindowSeconds: { type: 'number', default: 60 },
          panicWindowSeconds: { type: 'number', default: 6 },
          panicThreshold: { type: 'number', default: 2 },
          maxQueueMs: { type: 'number', default: 1000 },
          scaleUpDelaySeconds: { type: 'number', default: 0 },
          scaleDownDelaySeconds: { type: 'number', default: 30 },
          maxScaleUpRate: { type: 'number', default: 10 },
          maxScaleDownRate: { type: 'number', default: 2 },
          idleTimeoutSeconds: { type: 'number', default: 300 },
        },
      },
      serving: { type: 'object', description: 'Overrides of the manifest: maxConcurrency, maxQueue, queueTimeoutMs, batching' },
      resources: {
        type: 'object',
        properties: { accelerator: { enum: ['cpu', 'gpu'], default: 'cpu' }, gpuMemory: { type: ['string', 'integer'] }, memory: { type: ['string', 'integer'] } },
      },
      traffic: { type: 'array', description: 'Fixed A/B split; weights ≥ 0 summing to 100', items: { type: 'object', properties: { version: { type: 'integer' }, weight: { type: 'number' } } } },
    },
  },
  Deployment: {
    type: 'object',
    description: 'The stored deployment plus what the node does with it',
    properties: {
      pipeline: { type: 'string' },
      environment: { type: 'string' },
      target: { type: 'string' },
      version: { type: ['integer', 'null'] },
      state: { enum: ['ready', 'scaling', 'unschedulable', 'idle'] },
      message: { type: ['string', 'null'], description: 'e.g. `unschedulable: needs gpu, none available`' },
      replicas: { type: 'object', properties: { desired: { type: 'integer' }, ready: { type: 'integer' } } },
      rollout: { type: ['object', 'null'] },
    },
  },
  RolloutRequest: {
    type: 'object',
    required: ['candidate'],
    properties: {
      strategy: { enum: ['canary', 'shadow', 'ab'], default: 'canary' },
      candidate: { type: ['integer', 'string'], description: 'v4 or 4' },
      steps: { type: 'array', items: { type: 'number' }, default: [5, 25, 50, 100] },
      intervalSeconds: { type: 'number', default: 600 },
      candidateWeight: { type: 'number', description: 'A/B share of the candidate; default 50' },
      rollback: {
        type: 'object',
        properties: {
          windowSeconds: { type: 'number', default: 60 },
          minRequests: { type: 'integer', default: 20 },
          maxErrorRateIncrease: { type: 'number', default: 0.05 },
          maxP99Ratio: { type: 'number', default: 1.5 },
          p99MarginMs: { type: 'number', default: 5 },
        },
      },
    },
  },
};

export const deploymentPaths = {
  '/v1/environments': {
    get: { tags: ['deployments'], summary: 'Environments: dev, staging, production and user-defined ones', security: authed, responses: { '200': json({ type: 'object' }), ...errors } },
    post: {
      tags: ['deployments'],
      summary: 'Create an environment',
      security: authed,
      requestBody: body({ type: 'object', required: ['name'], properties: { name: { type: 'string' }, description: { type: 'string' } } }),
      responses: { '201': json({ type: 'object' }), ...errors, '409': json(ref('Error'), 'It exists already') },
    },
  },
  '/v1/deployments': {
    get: { tags: ['deployments'], summary: 'Deployments with their state and replicas', security: authed, responses: { '200': json({ type: 'object', properties: { deployments: { type: 'array', items: ref('Deployment') } } }), ...errors } },
    post: {
      tags: ['deployments'],
      summary: 'Create or replace a deployment (gates run, the version is warmed first)',
      security: authed,
      requestBody: body(ref('DeploymentRequest')),
      responses: { '200': json(ref('Deployment')), ...errors },
    },
  },
  '/v1/deployments/{pipeline}/{environment}': {
    get: { tags: ['deployments'], summary: 'One deployment', security: authed, parameters: one, responses: { '200': json(ref('Deployment')), ...errors } },
    delete: { tags: ['deployments'], summary: 'Remove a deployment (the pipeline resolves as before)', security: authed, parameters: one, responses: { '200': json({ type: 'object' }), ...errors } },
  },
  '/v1/deployments/{pipeline}/{environment}/rollout': {
    get: { tags: ['deployments'], summary: 'Rollout status: state, events, window statistics, shadow agreement', security: authed, parameters: one, responses: { '200': json({ type: 'object' }), ...errors } },
    post: {
      tags: ['deployments'],
      summary: 'Start a canary, shadow or A/B rollout (an incompatible signature is refused with the differing fields)',
      security: authed,
      parameters: one,
      requestBody: body(ref('RolloutRequest')),
      responses: { '200': json(ref('Deployment')), ...errors, ...conflict },
    },
  },
  '/v1/deployments/{pipeline}/{environment}/rollout/promote': {
    post: { tags: ['deployments'], summary: 'Promote the candidate (an alias target moves to it)', security: authed, parameters: one, responses: { '200': json(ref('Deployment')), ...errors, ...conflict } },
  },
  '/v1/deployments/{pipeline}/{environment}/rollout/abort': {
    post: { tags: ['deployments'], summary: 'Abort the rollout: all traffic back on stable', security: authed, parameters: one, responses: { '200': json(ref('Deployment')), ...errors, ...conflict } },
  },
};

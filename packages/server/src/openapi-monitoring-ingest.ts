/**
 * OpenAPI paths and schemas of the monitoring ingest routes (prediction log, feedback,
 * KPIs), spread into openapi.ts so that file stays one readable document.
 */
import { MAX_FEEDBACK_ITEMS, MAX_KPI_ITEMS, MAX_PREDICTIONS_EXPORT, MAX_PREDICTIONS_PAGE } from '@slipway/core';
import { ref, json, query } from './openapi-parts.js';

const errors = {
  '400': json(ref('Error'), 'Bad input; the message names the field (or query parameter) and the fix'),
  '401': json(ref('Error'), 'Missing or invalid token'),
  '403': json(ref('Error'), 'The token lacks the permission'),
};
const authed = [{ bearer: [] }];
const time = { type: ['integer', 'string'], description: 'Epoch ms or ISO-8601; default now' };
const issues = { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } };
const rejected = { type: 'array', description: 'Refused items by index, each with every problem; the other items were stored', items: { type: 'object', properties: { index: { type: 'integer' }, issues } } };

export const monitoringIngestSchemas = {
  PredictionRecord: {
    type: 'object',
    properties: {
      id: { type: 'string', description: '`${runId}/${row}`' },
      pipeline: { type: 'string' },
      version: { type: 'integer' },
      runId: { type: 'string' },
      predictionId: { type: ['string', 'null'] },
      row: { type: 'integer' },
      at: { type: 'integer', description: 'Epoch ms of the run' },
      latencyMs: { type: 'number' },
      caller: { type: ['string', 'null'] },
      surface: { enum: ['oip', 'runs'] },
      error: { type: ['string', 'null'], description: 'Error code when the run failed' },
      features: { type: 'object', description: 'Tabular: feature values; tensors: <input>.mean/.min/.max (BYTES: <input>.length)' },
      prediction: { type: ['object', 'null'], properties: { label: { type: 'string' }, score: { type: 'number' }, value: { type: 'number' } } },
    },
  },
  FeedbackItem: {
    type: 'object',
    required: ['label'],
    properties: {
      runId: { type: 'string', description: 'Run id of /v1/runs, or the request id of an OIP call' },
      predictionId: { type: 'string', description: 'Your id for the prediction (OIP `id`); needs pipeline' },
      pipeline: { type: 'string' },
      row: { type: 'integer', minimum: 0, default: 0 },
      label: { type: ['string', 'number'], description: 'Class label, or the true value for regression' },
      at: time,
    },
  },
  KpiItem: {
    type: 'object',
    required: ['name', 'value'],
    properties: { name: { type: 'string' }, value: { type: 'number' }, at: time, pipeline: { type: 'string' }, deployment: { type: 'string' } },
  },
};

export const monitoringIngestPaths = {
  '/v1/pipelines/{name}/predictions': {
    get: {
      tags: ['monitoring'],
      summary: 'The prediction log, oldest first: JSON pages (`next` → `after`) or streamed JSON lines of flat rows (feature.<name>, prediction.<field>)',
      security: authed,
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string' }, description: 'Pipeline name' },
        query('since', 'From (inclusive): epoch ms, ISO-8601, or a duration ago (1h, 7d)'),
        query('until', 'To (exclusive), same forms as since'),
        query('version', 'Only this version (3 or v3)'),
        query('limit', `Rows; default 1000, at most ${MAX_PREDICTIONS_PAGE} (json) or ${MAX_PREDICTIONS_EXPORT} (jsonl)`, { type: 'integer', minimum: 1 }),
        query('after', 'Paging cursor: the id of the last row of the previous page'),
        query('format', 'json (default) or jsonl', { enum: ['json', 'jsonl'] }),
      ],
      responses: {
        '200': {
          description: 'A page, or JSON lines',
          content: {
            'application/json': { schema: { type: 'object', properties: { predictions: { type: 'array', items: ref('PredictionRecord') }, next: { type: ['string', 'null'] } } } },
            'application/x-ndjson': { schema: { type: 'string' } },
          },
        },
        ...errors,
        '404': json(ref('Error'), 'Unknown pipeline'),
      },
    },
  },
  '/v1/feedback': {
    post: {
      tags: ['monitoring'],
      summary: 'Ground-truth labels for logged predictions (one, or up to ' + MAX_FEEDBACK_ITEMS + ' as items); a second label for the same prediction wins, the first stays in the history',
      security: authed,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { oneOf: [ref('FeedbackItem'), { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('FeedbackItem') } } }] } } },
      },
      responses: {
        '200': json({
          type: 'object',
          properties: {
            accepted: { type: 'integer' },
            replaced: { type: 'integer' },
            unknown: { type: 'array', description: 'Stored, but no logged prediction matched (yet)', items: { type: 'object' } },
            rejected,
          },
        }),
        ...errors,
      },
    },
  },
  '/v1/kpis': {
    post: {
      tags: ['monitoring'],
      summary: `Business KPI values (one, or up to ${MAX_KPI_ITEMS} as items)`,
      security: authed,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { oneOf: [ref('KpiItem'), { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('KpiItem') } } }] } } },
      },
      responses: { '200': json({ type: 'object', properties: { accepted: { type: 'integer' }, rejected } }), ...errors },
    },
    get: {
      tags: ['monitoring'],
      summary: 'A KPI aggregated per window (mean, sum, count); without name, the KPI names',
      security: authed,
      parameters: [
        query('name', 'KPI name; omit to list names'),
        query('pipeline', 'Only values reported for this pipeline'),
        query('from', 'Epoch ms, ISO-8601 or a duration ago; default 24 h before to'),
        query('to', 'Default now'),
        query('window', 'Window length (5m, 1h, 1d); default 1h'),
      ],
      responses: {
        '200': json({
          type: 'object',
          properties: {
            name: { type: 'string' },
            windowMs: { type: 'integer' },
            series: { type: 'array', items: { type: 'object', properties: { start: { type: 'integer' }, mean: { type: 'number' }, sum: { type: 'number' }, count: { type: 'integer' } } } },
            names: { type: 'array', items: { type: 'string' } },
          },
        }),
        ...errors,
      },
    },
  },
};

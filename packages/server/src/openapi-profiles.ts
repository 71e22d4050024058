/**
 * OpenAPI paths and schemas of the monitoring analysis routes (metrics for every chart,
 * latest drift with histogram pairs, reference profiles), spread into openapi.ts.
 */
import { METRIC_NAMES } from '@slipway/core';
import { ref, json, param, query, security } from './openapi-parts.js';

const errors = {
  '400': json(ref('Error'), 'Bad query parameter or body; the message names the parameter and the fix'),
  '401': json(ref('Error'), 'Missing or invalid token'),
  '403': json(ref('Error'), 'The token lacks the permission'),
  '404': json(ref('Error'), 'Unknown pipeline or version, or no reference profile'),
};
const pipeline = param('name', 'Pipeline name');
const window = query('window', 'Window length: 30s…31d, e.g. 5m (default), 1h, 1d. Drift, estimates and fairness exist for the manifest window (5m by default), 1h and 1d');
const version = query('version', 'Only this version (3 or v3); default every version');

export const profileSchemas = {
  MetricsResponse: {
    type: 'object',
    description:
      'One chart family over [from, to). points per window, oldest first: operational {start, requests, requestRate, errors, errorRate, latencyMs{p50,p90,p99,mean}, queueMs{mean,p99}}; ' +
      'drift {start, version, rows, share, driftShare, drifted, driftedFeatures, features{name→{method, statistic, pValue, threshold, drifted}}, prediction{…}}; ' +
      'performance {start, version, labelled, labelCoverage, metrics{accuracy, precision, recall, f1, rocAuc, logLoss, calibrationError | mae, rmse, mape, r2}, calibration}; ' +
      'estimated_performance {start, version, rows, count, metrics{accuracy, precision, recall, f1 → {value, lower, upper}}}; ' +
      'fairness {start, version, rows, selection{attribute→FairnessSummary}, labelled{attribute→FairnessSummary with TPR/FPR gaps}}; ' +
      'kpi_correlation has kpi, kpiWindows and correlations [{metric, windows, pearson, spearman}] instead of points.',
    properties: {
      pipeline: { type: 'string' },
      metric: { type: 'string', enum: [...METRIC_NAMES] },
      windowMs: { type: 'integer' },
      from: { type: 'integer', description: 'Epoch ms' },
      to: { type: 'integer', description: 'Epoch ms' },
      version: { type: 'integer' },
      points: { type: 'array', items: { type: 'object' } },
      kpi: { type: 'string' },
      kpiWindows: { type: 'integer' },
      correlations: { type: 'array', items: { type: 'object', properties: { metric: { type: 'string' }, windows: { type: 'integer' }, pearson: { type: ['number', 'null'] }, spearman: { type: ['number', 'null'] } } } },
    },
  },
  DriftResponse: {
    type: 'object',
    description: 'The newest profiled window (null before any): per-feature and prediction drift, each with its reference-vs-current histogram pair',
    properties: {
      pipeline: { type: 'string' },
      windowMs: { type: 'integer' },
      window: {
        type: ['object', 'null'],
        properties: {
          start: { type: 'integer' },
          version: { type: 'integer' },
          rows: { type: 'integer' },
          drift: {
            type: 'object',
            properties: {
              columns: { type: 'array', items: ref('ColumnDrift') },
              prediction: { type: 'array', items: ref('ColumnDrift') },
              share: { type: 'number' },
              driftShare: { type: 'number' },
              drifted: { type: 'boolean' },
            },
          },
        },
      },
    },
  },
  ColumnDrift: {
    type: 'object',
    properties: {
      column: { type: 'string' },
      method: { type: 'string', enum: ['ks', 'chi_square', 'z_test', 'wasserstein', 'jensen_shannon', 'psi'] },
      statistic: { type: ['number', 'null'] },
      pValue: { type: ['number', 'null'] },
      threshold: { type: 'number' },
      drifted: { type: 'boolean' },
      referenceCount: { type: 'integer' },
      currentCount: { type: 'integer' },
      histogram: { type: 'object', description: '{kind: numeric, boundaries, reference, current} or {kind: categorical, categories, reference, current}' },
    },
  },
  ReferenceProfile: {
    type: 'object',
    description: 'A version\'s reference profile: feature and prediction sketches, CBPE calibration, and the evaluation-set metrics and fairness the governance gate reads',
    properties: {
      pipeline: { type: 'string' },
      version: { type: 'integer' },
      source: { type: 'string' },
      rows: { type: 'integer' },
      createdAt: { type: 'string' },
      features: { type: 'object' },
      prediction: { type: ['object', 'null'] },
      cbpe: { type: ['object', 'null'] },
      positiveClass: { type: ['string', 'null'] },
      evaluation: { type: ['object', 'null'], description: '{labelled, metrics, fairness: {attribute → FairnessSummary}}' },
    },
  },
};

export const profilePaths = {
  '/v1/pipelines/{name}/metrics': {
    get: {
      tags: ['monitoring'],
      summary: 'Every monitoring chart: operational, drift, realized and estimated performance, fairness, KPI correlation',
      security,
      parameters: [
        pipeline,
        { ...query('metric', 'Chart family', { type: 'string', enum: [...METRIC_NAMES] }), required: true },
        window,
        query('from', 'ISO-8601 or epoch ms; default to − 24 h'),
        query('to', 'ISO-8601 or epoch ms; default now'),
        version,
        query('kpi', 'The KPI to correlate (required for metric=kpi_correlation)'),
      ],
      responses: { '200': json(ref('MetricsResponse')), ...errors },
    },
  },
  '/v1/pipelines/{name}/drift': {
    get: { tags: ['monitoring'], summary: 'The latest window\'s drift per feature and for the prediction, with histogram pairs', security, parameters: [pipeline, window, version], responses: { '200': json(ref('DriftResponse')), ...errors } },
  },
  '/v1/pipelines/{name}/profile': {
    get: { tags: ['monitoring'], summary: 'A version\'s reference profile (default the latest version)', security, parameters: [pipeline, version], responses: { '200': json(ref('ReferenceProfile')), ...errors } },
    post: {
      tags: ['monitoring'],
      summary: 'Recompute a version\'s reference profile from a CSV (slipway profile); needs the push permission',
      security,
      parameters: [pipeline],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['csv'],
              properties: { version: { type: ['string', 'integer'], description: '3, v3 or @alias; default latest' }, csv: { type: 'string', description: 'Header of feature names (and the label column), one row per line' }, file: { type: 'string', description: 'Name shown in errors; default upload.csv' } },
            },
          },
        },
      },
      responses: { '200': json(ref('ReferenceProfile')), ...errors, '422': json(ref('Error'), 'Bad CSV: each issue names the file, line and column') },
    },
  },
};

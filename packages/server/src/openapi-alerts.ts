/**
 * OpenAPI paths and schemas of the alert and incident routes (rules, alerts, channels,
 * incidents, classification), spread into openapi.ts.
 */
import { ref, json, param, query, body, security } from './openapi-parts.js';
const errors = {
  '400': json(ref('Error'), 'Bad input; the message names the field and the fix'),
  '401': json(ref('Error'), 'Missing or invalid token'),
  '403': json(ref('Error'), 'The token lacks the permission (read for GET, operate for changes)'),
  '404': json(ref('Error'), 'Unknown rule, channel or incident'),
};
const op = (tag: string, summary: string, extra: object = {}, ok: object = json({ type: 'object' })) => ({ tags: [tag], summary, security, responses: { '200': ok, ...errors }, ...extra });
const list = (key: string, item: string) => json({ type: 'object', required: [key], properties: { [key]: { type: 'array', items: ref(item) } } });
const limit = query('limit', 'At most this many, newest first (1–500, default 50)', { type: 'integer', minimum: 1, maximum: 500 });
const deleted = (key: string) => ({ '200': json({ type: 'object', required: [key, 'deleted'], properties: { [key]: { type: 'string' }, deleted: { const: true } } }, 'Deleted'), ...errors });
const incidentId = param('id', 'Incident id, e.g. inc-1a2b3c4d');
const channelId = param('id', 'Channel id, e.g. ch-1a2b3c4d');

export const alertSchemas = {
  AlertRule: {
    type: 'object',
    required: ['id', 'pipeline', 'name', 'origin', 'spec'],
    properties: {
      id: { type: 'string' },
      pipeline: { type: 'string' },
      name: { type: 'string' },
      origin: { enum: ['default', 'package', 'user'] },
      spec: { type: 'object', description: 'name, pipeline, metric, labels, one of threshold {op, value} / change {direction, percent, baseline} / anomaly {k, direction, referenceWindows}, window, for, severity, runbook, areas, hysteresis {margin, clearAfter}, actions [{webhook {url, secret}} | {command {argv, timeout}}], enabled' },
    },
  },
  Alert: {
    type: 'object',
    required: ['id', 'ruleName', 'pipeline', 'metric', 'severity', 'state', 'firedAt'],
    properties: {
      id: { type: 'string' },
      fingerprint: { type: 'string' },
      ruleId: { type: 'string' },
      ruleName: { type: 'string' },
      pipeline: { type: 'string' },
      metric: { type: 'string' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      severity: { enum: ['critical', 'warning', 'info'] },
      state: { enum: ['firing', 'resolved'] },
      value: { type: ['number', 'null'] },
      threshold: { type: ['number', 'null'] },
      summary: { type: 'string' },
      runbook: { type: ['string', 'null'] },
      incidentId: { type: ['string', 'null'] },
      firedAt: { type: 'string', format: 'date-time' },
      resolvedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  Channel: {
    type: 'object',
    required: ['id', 'name', 'kind', 'config', 'routing'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      kind: { enum: ['webhook', 'slack', 'email', 'alertmanager'] },
      config: { type: 'object', description: 'URLs cut to their host, secrets and passwords "(redacted)"' },
      routing: { type: 'object', properties: { severities: { type: 'array' }, pipelines: { type: 'array' }, areas: { type: 'array' } } },
    },
  },
  ChannelInput: {
    type: 'object',
    required: ['kind', 'name'],
    description: 'webhook {url, secret (≥16 chars, HMAC-SHA256 over `${timestamp}.${body}` in x-slipway-signature)}, slack {url}, alertmanager {url}, email {smtp {host, port, username?, password?}, from, to[]}; routing {severities?, pipelines?, areas?}',
    properties: { kind: { enum: ['webhook', 'slack', 'email', 'alertmanager'] }, name: { type: 'string' }, routing: { type: 'object' } },
  },
  Notification: {
    type: 'object',
    required: ['id', 'channelId', 'event', 'state', 'attempts'],
    properties: {
      id: { type: 'string' },
      channelId: { type: 'string' },
      event: { type: 'string' },
      alertId: { type: ['string', 'null'] },
      incidentId: { type: ['string', 'null'] },
      state: { enum: ['pending', 'delivered', 'failed'] },
      attempts: { type: 'array', items: { type: 'object', properties: { attempt: { type: 'integer' }, at: { type: 'string' }, status: { type: 'integer' }, error: { type: 'string' }, ms: { type: 'number' } } } },
    },
  },
  Incident: {
    type: 'object',
    required: ['id', 'pipeline', 'state', 'severity', 'areas', 'alertIds', 'openedAt'],
    properties: {
      id: { type: 'string' },
      pipeline: { type: 'string' },
      deployment: { type: ['string', 'null'] },
      title: { type: 'string' },
      state: { enum: ['open', 'acknowledged', 'resolved'] },
      severity: { enum: ['critical', 'warning', 'info'] },
      areas: { type: 'array', items: { enum: ['business', 'technical_operations', 'data_operations', 'users'] } },
      owner: { type: ['string', 'null'] },
      alertIds: { type: 'array', items: { type: 'string' } },
      openedAt: { type: 'string', format: 'date-time' },
      acknowledgedAt: { type: ['string', 'null'] },
      resolvedAt: { type: ['string', 'null'] },
    },
  },
};

const incidentView = json({
  type: 'object',
  required: ['incident', 'alerts', 'timeline', 'summary'],
  properties: { incident: ref('Incident'), alerts: { type: 'array', items: ref('Alert') }, timeline: { type: 'array', items: { type: 'object' } }, summary: { type: 'string', description: 'Ticket-ready text' } },
});
const classificationRules = { type: 'object', required: ['rules'], properties: { rules: { type: 'array', items: { type: 'object', properties: { metrics: { type: 'array' }, rules: { type: 'array' }, labels: { type: 'object' }, areas: { type: 'array' }, reason: { type: 'string' } } } } } };

export const alertPaths = {
  '/v1/alerts': { get: op('alerts', 'Alerts, firing and resolved, newest first', { parameters: [query('state', 'firing or resolved'), query('pipeline', 'Only this pipeline'), limit] }, list('alerts', 'Alert')) },
  '/v1/alerts/evaluate': { post: op('alerts', 'Evaluate every alert rule now (operate)') },
  '/v1/alerts/rules': {
    get: op('alerts', 'Alert rules', { parameters: [query('pipeline', 'Only this pipeline')] }, list('rules', 'AlertRule')),
    put: op('alerts', 'Create or replace rules by pipeline and name (operate)', { requestBody: body({ oneOf: [{ type: 'object', required: ['rules'], properties: { rules: { type: 'array' } } }, { type: 'object', required: ['yaml'], properties: { yaml: { type: 'string' } } }] }) }, list('rules', 'AlertRule')),
  },
  '/v1/alerts/rules/{pipeline}/{name}': { delete: { ...op('alerts', 'Delete an alert rule (operate)', { parameters: [param('pipeline', 'Pipeline name'), param('name', 'Rule name')] }), responses: deleted('name') } },
  '/v1/alerts/channels': {
    get: op('alerts', 'Notification channels, secrets redacted', {}, list('channels', 'Channel')),
    post: { ...op('alerts', 'Create a notification channel (operate)', { requestBody: body(ref('ChannelInput')) }), responses: { '201': json(ref('Channel'), 'Created'), ...errors } },
  },
  '/v1/alerts/channels/{id}': { delete: { ...op('alerts', 'Delete a notification channel (operate)', { parameters: [channelId] }), responses: deleted('id') } },
  '/v1/alerts/channels/{id}/test': { post: op('alerts', 'Send a test notification now; answers its delivery record (operate)', { parameters: [channelId] }, json(ref('Notification'))) },
  '/v1/alerts/channels/{id}/notifications': { get: op('alerts', 'Delivery history of a channel, with every attempt', { parameters: [channelId, limit] }, list('notifications', 'Notification')) },
  '/v1/incidents': { get: op('incidents', 'Incidents, newest first', { parameters: [query('state', 'open, acknowledged or resolved'), query('pipeline', 'Only this pipeline'), limit] }, list('incidents', 'Incident')) },
  '/v1/incidents/classification': {
    get: op('incidents', 'The rules that classify incidents into experience areas', {}, json(classificationRules)),
    put: op('incidents', 'Replace the classification rules (operate)', { requestBody: body(classificationRules) }, json(classificationRules)),
  },
  '/v1/incidents/{id}': { get: op('incidents', 'An incident with its alerts, timeline and a ticket-ready summary', { parameters: [incidentId] }, incidentView) },
  '/v1/incidents/{id}/ack': { post: op('incidents', 'Acknowledge (operate); the caller becomes owner if none', { parameters: [incidentId], requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { note: { type: 'string' } } } } } } }, json(ref('Incident'))) },
  '/v1/incidents/{id}/resolve': { post: op('incidents', 'Resolve (operate)', { parameters: [incidentId], requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { note: { type: 'string' } } } } } } }, json(ref('Incident'))) },
  '/v1/incidents/{id}/notes': { post: { ...op('incidents', 'Add a note to the timeline (operate)', { parameters: [incidentId], requestBody: body({ type: 'object', required: ['text'], properties: { text: { type: 'string' } } }) }), responses: { '201': json({ type: 'object' }, 'Added'), ...errors } } },
  '/v1/incidents/{id}/assign': { post: op('incidents', 'Assign an owner (operate)', { parameters: [incidentId], requestBody: body({ type: 'object', required: ['owner'], properties: { owner: { type: 'string' } } }) }, json(ref('Incident'))) },
};

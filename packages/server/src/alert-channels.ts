/**
 * Notification channels: what a user configures (generic webhook signed with
 * HMAC-SHA256, Slack-compatible incoming webhook, email over SMTP, Prometheus
 * Alertmanager webhook format), how a notification looks on each, and one delivery
 * attempt. Channel secrets (URLs, HMAC secrets, SMTP passwords) are sealed before they
 * are stored when the server has a sealer, and never leave through the API: `redactChannel`.
 */
import { createHmac } from 'node:crypto';
import {
  type AlertRecord,
  CALLBACK_SIGNATURE_HEADER,
  CALLBACK_TIMESTAMP_HEADER,
  type ChannelRecord,
  EXPERIENCE_AREAS,
  type IncidentRecord,
  InvalidInputError,
  PIPELINE_NAME,
  zodIssues,
} from '@slipway/core';
import { z } from 'zod';
import type { MasterKey } from '@slipway/store';
import { sendMail } from './alert-smtp.js';
import { isSealedSecret, openSecret, sealSecret } from './secrets.js';

const httpUrl = z.url({ protocol: /^https?$/ });

const routingSchema = z
  .strictObject({
    severities: z.array(z.enum(['critical', 'warning', 'info'])).default([]),
    pipelines: z.array(z.string().regex(PIPELINE_NAME, 'must be a pipeline name')).default([]),
    areas: z.array(z.enum(EXPERIENCE_AREAS as [string, ...string[]])).default([]),
  })
  .default({ severities: [], pipelines: [], areas: [] });

const email = z.string().regex(/^[^\s<>@]+@[^\s<>@]+$/, 'must be an email address such as ops@example.com');

export const channelInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('webhook'),
    name: z.string().min(1).max(100),
    url: httpUrl,
    /** Signs `${timestamp}.${body}` with HMAC-SHA256: header `x-slipway-signature: v1=<hex>`. */
    secret: z.string().min(16, 'must be at least 16 characters').max(512),
    routing: routingSchema,
  }),
  z.strictObject({ kind: z.literal('slack'), name: z.string().min(1).max(100), url: httpUrl, routing: routingSchema }),
  z.strictObject({ kind: z.literal('alertmanager'), name: z.string().min(1).max(100), url: httpUrl, routing: routingSchema }),
  z.strictObject({
    kind: z.literal('email'),
    name: z.string().min(1).max(100),
    smtp: z.strictObject({
      host: z.string().min(1).max(255),
      port: z.number().int().min(1).max(65535).default(25),
      username: z.string().min(1).max(255).optional(),
      password: z.string().min(1).max(1024).optional(),
    }),
    from: email,
    to: z.array(email).min(1).max(50),
    routing: routingSchema,
  }),
]);
export type ChannelInput = z.infer<typeof channelInputSchema>;

export function parseChannelInput(value: unknown): ChannelInput {
  const parsed = channelInputSchema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
  return parsed.data;
}

/** Seals and opens secrets for storage; the identity when the server has no key. */
export interface SecretSealer {
  seal(plain: string): string;
  open(sealed: string): string;
}
export const PLAIN_SEALER: SecretSealer = { seal: (s) => s, open: (s) => s };

/** Seals with the server's master key (AES-256-GCM, see secrets.ts); values stored before a key existed open as they are. */
export function masterKeySealer(key: MasterKey): SecretSealer {
  return {
    seal: (plain) => sealSecret(key, plain, 'alert-channel'),
    open: (stored) => (isSealedSecret(stored) ? openSecret(key, stored, 'alert-channel') : stored),
  };
}

/** Config fields that are secrets, per kind. */
const SECRET_FIELDS = ['url', 'secret', 'password'] as const;

/** The stored config: secrets sealed. */
export function channelConfig(input: ChannelInput, sealer: SecretSealer): Record<string, unknown> {
  const config = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
  for (const key of ['kind', 'name', 'routing']) delete config[key];
  if (typeof config.url === 'string') config.url = sealer.seal(config.url);
  if (typeof config.secret === 'string') config.secret = sealer.seal(config.secret);
  const smtp = config.smtp as Record<string, unknown> | undefined;
  if (typeof smtp?.password === 'string') smtp.password = sealer.seal(smtp.password);
  return config;
}

function openConfig(channel: ChannelRecord, sealer: SecretSealer): Record<string, unknown> {
  const config = JSON.parse(JSON.stringify(channel.config)) as Record<string, unknown>;
  if (typeof config.url === 'string') config.url = sealer.open(config.url);
  if (typeof config.secret === 'string') config.secret = sealer.open(config.secret);
  const smtp = config.smtp as Record<string, unknown> | undefined;
  if (typeof smtp?.password === 'string') smtp.password = sealer.open(smtp.password);
  return config;
}

/** A channel as the API shows it: URLs cut to their host, secrets and passwords replaced. */
export function redactChannel(channel: ChannelRecord, sealer: SecretSealer): ChannelRecord {
  const config = openConfig(channel, sealer);
  const redact = (obj: Record<string, unknown>) => {
    for (const key of SECRET_FIELDS) {
      const v = obj[key];
      if (typeof v !== 'string') continue;
      if (key === 'url') {
        const u = URL.canParse(v) ? new URL(v) : undefined;
        obj[key] = u === undefined ? '(redacted)' : `${u.protocol}//${u.host}/… (redacted)`;
      } else obj[key] = '(redacted)';
    }
  };
  redact(config);
  if (config.smtp !== undefined) redact(config.smtp as Record<string, unknown>);
  return { ...channel, config };
}

/** What every channel is told: an alert fired or resolved (or a test), with its incident. */
export interface NotificationMessage {
  event: 'firing' | 'resolved' | 'test';
  alert: AlertRecord;
  incident: IncidentRecord | null;
  /** The server's public URL, for links; empty when unknown. */
  externalUrl: string;
}

export function messageTitle(m: NotificationMessage): string {
  const tag = m.event === 'test' ? 'TEST' : m.event === 'firing' ? m.alert.severity.toUpperCase() : 'RESOLVED';
  return `[${tag}] ${m.alert.pipeline}: ${m.alert.ruleName} — ${m.alert.summary}`;
}

function messageLines(m: NotificationMessage): string[] {
  const labels = Object.entries(m.alert.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  return [
    messageTitle(m),
    `metric: ${m.alert.metric}${labels ? ` {${labels}}` : ''}; value ${m.alert.value ?? 'n/a'} (bound ${m.alert.threshold ?? 'n/a'})`,
    `fired at ${m.alert.firedAt}${m.alert.resolvedAt ? `, resolved at ${m.alert.resolvedAt}` : ''}`,
    ...(m.incident ? [`incident ${m.incident.id} (${m.incident.state}; areas: ${m.incident.areas.join(', ') || 'none'})`] : []),
    ...(m.alert.runbook ? [`runbook: ${m.alert.runbook}`] : []),
  ];
}

/** Generic webhook body. */
export function webhookPayload(m: NotificationMessage): Record<string, unknown> {
  return { event: m.event, title: messageTitle(m), alert: m.alert, incident: m.incident };
}

/** Slack incoming-webhook body: `text` for notifications, `blocks` for the message. */
export function slackPayload(m: NotificationMessage): Record<string, unknown> {
  const [title = '', ...rest] = messageLines(m);
  return {
    text: title,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } },
      { type: 'context', elements: rest.map((line) => ({ type: 'mrkdwn', text: line })) },
    ],
  };
}

/** The body Prometheus Alertmanager POSTs to a webhook receiver (version 4). */
export function alertmanagerPayload(m: NotificationMessage): Record<string, unknown> {
  const status = m.event === 'resolved' ? 'resolved' : 'firing';
  const labels = { alertname: m.alert.ruleName, pipeline: m.alert.pipeline, severity: m.alert.severity, metric: m.alert.metric, ...m.alert.labels };
  const annotations = { summary: m.alert.summary, ...(m.alert.runbook ? { runbook_url: m.alert.runbook } : {}), ...(m.incident ? { incident: m.incident.id, areas: m.incident.areas.join(',') } : {}) };
  return {
    version: '4',
    groupKey: `{}:{alertname="${m.alert.ruleName}",pipeline="${m.alert.pipeline}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'slipway',
    groupLabels: { alertname: m.alert.ruleName, pipeline: m.alert.pipeline },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: m.externalUrl,
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt: m.alert.firedAt,
        endsAt: m.alert.resolvedAt ?? '0001-01-01T00:00:00Z',
        generatorURL: m.externalUrl === '' ? '' : `${m.externalUrl}/v1/alerts/${encodeURIComponent(m.alert.id)}`,
        fingerprint: m.alert.fingerprint.slice(0, 16),
      },
    ],
  };
}

/** `v1=<hex HMAC-SHA256 of "${timestamp}.${body}">`, the scheme of run callbacks. */
export function signNotification(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** How one attempt ended: the receiver's status (HTTP status or SMTP code) or why it did not answer. */
export interface AttemptResult {
  ok: boolean;
  status?: number;
  error?: string;
}

export interface DeliveryOptions {
  timeoutMs: number;
  /** Epoch ms; for the signature timestamp. */
  now: () => number;
}

async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<AttemptResult> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'slipway-alerts', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok ? { ok: true, status: response.status } : { ok: false, status: response.status, error: `receiver answered ${response.status}` };
  } catch (err) {
    // Never the URL: it may hold a token (Slack's do).
    const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.name) : 'error';
    return { ok: false, error: `not delivered: ${cause}` };
  }
}

/** One delivery attempt of a message on a channel. */
export async function deliver(channel: ChannelRecord, message: NotificationMessage, sealer: SecretSealer, options: DeliveryOptions): Promise<AttemptResult> {
  const config = openConfig(channel, sealer);
  switch (channel.kind) {
    case 'webhook': {
      const body = JSON.stringify(webhookPayload(message));
      const ts = Math.floor(options.now() / 1000);
      return postJson(String(config.url), body, { [CALLBACK_TIMESTAMP_HEADER]: String(ts), [CALLBACK_SIGNATURE_HEADER]: signNotification(String(config.secret), ts, body) }, options.timeoutMs);
    }
    case 'slack':
      return postJson(String(config.url), JSON.stringify(slackPayload(message)), {}, options.timeoutMs);
    case 'alertmanager':
      return postJson(String(config.url), JSON.stringify(alertmanagerPayload(message)), {}, options.timeoutMs);
    case 'email': {
      const smtp = config.smtp as { host: string; port: number; username?: string; password?: string };
      try {
        const code = await sendMail(
          { host: smtp.host, port: smtp.port, username: smtp.username, password: smtp.password, timeoutMs: options.timeoutMs },
          { from: String(config.from), to: config.to as string[], subject: messageTitle(message), text: messageLines(message).join('\n') },
        );
        return { ok: true, status: code };
      } catch (err) {
        const code = (err as { code?: number }).code;
        return { ok: false, ...(code === undefined ? {} : { status: code }), error: err instanceof Error ? err.message : String(err) };
      }
    }
  }
}

/** True when a channel's routing takes this alert: every non-empty list must contain the alert's value. */
export function routes(channel: ChannelRecord, alert: Pick<AlertRecord, 'severity' | 'pipeline'>, areas: readonly string[]): boolean {
  const r = channel.routing;
  return (
    (r.severities.length === 0 || r.severities.includes(alert.severity)) &&
    (r.pipelines.length === 0 || r.pipelines.includes(alert.pipeline)) &&
    (r.areas.length === 0 || r.areas.some((a) => areas.includes(a)))
  );
}

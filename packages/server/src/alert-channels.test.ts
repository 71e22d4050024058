import { randomBytes } from 'node:crypto';
import { type AlertRecord, CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER, type ChannelRecord, type IncidentRecord } from '@slipway/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type NotificationMessage, PLAIN_SEALER, channelConfig, deliver, masterKeySealer, parseChannelInput, redactChannel, routes, signNotification } from './alert-channels.js';
import { formatMessage, sendMail } from './alert-smtp.js';
import { type HttpReceiver, closedPort, startHttpReceiver } from './testing/http-receiver.js';
import { type SmtpSink, startSmtpSink } from './testing/smtp-sink.js';

const SECRET = 'whsec-0123456789abcdef';
const alert: AlertRecord = {
  id: 'a-1',
  fingerprint: 'f'.repeat(64),
  ruleId: 'r-1',
  ruleName: 'dataset-drift',
  pipeline: 'credit-risk',
  metric: 'dataset_drift_share',
  labels: { feature: 'income' },
  severity: 'warning',
  state: 'firing',
  value: 0.67,
  threshold: 0.5,
  summary: 'dataset_drift_share = 0.67 ≥ 0.5',
  runbook: 'https://runbooks.example.com/drift',
  incidentId: 'inc-1',
  firedAt: '2026-11-01T12:00:00.000Z',
  resolvedAt: null,
  updatedAt: '2026-11-01T12:00:00.000Z',
};
const incident = { id: 'inc-1', state: 'open', areas: ['data_operations'] } as IncidentRecord;
const message: NotificationMessage = { event: 'firing', alert, incident, externalUrl: 'http://slipway.local' };

function channel(input: unknown, sealer = PLAIN_SEALER): ChannelRecord {
  const parsed = parseChannelInput(input);
  return { id: 'ch-1', name: parsed.name, kind: parsed.kind, config: channelConfig(parsed, sealer), routing: parsed.routing as ChannelRecord['routing'], createdAt: '', updatedAt: '' };
}
const options = { timeoutMs: 2000, now: () => Date.UTC(2026, 10, 1, 12) };

let receiver: HttpReceiver | undefined;
let sink: SmtpSink | undefined;
afterEach(async () => {
  await receiver?.close();
  await sink?.close();
  receiver = undefined;
  sink = undefined;
});

describe('webhook channel', () => {
  it('posts the alert as JSON with an HMAC-SHA256 signature over timestamp and body that verifies', async () => {
    receiver = await startHttpReceiver();
    const result = await deliver(channel({ kind: 'webhook', name: 'ops', url: `${receiver.url}/hook`, secret: SECRET }), message, PLAIN_SEALER, options);
    expect(result).toEqual({ ok: true, status: 200 });
    const [req] = receiver.received;
    const ts = Number(req!.headers[CALLBACK_TIMESTAMP_HEADER]);
    expect(ts).toBe(Date.UTC(2026, 10, 1, 12) / 1000);
    expect(req!.headers[CALLBACK_SIGNATURE_HEADER]).toBe(signNotification(SECRET, ts, req!.body));
    expect(req!.headers[CALLBACK_SIGNATURE_HEADER]).not.toBe(signNotification('another-secret-000000', ts, req!.body));
    expect(JSON.parse(req!.body)).toMatchObject({ event: 'firing', alert: { id: 'a-1', labels: { feature: 'income' } }, incident: { id: 'inc-1' } });
  });

  it('reports a refusing or absent receiver without the URL', async () => {
    receiver = await startHttpReceiver([503]);
    expect(await deliver(channel({ kind: 'webhook', name: 'ops', url: receiver.url, secret: SECRET }), message, PLAIN_SEALER, options)).toEqual({ ok: false, status: 503, error: 'receiver answered 503' });
    const down = await deliver(channel({ kind: 'webhook', name: 'ops', url: `http://127.0.0.1:${await closedPort()}/t0ken`, secret: SECRET }), message, PLAIN_SEALER, options);
    expect(down.ok).toBe(false);
    expect(down.error).toMatch(/ECONNREFUSED/);
    expect(down.error).not.toMatch(/t0ken/);
  });
});

describe('Slack and Alertmanager channels', () => {
  it('sends Slack a text with blocks', async () => {
    receiver = await startHttpReceiver();
    await deliver(channel({ kind: 'slack', name: 'slack', url: receiver.url }), message, PLAIN_SEALER, options);
    const body = JSON.parse(receiver.received[0]!.body) as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe('[WARNING] credit-risk: dataset-drift — dataset_drift_share = 0.67 ≥ 0.5');
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'context']);
  });

  it('sends the Alertmanager webhook receiver format (version 4)', async () => {
    receiver = await startHttpReceiver();
    await deliver(channel({ kind: 'alertmanager', name: 'am', url: receiver.url }), { ...message, event: 'resolved', alert: { ...alert, state: 'resolved', resolvedAt: '2026-11-01T13:00:00.000Z' } }, PLAIN_SEALER, options);
    const body = JSON.parse(receiver.received[0]!.body) as Record<string, unknown> & { alerts: Record<string, unknown>[] };
    expect(body).toMatchObject({ version: '4', status: 'resolved', receiver: 'slipway', groupLabels: { alertname: 'dataset-drift', pipeline: 'credit-risk' }, externalURL: 'http://slipway.local', truncatedAlerts: 0 });
    expect(body.alerts[0]).toMatchObject({
      status: 'resolved',
      labels: { alertname: 'dataset-drift', severity: 'warning', feature: 'income' },
      annotations: { summary: alert.summary, runbook_url: alert.runbook, incident: 'inc-1' },
      startsAt: alert.firedAt,
      endsAt: '2026-11-01T13:00:00.000Z',
      fingerprint: 'ffffffffffffffff',
    });
  });
});

describe('email channel', () => {
  it('delivers through a local SMTP sink with AUTH PLAIN', async () => {
    sink = await startSmtpSink({ requireAuth: { username: 'alerts', password: 'pa55word' } });
    const ch = channel({ kind: 'email', name: 'mail', smtp: { host: '127.0.0.1', port: sink.port, username: 'alerts', password: 'pa55word' }, from: 'slipway@example.com', to: ['oncall@example.com', 'ds@example.com'] });
    expect(await deliver(ch, message, PLAIN_SEALER, options)).toEqual({ ok: true, status: 250 });
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]).toMatchObject({ from: 'slipway@example.com', to: ['oncall@example.com', 'ds@example.com'], auth: 'alerts' });
    expect(sink.received[0]!.data).toContain('Subject: [WARNING] credit-risk: dataset-drift');
    expect(sink.received[0]!.data).toContain('runbook: https://runbooks.example.com/drift');
  });

  it('reports a wrong password with the SMTP code', async () => {
    sink = await startSmtpSink({ requireAuth: { username: 'alerts', password: 'right' } });
    const ch = channel({ kind: 'email', name: 'mail', smtp: { host: '127.0.0.1', port: sink.port, username: 'alerts', password: 'wrong' }, from: 'a@example.com', to: ['b@example.com'] });
    const result = await deliver(ch, message, PLAIN_SEALER, options);
    expect(result).toMatchObject({ ok: false, status: 535 });
    expect(result.error).not.toContain('wrong');
  });

  it('dot-stuffs lines and keeps headers on one line', () => {
    const text = formatMessage({ from: 'a@x', to: ['b@x'], subject: 'evil\r\nBcc: c@x', text: '.hidden\nplain' }, new Date(0));
    expect(text).toContain('Subject: evil Bcc: c@x\r\n');
    expect(text).toContain('\r\n\r\n..hidden\r\nplain\r\n');
  });

  it('fails fast when nothing listens', async () => {
    await expect(sendMail({ host: '127.0.0.1', port: await closedPort(), timeoutMs: 2000 }, { from: 'a@x', to: ['b@x'], subject: 's', text: 't' })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('channel secrets and routing', () => {
  it('never shows URLs, secrets or passwords, and seals them with the master key', () => {
    const sealer = masterKeySealer({ id: 'k1', key: randomBytes(32) });
    const ch = channel({ kind: 'webhook', name: 'ops', url: 'https://hooks.example.com/T000/B000/XXXX', secret: SECRET }, sealer);
    expect(JSON.stringify(ch.config)).not.toContain('XXXX');
    expect(JSON.stringify(ch.config)).not.toContain(SECRET);
    expect(String(ch.config.url)).toMatch(/^sealed:v1:k1:/);
    const shown = redactChannel(ch, sealer);
    expect(shown.config).toEqual({ url: 'https://hooks.example.com/… (redacted)', secret: '(redacted)' });
    const mail = redactChannel(channel({ kind: 'email', name: 'm', smtp: { host: 'mx', username: 'u', password: 'p4ss' }, from: 'a@x.io', to: ['b@x.io'] }), PLAIN_SEALER);
    expect(mail.config.smtp).toEqual({ host: 'mx', port: 25, username: 'u', password: '(redacted)' });
  });

  it('routes by severity, pipeline and experience area (empty lists match all)', () => {
    const ch = channel({ kind: 'slack', name: 's', url: 'https://hooks.example.com/x', routing: { severities: ['critical'], areas: ['business', 'users'] } });
    expect(routes(ch, { severity: 'critical', pipeline: 'credit-risk' }, ['users'])).toBe(true);
    expect(routes(ch, { severity: 'warning', pipeline: 'credit-risk' }, ['users'])).toBe(false);
    expect(routes(ch, { severity: 'critical', pipeline: 'credit-risk' }, ['data_operations'])).toBe(false);
    const byPipeline = channel({ kind: 'slack', name: 's', url: 'https://hooks.example.com/x', routing: { pipelines: ['fraud'] } });
    expect(routes(byPipeline, { severity: 'info', pipeline: 'credit-risk' }, [])).toBe(false);
  });

  it('refuses bad channel input, naming every field', () => {
    expect(() => parseChannelInput({ kind: 'webhook', name: '', url: 'ftp://x', secret: 'short' })).toThrow(/name: .*url: .*secret: must be at least 16 characters/);
    expect(() => parseChannelInput({ kind: 'pager', name: 'x' })).toThrow(/kind/);
    expect(() => parseChannelInput({ kind: 'email', name: 'm', smtp: { host: 'mx' }, from: 'nobody', to: [] })).toThrow(/from: must be an email address.*to: /);
  });
});

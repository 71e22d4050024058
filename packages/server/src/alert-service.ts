/**
 * The alerting service: keeps rules (with per-pipeline defaults), evaluates every rule
 * against its metric windows (`evaluate`, run by the scheduler), turns transitions into
 * alerts and incidents, and hands notifications and actions to background work so an
 * evaluation never waits on a receiver. Also owns the channels and links retrained
 * versions (lineage `incident`) to their incident.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type AlertEvalState,
  type AlertRecord,
  type AlertRuleRecord,
  type ChannelRecord,
  ErrorCode,
  type EvaluationReport,
  type IncidentRecord,
  InvalidInputError,
  InvalidPackageError,
  MANIFEST_FILE,
  type Manifest,
  type MetadataStore,
  SlipwayError,
  formatVersionRef,
} from '@slipway/core';
import { runAction } from './alert-actions.js';
import { type NotificationMessage, PLAIN_SEALER, type SecretSealer, channelConfig, parseChannelInput, redactChannel, routes } from './alert-channels.js';
import { type Evaluation, type MetricPoint, evaluateRule } from './alert-evaluation.js';
import type { MetricSource } from './alert-metrics.js';
import { createNotifier } from './alert-notifier.js';
import { type AlertRuleSpec, defaultAlertRules, describeCondition, durationMs, parseAlertRule, parseAlertRules } from './alert-rules.js';
import { type IncidentService, createIncidentService } from './incident-service.js';
import type { PushExtension } from './registry.js';

export interface AlertServiceOptions {
  store: MetadataStore;
  source: MetricSource;
  /** Epoch ms; tests inject a clock. Default `Date.now`. */
  now?: () => number;
  /** Seals channel secrets at rest. Default: stored as given (never returned by the API either way). */
  sealer?: SecretSealer;
  /** Notification retries: attempts (default 5), first backoff (default 1000 ms), cap (default 60000 ms), per-attempt timeout (10000 ms). */
  notifications?: { maxAttempts?: number; backoffMs?: number; maxBackoffMs?: number; timeoutMs?: number };
  /** Alerts of one pipeline within this long join one incident. Default 1 hour. */
  incidentGroupWindowMs?: number;
  /** The server's public URL, for links in notifications. Default empty. */
  externalUrl?: string;
  /** Errors of background work (notification history writes, actions). */
  onError?: (err: unknown) => void;
}

/** sha256 of the rule id and its sorted labels: one alert at a time per (rule, labels). */
export function alertFingerprint(ruleId: string, labels: Readonly<Record<string, string>>): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(JSON.stringify([ruleId, sorted])).digest('hex');
}

/** How far back a rule needs windows: the current two, plus its baseline or reference windows. */
function lookbackMs(rule: AlertRuleSpec): number {
  const w = durationMs(rule.window) ?? 300_000;
  if (rule.change !== undefined) return (durationMs(rule.change.baseline) ?? 0) + 2 * w;
  if (rule.anomaly !== undefined) return (rule.anomaly.referenceWindows + 2) * w;
  return 2 * w;
}

const round = (x: number) => (Math.abs(x) >= 100 ? Math.round(x * 10) / 10 : Math.round(x * 10_000) / 10_000);

function alertSummary(rule: AlertRuleSpec, e: Evaluation): string {
  const j = e.judgement;
  if (j === undefined) return describeCondition(rule);
  const labels = Object.entries(rule.labels).map(([k, v]) => `${k}=${v}`);
  const metric = labels.length === 0 ? rule.metric : `${rule.metric}{${labels.join(',')}}`;
  const cmp = j.breach ? (j.value >= j.bound ? '≥' : '≤') : j.value >= j.bound ? '≥' : '≤';
  return `${metric} = ${round(j.value)} ${cmp} ${round(j.bound)} (${describeCondition(rule)})`;
}

export class AlertRuleNotFoundError extends SlipwayError {
  constructor(pipeline: string, name: string) {
    super(ErrorCode.notFound, `alert rule "${name}" of pipeline "${pipeline}" not found; list rules with \`slipway alerts rules ls --pipeline ${pipeline}\``, { details: { pipeline, name } });
  }
}

export function createAlertService(options: AlertServiceOptions) {
  const { store, source } = options;
  const now = options.now ?? Date.now;
  const sealer = options.sealer ?? PLAIN_SEALER;
  const onError = options.onError ?? (() => undefined);
  const iso = () => new Date(now()).toISOString();
  const notifier = createNotifier({ store, sealer, now, onError, ...options.notifications });
  const incidents: IncidentService = createIncidentService({ store, now, groupWindowMs: options.incidentGroupWindowMs });
  const background = new Set<Promise<unknown>>();
  let evaluating: Promise<unknown> = Promise.resolve();

  function inBackground(work: Promise<unknown>): void {
    const p = work.catch(onError).finally(() => background.delete(p));
    background.add(p);
  }

  function checkSourced(rule: AlertRuleSpec, path: string): { path: string; message: string } | undefined {
    if (source.metrics.has(rule.metric)) return undefined;
    return { path, message: `${rule.metric} is not measured by this server; metrics available: ${[...source.metrics].sort().join(', ')}` };
  }

  async function upsertRules(specs: readonly AlertRuleSpec[], origin: AlertRuleRecord['origin']): Promise<AlertRuleRecord[]> {
    const issues = specs.flatMap((r, i) => checkSourced(r, `rules[${i}].metric`) ?? []);
    if (issues.length > 0) throw new InvalidInputError(issues);
    const out: AlertRuleRecord[] = [];
    for (const spec of specs) {
      const existing = (await store.listAlertRules({ pipeline: spec.pipeline })).find((r) => r.name === spec.name);
      const record: AlertRuleRecord = {
        id: existing?.id ?? randomUUID(),
        pipeline: spec.pipeline,
        name: spec.name,
        origin,
        spec,
        createdAt: existing?.createdAt ?? iso(),
        updatedAt: iso(),
      };
      await store.putAlertRule(record);
      out.push(record);
    }
    return out;
  }

  async function ensureDefaults(manifest: Manifest): Promise<void> {
    const key = `defaults:${manifest.name}`;
    if ((await store.getAlertSetting(key)) !== undefined) return; // once per pipeline: deleted defaults stay deleted
    const existing = new Set((await store.listAlertRules({ pipeline: manifest.name })).map((r) => r.name));
    await upsertRules(
      defaultAlertRules(manifest, source.metrics).filter((r) => !existing.has(r.name)),
      'default',
    );
    await store.putAlertSetting(key, { createdAt: iso() });
  }

  async function productionRef(pipeline: string): Promise<{ ref: string; alias: string | null } | null> {
    const alias = await store.getAlias(pipeline, 'production');
    if (alias !== undefined) return { ref: formatVersionRef(pipeline, alias.version), alias: 'production' };
    const latest = await store.latestVersion(pipeline);
    return latest === undefined ? null : { ref: formatVersionRef(pipeline, latest.version), alias: null };
  }

  function notify(channels: readonly ChannelRecord[], event: 'firing' | 'resolved', alert: AlertRecord, incident: IncidentRecord | null): void {
    const message: NotificationMessage = { event, alert, incident, externalUrl: options.externalUrl ?? '' };
    for (const channel of channels) if (routes(channel, alert, incident?.areas ?? [])) notifier.enqueue(channel, message);
  }

  async function fire(rule: AlertRuleRecord, spec: AlertRuleSpec, fingerprint: string, e: Evaluation, points: readonly MetricPoint[], channels: readonly ChannelRecord[]): Promise<AlertRecord> {
    const at = iso();
    let alert: AlertRecord = {
      id: randomUUID(),
      fingerprint,
      ruleId: rule.id,
      ruleName: rule.name,
      pipeline: rule.pipeline,
      metric: spec.metric,
      labels: spec.labels,
      severity: spec.severity,
      state: 'firing',
      value: e.judgement?.value ?? null,
      threshold: e.judgement?.bound ?? null,
      summary: alertSummary(spec, e),
      runbook: spec.runbook ?? null,
      incidentId: null,
      firedAt: at,
      resolvedAt: null,
      updatedAt: at,
    };
    const { incident } = await incidents.attach(alert, spec.areas);
    alert = { ...alert, incidentId: incident.id };
    await store.putAlert(alert);
    notify(channels, 'firing', alert, incident);
    if (spec.actions.length > 0) {
      const evidence = {
        event: 'alert_fired',
        pipeline: rule.pipeline,
        production: await productionRef(rule.pipeline),
        rule: { name: rule.name, metric: spec.metric, labels: spec.labels, condition: describeCondition(spec) },
        alert: { id: alert.id, value: alert.value, bound: alert.threshold, summary: alert.summary, firedAt: alert.firedAt },
        incident: { id: incident.id, areas: incident.areas },
        windows: points.slice(-50),
      };
      for (const action of spec.actions) inBackground(runAction(action, evidence, { now }).then((outcome) => incidents.recordAction(incident.id, rule.name, outcome)));
    }
    return alert;
  }

  async function evaluateOnce(): Promise<EvaluationReport> {
    const t = now();
    const report: EvaluationReport = { at: new Date(t).toISOString(), evaluated: 0, fired: [], resolved: [], errors: [] };
    const [rules, stored, channels] = await Promise.all([store.listAlertRules(), store.listAlertStates(), store.listChannels()]);
    const states = new Map(stored.map((s) => [s.fingerprint, s]));
    const next: AlertEvalState[] = [];
    const seen = new Set<string>();
    for (const rule of rules) {
      let spec: AlertRuleSpec;
      try {
        spec = parseAlertRule(rule.spec);
      } catch (err) {
        // A rule stored by an older server that this one's schema refuses: skipped, named, not fatal.
        report.errors.push({ rule: `${rule.pipeline}/${rule.name}`, message: err instanceof Error ? err.message : String(err) });
        for (const s of stored) if (s.ruleId === rule.id) seen.add(s.fingerprint);
        continue;
      }
      const fingerprint = alertFingerprint(rule.id, spec.labels);
      seen.add(fingerprint);
      const prev = states.get(fingerprint);
      let points: MetricPoint[] = [];
      if (spec.enabled) {
        if (!source.metrics.has(spec.metric)) {
          report.errors.push({ rule: `${rule.pipeline}/${rule.name}`, message: `${spec.metric} is not measured by this server` });
          continue;
        }
        try {
          points = await source.series(rule.pipeline, spec.metric, spec.labels, t - lookbackMs(spec), t + 1, durationMs(spec.window) ?? 300_000);
        } catch (err) {
          report.errors.push({ rule: `${rule.pipeline}/${rule.name}`, message: err instanceof Error ? err.message : String(err) });
          continue;
        }
      }
      const e = evaluateRule(spec, points, prev, t);
      report.evaluated += 1;
      let alertId = prev?.alertId ?? null;
      if (e.transition === 'fired') {
        const alert = await fire(rule, spec, fingerprint, e, points, channels);
        alertId = alert.id;
        report.fired.push(alert.id);
      } else if (alertId !== null && e.transition === 'resolved') {
        if (await resolveAlert(alertId, e.judgement?.value, channels)) report.resolved.push(alertId);
      } else if (alertId !== null && e.next.status === 'firing' && e.judgement !== undefined && e.judgement.value !== prev?.value) {
        const alert = await store.getAlert(alertId);
        if (alert !== undefined) await store.putAlert({ ...alert, value: e.judgement.value, updatedAt: iso() });
      }
      const value = e.judgement?.value ?? null;
      if (prev === undefined || prev.status !== e.next.status || prev.clearStreak !== e.next.clearStreak || prev.value !== value || prev.alertId !== alertId) {
        next.push({ fingerprint, ruleId: rule.id, ...e.next, value, alertId, evaluatedAt: t });
      }
    }
    // A rule whose labels changed left its old series behind: what that series fired resolves.
    for (const s of stored) {
      if (seen.has(s.fingerprint) || s.status !== 'firing' || s.alertId === null) continue;
      if (await resolveAlert(s.alertId, undefined, channels)) report.resolved.push(s.alertId);
      next.push({ ...s, status: 'resolved', since: t, clearStreak: 0, evaluatedAt: t });
    }
    await store.putAlertStates(next);
    return report;
  }

  /** Marks a firing alert resolved, tells its incident and the channels; false when it was not firing. */
  async function resolveAlert(alertId: string, value: number | undefined, channels: readonly ChannelRecord[]): Promise<boolean> {
    const alert = await store.getAlert(alertId);
    if (alert === undefined || alert.state !== 'firing') return false;
    const updated: AlertRecord = { ...alert, value: value ?? alert.value, state: 'resolved', resolvedAt: iso(), updatedAt: iso() };
    await store.putAlert(updated);
    await incidents.alertResolved(updated);
    const incident = updated.incidentId === null ? null : ((await store.getIncident(updated.incidentId)) ?? null);
    notify(channels, 'resolved', updated, incident);
    return true;
  }

  /** The package's own rules (`slipway.yaml` `alerts`), every problem reported as a package issue. */
  function packageRules(manifest: Manifest): AlertRuleSpec[] {
    const issues: { path: string; message: string }[] = [];
    const rules: AlertRuleSpec[] = [];
    (manifest.alerts ?? []).forEach((raw, i) => {
      const path = `${MANIFEST_FILE}: alerts[${i}]`;
      if (raw.pipeline !== undefined && raw.pipeline !== manifest.name) issues.push({ path: `${path}.pipeline`, message: `must be "${manifest.name}" (or left out): a package's rules watch its own pipeline` });
      try {
        const rule = parseAlertRule({ ...raw, pipeline: manifest.name });
        const unsourced = checkSourced(rule, `${path}.metric`);
        if (unsourced) issues.push(unsourced);
        rules.push(rule);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        issues.push(...err.issues.map((x) => ({ path: x.path ? `${path}.${x.path}` : path, message: x.message })));
      }
    });
    const names = rules.map((r) => r.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) issues.push({ path: `${MANIFEST_FILE}: alerts`, message: `rule "${n}" is given twice; names are unique per pipeline` });
    });
    if (issues.length > 0) throw new InvalidPackageError(issues);
    return rules;
  }

  const pushExtension: PushExtension = {
    async prepare({ manifest }) {
      const incidentId = manifest.lineage?.incident;
      if (incidentId !== undefined && (await store.getIncident(incidentId)) === undefined) {
        throw new InvalidPackageError([{ path: `${MANIFEST_FILE}: lineage.incident`, message: `no incident "${incidentId}"; list incidents with \`slipway incidents ls\`` }]);
      }
      const shipped = packageRules(manifest);
      return async (version) => {
        await ensureDefaults(version.manifest);
        if (shipped.length > 0) await upsertRules(shipped, 'package');
        if (incidentId === undefined) return;
        const ref = formatVersionRef(version.pipeline, version.version);
        const recorded = (await store.incidentEvents(incidentId)).some((e) => e.kind === 'version_pushed' && e.data?.ref === ref);
        if (!recorded) await incidents.recordVersionPushed(incidentId, ref, version.lineage.retrains, version.createdBy);
      };
    },
  };

  return {
    incidents,
    pushExtension,
    source,

    /** Evaluates every rule once; evaluations never overlap (a second call waits for the first). */
    evaluate(): Promise<EvaluationReport> {
      const run = evaluating.then(evaluateOnce, evaluateOnce);
      evaluating = run.catch(() => undefined);
      return run;
    },

    listRules: (pipeline?: string) => store.listAlertRules(pipeline === undefined ? {} : { pipeline }),
    /** Creates or replaces rules by (pipeline, name) from a `{rules: [...]}` document (YAML text or object). */
    applyRules: (document: unknown) => upsertRules(parseAlertRules(document), 'user'),
    /** Deletes a rule; what it was firing resolves. */
    async deleteRule(pipeline: string, name: string): Promise<void> {
      const rule = (await store.listAlertRules({ pipeline })).find((r) => r.name === name);
      if (rule === undefined) throw new AlertRuleNotFoundError(pipeline, name);
      const firing = (await store.listAlertStates()).filter((s) => s.ruleId === rule.id && s.status === 'firing' && s.alertId !== null);
      if (!(await store.deleteAlertRule(rule.id))) throw new AlertRuleNotFoundError(pipeline, name);
      const channels = await store.listChannels();
      for (const s of firing) await resolveAlert(s.alertId!, undefined, channels);
    },
    ensureDefaults,

    listAlerts: (q: { state?: AlertRecord['state']; pipeline?: string; limit: number }) => store.listAlerts(q),

    async createChannel(body: unknown): Promise<ChannelRecord> {
      const input = parseChannelInput(body);
      const channel: ChannelRecord = { id: `ch-${randomUUID().slice(0, 8)}`, name: input.name, kind: input.kind, config: channelConfig(input, sealer), routing: input.routing as ChannelRecord['routing'], createdAt: iso(), updatedAt: iso() };
      await store.putChannel(channel);
      return redactChannel(channel, sealer);
    },
    listChannels: async () => (await store.listChannels()).map((c) => redactChannel(c, sealer)),
    async deleteChannel(id: string): Promise<void> {
      if (!(await store.deleteChannel(id))) throw new ChannelNotFoundError(id);
    },
    async testChannel(id: string) {
      const channel = await store.getChannel(id);
      if (channel === undefined) throw new ChannelNotFoundError(id);
      const at = iso();
      const alert: AlertRecord = {
        id: `test-${randomUUID().slice(0, 8)}`,
        fingerprint: '0'.repeat(64),
        ruleId: 'test',
        ruleName: 'test-notification',
        pipeline: channel.routing.pipelines[0] ?? 'example',
        metric: 'error_rate',
        labels: {},
        severity: 'info',
        state: 'firing',
        value: null,
        threshold: null,
        summary: `test notification from Slipway to channel ${channel.name}`,
        runbook: null,
        incidentId: null,
        firedAt: at,
        resolvedAt: null,
        updatedAt: at,
      };
      return notifier.test(channel, { event: 'test', alert, incident: null, externalUrl: options.externalUrl ?? '' });
    },
    async notifications(q: { channelId?: string; alertId?: string; incidentId?: string; limit: number }) {
      if (q.channelId !== undefined && (await store.getChannel(q.channelId)) === undefined) throw new ChannelNotFoundError(q.channelId);
      return store.listNotifications(q);
    },

    /** Delivers what a stopped server left pending (the newest 1000 notifications are looked at); answers how many. */
    async resumePending(): Promise<number> {
      const pending = (await store.listNotifications({ limit: 1000 })).filter((n) => n.state === 'pending' && n.event !== 'test' && n.alertId !== null);
      let resumed = 0;
      for (const n of pending) {
        const [channel, alert] = await Promise.all([store.getChannel(n.channelId), store.getAlert(n.alertId!)]);
        if (channel === undefined || alert === undefined) continue;
        const incident = n.incidentId === null ? null : ((await store.getIncident(n.incidentId)) ?? null);
        notifier.resume(channel, { event: n.event === 'resolved' ? 'resolved' : 'firing', alert, incident, externalUrl: options.externalUrl ?? '' }, n);
        resumed += 1;
      }
      return resumed;
    },
    /** Resolves once notifications and actions started so far have finished (tests; shutdown). */
    async drain(): Promise<void> {
      while (background.size > 0 || notifier.pending() > 0) {
        await Promise.all(background);
        await notifier.drain();
      }
    },
    close(): void {
      notifier.close();
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;

export class ChannelNotFoundError extends SlipwayError {
  constructor(id: string) {
    super(ErrorCode.notFound, `notification channel "${id}" not found; list channels with GET /v1/alerts/channels`, { details: { channel: id } });
  }
}

/** What `createApp({alerts})` takes: the service's settings plus the evaluation interval. */
export interface AlertAppOptions extends Omit<AlertServiceOptions, 'store' | 'source' | 'onError'> {
  /** Between evaluations of every rule. Default 30000 ms; 0 evaluates only on `POST /v1/alerts/evaluate`. */
  intervalMs?: number;
}

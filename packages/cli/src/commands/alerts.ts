/**
 * `slipway alerts ls | rules ls | rules apply -f | rules rm | evaluate` and
 * `slipway incidents ls | show | ack | resolve | note`: what fired, the rules behind it,
 * and the incidents people work on.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type AlertRecord, type AlertRuleRecord, type EvaluationReport, type IncidentRecord, type IncidentView, InvalidInputError } from '@slipway/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatWhen } from '../format.js';
import { formatFields, formatTable } from '../output.js';

const dash = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '–' : v);

export function formatAlerts(alerts: readonly AlertRecord[]): string[] {
  if (alerts.length === 0) return ['no alerts'];
  return formatTable(
    ['FIRED', 'STATE', 'SEVERITY', 'PIPELINE', 'RULE', 'INCIDENT', 'SUMMARY'],
    alerts.map((a) => [formatWhen(a.firedAt), a.state, a.severity, a.pipeline, a.ruleName, dash(a.incidentId), a.summary]),
  );
}

/** `error_rate > 0.05 over 5m for 5m` from a stored rule spec. */
function condition(spec: Record<string, unknown>): string {
  const s = spec as { metric: string; labels?: Record<string, string>; threshold?: { op: string; value: number }; change?: { direction: string; percent: number; baseline: string }; anomaly?: { k: number }; window: string; for: string };
  const labels = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const metric = labels.length === 0 ? s.metric : `${s.metric}{${labels.join(',')}}`;
  const cond = s.threshold ? `${s.threshold.op} ${s.threshold.value}` : s.change ? `${s.change.direction} ${s.change.percent}% vs ${s.change.baseline}` : `outside ±${s.anomaly?.k ?? 3}σ`;
  return `${metric} ${cond} over ${s.window}${s.for && s.for !== '0s' ? ` for ${s.for}` : ''}`;
}

export function formatRules(rules: readonly AlertRuleRecord[]): string[] {
  if (rules.length === 0) return ['no alert rules; a pipeline gets default rules with its first push, or apply some with `slipway alerts rules apply -f rules.yaml`'];
  return formatTable(
    ['PIPELINE', 'RULE', 'SEVERITY', 'ORIGIN', 'CONDITION'],
    rules.map((r) => [r.pipeline, r.name, typeof r.spec.severity === 'string' ? r.spec.severity : '–', r.origin, condition(r.spec)]),
  );
}

export function formatEvaluation(r: EvaluationReport): string[] {
  return [`evaluated ${r.evaluated} rule series: ${r.fired.length} fired, ${r.resolved.length} resolved`, ...r.errors.map((e) => `  ${e.rule}: ${e.message}`)];
}

export function formatIncidents(incidents: readonly IncidentRecord[]): string[] {
  if (incidents.length === 0) return ['no incidents'];
  return formatTable(
    ['ID', 'OPENED', 'STATE', 'SEVERITY', 'PIPELINE', 'AREAS', 'OWNER', 'ALERTS', 'TITLE'],
    incidents.map((i) => [i.id, formatWhen(i.openedAt), i.state, i.severity, i.pipeline, i.areas.join(',') || '–', dash(i.owner), String(i.alertIds.length), i.title]),
  );
}

export function formatIncident(view: IncidentView): string[] {
  const i = view.incident;
  return [
    ...formatFields([
      ['incident', `${i.id}: ${i.title}`],
      ['state', i.state],
      ['severity', i.severity],
      ['areas', i.areas.join(', ') || '–'],
      ['owner', dash(i.owner)],
      ['opened', formatWhen(i.openedAt)],
    ]),
    '',
    ...formatAlerts(view.alerts),
    '',
    'TIMELINE',
    ...view.timeline.map((e) => `${formatWhen(e.at)}  ${e.actor}  ${e.message}`),
  ];
}

const collectLimit = (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidInputError([{ path: '--limit', message: `"${text}" must be a whole number from 1 to 500` }]);
  return n;
};

export function registerAlertCommands(program: Command, context: CommandContext): void {
  const alerts = program.command('alerts').description('alerts that fired, and the rules behind them');
  alerts
    .command('ls')
    .description('alerts, newest first')
    .option('--state <state>', 'firing or resolved')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--limit <n>', 'at most this many (default 50)', collectLimit)
    .action(async (o: { state?: 'firing' | 'resolved'; pipeline?: string; limit?: number }) => {
      const list = await context.client().alerts.list(o);
      context.output().result({ alerts: list }, () => formatAlerts(list));
    });
  alerts
    .command('evaluate')
    .description('evaluate every rule now (the server also does it on a timer)')
    .action(async () => {
      const report = await context.client().alerts.evaluate();
      context.output().result(report, () => formatEvaluation(report));
    });

  const rules = alerts.command('rules').description('alert rules: ls, apply -f rules.yaml, rm');
  rules
    .command('ls')
    .description('alert rules by pipeline')
    .option('--pipeline <name>', 'only this pipeline')
    .action(async (o: { pipeline?: string }) => {
      const list = await context.client().alerts.rules(o.pipeline);
      context.output().result({ rules: list }, () => formatRules(list));
    });
  rules
    .command('apply')
    .description('create or replace rules from a YAML file `{rules: [...]}` (by pipeline and name)')
    .requiredOption('-f, --file <path>', 'the rules file')
    .action(async (o: { file: string }) => {
      const text = await readFile(resolve(context.io.cwd, o.file), 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new InvalidInputError([{ path: '--file', message: `cannot read ${o.file}: ${err.code ?? err.message}` }]);
      });
      const applied = await context.client().alerts.applyRules(text);
      context.output().result({ rules: applied }, () => applied.map((r) => `applied ${r.pipeline}/${r.name}`));
    });
  rules
    .command('rm')
    .description('delete a rule')
    .argument('<pipeline>', 'the pipeline')
    .argument('<name>', 'the rule')
    .action(async (pipeline: string, name: string) => {
      await context.client().alerts.deleteRule(pipeline, name);
      context.output().result({ pipeline, name, deleted: true }, () => [`deleted ${pipeline}/${name}`]);
    });
}

export function registerIncidentCommands(program: Command, context: CommandContext): void {
  const incidents = program.command('incidents').description('incidents: grouped alerts, by experience area, with owner and timeline');
  incidents
    .command('ls')
    .description('incidents, newest first')
    .option('--state <state>', 'open, acknowledged or resolved')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--limit <n>', 'at most this many (default 50)', collectLimit)
    .action(async (o: { state?: IncidentRecord['state']; pipeline?: string; limit?: number }) => {
      const list = await context.client().incidents.list(o);
      context.output().result({ incidents: list }, () => formatIncidents(list));
    });
  incidents
    .command('show')
    .description('an incident: its alerts and timeline; --summary prints the ticket-ready text')
    .argument('<id>', 'e.g. inc-1a2b3c4d')
    .option('--summary', 'print only the ticket-ready summary')
    .action(async (id: string, o: { summary?: boolean }) => {
      const view = await context.client().incidents.get(id);
      context.output().result(view, () => (o.summary === true ? view.summary.split('\n') : formatIncident(view)));
    });
  for (const [verb, describe] of [
    ['ack', 'acknowledge: you own it unless it has an owner'],
    ['resolve', 'resolve it'],
  ] as const) {
    incidents
      .command(verb)
      .description(describe)
      .argument('<id>', 'e.g. inc-1a2b3c4d')
      .option('-m, --message <text>', 'a note for the timeline')
      .action(async (id: string, o: { message?: string }) => {
        const client = context.client().incidents;
        const record = verb === 'ack' ? await client.acknowledge(id, o.message) : await client.resolve(id, o.message);
        context.output().result(record, () => [`${record.id} ${record.state}${record.owner ? ` (owner ${record.owner})` : ''}`]);
      });
  }
  incidents
    .command('note')
    .description('add a note to the timeline')
    .argument('<id>', 'e.g. inc-1a2b3c4d')
    .argument('<text...>', 'the note')
    .action(async (id: string, words: string[]) => {
      const event = await context.client().incidents.note(id, words.join(' '));
      context.output().result(event, () => [`noted on ${id} (#${event.seq})`]);
    });
}

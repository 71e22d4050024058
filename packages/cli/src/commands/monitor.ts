/**
 * `slipway monitor <pipeline>`: a compact health summary in the terminal — traffic,
 * errors and p99 latency over the last hour, drift per feature in the latest window, the
 * latest realized accuracy and CBPE estimate, and fairness per protected attribute.
 * Collecting (SDK calls) and formatting (pure) are separate so the format is tested as a table.
 */
import type { DriftResponse, FairnessSummary, MetricsResponse } from '@slipway/core';
import type { SlipwayClient } from '@slipway/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatFields, formatTable } from '../output.js';

export interface HealthSummary {
  pipeline: string;
  at: number;
  traffic: { requests: number; errors: number; errorRate: number; p99Ms: number | null };
  drift: DriftResponse['window'];
  realized: { start: number; labelled: number; accuracy: number | null; labelCoverage: number | null } | null;
  estimated: { start: number; accuracy: { value: number; lower: number; upper: number } | null } | null;
  fairness: { start: number; attributes: FairnessSummary[] } | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const last = <T>(list: readonly T[] | undefined): T | undefined => list?.[list.length - 1];

/** Reads every part of the summary; `now` (epoch ms) bounds the ranges. */
export async function collectHealth(client: SlipwayClient, pipeline: string, now: number): Promise<HealthSummary> {
  const m = client.monitoring;
  const hour = { from: now - HOUR, to: now + 1 };
  const day = { from: now - DAY, to: now + 1 };
  const [ops, drift, performance, estimated, fairness] = await Promise.all([
    m.metrics(pipeline, { metric: 'operational', window: '5m', ...hour }),
    m.drift(pipeline),
    m.metrics(pipeline, { metric: 'performance', window: '1h', ...day }),
    m.metrics(pipeline, { metric: 'estimated_performance', window: '5m', ...day }),
    m.metrics(pipeline, { metric: 'fairness', window: '1d', from: now - 2 * DAY, to: now + 1 }),
  ]);
  const points = (r: MetricsResponse) => r.points ?? [];
  let requests = 0;
  let errors = 0;
  let p99: number | null = null;
  for (const p of points(ops)) {
    requests += p.requests as number;
    errors += Object.values(p.errors as Record<string, number>).reduce((s, n) => s + n, 0);
    const q = (p.latencyMs as { p99: number }).p99;
    p99 = p99 === null ? q : Math.max(p99, q);
  }
  const perf = last(points(performance));
  const est = last(points(estimated));
  const fair = last(points(fairness));
  const labelled = fair === undefined ? {} : (fair.labelled as Record<string, FairnessSummary>);
  const selection = fair === undefined ? {} : (fair.selection as Record<string, FairnessSummary>);
  return {
    pipeline,
    at: now,
    traffic: { requests, errors, errorRate: requests === 0 ? 0 : errors / requests, p99Ms: p99 },
    drift: drift.window,
    realized: perf === undefined ? null : { start: perf.start, labelled: perf.labelled as number, accuracy: (perf.metrics as Record<string, number | null>).accuracy ?? null, labelCoverage: perf.labelCoverage as number | null },
    estimated: est === undefined ? null : { start: est.start, accuracy: (est.metrics as Record<string, { value: number; lower: number; upper: number } | null>).accuracy ?? null },
    fairness: fair === undefined ? null : { start: fair.start, attributes: Object.values({ ...selection, ...labelled }) },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number | null, digits = 3) => (x === null ? '–' : x.toFixed(digits));
const time = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';

/** The summary as terminal lines. */
export function formatHealth(h: HealthSummary): string[] {
  const out = [`${h.pipeline} — health at ${time(h.at)}`, ''];
  const t = h.traffic;
  out.push(
    ...formatFields([
      ['traffic (1h)', `${t.requests} requests`],
      ['errors', t.requests === 0 ? '–' : `${t.errors} (${pct(t.errorRate)})`],
      ['p99 latency', t.p99Ms === null ? '–' : `${t.p99Ms.toFixed(1)} ms`],
      ['accuracy', h.realized === null || h.realized.accuracy === null ? 'no labels yet' : `${num(h.realized.accuracy)} realized (${h.realized.labelled} labels${h.realized.labelCoverage === null ? '' : `, ${pct(h.realized.labelCoverage)} coverage`}, window ${time(h.realized.start)})`],
      ['estimated', h.estimated?.accuracy == null ? '–' : `${num(h.estimated.accuracy.value)} accuracy (CBPE, band ${num(h.estimated.accuracy.lower)}–${num(h.estimated.accuracy.upper)}, window ${time(h.estimated.start)})`],
    ]),
  );
  out.push('');
  if (h.drift === null) out.push('drift: no profiled window yet (the version needs a reference profile: monitoring.reference or `slipway profile`)');
  else {
    const d = h.drift.drift;
    out.push(`drift: ${d.driftedColumns} of ${d.evaluatedColumns} features drifted (${pct(d.share)}; dataset ${d.drifted ? 'DRIFTED' : 'ok'}) in the window of ${time(h.drift.start)}, v${h.drift.version}, ${h.drift.rows} rows`);
    const rows = [...d.columns, ...d.prediction.map((c) => ({ ...c, column: `prediction.${c.column}` }))].map((c) => [
      c.column,
      c.method,
      num(c.statistic),
      c.pValue === null ? `≥ ${c.threshold}` : `p < ${c.threshold} (p ${num(c.pValue)})`,
      c.statistic === null ? 'no data' : c.drifted ? 'DRIFT' : 'ok',
    ]);
    out.push(...formatTable(['FEATURE', 'METHOD', 'STATISTIC', 'DRIFT WHEN', 'STATUS'], rows));
  }
  out.push('');
  if (h.fairness === null || h.fairness.attributes.length === 0) out.push('fairness: no protected attributes monitored, or no traffic yet');
  else {
    out.push(`fairness (day of ${time(h.fairness.start)}):`);
    const rows = h.fairness.attributes.map((a) => [
      a.attribute,
      num(a.disparateImpact),
      num(a.demographicParityDifference),
      num(a.equalOpportunityDifference),
      a.groups.map((g) => `${g.group}${g.privileged ? '*' : ''} ${g.count}${g.small ? ' (small)' : ''}`).join(', '),
    ]);
    out.push(...formatTable(['ATTRIBUTE', 'DISPARATE IMPACT', 'PARITY DIFF', 'EQ. OPP. DIFF', 'GROUPS (* privileged)'], rows));
  }
  return out;
}

export function registerMonitorCommand(program: Command, context: CommandContext): void {
  program
    .command('monitor')
    .description('health summary of a pipeline: traffic, errors, p99, drift per feature, accuracy and its estimate, fairness')
    .argument('<pipeline>', 'pipeline name')
    .action(async (pipeline: string) => {
      const health = await collectHealth(context.client(), pipeline, Date.now());
      context.output().result(health, () => formatHealth(health));
    });
}

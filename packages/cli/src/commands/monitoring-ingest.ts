/**
 * `slipway predictions <pipeline>` (the prediction log, or its JSON-lines export),
 * `slipway feedback -f labels.jsonl|csv` (ground truth, sent in bounded chunks) and
 * `slipway kpi push|show` (business KPIs).
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import {
  ErrorCode,
  type FeedbackItem,
  type FeedbackResponse,
  type FieldIssue,
  InvalidInputError,
  type KpiSeriesResponse,
  type PredictionRecord,
  type PredictionsResponse,
  isSlipwayError,
  parseCsvRecords,
} from '@slipway/core';
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../context.js';
import { formatTable } from '../output.js';

/** Items per `POST /v1/feedback`: well under the server's bound, so a large file goes in several requests. */
export const FEEDBACK_CHUNK = 1000;

function parsePositiveInt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

function parseNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${text}" is not a number`);
  return n;
}

function formatPrediction(p: PredictionRecord['prediction'], error: string | null): string {
  if (p === null) return error === null ? '–' : `error: ${error}`;
  const parts = [p.label, p.score === undefined ? undefined : p.score.toFixed(3), p.value === undefined ? undefined : String(p.value)];
  return parts.filter((x) => x !== undefined).join(' ') || '–';
}

function formatFeatures(features: PredictionRecord['features'], width = 60): string {
  const text = Object.entries(features)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(6)) : String(v)}`)
    .join(' ');
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export function formatPredictions(page: PredictionsResponse): string[] {
  if (page.predictions.length === 0) return ['no logged predictions in that range; runs are logged as they happen (see monitoring.sampleRate)'];
  const lines = formatTable(
    ['TIME', 'VERSION', 'RUN/ROW', 'PREDICTION', 'LATENCY', 'FEATURES'],
    page.predictions.map((p) => [
      new Date(p.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      `v${p.version}`,
      p.id,
      formatPrediction(p.prediction, p.error),
      `${p.latencyMs.toFixed(1)} ms`,
      formatFeatures(p.features),
    ]),
  );
  if (page.next !== null) lines.push('', `more: --after ${page.next}`);
  return lines;
}

/** The items of a JSON-lines or CSV labels file; each problem named by its line. */
export function parseFeedbackFile(text: string, format: 'jsonl' | 'csv', options: { numericLabels?: boolean } = {}): { items: FeedbackItem[]; lines: number[] } {
  const items: FeedbackItem[] = [];
  const lines: number[] = [];
  const issues: FieldIssue[] = [];
  if (format === 'jsonl') {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const value = JSON.parse(line) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        items.push(value as FeedbackItem);
        lines.push(i + 1);
      } catch (error) {
        issues.push({ path: `line ${i + 1}`, message: `is not a JSON object (${error instanceof Error ? error.message : String(error)}); write one {"runId": …, "label": …} per line` });
      }
    });
  } else {
    const records = parseCsvRecords(text);
    const header = Object.keys(records[0] ?? {});
    if (records.length > 0 && !header.includes('label')) {
      throw new InvalidInputError([{ path: 'line 1', message: `the header needs a "label" column and runId or predictionId (+ pipeline); it has ${header.join(', ')}` }]);
    }
    records.forEach((r, i) => {
      const item: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        if (v === '') continue;
        if (k === 'row') item.row = Number(v);
        else if (k === 'label') item.label = options.numericLabels === true ? Number(v) : v;
        else if (k === 'at') item.at = /^\d+$/.test(v) ? Number(v) : v;
        else item[k] = v;
      }
      items.push(item as unknown as FeedbackItem);
      lines.push(i + 2);
    });
  }
  if (issues.length > 0) throw new InvalidInputError(issues.slice(0, 50));
  if (items.length === 0) throw new InvalidInputError([{ path: '--file', message: 'holds no labels' }]);
  return { items, lines };
}

/** Adds chunk answers up, turning item indexes into file lines. */
export function formatFeedback(result: FeedbackResponse & { lines: number[] }): string[] {
  const out = [`${result.accepted} labels stored, ${result.replaced} replaced an earlier label, ${result.unknown.length} for unknown predictions, ${result.rejected.length} refused`];
  for (const u of result.unknown.slice(0, 20)) {
    out.push(`  line ${result.lines[u.index] ?? '?'}: no logged prediction ${u.runId !== undefined ? `for run ${u.runId}` : `${u.predictionId} of ${u.pipeline}`} row ${u.row} (kept; joins if it is logged later)`);
  }
  for (const r of result.rejected.slice(0, 50)) {
    out.push(`  line ${result.lines[r.index] ?? '?'}: ${r.issues.map((i) => `${i.path.replace(/^items\[\d+\]\.?/, '') || 'item'}: ${i.message}`).join('; ')}`);
  }
  return out;
}

export function formatKpiSeries(s: KpiSeriesResponse): string[] {
  if (s.series.length === 0) return [`no values of KPI "${s.name}" in that range`];
  return formatTable(
    ['WINDOW START', 'MEAN', 'SUM', 'COUNT'],
    s.series.map((w) => [new Date(w.start).toISOString(), String(Number(w.mean.toPrecision(6))), String(Number(w.sum.toPrecision(6))), String(w.count)]),
  );
}

interface PredictionFlags {
  since?: string;
  until?: string;
  version?: string;
  limit?: number;
  after?: string;
  jsonl?: boolean;
}

export function registerMonitoringIngestCommands(program: Command, context: CommandContext): void {
  program
    .command('predictions')
    .description("show a pipeline's prediction log, oldest first (--jsonl exports flat rows for CSV / Parquet)")
    .argument('<pipeline>', 'the pipeline')
    .option('--since <time>', 'from: a duration ago (1h, 7d), ISO-8601 or epoch ms', '1h')
    .option('--until <time>', 'to (exclusive)')
    .option('--version <n>', 'only this version (3 or v3)')
    .option('--limit <n>', 'rows (default 50; with --jsonl, everything in the range up to 1000000)', parsePositiveInt)
    .option('--after <id>', 'continue after this row id (the "more" line of the previous page)')
    .option('--jsonl', 'print JSON lines: one flat object per row (feature.<name>, prediction.<field>)')
    .action(async (pipeline: string, flags: PredictionFlags) => {
      const client = context.client();
      const query = {
        ...(flags.since === undefined ? {} : { since: flags.since }),
        ...(flags.until === undefined ? {} : { until: flags.until }),
        ...(flags.version === undefined ? {} : { version: flags.version }),
        ...(flags.after === undefined ? {} : { after: flags.after }),
      };
      if (flags.jsonl === true) {
        for await (const row of client.ingest.exportPredictions(pipeline, { ...query, limit: flags.limit ?? 1_000_000 })) context.io.stdout(`${JSON.stringify(row)}\n`);
        return;
      }
      const page = await client.ingest.predictions(pipeline, { ...query, limit: flags.limit ?? 50 });
      context.output().result(page, () => formatPredictions(page));
    });

  program
    .command('feedback')
    .description('send ground-truth labels for logged predictions from a JSON-lines or CSV file')
    .requiredOption('-f, --file <path>', 'labels: .jsonl ({"runId"|"predictionId"+"pipeline", "row"?, "label", "at"?} per line) or .csv with those columns')
    .option('--numeric-labels', 'CSV only: send labels as numbers (regression targets)')
    .action(async (flags: { file: string; numericLabels?: boolean }) => {
      const path = resolve(context.io.cwd, flags.file);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
        throw new InvalidInputError([{ path: '--file', message: `cannot read ${flags.file} (${reason})` }], { cause: error });
      }
      const format = extname(path).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
      const { items, lines } = parseFeedbackFile(text, format, { numericLabels: flags.numericLabels === true });
      const client = context.client();
      const total: FeedbackResponse = { accepted: 0, replaced: 0, unknown: [], rejected: [] };
      for (let start = 0; start < items.length; start += FEEDBACK_CHUNK) {
        const chunk = items.slice(start, start + FEEDBACK_CHUNK);
        let answer: FeedbackResponse;
        try {
          answer = await client.ingest.feedback(chunk);
        } catch (error) {
          // A chunk with no good item is refused whole: count its items as refused and go on.
          if (!isSlipwayError(error) || error.code !== ErrorCode.invalidInput) throw error;
          answer = { accepted: 0, replaced: 0, unknown: [], rejected: chunk.map((_, i) => ({ index: i, issues: [{ path: '', message: error.message }] })) };
        }
        total.accepted += answer.accepted;
        total.replaced += answer.replaced;
        total.unknown.push(...answer.unknown.map((u) => ({ ...u, index: u.index + start })));
        total.rejected.push(...answer.rejected.map((r) => ({ ...r, index: r.index + start })));
      }
      context.output().result(total, () => formatFeedback({ ...total, lines }));
      // Exit 2 after printing which lines were refused.
      if (total.rejected.length > 0) {
        throw new InvalidInputError([{ path: '--file', message: `${total.rejected.length} of ${items.length} labels were refused (listed above); fix those lines and send them again` }]);
      }
    });

  const kpi = program.command('kpi').description('business KPIs: push values, show them per window');
  kpi
    .command('push')
    .description('record one KPI value')
    .argument('<name>', 'KPI name, e.g. approved_loans')
    .argument('<value>', 'a number', parseNumber)
    .option('--at <time>', 'when (ISO-8601 or epoch ms); default now')
    .option('--pipeline <name>', 'the pipeline it belongs to')
    .option('--deployment <name>', 'the deployment it belongs to')
    .action(async (name: string, value: number, flags: { at?: string; pipeline?: string; deployment?: string }) => {
      const at = flags.at === undefined ? undefined : /^\d+$/.test(flags.at) ? Number(flags.at) : flags.at;
      const answer = await context.client().ingest.pushKpis({
        name,
        value,
        ...(at === undefined ? {} : { at }),
        ...(flags.pipeline === undefined ? {} : { pipeline: flags.pipeline }),
        ...(flags.deployment === undefined ? {} : { deployment: flags.deployment }),
      });
      context.output().result(answer, () => [`recorded ${name} = ${value}`]);
    });
  kpi
    .command('show')
    .description('a KPI per window (mean, sum, count)')
    .argument('<name>', 'KPI name')
    .option('--pipeline <name>', 'only values of this pipeline')
    .option('--from <time>', 'a duration ago (7d), ISO-8601 or epoch ms; default 24h ago')
    .option('--to <time>', 'default now')
    .option('--window <duration>', 'window length: 5m, 1h, 1d', '1h')
    .action(async (name: string, flags: { pipeline?: string; from?: string; to?: string; window: string }) => {
      const series = await context.client().ingest.kpiSeries(name, flags);
      context.output().result(series, () => formatKpiSeries(series));
    });
}

/**
 * The `MonitoringStore` half of the metadata store, on Kysely for SQLite and PostgreSQL:
 * the prediction log, feedback labels with their history, KPI values and operational
 * metrics windows. Aggregations that both databases do alike (KPI windows) run in SQL;
 * histogram merges run here, since they are JSON.
 */
import { randomUUID } from 'node:crypto';
import {
  type FeedbackEvent,
  type FeedbackOutcome,
  type FeedbackTarget,
  InvalidInputError,
  type LabelledPrediction,
  type LabelValue,
  type MonitoringStore,
  type OpsWindow,
  type PredictionRecord,
  type SparseHistogram,
  histogramQuantile,
  mergeHistograms,
} from '@slipway/core';
import { CompiledQuery, type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import type { Database } from './schema.js';
import type { FeedbackLabelsTable, PredictionsTable } from './schema-monitoring.js';

/** Rows per INSERT statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_CHUNK = 500;

function chunks<T>(rows: readonly T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

function targetKey(t: FeedbackTarget): string {
  return 'runId' in t ? JSON.stringify(['run', t.runId, t.row]) : JSON.stringify(['prediction', t.pipeline, t.predictionId, t.row]);
}

function positiveWindow(windowMs: number): number {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new InvalidInputError([{ path: 'window', message: `must be a whole number of milliseconds > 0, got ${windowMs}` }]);
  }
  return windowMs;
}

const PREDICTION_COLUMNS = ['id', 'pipeline', 'version', 'run_id', 'prediction_id', 'row', 'at', 'latency_ms', 'caller', 'surface', 'error', 'features', 'prediction'] as const;

/**
 * The multi-row INSERT of the prediction log as SQL text, cached per row count: building
 * it through Kysely's query builder cost as much as executing it, on the path every
 * logged row takes.
 */
function predictionInsert(kind: MonitoringStoreKind): (rows: number) => string {
  const cache = new Map<number, string>();
  const columns = PREDICTION_COLUMNS.map((c) => `"${c}"`).join(', ');
  return (rows) => {
    let text = cache.get(rows);
    if (text === undefined) {
      let n = 0;
      const tuple = () => `(${PREDICTION_COLUMNS.map(() => (kind === 'postgres' ? `$${++n}` : '?')).join(', ')})`;
      text = `insert into "predictions" (${columns}) values ${Array.from({ length: rows }, tuple).join(', ')} on conflict ("id") do nothing`;
      cache.set(rows, text);
    }
    return text;
  };
}

export type MonitoringStoreKind = 'sqlite' | 'postgres';

export function createMonitoringStore(db: Kysely<Database>, kind: MonitoringStoreKind): MonitoringStore {
  const insertSql = predictionInsert(kind);
  // Labels received in the same millisecond keep their order: receivedAt × 1024 + a counter.
  let counter = 0;
  const nextSeq = (receivedAt: number) => receivedAt * 1024 + (counter++ % 1024);

  async function findPrediction(trx: Transaction<Database>, t: FeedbackTarget): Promise<boolean> {
    let q = trx.selectFrom('predictions').select('id');
    q = 'runId' in t ? q.where('id', '=', `${t.runId}/${t.row}`) : q.where('pipeline', '=', t.pipeline).where('prediction_id', '=', t.predictionId).where('row', '=', t.row);
    return (await q.limit(1).executeTakeFirst()) !== undefined;
  }

  return {
    appendPredictions: async (rows) => {
      if (rows.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const chunk of chunks(rows)) {
          const parameters: unknown[] = [];
          for (const p of chunk) {
            const r = toPredictionRow(p);
            for (const c of PREDICTION_COLUMNS) parameters.push(r[c]);
          }
          await trx.executeQuery(CompiledQuery.raw(insertSql(chunk.length), parameters));
        }
      });
    },

    listPredictions: async ({ pipeline, version, since, until, limit, after }) => {
      let q = db.selectFrom('predictions').selectAll().where('pipeline', '=', pipeline);
      if (version !== undefined) q = q.where('version', '=', version);
      if (since !== undefined) q = q.where('at', '>=', since);
      if (until !== undefined) q = q.where('at', '<', until);
      if (after !== undefined) {
        const cursor = await db.selectFrom('predictions').select('at').where('id', '=', after).where('pipeline', '=', pipeline).executeTakeFirst();
        if (cursor === undefined) {
          throw new InvalidInputError([
            { path: 'after', message: `"${after}" is not a logged prediction of pipeline "${pipeline}" (retention may have removed it); page again from \`since\`` },
          ]);
        }
        const at = Number(cursor.at);
        q = q.where((eb) => eb.or([eb('at', '>', at), eb.and([eb('at', '=', at), eb('id', '>', after)])]));
      }
      const rows = await q.orderBy('at').orderBy('id').limit(limit).execute();
      return rows.map(toPredictionRecord);
    },

    labelledPredictions: async ({ pipeline, version, from, to }) => {
      const labelled = (by: 'run' | 'prediction') =>
        db
          .selectFrom('predictions as p')
          .innerJoin('feedback_labels as l', (j) =>
            by === 'run'
              ? j.onRef('l.run_id', '=', 'p.run_id').onRef('l.row', '=', 'p.row')
              : j.onRef('l.pipeline', '=', 'p.pipeline').onRef('l.prediction_id', '=', 'p.prediction_id').onRef('l.row', '=', 'p.row'),
          )
          .selectAll('p')
          .select(['l.label', 'l.label_at', 'l.seq'])
          .where('p.pipeline', '=', pipeline)
          .where('p.at', '>=', from)
          .where('p.at', '<', to)
          .$if(version !== undefined, (q) => q.where('p.version', '=', version as number))
          .execute();
      const [byRun, byPredictionId] = await Promise.all([labelled('run'), labelled('prediction')]);
      // A prediction labelled both by run id and by prediction id takes the later label.
      const latest = new Map<string, (typeof byRun)[number]>();
      for (const row of [...byRun, ...byPredictionId]) {
        const seen = latest.get(row.id);
        if (seen === undefined || Number(row.seq) > Number(seen.seq)) latest.set(row.id, row);
      }
      return [...latest.values()]
        .map((row): LabelledPrediction => ({ ...toPredictionRecord(row), label: JSON.parse(row.label) as LabelValue, labelAt: Number(row.label_at) }))
        .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    appendFeedback: (items) =>
      db.transaction().execute(async (trx) => {
        const outcomes: FeedbackOutcome[] = [];
        for (const item of items) {
          const key = targetKey(item.target);
          const t = item.target;
          const row: FeedbackLabelsTable = {
            target_key: key,
            run_id: 'runId' in t ? t.runId : null,
            pipeline: 'runId' in t ? null : t.pipeline,
            prediction_id: 'runId' in t ? null : t.predictionId,
            row: t.row,
            label: JSON.stringify(item.label),
            label_at: item.at,
            received_at: item.receivedAt,
            seq: nextSeq(item.receivedAt),
          };
          const previous = await trx.selectFrom('feedback_labels').select('target_key').where('target_key', '=', key).executeTakeFirst();
          const matched = await findPrediction(trx, t);
          await trx
            .insertInto('feedback_labels')
            .values(row)
            .onConflict((oc) => oc.column('target_key').doUpdateSet({ label: row.label, label_at: row.label_at, received_at: row.received_at, seq: row.seq }))
            .execute();
          await trx
            .insertInto('feedback_events')
            .values({ ...row, id: randomUUID(), actor: item.actor })
            .execute();
          outcomes.push({ matched, replaced: previous !== undefined });
        }
        return outcomes;
      }),

    feedbackHistory: async (target) => {
      const rows = await db.selectFrom('feedback_events').selectAll().where('target_key', '=', targetKey(target)).orderBy('seq').execute();
      return rows.map(
        (r): FeedbackEvent => ({ target, label: JSON.parse(r.label) as LabelValue, at: Number(r.label_at), receivedAt: Number(r.received_at), actor: r.actor }),
      );
    },

    appendKpis: async (rows) => {
      if (rows.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const chunk of chunks(rows)) {
          await trx
            .insertInto('kpi_values')
            .values(chunk.map((k) => ({ id: randomUUID(), name: k.name, value: k.value, at: k.at, pipeline: k.pipeline, deployment: k.deployment })))
            .execute();
        }
      });
    },

    kpiSeries: async ({ name, pipeline, from, to, windowMs }) => {
      // Validated to a safe integer, so it can be inlined: a bound parameter would make
      // SQLite divide as floats.
      const w = sql.lit(positiveWindow(windowMs));
      const start = sql<number | string>`(${sql.ref('at')} / ${w}) * ${w}`;
      const rows = await db
        .selectFrom('kpi_values')
        .select((eb) => [
          start.as('start'),
          eb.fn.sum<number | string>('value').as('sum'),
          eb.fn.countAll<number | string>().as('count'),
        ])
        .where('name', '=', name)
        .where('at', '>=', from)
        .where('at', '<', to)
        .$if(pipeline !== undefined, (q) => q.where('pipeline', '=', pipeline as string))
        .groupBy(start)
        .orderBy(start)
        .execute();
      return rows.map((r) => {
        const sum = Number(r.sum);
        const count = Number(r.count);
        return { start: Number(r.start), mean: sum / count, sum, count };
      });
    },

    listKpiNames: async (q = {}) => {
      const rows = await db
        .selectFrom('kpi_values')
        .select('name')
        .distinct()
        .$if(q.pipeline !== undefined, (b) => b.where('pipeline', '=', q.pipeline as string))
        .orderBy('name')
        .execute();
      return rows.map((r) => r.name);
    },

    appendOpsWindows: async (rows) => {
      if (rows.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const chunk of chunks(rows)) {
          await trx
            .insertInto('ops_windows')
            .values(
              chunk.map((w) => ({
                id: randomUUID(),
                pipeline: w.pipeline,
                version: w.version,
                start: w.start,
                requests: w.requests,
                errors: JSON.stringify(w.errors),
                latency_histogram: JSON.stringify(w.latencyHistogram),
                latency_sum: w.latencySum,
                queue_count: w.queueCount,
                queue_histogram: JSON.stringify(w.queueHistogram),
                queue_sum: w.queueSum,
              })),
            )
            .execute();
        }
      });
    },

    opsSeries: async ({ pipeline, version, from, to, windowMs }) => {
      const w = positiveWindow(windowMs);
      const rows = await db
        .selectFrom('ops_windows')
        .selectAll()
        .where('pipeline', '=', pipeline)
        .where('start', '>=', from)
        .where('start', '<', to)
        .$if(version !== undefined, (q) => q.where('version', '=', version as number))
        .execute();
      interface Acc {
        requests: number;
        errors: Record<string, number>;
        latency: SparseHistogram;
        latencySum: number;
        queueCount: number;
        queue: SparseHistogram;
        queueSum: number;
      }
      const windows = new Map<number, Acc>();
      for (const r of rows) {
        const start = Math.floor(Number(r.start) / w) * w;
        let acc = windows.get(start);
        if (acc === undefined) {
          acc = { requests: 0, errors: {}, latency: {}, latencySum: 0, queueCount: 0, queue: {}, queueSum: 0 };
          windows.set(start, acc);
        }
        acc.requests += r.requests;
        for (const [code, n] of Object.entries(JSON.parse(r.errors) as Record<string, number>)) acc.errors[code] = (acc.errors[code] ?? 0) + n;
        mergeHistograms(acc.latency, JSON.parse(r.latency_histogram) as SparseHistogram);
        mergeHistograms(acc.queue, JSON.parse(r.queue_histogram) as SparseHistogram);
        acc.latencySum += r.latency_sum;
        acc.queueCount += r.queue_count;
        acc.queueSum += r.queue_sum;
      }
      return [...windows]
        .sort((a, b) => a[0] - b[0])
        .map(
          ([start, a]): OpsWindow => ({
            start,
            requests: a.requests,
            errors: a.errors,
            latencyMs: {
              p50: histogramQuantile(a.latency, 0.5),
              p90: histogramQuantile(a.latency, 0.9),
              p99: histogramQuantile(a.latency, 0.99),
              mean: a.requests === 0 ? 0 : a.latencySum / a.requests,
            },
            queueMs: { mean: a.queueCount === 0 ? 0 : a.queueSum / a.queueCount, p99: histogramQuantile(a.queue, 0.99) },
          }),
        );
    },

    deleteMonitoringBefore: (before) =>
      db.transaction().execute(async (trx) => {
        // Per pipeline, so each delete walks the (pipeline, at) index instead of the table.
        const pipelines = await trx.selectFrom('predictions').select('pipeline').distinct().execute();
        let deleted = 0;
        for (const { pipeline } of pipelines) {
          const result = await trx.deleteFrom('predictions').where('pipeline', '=', pipeline).where('at', '<', before).executeTakeFirst();
          deleted += Number(result.numDeletedRows);
        }
        await trx.deleteFrom('feedback_labels').where('received_at', '<', before).execute();
        await trx.deleteFrom('feedback_events').where('received_at', '<', before).execute();
        await trx.deleteFrom('kpi_values').where('at', '<', before).execute();
        await trx.deleteFrom('ops_windows').where('start', '<', before).execute();
        return deleted;
      }),

    trimPredictions: async (keep) => {
      const counts = await db
        .selectFrom('predictions')
        .select((eb) => ['pipeline', eb.fn.countAll<number | string>().as('n')])
        .groupBy('pipeline')
        .execute();
      let removed = 0;
      for (const { pipeline, n } of counts) {
        if (Number(n) <= keep) continue;
        // The newest row that goes: everything at or before it (in `at`, id order) is removed.
        const edge = await db
          .selectFrom('predictions')
          .select(['at', 'id'])
          .where('pipeline', '=', pipeline)
          .orderBy('at', 'desc')
          .orderBy('id', 'desc')
          .offset(keep)
          .limit(1)
          .executeTakeFirst();
        if (edge === undefined) continue;
        const at = Number(edge.at);
        const result = await db
          .deleteFrom('predictions')
          .where('pipeline', '=', pipeline)
          .where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<=', edge.id)])]))
          .executeTakeFirst();
        removed += Number(result.numDeletedRows);
      }
      return removed;
    },
  };
}

function toPredictionRow(p: PredictionRecord): PredictionsTable {
  return {
    id: p.id,
    pipeline: p.pipeline,
    version: p.version,
    run_id: p.runId,
    prediction_id: p.predictionId,
    row: p.row,
    at: p.at,
    latency_ms: p.latencyMs,
    caller: p.caller,
    surface: p.surface,
    error: p.error,
    features: JSON.stringify(p.features),
    prediction: p.prediction === null ? null : JSON.stringify(p.prediction),
  };
}

function toPredictionRecord(row: Selectable<PredictionsTable>): PredictionRecord {
  return {
    id: row.id,
    pipeline: row.pipeline,
    version: row.version,
    runId: row.run_id,
    predictionId: row.prediction_id,
    row: row.row,
    at: Number(row.at),
    latencyMs: Number(row.latency_ms),
    caller: row.caller,
    surface: row.surface === 'oip' ? 'oip' : 'runs',
    error: row.error,
    features: JSON.parse(row.features) as PredictionRecord['features'],
    prediction: row.prediction === null ? null : (JSON.parse(row.prediction) as PredictionRecord['prediction']),
  };
}

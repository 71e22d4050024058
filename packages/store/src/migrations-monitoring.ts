/**
 * Monitoring tables: the prediction log, feedback labels (current and history), KPI
 * values and per-minute operational metrics. Epoch-ms timestamps are `bigint` (PostgreSQL
 * `integer` is 32-bit) and floats `double precision`; both names work in SQLite.
 */
import { type Kysely, type Migration, sql } from 'kysely';

export const monitoringMigrations: Record<string, Migration> = {
  '0002_monitoring': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('predictions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('prediction_id', 'text')
        .addColumn('row', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('latency_ms', 'double precision', (c) => c.notNull())
        .addColumn('caller', 'text')
        .addColumn('surface', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('features', 'text', (c) => c.notNull())
        .addColumn('prediction', 'text')
        .execute();
      // Few indexes: every one costs each logged row. Run-id lookups go through the id
      // (`${run_id}/${row}`); most runs carry no prediction id, so its index is partial.
      await db.schema.createIndex('predictions_pipeline_at').on('predictions').columns(['pipeline', 'at', 'id']).execute();
      await db.schema
        .createIndex('predictions_prediction_id')
        .on('predictions')
        .columns(['pipeline', 'prediction_id', 'row'])
        .where(sql.ref('prediction_id'), 'is not', null)
        .execute();

      const labelColumns = (name: string) =>
        db.schema
          .createTable(name)
          .addColumn('target_key', 'text', (c) => c.notNull())
          .addColumn('run_id', 'text')
          .addColumn('pipeline', 'text')
          .addColumn('prediction_id', 'text')
          .addColumn('row', 'integer', (c) => c.notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('label_at', 'bigint', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull());
      await labelColumns('feedback_labels').addPrimaryKeyConstraint('feedback_labels_pk', ['target_key']).execute();
      await db.schema.createIndex('feedback_labels_run').on('feedback_labels').columns(['run_id', 'row']).execute();
      await db.schema.createIndex('feedback_labels_prediction_id').on('feedback_labels').columns(['pipeline', 'prediction_id', 'row']).execute();
      await db.schema.createIndex('feedback_labels_received').on('feedback_labels').column('received_at').execute();
      await labelColumns('feedback_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('actor', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('feedback_events_target').on('feedback_events').columns(['target_key', 'seq']).execute();
      await db.schema.createIndex('feedback_events_received').on('feedback_events').column('received_at').execute();

      await db.schema
        .createTable('kpi_values')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('pipeline', 'text')
        .addColumn('deployment', 'text')
        .execute();
      await db.schema.createIndex('kpi_values_name_at').on('kpi_values').columns(['name', 'at']).execute();
      await db.schema.createIndex('kpi_values_at').on('kpi_values').column('at').execute();

      await db.schema
        .createTable('ops_windows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('start', 'bigint', (c) => c.notNull())
        .addColumn('requests', 'integer', (c) => c.notNull())
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('latency_histogram', 'text', (c) => c.notNull())
        .addColumn('latency_sum', 'double precision', (c) => c.notNull())
        .addColumn('queue_count', 'integer', (c) => c.notNull())
        .addColumn('queue_histogram', 'text', (c) => c.notNull())
        .addColumn('queue_sum', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ops_windows_pipeline_start').on('ops_windows').columns(['pipeline', 'start']).execute();
      await db.schema.createIndex('ops_windows_start').on('ops_windows').column('start').execute();
    },
  },
};

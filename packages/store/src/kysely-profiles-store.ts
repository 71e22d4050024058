/**
 * `ProfilesStore` over Kysely for SQLite and PostgreSQL: reference profiles and
 * production windows, bodies as JSON text, upserts by primary key.
 */
import type { ProfileWindowRecord, ProfilesStore, ReferenceProfileRecord } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import type { ProfileWindowsTable } from './schema-profiles.js';
import type { Database } from './schema.js';

function toWindow(row: Selectable<ProfileWindowsTable>): ProfileWindowRecord {
  return {
    pipeline: row.pipeline,
    version: row.version,
    windowMs: Number(row.window_ms),
    start: Number(row.start),
    rows: Number(row.rows),
    state: JSON.parse(row.state) as unknown,
    drift: row.drift === null ? null : (JSON.parse(row.drift) as unknown),
    updatedAt: row.updated_at,
  };
}

export function createProfilesStore(db: Kysely<Database>): ProfilesStore {
  return {
    async putReferenceProfile(r: ReferenceProfileRecord) {
      const body = JSON.stringify({ features: r.features, prediction: r.prediction, cbpe: r.cbpe, positiveClass: r.positiveClass, evaluation: r.evaluation });
      const row = { pipeline: r.pipeline, version: r.version, source: r.source, rows: r.rows, body, created_at: r.createdAt };
      await db
        .insertInto('reference_profiles')
        .values(row)
        .onConflict((oc) => oc.columns(['pipeline', 'version']).doUpdateSet({ source: row.source, rows: row.rows, body: row.body, created_at: row.created_at }))
        .execute();
    },

    async getReferenceProfile(pipeline, version) {
      const row = await db.selectFrom('reference_profiles').selectAll().where('pipeline', '=', pipeline).where('version', '=', version).executeTakeFirst();
      if (row === undefined) return undefined;
      const body = JSON.parse(row.body) as Pick<ReferenceProfileRecord, 'features' | 'prediction' | 'cbpe' | 'positiveClass' | 'evaluation'>;
      return { pipeline: row.pipeline, version: row.version, source: row.source, rows: Number(row.rows), createdAt: row.created_at, ...body };
    },

    async getProfileWindow({ pipeline, version, windowMs, start }) {
      const row = await db
        .selectFrom('profile_windows')
        .selectAll()
        .where('pipeline', '=', pipeline)
        .where('version', '=', version)
        .where('window_ms', '=', windowMs)
        .where('start', '=', start)
        .executeTakeFirst();
      return row === undefined ? undefined : toWindow(row);
    },

    async putProfileWindow(r) {
      const row = {
        pipeline: r.pipeline,
        version: r.version,
        window_ms: r.windowMs,
        start: r.start,
        rows: r.rows,
        state: JSON.stringify(r.state),
        drift: r.drift === null || r.drift === undefined ? null : JSON.stringify(r.drift),
        updated_at: r.updatedAt,
      };
      await db
        .insertInto('profile_windows')
        .values(row)
        .onConflict((oc) => oc.columns(['pipeline', 'window_ms', 'start', 'version']).doUpdateSet({ rows: row.rows, state: row.state, drift: row.drift, updated_at: row.updated_at }))
        .execute();
    },

    async listProfileWindows({ pipeline, version, windowMs, from, to }) {
      const rows = await db
        .selectFrom('profile_windows')
        .selectAll()
        .where('pipeline', '=', pipeline)
        .where('window_ms', '=', windowMs)
        .where('start', '>=', from)
        .where('start', '<', to)
        .$if(version !== undefined, (q) => q.where('version', '=', version!))
        .orderBy('start')
        .orderBy('version')
        .execute();
      return rows.map(toWindow);
    },
  };
}

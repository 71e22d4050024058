/**
 * `RunStore` over Kysely, shared by SQLite and PostgreSQL. Claiming is one
 * `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING *` statement: on PostgreSQL the
 * inner select takes `FOR UPDATE SKIP LOCKED`, so servers sharing the database claim
 * different runs without waiting on each other; SQLite runs each statement alone.
 */
import type { CallbackAttempt, MetadataStore, NewRun, RunCallback, RunError, RunRecord, RunState, RunStore } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { RunsTable } from './schema-runs.js';

const PENDING: RunState[] = ['queued', 'running'];

export function createRunsStore(db: Kysely<Database>, kind: MetadataStore['kind']): RunStore {
  const get = async (id: string) => {
    const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRunRecord(row);
  };

  return {
    createRun: async (run: NewRun) => {
      const row: RunsTable = {
        id: run.id,
        mode: run.mode,
        state: run.state,
        pipeline: run.pipeline,
        ref: run.ref,
        version: null,
        environment: run.environment ?? null,
        caller_key: run.callerKey ?? null,
        inputs: JSON.stringify(run.inputs ?? null),
        inputs_truncated: 0,
        outputs: null,
        outputs_truncated: 0,
        error: null,
        callback_url: run.callbackUrl,
        callback_state: run.callbackUrl === null ? null : 'pending',
        callback_attempts: run.callbackUrl === null ? null : '[]',
        created_by: run.createdBy,
        enqueued_at: run.enqueuedAt,
        started_at: null,
        finished_at: null,
        queue_ms: null,
        compute_ms: null,
        executions: 0,
        lease_owner: null,
        lease_expires_at: null,
      };
      await db.insertInto('runs').values(row).execute();
      return toRunRecord(row);
    },

    getRun: get,

    listRuns: async ({ pipeline, state, limit }) => {
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .$if(pipeline !== undefined, (q) => q.where('pipeline', '=', pipeline ?? ''))
        .$if(state !== undefined, (q) => q.where('state', '=', state ?? ''))
        .orderBy('enqueued_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toRunRecord);
    },

    claimRun: async ({ owner, now, leaseUntil }) => {
      const row = await db
        .updateTable('runs')
        .set((eb) => ({
          state: 'running',
          lease_owner: owner,
          lease_expires_at: leaseUntil,
          started_at: now,
          executions: eb('executions', '+', 1),
        }))
        .where('id', '=', (eb) =>
          eb
            .selectFrom('runs')
            .select('id')
            .where('mode', '=', 'async')
            .where((w) => w.or([w('state', '=', 'queued'), w.and([w('state', '=', 'running'), w('lease_expires_at', '<', now)])]))
            .orderBy('enqueued_at')
            .orderBy('id')
            .limit(1)
            .$if(kind === 'postgres', (q) => q.forUpdate().skipLocked()),
        )
        // Between the select and the update another server may have taken it (PostgreSQL re-checks the row).
        .where((w) => w.or([w('state', '=', 'queued'), w.and([w('state', '=', 'running'), w('lease_expires_at', '<', now)])]))
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : toRunRecord(row);
    },

    renewRunLease: async (id, owner, leaseUntil) => {
      const result = await db
        .updateTable('runs')
        .set({ lease_expires_at: leaseUntil })
        .where('id', '=', id)
        .where('state', '=', 'running')
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    releaseRun: async (id, owner) => {
      const result = await db
        .updateTable('runs')
        .set({ state: 'queued', lease_owner: null, lease_expires_at: null })
        .where('id', '=', id)
        .where('state', '=', 'running')
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    finishRun: async (id, owner, outcome) => {
      const current = await db.selectFrom('runs').select(['inputs', 'started_at', 'enqueued_at']).where('id', '=', id).executeTakeFirst();
      if (current === undefined) return undefined;
      const inputsFit = current.inputs === null || byteLength(current.inputs) <= outcome.maxRecordBytes;
      const outputs = outcome.outputs === null || outcome.outputs === undefined ? null : JSON.stringify(outcome.outputs);
      const outputsFit = outputs === null || byteLength(outputs) <= outcome.maxRecordBytes;
      const started = current.started_at ?? outcome.finishedAt;
      const result = await db
        .updateTable('runs')
        .set({
          state: outcome.state,
          version: outcome.version,
          outputs: outputsFit ? outputs : null,
          outputs_truncated: outputsFit ? 0 : 1,
          inputs: inputsFit ? current.inputs : null,
          inputs_truncated: inputsFit ? 0 : 1,
          error: outcome.error === null ? null : JSON.stringify(outcome.error),
          started_at: started,
          finished_at: outcome.finishedAt,
          queue_ms: Date.parse(started) - Date.parse(current.enqueued_at),
          compute_ms: outcome.computeMs,
          lease_owner: null,
          lease_expires_at: null,
        })
        .where('id', '=', id)
        .where('state', 'in', PENDING)
        .$if(owner !== null, (q) => q.where('lease_owner', '=', owner ?? ''))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      return get(id);
    },

    cancelRun: async (id, at) => {
      const result = await db
        .updateTable('runs')
        .set({ state: 'cancelled', finished_at: at, lease_owner: null, lease_expires_at: null })
        .where('id', '=', id)
        .where('state', 'in', PENDING)
        .executeTakeFirst();
      const record = await get(id);
      return record === undefined ? undefined : { record, cancelled: Number(result.numUpdatedRows) === 1 };
    },

    updateRunCallback: async (id, callback) => {
      await db
        .updateTable('runs')
        .set({ callback_state: callback.state, callback_attempts: JSON.stringify(callback.attempts) })
        .where('id', '=', id)
        .execute();
    },

    pendingCallbacks: async (limit) => {
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .where('callback_state', '=', 'pending')
        .where('state', 'not in', PENDING)
        .orderBy('finished_at')
        .limit(limit)
        .execute();
      return rows.map(toRunRecord);
    },
  };
}

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

function toRunRecord(row: Selectable<RunsTable>): RunRecord {
  const callback: RunCallback | null =
    row.callback_url === null
      ? null
      : {
          url: row.callback_url,
          state: (row.callback_state ?? 'pending') as RunCallback['state'],
          attempts: JSON.parse(row.callback_attempts ?? '[]') as CallbackAttempt[],
        };
  const finished = row.finished_at !== null;
  return {
    id: row.id,
    mode: row.mode,
    state: row.state as RunState,
    pipeline: row.pipeline,
    ref: row.ref,
    version: row.version,
    environment: row.environment,
    callerKey: row.caller_key,
    inputs: row.inputs === null ? null : (JSON.parse(row.inputs) as unknown),
    inputsTruncated: row.inputs_truncated === 1,
    outputs: row.outputs === null ? null : (JSON.parse(row.outputs) as unknown),
    outputsTruncated: row.outputs_truncated === 1,
    error: row.error === null ? null : (JSON.parse(row.error) as RunError),
    callback,
    timings: {
      enqueuedAt: row.enqueued_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      queueMs: row.queue_ms === null ? null : Number(row.queue_ms),
      computeMs: finished && row.compute_ms !== null ? Number(row.compute_ms) : null,
    },
    executions: row.executions,
    createdBy: row.created_by,
  };
}

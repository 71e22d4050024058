/**
 * The `DeploymentStore` half of the metadata store, on Kysely for SQLite and PostgreSQL.
 * Structured fields (scaling, resources, traffic, rollout, event details) are JSON text.
 */
import { type DeploymentRecord, type DeploymentStore, type EnvironmentRecord, ErrorCode, type MetadataStore, type RolloutEvent, SlipwayError } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { DeploymentsTable, RolloutEventsTable } from './schema-deployments.js';

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function toRecord(row: Selectable<DeploymentsTable>): DeploymentRecord {
  return {
    pipeline: row.pipeline,
    environment: row.environment,
    target: row.target,
    scaling: JSON.parse(row.scaling) as DeploymentRecord['scaling'],
    serving: parse(row.serving),
    resources: JSON.parse(row.resources) as DeploymentRecord['resources'],
    traffic: parse(row.traffic),
    rollout: parse(row.rollout),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toEvent(row: Selectable<RolloutEventsTable>): RolloutEvent {
  return {
    pipeline: row.pipeline,
    environment: row.environment,
    seq: Number(row.seq),
    kind: row.kind as RolloutEvent['kind'],
    stable: Number(row.stable),
    candidate: Number(row.candidate),
    percent: Number(row.percent),
    reason: row.reason,
    actor: row.actor,
    at: row.at,
    details: parse(row.details),
  };
}

export function createDeploymentsStore(db: Kysely<Database>, kind: MetadataStore['kind']): DeploymentStore {
  return {
    async listEnvironments(): Promise<EnvironmentRecord[]> {
      const rows = await db.selectFrom('environments').selectAll().orderBy('name').execute();
      return rows.map((r) => ({ name: r.name, description: r.description, builtIn: false, createdAt: r.created_at }));
    },

    async createEnvironment({ name, description, createdAt }) {
      const result = await db
        .insertInto('environments')
        .values({ name, description, created_at: createdAt })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) {
        throw new SlipwayError(ErrorCode.conflict, `environment "${name}" already exists; list them with \`slipway environments ls\``, { details: { environment: name } });
      }
      return { name, description, builtIn: false, createdAt };
    },

    async putDeployment(d: DeploymentRecord): Promise<void> {
      const row: DeploymentsTable = {
        pipeline: d.pipeline,
        environment: d.environment,
        target: d.target,
        scaling: JSON.stringify(d.scaling),
        serving: d.serving === null ? null : JSON.stringify(d.serving),
        resources: JSON.stringify(d.resources),
        traffic: d.traffic === null ? null : JSON.stringify(d.traffic),
        rollout: d.rollout === null ? null : JSON.stringify(d.rollout),
        created_by: d.createdBy,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      };
      // An update keeps who created the deployment and when.
      const changes = { target: row.target, scaling: row.scaling, serving: row.serving, resources: row.resources, traffic: row.traffic, rollout: row.rollout, updated_at: row.updated_at };
      await db
        .insertInto('deployments')
        .values(row)
        .onConflict((oc) => oc.columns(['pipeline', 'environment']).doUpdateSet(changes))
        .execute();
    },

    async getDeployment(pipeline, environment) {
      const row = await db.selectFrom('deployments').selectAll().where('pipeline', '=', pipeline).where('environment', '=', environment).executeTakeFirst();
      return row && toRecord(row);
    },

    async listDeployments() {
      const rows = await db.selectFrom('deployments').selectAll().orderBy('pipeline').orderBy('environment').execute();
      return rows.map(toRecord);
    },

    async deleteDeployment(pipeline, environment) {
      const result = await db.deleteFrom('deployments').where('pipeline', '=', pipeline).where('environment', '=', environment).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async appendRolloutEvent(event) {
      return db.transaction().execute(async (trx) => {
        // Lock the deployment row (PostgreSQL) so concurrent appends get distinct numbers;
        // SQLite runs each transaction alone.
        await trx
          .selectFrom('deployments')
          .select('pipeline')
          .where('pipeline', '=', event.pipeline)
          .where('environment', '=', event.environment)
          .$if(kind === 'postgres', (q) => q.forUpdate())
          .execute();
        const last = await trx
          .selectFrom('rollout_events')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('pipeline', '=', event.pipeline)
          .where('environment', '=', event.environment)
          .executeTakeFirst();
        const seq = Number(last?.seq ?? 0) + 1;
        await trx
          .insertInto('rollout_events')
          .values({
            pipeline: event.pipeline,
            environment: event.environment,
            seq,
            kind: event.kind,
            stable: event.stable,
            candidate: event.candidate,
            percent: event.percent,
            reason: event.reason,
            actor: event.actor,
            at: event.at,
            details: event.details === null ? null : JSON.stringify(event.details),
          })
          .execute();
        return { ...event, seq };
      });
    },

    async listRolloutEvents(pipeline, environment) {
      const rows = await db.selectFrom('rollout_events').selectAll().where('pipeline', '=', pipeline).where('environment', '=', environment).orderBy('seq').execute();
      return rows.map(toEvent);
    },
  };
}

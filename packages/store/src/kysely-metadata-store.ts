/**
 * The one `MetadataStore`, written against Kysely and shared by SQLite and PostgreSQL;
 * sqlite.ts and postgres.ts only open the connection. Record fields that are structured
 * (manifest, signature, artifacts, lineage) are stored as JSON text and parsed on read.
 */
import {
  type AliasEvent,
  type AliasRecord,
  ErrorCode,
  type MetadataStore,
  type PipelineSummary,
  SlipwayError,
  type TokenRecord,
  type VersionRecord,
} from '@slipway/core';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { createRunsStore } from './kysely-runs-store.js';
import { createGovernanceStore } from './kysely-governance-store.js';
import { createProfilesStore } from './kysely-profiles-store.js';
import { createDeploymentsStore } from './kysely-deployments-store.js';
import { createPoliciesStore } from './kysely-policies-store.js';
import { migrateToLatest } from './migrations.js';
import type { AliasEventsTable, AliasesTable, Database, TokensTable, VersionsTable } from './schema.js';
import { createMonitoringStore } from './kysely-monitoring-store.js';
import { createAlertsStore } from './kysely-alerts-store.js';

export interface KyselyMetadataStoreOptions {
  kind: MetadataStore['kind'];
  /** Owned by the store from now on: `close()` destroys it. */
  db: Kysely<Database>;
}

export function createKyselyMetadataStore({ kind, db }: KyselyMetadataStoreOptions): MetadataStore {
  /**
   * Makes the rest of the transaction the only writer of this pipeline, so reading the
   * highest version (or alias event) and writing the next one cannot interleave with
   * another push. PostgreSQL locks the pipeline row; SQLite has no FOR UPDATE and needs
   * none, since Kysely runs each transaction alone on its single connection. (A second
   * process writing the same file cannot corrupt the numbering either, but its transaction
   * may fail with SQLITE_BUSY instead of waiting: SQLite's `begin` is deferred.)
   */
  async function lockPipeline(trx: Transaction<Database>, name: string): Promise<void> {
    await trx
      .selectFrom('pipelines')
      .select('name')
      .where('name', '=', name)
      .$if(kind === 'postgres', (q) => q.forUpdate())
      .execute();
  }

  async function summaries(name?: string): Promise<PipelineSummary[]> {
    let pipelines = db
      .selectFrom('pipelines as p')
      .innerJoin('versions as v', 'v.pipeline', 'p.name')
      .where('v.version', '=', (eb) =>
        eb.selectFrom('versions as m').select((m) => m.fn.max('m.version').as('latest')).whereRef('m.pipeline', '=', 'p.name'),
      )
      .select((eb) => [
        'p.name',
        'p.created_at',
        'p.updated_at',
        'v.version',
        'v.manifest',
        eb
          .selectFrom('versions as c')
          .select((c) => c.fn.countAll<number | string>().as('n'))
          .whereRef('c.pipeline', '=', 'p.name')
          .as('version_count'),
      ])
      .orderBy('p.name');
    let aliasRows = db.selectFrom('aliases').select(['pipeline', 'alias', 'version']).orderBy('alias');
    if (name !== undefined) {
      pipelines = pipelines.where('p.name', '=', name);
      aliasRows = aliasRows.where('pipeline', '=', name);
    }
    const [rows, aliases] = await Promise.all([pipelines.execute(), aliasRows.execute()]);
    const aliasesOf = new Map<string, Record<string, number>>();
    for (const a of aliases) {
      const map = aliasesOf.get(a.pipeline) ?? {};
      map[a.alias] = a.version;
      aliasesOf.set(a.pipeline, map);
    }
    return rows.map((row) => ({
      name: row.name,
      description: (JSON.parse(row.manifest) as VersionRecord['manifest']).description ?? null,
      latestVersion: row.version,
      // PostgreSQL counts in bigint, which pg hands over as a string.
      versionCount: Number(row.version_count),
      aliases: aliasesOf.get(row.name) ?? {},
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  return {
    kind,
    ...createRunsStore(db, kind),
    ...createGovernanceStore(db, kind),
    ...createProfilesStore(db),
    ...createDeploymentsStore(db, kind),
    ...createPoliciesStore(db, kind),
    ...createMonitoringStore(db, kind),
    ...createAlertsStore(db, kind),

    migrate: () => migrateToLatest(db, kind),

    close: () => db.destroy(),

    createVersion: (input) =>
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('pipelines')
          .values({ name: input.pipeline, created_at: input.createdAt, updated_at: input.createdAt })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        await lockPipeline(trx, input.pipeline);
        // Checked under the lock, so of two identical concurrent pushes the second sees the first.
        const existing = await trx
          .selectFrom('versions')
          .selectAll()
          .where('pipeline', '=', input.pipeline)
          .where('digest', '=', input.digest)
          .executeTakeFirst();
        if (existing !== undefined) return { version: toVersionRecord(existing), created: false };
        const { latest } = await trx
          .selectFrom('versions')
          .select((eb) => eb.fn.max<number | null>('version').as('latest'))
          .where('pipeline', '=', input.pipeline)
          .executeTakeFirstOrThrow();
        const row = toVersionRow({ ...input, version: (latest ?? 0) + 1 });
        await trx.insertInto('versions').values(row).execute();
        await trx.updateTable('pipelines').set({ updated_at: input.createdAt }).where('name', '=', input.pipeline).execute();
        // Read back from the row, so the caller gets exactly what `getVersion` will return.
        return { version: toVersionRecord(row), created: true };
      }),

    getVersion: async (pipeline, version) => {
      const row = await db
        .selectFrom('versions')
        .selectAll()
        .where('pipeline', '=', pipeline)
        .where('version', '=', version)
        .executeTakeFirst();
      return row === undefined ? undefined : toVersionRecord(row);
    },

    latestVersion: async (pipeline) => {
      const row = await db
        .selectFrom('versions')
        .selectAll()
        .where('pipeline', '=', pipeline)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : toVersionRecord(row);
    },

    listVersions: async (pipeline) => {
      const rows = await db.selectFrom('versions').selectAll().where('pipeline', '=', pipeline).orderBy('version', 'desc').execute();
      return rows.map(toVersionRecord);
    },

    getPipeline: async (name) => (await summaries(name))[0],

    listPipelines: () => summaries(),

    setAlias: ({ pipeline, alias, version, actor }) =>
      db.transaction().execute(async (trx) => {
        await lockPipeline(trx, pipeline);
        const target = await trx
          .selectFrom('versions')
          .select('version')
          .where('pipeline', '=', pipeline)
          .where('version', '=', version)
          .executeTakeFirst();
        if (target === undefined) {
          throw new SlipwayError(
            ErrorCode.notFound,
            `cannot point alias "${alias}" at version ${version} of pipeline "${pipeline}": that version does not exist; ` +
              `list versions with \`slipway versions ${pipeline}\``,
            { details: { pipeline, alias, version } },
          );
        }
        const current = await trx
          .selectFrom('aliases')
          .select('version')
          .where('pipeline', '=', pipeline)
          .where('alias', '=', alias)
          .executeTakeFirst();
        const { last } = await trx
          .selectFrom('alias_events')
          .select((eb) => eb.fn.max<number | null>('seq').as('last'))
          .where('pipeline', '=', pipeline)
          .where('alias', '=', alias)
          .executeTakeFirstOrThrow();
        const at = new Date().toISOString();
        await trx
          .insertInto('aliases')
          .values({ pipeline, alias, version, updated_by: actor, updated_at: at })
          .onConflict((oc) => oc.columns(['pipeline', 'alias']).doUpdateSet({ version, updated_by: actor, updated_at: at }))
          .execute();
        await trx
          .insertInto('alias_events')
          .values({ pipeline, alias, seq: (last ?? 0) + 1, from_version: current?.version ?? null, to_version: version, actor, at })
          .execute();
        await trx.updateTable('pipelines').set({ updated_at: at }).where('name', '=', pipeline).execute();
        return { pipeline, alias, version, updatedBy: actor, updatedAt: at };
      }),

    getAlias: async (pipeline, alias) => {
      const row = await db
        .selectFrom('aliases')
        .selectAll()
        .where('pipeline', '=', pipeline)
        .where('alias', '=', alias)
        .executeTakeFirst();
      return row === undefined ? undefined : toAliasRecord(row);
    },

    listAliases: async (pipeline) => {
      const rows = await db.selectFrom('aliases').selectAll().where('pipeline', '=', pipeline).orderBy('alias').execute();
      return rows.map(toAliasRecord);
    },

    aliasHistory: async (pipeline, alias) => {
      const rows = await db
        .selectFrom('alias_events')
        .selectAll()
        .where('pipeline', '=', pipeline)
        .where('alias', '=', alias)
        .orderBy('seq')
        .execute();
      return rows.map(toAliasEvent);
    },

    createToken: async (token) => {
      await db
        .insertInto('tokens')
        .values({ id: token.id, name: token.name, hash: token.hash, role: token.role, created_at: token.createdAt })
        .execute();
    },

    findTokenByHash: async (hash) => {
      const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row === undefined ? undefined : toTokenRecord(row);
    },

    countTokens: async () => {
      const { n } = await db
        .selectFrom('tokens')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
  };
}

function toVersionRow(v: VersionRecord): VersionsTable {
  return {
    pipeline: v.pipeline,
    version: v.version,
    digest: v.digest,
    manifest: JSON.stringify(v.manifest),
    signature: JSON.stringify(v.signature),
    artifacts: JSON.stringify(v.artifacts),
    lineage: JSON.stringify(v.lineage),
    created_by: v.createdBy,
    created_at: v.createdAt,
  };
}

function toVersionRecord(row: Selectable<VersionsTable>): VersionRecord {
  return {
    pipeline: row.pipeline,
    version: row.version,
    digest: row.digest,
    manifest: JSON.parse(row.manifest) as VersionRecord['manifest'],
    signature: JSON.parse(row.signature) as VersionRecord['signature'],
    artifacts: JSON.parse(row.artifacts) as VersionRecord['artifacts'],
    lineage: JSON.parse(row.lineage) as VersionRecord['lineage'],
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function toAliasRecord(row: Selectable<AliasesTable>): AliasRecord {
  return { pipeline: row.pipeline, alias: row.alias, version: row.version, updatedBy: row.updated_by, updatedAt: row.updated_at };
}

function toAliasEvent(row: Selectable<AliasEventsTable>): AliasEvent {
  return {
    pipeline: row.pipeline,
    alias: row.alias,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    actor: row.actor,
    at: row.at,
  };
}

function toTokenRecord(row: Selectable<TokensTable>): TokenRecord {
  return { id: row.id, name: row.name, hash: row.hash, role: row.role, createdAt: row.created_at };
}

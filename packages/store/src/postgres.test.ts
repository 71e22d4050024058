import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { describeMetadataStoreContract } from './metadata-store.contract.js';
import { describeGovernanceStoreContract } from './governance-store.contract.js';
import { describeDeploymentStoreContract } from './deployments-store.contract.js';
import { describeRunStoreContract } from './runs-store.contract.js';
import { describeProfilesStoreContract } from './profiles-store.contract.js';
import { describePoliciesStoreContract } from './policies-store.contract.js';
import { createPostgresMetadataStore } from './postgres.js';
import { describeAlertsStoreContract } from './alerts-store.contract.js';
import { describeWithService } from './testing/require-service.js';
import { describeMonitoringStoreContract } from './monitoring-store.contract.js';

const url = process.env.SLIPWAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// A schema of its own per run, so runs (and other packages' tests) sharing the database stay apart.
const schema = `slipway_test_${randomBytes(6).toString('hex')}`;

async function withClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function withoutPassword(connectionString: string): string {
  const parsed = new URL(connectionString);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

await describeWithService(
  { name: 'postgres', where: withoutPassword(url), probe: () => withClient((c) => c.query('select 1')).then(() => undefined) },
  () => {
    afterAll(() => withClient((c) => c.query(`drop schema if exists ${schema} cascade`)));

    describeMetadataStoreContract('postgres', () => createPostgresMetadataStore({ connectionString: url, schema }));
    describeMonitoringStoreContract('postgres', () => createPostgresMetadataStore({ connectionString: url, schema }));
    describeGovernanceStoreContract('postgres', () => createPostgresMetadataStore({ connectionString: url, schema }));
    describeDeploymentStoreContract('postgres', () => createPostgresMetadataStore({ connectionString: url, schema }));
    describeRunStoreContract('postgres', () => createPostgresMetadataStore({ connectionString: url, schema }));
    describeProfilesStoreContract('postgres', () => createPostgresMetadataStore({ connectionString: url, schema }));
    describePoliciesStoreContract('postgres', () => createPostgresMetadataStore({ connectionString: url, schema }));
    describeAlertsStoreContract('postgres', () => createPostgresMetadataStore({ connectionString: url, schema }));

    it('keeps schemas of one database apart', async () => {
      const other = `${schema}_other`;
      const store = createPostgresMetadataStore({ connectionString: url, schema: other });
      try {
        await store.migrate();
        expect(await store.listPipelines()).toStrictEqual([]);
        const tables = await withClient((c) =>
          c.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1 order by table_name', [other]),
        );
        expect(tables.rows.map((r) => r.table_name)).toStrictEqual([
          'alert_channels',
          'alert_notifications',
          'alert_records',
          'alert_rules',
          'alert_settings',
          'alert_states',
          'alias_events',
          'aliases',
          'approvals',
          'audit_events',
          'deployments',
          'environments',
          'feedback_events',
          'feedback_labels',
          'identities',
          'incident_events',
          'incident_records',
          'kpi_values',
          'kysely_migration',
          'kysely_migration_lock',
          'memberships',
          'ops_windows',
          'pipelines',
          'policies',
          'policy_exceptions',
          'predictions',
          'profile_windows',
          'projects',
          'reference_profiles',
          'rollout_events',
          'runs',
          'tokens',
          'version_facts',
          'versions',
        ]);
      } finally {
        await store.close();
        await withClient((c) => c.query(`drop schema if exists ${other} cascade`));
      }
    });
  },
);

describe('createPostgresMetadataStore', () => {
  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => createPostgresMetadataStore({ connectionString: url, schema: 'x; drop table versions' })).toThrow(/schema: .*plain PostgreSQL identifier/);
  });
});

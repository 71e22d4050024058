import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeMetadataStoreContract } from './metadata-store.contract.js';
import { describeGovernanceStoreContract } from './governance-store.contract.js';
import { describeDeploymentStoreContract } from './deployments-store.contract.js';
import { describeRunStoreContract } from './runs-store.contract.js';
import { describeProfilesStoreContract } from './profiles-store.contract.js';
import { describePoliciesStoreContract } from './policies-store.contract.js';
import { createSqliteMetadataStore } from './sqlite.js';
import { describeAlertsStoreContract } from './alerts-store.contract.js';
import { describeMonitoringStoreContract } from './monitoring-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Nested directories that do not exist yet: the store creates them.
describeMetadataStoreContract('sqlite', () => createSqliteMetadataStore({ path: join(dir, 'nested', 'deeper', 'slipway.db') }));
describeMonitoringStoreContract('sqlite', () => createSqliteMetadataStore({ path: join(dir, 'monitoring.db') }));
describeGovernanceStoreContract('sqlite', () => createSqliteMetadataStore({ path: join(dir, 'governance.db') }));
describeDeploymentStoreContract('sqlite', () => createSqliteMetadataStore({ path: join(dir, 'deployments.db') }));
describeRunStoreContract('sqlite', () => createSqliteMetadataStore({ path: join(dir, 'runs.db') }));
describeProfilesStoreContract('sqlite', () => createSqliteMetadataStore({ path: join(dir, 'profiles.db') }));
describePoliciesStoreContract('sqlite', () => createSqliteMetadataStore({ path: join(dir, 'policies.db') }));
describeAlertsStoreContract('sqlite', () => createSqliteMetadataStore({ path: join(dir, 'alerts.db') }));

describe('createSqliteMetadataStore', () => {
  it('writes through a WAL journal', async () => {
    const path = join(dir, 'wal.db');
    const store = createSqliteMetadataStore({ path });
    try {
      await store.migrate();
      expect(existsSync(`${path}-wal`)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('accepts :memory: for a throwaway store', async () => {
    const store = createSqliteMetadataStore({ path: ':memory:' });
    try {
      await store.migrate();
      await store.createToken({ id: 't1', name: 'test', hash: 'sha256:00', role: 'admin', createdAt: new Date().toISOString() });
      expect(await store.countTokens()).toBe(1);
    } finally {
      await store.close();
    }
  });
});

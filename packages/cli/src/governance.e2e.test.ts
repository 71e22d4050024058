/**
 * End to end for governance: the real server in-process, driven through `main`. The admin
 * works from the token file the server writes; alice logs in with a token the admin made,
 * and the CLI then works from her saved login alone.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent, CreatedToken, WhoamiResponse } from '@slipway/core';
import { type RunningServer, resolveServerConfig, startServer } from '@slipway/server';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './testing/capture-io.js';

let dir: string;
let dataDir: string;
let server: RunningServer;
let adminEnv: NodeJS.ProcessEnv;
let aliceEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-gov-e2e-'));
  dataDir = join(dir, 'data');
  server = await startServer(resolveServerConfig({ port: 0, dataDir, examples: false, logLevel: 'silent', workerThreads: 1 }, {}));
  adminEnv = { SLIPWAY_SERVER: server.url, SLIPWAY_DATA_DIR: dataDir };
  // No data dir (so no admin token file) and no SLIPWAY_SERVER: only the saved login.
  aliceEnv = { SLIPWAY_CONFIG: join(dir, 'alice', 'config.json') };
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const admin = (...args: string[]) => runCli(args, { env: adminEnv, cwd: dir });
const alice = (...args: string[]) => runCli(args, { env: aliceEnv, cwd: dir });

describe('slipway users | projects | tokens | login | audit', () => {
  it('admin makes alice a viewer and a token; alice logs in, works, and loses access once revoked', async () => {
    const created = await admin('users', 'create', 'alice');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created user alice');
    expect((await admin('projects', 'add-member', 'default', 'alice', '--role', 'viewer')).stdout).toBe('alice is viewer in default\n');
    expect((await admin('projects', 'add-member', 'default', 'alice', '--role', 'wizard')).code).toBe(2);
    const made = await admin('tokens', 'create', 'laptop', '--identity', 'alice', '--scopes', 'read', '--expires-in-days', '30', '--json');
    expect(made.code).toBe(0);
    const token = (JSON.parse(made.stdout) as CreatedToken).token;
    expect(token).toMatch(/^slw_/);

    const login = await runCli(['--server', server.url, 'login', '--token', token], { env: aliceEnv, cwd: dir });
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/logged in to http:\/\/127\.0\.0\.1:\d+ as alice/);
    expect((await stat(aliceEnv.SLIPWAY_CONFIG!)).mode & 0o777).toBe(0o600);

    const me = JSON.parse((await alice('whoami', '--json')).stdout) as WhoamiResponse;
    expect(me).toMatchObject({ name: 'alice', roles: { default: ['viewer'] }, scopes: ['read'] });
    expect((await alice('pipelines', 'ls')).code).toBe(0);
    const denied = await alice('users', 'create', 'mallory');
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/lacks the "administer" permission/);

    const listed = (await alice('tokens', 'ls')).stdout;
    expect(listed).toMatch(/laptop\s+alice\s+read\s+/);
    expect(listed).not.toContain(token);
    expect((await admin('tokens', 'revoke', me.tokenId)).code).toBe(0);
    const after = await alice('pipelines', 'ls');
    expect(after.code).toBe(4);
    expect(after.stderr).toMatch(/revoked/);
    expect((await alice('logout')).code).toBe(0);
  });

  it('audit ls filters by actor and target; audit verify passes, then fails with exit 1 after the SQLite file is edited', async () => {
    const ls = await admin('audit', 'ls', '--actor', 'alice', '--json');
    expect(ls.code).toBe(0);
    const events = (JSON.parse(ls.stdout) as { events: AuditEvent[] }).events;
    expect(events.some((e) => e.action === 'auth.denied' && e.details?.permission === 'administer')).toBe(true);
    expect((await admin('audit', 'ls', '--target', 'alice')).stdout).toMatch(/POST \/v1\/users|PUT \/v1\/projects/);
    expect((await admin('audit', 'ls', '--since', 'yesterday')).code).toBe(2);

    const intact = await admin('audit', 'verify');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^audit log intact: \d+ events verified\n$/);
    const db = new BetterSqlite3(join(dataDir, 'slipway.db'));
    try {
      db.exec('drop trigger audit_events_no_update');
      db.exec("update audit_events set actor = 'nobody' where seq = 2");
    } finally {
      db.close();
    }
    const broken = await admin('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/audit log BROKEN at event 2: event 2 was modified/);
  });
});

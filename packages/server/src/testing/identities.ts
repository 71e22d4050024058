/** Test support: users with a role in a project, and their tokens, made through the real identity service. */
import type { Permission, Role } from '@slipway/core';
import { TEST_TOKEN, type TestApp } from './fixtures.js';

let n = 0;

export interface MemberToken {
  name: string;
  token: string;
  headers: { authorization: string };
}

/** A user (new unless `name` exists) with `role` in `project` (default `*`: every project) and a new token of theirs. */
export async function memberToken(t: TestApp, role: Role, options: { project?: string; scopes?: Permission[]; name?: string; expiresInDays?: number } = {}): Promise<MemberToken> {
  n += 1;
  const name = options.name ?? `${role}-${n}`;
  const project = options.project ?? '*';
  if (project !== '*') await t.identity.requireProject(project).catch(() => t.identity.createProject(project, null, 'tester'));
  await t.identity.createIdentity(name, 'user', 'tester').catch(() => undefined);
  await t.identity.setMembership(project, name, role, 'tester');
  const admin = await t.identity.resolve(TEST_TOKEN);
  const { token } = await t.identity.issueToken(admin, {
    name: 'test',
    identity: name,
    ...(options.scopes ? { scopes: options.scopes } : {}),
    ...(options.expiresInDays ? { expiresInDays: options.expiresInDays } : {}),
  });
  return { name, token, headers: { authorization: `Bearer ${token}` } };
}

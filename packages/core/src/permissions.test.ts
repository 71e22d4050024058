import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, ROLE_PERMISSIONS, effectivePermissions, isPermission, isRole, roleAllows } from './permissions.js';

describe('roles', () => {
  it('grants what the issue names, and the caller role only runs', () => {
    expect(ROLE_PERMISSIONS).toEqual({
      caller: ['run'],
      viewer: ['read'],
      'data-scientist': ['read', 'run', 'push', 'feedback'],
      'ml-engineer': ['read', 'run', 'push', 'feedback', 'promote', 'deploy', 'operate'],
      approver: ['read', 'approve'],
      admin: PERMISSIONS,
    });
    expect(roleAllows('caller', 'read')).toBe(false);
    expect(roleAllows('approver', 'approve')).toBe(true);
    expect(ROLES.filter((r) => roleAllows(r, 'administer'))).toEqual(['admin']);
  });

  const cases: [Parameters<typeof effectivePermissions>[0], Parameters<typeof effectivePermissions>[1], string[]][] = [
    [['viewer'], null, ['read']],
    [['viewer', 'caller'], null, ['read', 'run']],
    [['data-scientist'], ['read', 'administer'], ['read']],
    [['admin'], ['run'], ['run']],
    [[], null, []],
    [['approver'], [], []],
  ];
  for (const [roles, scopes, expected] of cases) {
    it(`${roles.join('+') || 'no role'} with scopes ${scopes === null ? 'none' : `[${scopes.join(',')}]`} → ${expected.join(',') || 'nothing'}`, () => {
      expect([...effectivePermissions(roles, scopes)].sort()).toEqual([...expected].sort());
    });
  }

  it('recognises roles and permissions', () => {
    expect([isRole('ml-engineer'), isRole('root'), isRole(3)]).toEqual([true, false, false]);
    expect([isPermission('deploy'), isPermission('fly')]).toEqual([true, false]);
  });
});

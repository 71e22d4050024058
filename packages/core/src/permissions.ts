/**
 * Roles and the permissions they grant (RBAC). Routes ask for a permission, never a
 * role, so a role's reach is decided here and nowhere else. The governance issue owns
 * this table; other features only pick the permission their route needs.
 */

export const Permission = {
  /** Read pipelines, versions, aliases, deployments, monitoring, incidents. */
  read: 'read',
  /** Execute runs (inference). */
  run: 'run',
  /** Push new versions. */
  push: 'push',
  /** Send feedback (ground truth) and business KPIs. */
  feedback: 'feedback',
  /** Move aliases (promotion; approvals and policies may still refuse it). */
  promote: 'promote',
  /** Deployments, rollouts, serving controls (warmup/cooldown). */
  deploy: 'deploy',
  /** Alert rules, notification channels, incidents. */
  operate: 'operate',
  /** Approve a version's promotion. */
  approve: 'approve',
  /** Users, tokens, policies, keys, audit. */
  administer: 'administer',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const PERMISSIONS: readonly Permission[] = Object.values(Permission);

export const Role = {
  /** Only runs inference: for applications calling a deployment. */
  caller: 'caller',
  viewer: 'viewer',
  dataScientist: 'data-scientist',
  mlEngineer: 'ml-engineer',
  approver: 'approver',
  admin: 'admin',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = Object.values(Role);

const P = Permission;
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  caller: [P.run],
  viewer: [P.read],
  'data-scientist': [P.read, P.run, P.push, P.feedback],
  'ml-engineer': [P.read, P.run, P.push, P.feedback, P.promote, P.deploy, P.operate],
  approver: [P.read, P.approve],
  admin: PERMISSIONS,
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

/**
 * What a set of roles grants, narrowed to `scopes` when the token has them (a scoped
 * token never exceeds its holder's roles, nor its scopes).
 */
export function effectivePermissions(roles: readonly Role[], scopes: readonly Permission[] | null): Set<Permission> {
  const granted = new Set<Permission>(roles.flatMap((r) => ROLE_PERMISSIONS[r]));
  if (scopes === null) return granted;
  return new Set(scopes.filter((s) => granted.has(s)));
}

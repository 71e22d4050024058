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

export const Role = {
  viewer: 'viewer',
  dataScientist: 'data-scientist',
  mlEngineer: 'ml-engineer',
  approver: 'approver',
  admin: 'admin',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

const P = Permission;
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: [P.read],
  'data-scientist': [P.read, P.run, P.push, P.feedback],
  'ml-engineer': [P.read, P.run, P.push, P.feedback, P.promote, P.deploy, P.operate],
  approver: [P.read, P.approve],
  admin: Object.values(P),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

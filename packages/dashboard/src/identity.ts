/**
 * What the signed-in token may do, so pages hide controls its role does not allow. The
 * server is the authority: it refuses a forbidden call whatever the dashboard shows.
 */
import { effectivePermissions } from '@slipway/core';
import { useEffect, useState } from 'react';
import type { DashboardApi } from './api.js';
import type { Session } from './session-context.js';

export type Identity = Pick<Session, 'principal' | 'permissions'>;

export type IdentityState = { state: 'loading' } | { state: 'ready'; identity: Identity } | { state: 'failed'; error: unknown };

/**
 * Asks `GET /v1/whoami`. Roles from every project count: a control may show for a pipeline
 * of a project where the token's role is lower, and the server then refuses it.
 */
export async function loadIdentity(api: DashboardApi): Promise<Identity> {
  const me = await api.governance.whoami();
  const roles = [...new Set([me.role, ...Object.values(me.roles).flat()])];
  return { principal: { name: me.name, roles }, permissions: effectivePermissions(roles, me.scopes) };
}

export function useIdentity(api: DashboardApi): IdentityState {
  const [state, setState] = useState<IdentityState>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    loadIdentity(api).then(
      (identity) => current && setState({ state: 'ready', identity }),
      (error: unknown) => current && setState({ state: 'failed', error }),
    );
    return () => {
      current = false;
    };
  }, [api]);
  return state;
}

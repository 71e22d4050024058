/**
 * What every page needs from the signed-in session: the API client and what the token may
 * do. `can` answers true when the server did not say (no identity endpoint): the control
 * shows and the server still refuses what the role does not allow.
 */
import type { Permission } from '@slipway/core';
import { createContext, useContext } from 'react';
import type { DashboardApi } from './api.js';

export interface Session {
  api: DashboardApi;
  /** Who the token belongs to, when the server says. */
  principal?: { name: string; roles: string[] };
  /** The token's permissions; undefined when the server has no way to tell. */
  permissions?: ReadonlySet<string>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside a signed-in session');
  return session;
}

export function useCan(permission: Permission): boolean {
  const { permissions } = useSession();
  return permissions === undefined || permissions.has(permission);
}

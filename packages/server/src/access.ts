/**
 * Access control for routes: `access.require(req, Permission.push)` authenticates the
 * bearer token and checks that its role grants the permission, returning who is acting.
 * Every route except health probes and `/metrics` goes through it.
 */
import { ErrorCode, type MetadataStore, type Permission, type Role, SlipwayError, roleAllows } from '@slipway/core';
import type { FastifyRequest } from 'fastify';
import { authenticate } from './auth.js';

/** The authenticated caller of a request. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

/** What the request acts on, for project scoping: a pipeline the caller must be able to see. */
export interface AccessTarget {
  pipeline?: string;
}

export interface Access {
  require(req: FastifyRequest, permission: Permission, target?: AccessTarget): Promise<Principal>;
}

export function createAccess(store: MetadataStore): Access {
  return {
    async require(req, permission) {
      const principal = await authenticate(store, req);
      if (!roleAllows(principal.role, permission)) {
        throw new SlipwayError(ErrorCode.forbidden, `role "${principal.role}" lacks the "${permission}" permission this route needs; ask an admin for a role that grants it`, {
          details: { permission, role: principal.role },
        });
      }
      return principal;
    },
  };
}

/**
 * Optional OIDC: bearer JWTs from an enterprise identity provider, verified against its
 * JWKS (fetched from a URL, cached and refreshed by `jose`, or read from a file) with the
 * configured issuer and audience. One claim names the user; another lists roles as
 * `project:role` (or a bare `role` for the `default` project, `*:role` platform-wide).
 * Memberships stored for a user of the same name add to what the token's claims grant.
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_PROJECT, ErrorCode, InvalidInputError, type Role, ROLES, SlipwayError } from '@slipway/core';
import { type JWTPayload, type JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from 'jose';

export interface OidcOptions {
  /** The `iss` every token must carry. */
  issuer: string;
  /** The `aud` every token must carry. */
  audience: string;
  /** Where the provider publishes its keys; or `jwksFile`. */
  jwksUrl?: string;
  /** A JWKS JSON file, for providers not reachable from the server. */
  jwksFile?: string;
  /** The claim naming the user. Default `sub`. */
  userClaim?: string;
  /** The claim listing roles (`project:role`, `role`, `*:role`). Default `slipway_roles`. */
  rolesClaim?: string;
}

export interface OidcIdentity {
  /** `oidc:<jti or sub>` */
  tokenId: string;
  name: string;
  roles: Map<string, Role[]>;
  /** Epoch ms of `exp`, or null. */
  expiresAt: number | null;
}

export interface OidcVerifier {
  /** Loads the key set (reads the file); the server awaits it at start so a bad file stops the start. */
  ready(): Promise<void>;
  verify(token: string): Promise<OidcIdentity>;
}

/** Three base64url segments, the first a JSON header: a JWT, not a Slipway token. */
export const looksLikeJwt = (token: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token);

const unauthenticated = (message: string, reason: string, cause?: unknown) => new SlipwayError(ErrorCode.unauthenticated, message, { details: { reason }, cause });

/** `project:role` entries of the roles claim; unknown roles are ignored (the provider may list others' roles). */
export function rolesFromClaim(value: unknown): Map<string, Role[]> {
  const roles = new Map<string, Role[]>();
  const entries = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry === '') continue;
    const at = entry.lastIndexOf(':');
    const [project, role] = at < 0 ? [DEFAULT_PROJECT, entry] : [entry.slice(0, at), entry.slice(at + 1)];
    if (!(ROLES as readonly string[]).includes(role) || project === '') continue;
    roles.set(project, [...(roles.get(project) ?? []), role as Role]);
  }
  return roles;
}

async function loadKeys(options: OidcOptions): Promise<JWTVerifyGetKey> {
  if (options.jwksUrl !== undefined) return createRemoteJWKSet(new URL(options.jwksUrl));
  if (options.jwksFile === undefined) {
    throw new SlipwayError(ErrorCode.invalidInput, 'OIDC needs SLIPWAY_OIDC_JWKS_URL or SLIPWAY_OIDC_JWKS_FILE', { details: { issues: [{ path: 'oidc.jwksUrl', message: 'required' }] } });
  }
  const file = options.jwksFile;
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new SlipwayError(ErrorCode.invalidInput, `cannot read the OIDC JWKS file ${file} (${err.code ?? err.message}); check SLIPWAY_OIDC_JWKS_FILE`, { cause: err });
  });
  try {
    return createLocalJWKSet(JSON.parse(text) as Parameters<typeof createLocalJWKSet>[0]);
  } catch (err) {
    throw new SlipwayError(ErrorCode.invalidInput, `the OIDC JWKS file ${file} is not a JSON Web Key Set ({"keys": [...]})`, { cause: err });
  }
}

export function createOidcVerifier(options: OidcOptions): OidcVerifier {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = () => (keys ??= loadKeys(options));
  const userClaim = options.userClaim ?? 'sub';
  const rolesClaim = options.rolesClaim ?? 'slipway_roles';

  return {
    async ready() {
      await keySet();
    },
    async verify(token) {
      const getKey = await keySet();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, { issuer: options.issuer, audience: options.audience }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw unauthenticated('the OIDC token has expired; sign in to your identity provider again', 'expired', err);
        if (err instanceof errors.JWTClaimValidationFailed) throw unauthenticated(`the OIDC token's "${err.claim}" claim is not accepted here (${err.reason}); expected issuer ${options.issuer} and audience ${options.audience}`, 'claims', err);
        throw unauthenticated('the OIDC token could not be verified against the identity provider\'s keys; get a new token', 'signature', err);
      }
      const user = payload[userClaim];
      if (typeof user !== 'string' || user === '') throw unauthenticated(`the OIDC token has no "${userClaim}" claim naming the user`, 'claims');
      return {
        tokenId: `oidc:${payload.jti ?? user}`,
        name: user,
        roles: rolesFromClaim(payload[rolesClaim]),
        expiresAt: payload.exp === undefined ? null : payload.exp * 1000,
      };
    },
  };
}

/** The OIDC settings of a server config; undefined when OIDC is off (no issuer), refused when half set. */
export function oidcOptions(config: {
  oidcIssuer?: string | undefined;
  oidcAudience?: string | undefined;
  oidcJwksUrl?: string | undefined;
  oidcJwksFile?: string | undefined;
  oidcUserClaim?: string | undefined;
  oidcRolesClaim?: string | undefined;
}): OidcOptions | undefined {
  const { oidcIssuer: issuer, oidcAudience: audience, oidcJwksUrl: jwksUrl, oidcJwksFile: jwksFile } = config;
  if (issuer === undefined && audience === undefined && jwksUrl === undefined && jwksFile === undefined) return undefined;
  const issues = [
    ...(issuer === undefined ? [{ path: 'oidcIssuer (SLIPWAY_OIDC_ISSUER)', message: 'is required for OIDC' }] : []),
    ...(audience === undefined ? [{ path: 'oidcAudience (SLIPWAY_OIDC_AUDIENCE)', message: 'is required for OIDC' }] : []),
    ...((jwksUrl === undefined) === (jwksFile === undefined) ? [{ path: 'oidcJwksUrl (SLIPWAY_OIDC_JWKS_URL)', message: 'give exactly one of the JWKS URL or SLIPWAY_OIDC_JWKS_FILE' }] : []),
  ];
  if (issues.length > 0 || issuer === undefined || audience === undefined) throw new InvalidInputError(issues);
  return {
    issuer,
    audience,
    ...(jwksUrl === undefined ? {} : { jwksUrl }),
    ...(jwksFile === undefined ? {} : { jwksFile }),
    ...(config.oidcUserClaim === undefined ? {} : { userClaim: config.oidcUserClaim }),
    ...(config.oidcRolesClaim === undefined ? {} : { rolesClaim: config.oidcRolesClaim }),
  };
}

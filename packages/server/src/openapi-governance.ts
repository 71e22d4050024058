/**
 * OpenAPI paths and schemas of the governance routes (who am I, users, service accounts,
 * projects, members, tokens, audit), spread into openapi.ts.
 */
import { PERMISSIONS, ROLES } from '@slipway/core';
import { ref, json, param, query, body, security } from './openapi-parts.js';

const errors = {
  '400': json(ref('Error'), 'Bad input; the message names the field and the fix'),
  '401': json(ref('Error'), 'Missing, malformed, unknown, expired or revoked token'),
  '403': json(ref('Error'), 'The token lacks the permission; details.permission names it'),
  '404': json(ref('Error'), 'Unknown identity, project or token'),
};
const op = (tags: string, summary: string, extra: object = {}, ok: object = json({ type: 'object' })) => ({ tags: [tags], summary, security, responses: { '200': ok, ...errors }, ...extra });
const created = (summary: string, schema: object, bodySchema: object) => ({ tags: ['governance'], summary, security, requestBody: body(bodySchema), responses: { '201': json(schema, 'Created'), ...errors, '409': json(ref('Error'), 'The name is taken') } });

const identityPaths = (path: string, what: string) => ({
  [path]: {
    post: created(`Create a ${what} (platform administer)`, ref('Identity'), { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }),
    get: op('governance', `List ${what}s (platform administer)`, {}, json({ type: 'object', properties: { identities: { type: 'array', items: ref('Identity') } } })),
  },
  [`${path}/{name}`]: { delete: op('governance', `Delete a ${what}: its memberships go, its tokens are revoked (platform administer)`, { parameters: [param('name', what)] }) },
});

export const governanceSchemas = {
  Identity: { type: 'object', properties: { name: { type: 'string' }, kind: { enum: ['user', 'service-account'] }, createdAt: { type: 'string' }, createdBy: { type: 'string' } } },
  Project: { type: 'object', properties: { name: { type: 'string' }, description: { type: ['string', 'null'] }, createdAt: { type: 'string' }, createdBy: { type: 'string' } } },
  Membership: { type: 'object', properties: { project: { type: 'string', description: 'A project, or * for every project' }, identity: { type: 'string' }, role: { enum: ROLES }, createdAt: { type: 'string' }, createdBy: { type: 'string' } } },
  Token: {
    type: 'object',
    description: 'A token as listed: never its secret or hash',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      identity: { type: ['string', 'null'] },
      role: { type: ['string', 'null'], description: 'Platform-wide role of a token without identity (the bootstrap admin token)' },
      scopes: { type: ['array', 'null'], items: { enum: PERMISSIONS } },
      project: { type: ['string', 'null'] },
      createdAt: { type: 'string' },
      expiresAt: { type: ['string', 'null'] },
      revokedAt: { type: ['string', 'null'] },
      lastUsedAt: { type: ['string', 'null'], description: 'Updated at most once a minute' },
    },
  },
  AuditEvent: {
    type: 'object',
    properties: {
      seq: { type: 'integer' },
      at: { type: 'string' },
      actor: { type: 'string' },
      role: { type: ['string', 'null'] },
      action: { type: 'string', description: '"POST /v1/pipelines", "auth.denied", "policy.apply"…' },
      target: { type: ['string', 'null'] },
      requestId: { type: ['string', 'null'] },
      source: { type: ['string', 'null'] },
      outcome: { enum: ['ok', 'denied', 'failed'] },
      status: { type: ['integer', 'null'] },
      beforeDigest: { type: ['string', 'null'] },
      afterDigest: { type: ['string', 'null'] },
      details: { type: ['object', 'null'] },
      prevHash: { type: 'string' },
      hash: { type: 'string', description: 'sha256 over prevHash and the canonical content' },
    },
  },
};

export const governancePaths = {
  '/v1/whoami': { get: op('governance', 'The caller: identity, roles by project, scopes, token expiry') },
  ...identityPaths('/v1/users', 'user'),
  ...identityPaths('/v1/service-accounts', 'service account'),
  '/v1/projects': {
    post: created('Create a project (platform administer)', ref('Project'), { type: 'object', required: ['name'], properties: { name: { type: 'string' }, description: { type: 'string' } } }),
    get: op('governance', "The caller's projects (all for platform roles)", {}, json({ type: 'object', properties: { projects: { type: 'array', items: ref('Project') } } })),
  },
  '/v1/projects/{name}': {
    get: op('governance', 'One project (read in it)', { parameters: [param('name', 'Project')] }, json(ref('Project'))),
    delete: op('governance', 'Delete a project without pipelines (platform administer)', { parameters: [param('name', 'Project')] }),
  },
  '/v1/projects/{name}/members': {
    get: op('governance', 'Members and their roles (read in the project)', { parameters: [param('name', 'Project')] }, json({ type: 'object', properties: { members: { type: 'array', items: ref('Membership') } } })),
  },
  '/v1/projects/{name}/members/{identity}': {
    put: op('governance', 'Give an identity a role in a project (administer in it; * for every project needs platform administer)', {
      parameters: [param('name', 'Project, or *'), param('identity', 'User or service account')],
      requestBody: body({ type: 'object', required: ['role'], properties: { role: { enum: ROLES } } }),
    }, json(ref('Membership'))),
    delete: op('governance', 'Remove a membership (administer in the project)', { parameters: [param('name', 'Project, or *'), param('identity', 'User or service account')] }),
  },
  '/v1/tokens': {
    post: {
      tags: ['governance'],
      summary: "Create a token; the secret is in this answer only. Scopes may not exceed the identity's roles nor the caller's own token; another identity's token needs platform administer",
      security,
      requestBody: body({
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          identity: { type: 'string', description: 'Default: the caller' },
          scopes: { type: 'array', items: { enum: PERMISSIONS } },
          expiresInDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
          project: { type: 'string', description: 'Where pushes land by default' },
        },
      }),
      responses: { '201': json({ allOf: [ref('Token'), { type: 'object', properties: { token: { type: 'string' } } }] }, 'Created: `token` is the secret'), ...errors },
    },
    get: op('governance', "The caller's tokens; ?identity= another's, ?all=true every token (platform administer)", { parameters: [query('identity', 'Whose tokens'), query('all', 'true: every token', { enum: ['true', 'false'] })] }, json({ type: 'object', properties: { tokens: { type: 'array', items: ref('Token') } } })),
  },
  '/v1/tokens/{id}': { delete: op('governance', 'Revoke a token: own, or any with platform administer', { parameters: [param('id', 'Token id')] }, json(ref('Token'))) },
  '/v1/audit': {
    get: op(
      'governance',
      'Audit events, newest first (platform administer)',
      { parameters: [query('since', 'ISO-8601 time'), query('actor', 'Who acted'), query('target', 'A target, or its prefix up to /'), query('limit', 'Default 100', { type: 'integer', minimum: 1, maximum: 10000 })] },
      json({ type: 'object', properties: { events: { type: 'array', items: ref('AuditEvent') } } }),
    ),
  },
  '/v1/audit/verify': {
    post: op(
      'governance',
      'Walk the hash chain from the first event; ok false names the first broken link (platform administer)',
      {},
      json({ type: 'object', properties: { ok: { type: 'boolean' }, checked: { type: 'integer' }, head: { type: 'string' }, broken: { type: 'object', properties: { seq: { type: 'integer' }, reason: { type: 'string' } } } } }),
    ),
  },
};

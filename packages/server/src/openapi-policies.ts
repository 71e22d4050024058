/**
 * OpenAPI paths and schemas of the policy routes (policies, approvals, exceptions, a
 * version's verdicts and compliance report), spread into openapi.ts.
 */
import { ref, json, param, query, body, security } from './openapi-parts.js';
const errors = {
  '400': json(ref('Error'), 'Bad input; the message names the field and the fix'),
  '401': json(ref('Error'), 'Missing or invalid token'),
  '403': json(ref('Error'), 'The token lacks the permission, or four eyes refuse it (approving your own version or exception)'),
  '404': json(ref('Error'), 'Unknown policy, exception, pipeline or version'),
};
const versionRef = param('ref', 'name:vN, name@alias or name');
const op = (summary: string, extra: object, ok: object) => ({ tags: ['policies'], summary, security, responses: { '200': ok, ...errors }, ...extra });

export const policySchemas = {
  Policy: {
    type: 'object',
    description: 'One applied version of a policy',
    properties: {
      name: { type: 'string' },
      version: { type: 'integer' },
      document: { type: 'object', description: 'The validated policy: environments and rules (prohibitedFeatures, evidence, fairness, approvals)' },
      source: { type: 'string', description: 'The YAML as applied' },
      actor: { type: 'string' },
      createdAt: { type: 'string' },
    },
  },
  RuleResult: {
    type: 'object',
    properties: {
      policy: { type: 'string' },
      policyVersion: { type: 'integer' },
      rule: { enum: ['prohibited-features', 'evidence', 'fairness', 'approvals'] },
      passed: { type: 'boolean' },
      message: { type: 'string' },
      evidence: { type: 'object' },
      fix: { type: 'string', description: 'How to make it pass; present on failures' },
    },
  },
  EnvironmentVerdict: {
    type: 'object',
    properties: { environment: { type: 'string' }, passed: { type: 'boolean' }, policies: { type: 'array', items: { type: 'string' } }, rules: { type: 'array', items: ref('RuleResult') } },
  },
  Approval: {
    type: 'object',
    properties: { pipeline: { type: 'string' }, version: { type: 'integer' }, approver: { type: 'string' }, role: { type: 'string' }, comment: { type: 'string' }, createdAt: { type: 'string' } },
  },
  PolicyException: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      pipeline: { type: 'string' },
      version: { type: ['integer', 'null'], description: 'null: every version' },
      feature: { type: 'string' },
      legalBasis: { type: 'string' },
      proposedBy: { type: 'string' },
      proposedAt: { type: 'string' },
      approvedBy: { type: ['string', 'null'] },
      approvedAt: { type: ['string', 'null'] },
    },
  },
};

export const policyPaths = {
  '/v1/policies': {
    get: op('Every policy, latest version of each (read)', {}, json({ type: 'object', properties: { policies: { type: 'array', items: ref('Policy') } } })),
  },
  '/v1/policies/{name}': {
    get: op('The latest version of a policy (read)', { parameters: [param('name', 'Policy name')] }, json(ref('Policy'))),
    put: {
      tags: ['policies'],
      summary: 'Apply a policy from YAML: a changed document becomes the next version (platform administer; audited)',
      security,
      parameters: [param('name', 'Policy name; must equal the YAML name')],
      requestBody: body({ type: 'object', required: ['source'], properties: { source: { type: 'string', description: 'The policy YAML' } } }),
      responses: {
        '201': json({ type: 'object', properties: { policy: ref('Policy'), created: { type: 'boolean' } } }, 'A new version'),
        '200': json({ type: 'object', properties: { policy: ref('Policy'), created: { type: 'boolean' } } }, 'Identical to the latest version: nothing changed'),
        ...errors,
      },
    },
  },
  '/v1/policies/{name}/history': {
    get: op('Every version of a policy, oldest first (read)', { parameters: [param('name', 'Policy name')] }, json({ type: 'object', properties: { history: { type: 'array', items: ref('Policy') } } })),
  },
  '/v1/policies/exceptions': {
    get: op('Exceptions to prohibited features (read)', { parameters: [query('pipeline', 'Only this pipeline')] }, json({ type: 'object', properties: { exceptions: { type: 'array', items: ref('PolicyException') } } })),
    post: {
      tags: ['policies'],
      summary: 'Propose an exception allowing a prohibited feature, stating the legal basis (administer); it counts once approved',
      security,
      requestBody: body({
        type: 'object',
        required: ['pipeline', 'feature', 'legalBasis'],
        properties: { pipeline: { type: 'string' }, version: { type: ['integer', 'string'], description: 'Omit for every version' }, feature: { type: 'string' }, legalBasis: { type: 'string' } },
      }),
      responses: { '201': json(ref('PolicyException'), 'Proposed'), ...errors },
    },
  },
  '/v1/policies/exceptions/{id}/approve': {
    post: op('Approve an exception (approve); its proposer may not', { parameters: [param('id', 'Exception id')] }, json(ref('PolicyException'))),
  },
  '/v1/versions/{ref}/approvals': {
    get: op("A version's approvals (read)", { parameters: [versionRef] }, json({ type: 'object', properties: { approvals: { type: 'array', items: ref('Approval') } } })),
    post: {
      tags: ['policies'],
      summary: 'Approve a version for promotion (approve; four eyes: never its pusher). Repeating is idempotent',
      security,
      parameters: [versionRef],
      requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { comment: { type: 'string' } } } } } },
      responses: {
        '201': json({ type: 'object', properties: { approval: ref('Approval'), created: { type: 'boolean' } } }, 'Approved'),
        '200': json({ type: 'object', properties: { approval: ref('Approval'), created: { type: 'boolean' } } }, 'Already approved by this approver'),
        ...errors,
      },
    },
  },
  '/v1/versions/{ref}/policy': {
    get: op(
      "A version's policy verdict per environment, every rule with evidence and fix (read)",
      { parameters: [versionRef, query('env', 'One environment (alias); default every environment a policy names')] },
      json({ type: 'object', properties: { ref: { type: 'string' }, environments: { type: 'array', items: ref('EnvironmentVerdict') } } }),
    ),
  },
  '/v1/deployments/{pipeline}/{environment}/report': {
    get: {
      tags: ['policies'],
      summary: "Compliance report of the version a deployment serves, naming the deployment (read)",
      security,
      parameters: [param('pipeline', 'Pipeline name'), param('environment', 'Environment'), query('format', 'json (default), html or pdf', { enum: ['json', 'html', 'pdf'] })],
      responses: {
        '200': { description: 'The report', content: { 'application/json': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
        ...errors,
        '503': json(ref('Error'), 'format=pdf without Chromium installed'),
      },
    },
  },
  '/v1/versions/{ref}/report': {
    get: {
      tags: ['policies'],
      summary: 'Compliance report: identity, lineage, signature, policy results, exceptions, approvals, fairness, drift, aliases, deployments, audit (read)',
      security,
      parameters: [versionRef, query('format', 'json (default), html (standalone printable page) or pdf (needs Chromium)', { enum: ['json', 'html', 'pdf'] })],
      responses: {
        '200': {
          description: 'The report',
          content: { 'application/json': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
        },
        ...errors,
        '503': json(ref('Error'), 'format=pdf without Chromium installed; the message names what to install'),
      },
    },
  },
};

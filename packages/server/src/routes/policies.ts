/**
 * Governance routes: policies (apply, list, show, history), approvals of versions,
 * exceptions to prohibited features, a version's policy verdicts and its compliance
 * report (JSON, HTML or PDF).
 */
import { ALL_PROJECTS, ErrorCode, InvalidInputError, SlipwayError, type MetadataStore, Permission, assertAliasName, assertPipelineName, parseVersion, zodIssues } from '@slipway/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Access } from '../access.js';
import type { PolicyService } from '../policy-service.js';
import { type ComplianceReport, buildComplianceReport } from '../report.js';
import { renderReportHtml } from '../report-html.js';
import type { PdfRenderer } from '../report-pdf.js';
import type { Registry } from '../registry.js';

export interface PolicyRouteOptions {
  registry: Registry;
  access: Access;
  policies: PolicyService;
  store: MetadataStore;
  pdf: PdfRenderer;
}

type Name = { Params: { name: string } };
type Ref = { Params: { ref: string } };

const applySchema = z.strictObject({ source: z.string().min(1, 'is empty; send the policy YAML').max(100_000) });
const approveSchema = z.strictObject({ comment: z.string().max(2000).default('') });
const exceptionSchema = z.strictObject({
  pipeline: z.string().min(1),
  /** A version number (`3`, `"v3"`); omitted: every version of the pipeline. */
  version: z.union([z.number(), z.string()]).optional(),
  feature: z.string().min(1).max(200),
  legalBasis: z.string().min(10, 'must state the legal basis (e.g. "12 CFR 202.6(b)(2): age used to determine capacity to contract")').max(2000),
});
const checkQuery = z.strictObject({ env: z.string().optional() });
const reportQuery = z.strictObject({ format: z.enum(['json', 'html', 'pdf']).default('json') });

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new InvalidInputError(zodIssues(result.error, prefix));
  return result.data;
}

export function registerPolicyRoutes(app: FastifyInstance, { registry, access, policies, store, pdf }: PolicyRouteOptions): void {
  app.get('/v1/policies', async (req) => {
    await access.require(req, Permission.read);
    return { policies: await policies.list() };
  });
  app.put<Name>('/v1/policies/:name', async (req, reply) => {
    const who = await access.require(req, Permission.administer, { project: ALL_PROJECTS });
    const { source } = parse(applySchema, req.body);
    const result = await policies.apply(req.params.name, source, who);
    void reply.status(result.created ? 201 : 200);
    return result;
  });

  // Exceptions are registered before `/v1/policies/:name` matters: static segments win in fastify.
  app.get<{ Querystring: { pipeline?: string } }>('/v1/policies/exceptions', async (req) => {
    await access.require(req, Permission.read);
    const pipeline = req.query.pipeline;
    return { exceptions: await policies.listExceptions(pipeline === undefined ? undefined : assertPipelineName(pipeline, 'pipeline')) };
  });
  app.post('/v1/policies/exceptions', async (req, reply) => {
    const body = parse(exceptionSchema, req.body);
    const who = await access.require(req, Permission.administer, { pipeline: body.pipeline });
    await registry.getPipeline(body.pipeline);
    const version = body.version === undefined ? null : parseVersion(String(body.version), 'version');
    if (version !== null) await registry.resolve(`${body.pipeline}:v${version}`, 'version');
    void reply.status(201);
    return policies.proposeException({ pipeline: body.pipeline, version, feature: body.feature, legalBasis: body.legalBasis }, who);
  });
  app.post<{ Params: { id: string } }>('/v1/policies/exceptions/:id/approve', async (req) => {
    const who = await access.require(req, Permission.approve);
    return policies.approveException(req.params.id, who);
  });

  app.get<Name>('/v1/policies/:name', async (req) => {
    await access.require(req, Permission.read);
    return policies.get(req.params.name);
  });
  app.get<Name>('/v1/policies/:name/history', async (req) => {
    await access.require(req, Permission.read);
    return { history: await policies.history(req.params.name) };
  });

  app.post<Ref>('/v1/versions/:ref/approvals', async (req, reply) => {
    const who = await access.require(req, Permission.approve, { pipeline: req.params.ref });
    const { comment } = parse(approveSchema, req.body);
    const record = await registry.resolve(req.params.ref, 'ref');
    const result = await policies.approve(record, who, comment);
    void reply.status(result.created ? 201 : 200);
    return result;
  });
  app.get<Ref>('/v1/versions/:ref/approvals', async (req) => {
    await access.require(req, Permission.read, { pipeline: req.params.ref });
    return { approvals: await policies.approvals(await registry.resolve(req.params.ref, 'ref')) };
  });

  app.get<Ref>('/v1/versions/:ref/policy', async (req) => {
    await access.require(req, Permission.read, { pipeline: req.params.ref });
    const { env } = parse(checkQuery, req.query, 'query');
    const record = await registry.resolve(req.params.ref, 'ref');
    return policies.check(record, env === undefined ? undefined : [assertAliasName(env, 'env')]);
  });

  async function answerReport(report: ComplianceReport, format: 'json' | 'html' | 'pdf', reply: FastifyReply): Promise<unknown> {
    if (format === 'json') return report;
    const html = renderReportHtml(report);
    const file = `${report.identity.pipeline}-v${report.identity.version}-report`;
    if (format === 'html') {
      void reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return html;
    }
    const bytes = await pdf(html);
    void reply.type('application/pdf').header('content-disposition', `attachment; filename="${file}.pdf"`);
    return Buffer.from(bytes);
  }

  app.get<Ref>('/v1/versions/:ref/report', async (req, reply) => {
    await access.require(req, Permission.read, { pipeline: req.params.ref });
    const { format } = parse(reportQuery, req.query, 'query');
    return answerReport(await buildComplianceReport(await registry.resolve(req.params.ref, 'ref'), { store, policies }), format, reply);
  });

  // A deployment's report is the report of the version it serves, with the deployment named.
  app.get<{ Params: { pipeline: string; environment: string } }>('/v1/deployments/:pipeline/:environment/report', async (req, reply) => {
    const { pipeline, environment } = req.params;
    await access.require(req, Permission.read, { pipeline });
    const { format } = parse(reportQuery, req.query, 'query');
    const deployment = await store.getDeployment(assertPipelineName(pipeline), environment);
    if (deployment === undefined) {
      throw new SlipwayError(ErrorCode.notFound, `no deployment of "${pipeline}" in environment "${environment}"; list them with GET /v1/deployments`, { details: { pipeline, environment } });
    }
    const ref = deployment.target.startsWith('@') ? `${pipeline}${deployment.target}` : `${pipeline}:${deployment.target}`;
    const report = await buildComplianceReport(await registry.resolve(ref, 'target'), { store, policies });
    return answerReport({ ...report, deployment }, format, reply);
  });
}

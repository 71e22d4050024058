/**
 * `client.policies`: governance policies (apply YAML, list, show, history), a version's
 * verdict per environment, approvals (four eyes), exceptions to prohibited features, and
 * the compliance report as JSON, HTML or PDF bytes.
 */
import {
  ApiPaths,
  type ApplyPolicyResponse,
  type ApplyPolicyRequest,
  type ApprovalRecord,
  type ApprovalsResponse,
  type ApproveResponse,
  type PoliciesResponse,
  type PolicyCheckResponse,
  type PolicyExceptionRecord,
  type PolicyExceptionsResponse,
  type PolicyHistoryResponse,
  type PolicyRecord,
  type ProposeExceptionRequest,
} from '@slipway/core';
import { errorOfResponse } from './api-error.js';

export type ReportFormat = 'json' | 'html' | 'pdf';

export interface PoliciesClient {
  /** Applies policy YAML under its `name`; `created` is false when nothing changed. */
  apply(name: string, source: string): Promise<ApplyPolicyResponse>;
  list(): Promise<PolicyRecord[]>;
  get(name: string): Promise<PolicyRecord>;
  /** Oldest first. */
  history(name: string): Promise<PolicyRecord[]>;
  /** Every rule per environment (all environments a policy names, or `env`), with evidence and fixes. */
  check(ref: string, env?: string): Promise<PolicyCheckResponse>;
  approve(ref: string, comment?: string): Promise<ApproveResponse>;
  approvals(ref: string): Promise<ApprovalRecord[]>;
  proposeException(request: ProposeExceptionRequest): Promise<PolicyExceptionRecord>;
  approveException(id: string): Promise<PolicyExceptionRecord>;
  exceptions(pipeline?: string): Promise<PolicyExceptionRecord[]>;
  /** The compliance report: parsed JSON, or the HTML/PDF bytes. */
  report(ref: string, format: 'json'): Promise<Record<string, unknown>>;
  report(ref: string, format: 'html' | 'pdf'): Promise<Uint8Array>;
  /** The report of the version a deployment serves, naming the deployment. */
  deploymentReport(pipeline: string, environment: string, format: 'json'): Promise<Record<string, unknown>>;
  deploymentReport(pipeline: string, environment: string, format: 'html' | 'pdf'): Promise<Uint8Array>;
}

interface PoliciesTransport {
  json: <T>(call: { method: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown; headers?: Record<string, string> }) => Promise<T>;
  send: (call: { method: 'GET'; path: string; headers: Record<string, string> }) => Promise<Response>;
}

const ACCEPT: Record<ReportFormat, string> = { json: 'application/json', html: 'text/html', pdf: 'application/pdf' };

export function createPoliciesClient({ json, send }: PoliciesTransport): PoliciesClient {
  async function fetchReport(base: string, format: ReportFormat): Promise<Record<string, unknown> | Uint8Array> {
    const path = `${base}?format=${format}`;
    if (format === 'json') return json<Record<string, unknown>>({ method: 'GET', path });
    const response = await send({ method: 'GET', path, headers: { accept: ACCEPT[format] } });
    if (!response.ok) {
      throw await errorOfResponse(response);
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  return {
    apply: (name, source) => json<ApplyPolicyResponse>({ method: 'PUT', path: ApiPaths.policy(name), body: { source } satisfies ApplyPolicyRequest }),
    list: async () => (await json<PoliciesResponse>({ method: 'GET', path: ApiPaths.policies })).policies,
    get: (name) => json<PolicyRecord>({ method: 'GET', path: ApiPaths.policy(name) }),
    history: async (name) => (await json<PolicyHistoryResponse>({ method: 'GET', path: ApiPaths.policyHistory(name) })).history,
    check: (ref, env) => json<PolicyCheckResponse>({ method: 'GET', path: env === undefined ? ApiPaths.versionPolicy(ref) : `${ApiPaths.versionPolicy(ref)}?env=${encodeURIComponent(env)}` }),
    approve: (ref, comment = '') => json<ApproveResponse>({ method: 'POST', path: ApiPaths.approvals(ref), body: { comment } }),
    approvals: async (ref) => (await json<ApprovalsResponse>({ method: 'GET', path: ApiPaths.approvals(ref) })).approvals,
    proposeException: (request) => json<PolicyExceptionRecord>({ method: 'POST', path: ApiPaths.policyExceptions, body: request }),
    approveException: (id) => json<PolicyExceptionRecord>({ method: 'POST', path: ApiPaths.approveException(id) }),
    exceptions: async (pipeline) =>
      (await json<PolicyExceptionsResponse>({ method: 'GET', path: pipeline === undefined ? ApiPaths.policyExceptions : `${ApiPaths.policyExceptions}?pipeline=${encodeURIComponent(pipeline)}` })).exceptions,
    report: ((ref: string, format: ReportFormat) => fetchReport(ApiPaths.report(ref), format)) as PoliciesClient['report'],
    deploymentReport: ((pipeline: string, environment: string, format: ReportFormat) =>
      fetchReport(ApiPaths.deploymentReport(pipeline, environment), format)) as PoliciesClient['deploymentReport'],
  };
}

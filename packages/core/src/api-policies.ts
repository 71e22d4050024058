/** Wire types of the policy routes (see `ApiPaths.policies` and following). */
import type { EnvironmentVerdict } from './policy-engine.js';
import type { ApprovalRecord, PolicyExceptionRecord, PolicyRecord } from './ports-policies.js';

export interface PoliciesResponse {
  policies: PolicyRecord[];
}
export interface PolicyHistoryResponse {
  history: PolicyRecord[];
}
export interface ApplyPolicyRequest {
  /** The policy YAML; its `name` must equal the route's. */
  source: string;
}
export interface ApplyPolicyResponse {
  policy: PolicyRecord;
  /** False when the YAML equals the latest version's: nothing changed. */
  created: boolean;
}
export interface ApprovalsResponse {
  approvals: ApprovalRecord[];
}
export interface ApproveResponse {
  approval: ApprovalRecord;
  created: boolean;
}
export interface ProposeExceptionRequest {
  pipeline: string;
  /** Omit for every version of the pipeline. */
  version?: number | string;
  feature: string;
  legalBasis: string;
}
export interface PolicyExceptionsResponse {
  exceptions: PolicyExceptionRecord[];
}
export interface PolicyCheckResponse {
  ref: string;
  environments: EnvironmentVerdict[];
}

/**
 * What governance keeps in the metadata store: policy versions, approvals of versions,
 * exceptions to prohibited features, and the facts measured about each version at push
 * (fairness on its evaluation set). `MetadataStore` extends `PolicyStore`.
 */
import type { PolicyDocument, ProtectedAttribute } from './policy.js';
import type { EnvironmentVerdict } from './policy-engine.js';
import type { Role } from './permissions.js';

/** One applied version of a policy; every apply of changed YAML makes the next one. */
export interface PolicyRecord {
  name: string;
  version: number;
  document: PolicyDocument;
  /** The YAML as applied. */
  source: string;
  actor: string;
  createdAt: string;
}

export interface ApprovalRecord {
  pipeline: string;
  version: number;
  approver: string;
  role: Role;
  comment: string;
  createdAt: string;
}

/** A recorded exception: `feature` may be used by `pipeline` (one version, or all when `version` is null) on a stated legal basis, once approved. */
export interface PolicyExceptionRecord {
  id: string;
  pipeline: string;
  version: number | null;
  feature: string;
  legalBasis: string;
  proposedBy: string;
  proposedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
}

/** Disparate impact of one protected attribute, measured at push on the package's evaluation set. */
export interface FairnessMeasurement {
  attribute: string;
  evaluationSet: string;
  favorableClass: string;
  privileged: ProtectedAttribute['privileged'];
  /** null when it could not be measured (see `error`) or the privileged group is never favoured. */
  disparateImpact: number | null;
  groups: { group: string; privileged: boolean; count: number; favorable: number; rate: number }[];
  /** Why it could not be measured, naming the fix. */
  error?: string;
}

/** What was measured about a version at push, for policies to judge later. */
export interface VersionFacts {
  pipeline: string;
  version: number;
  fairness: FairnessMeasurement[];
  /** The policy verdicts as they stood right after the push, per environment a policy named. */
  verdicts: EnvironmentVerdict[];
  measuredAt: string;
}

export interface PolicyStore {
  /** Stores the next version of the policy; identical source to the latest returns it with `created: false`. */
  applyPolicy(input: { name: string; document: PolicyDocument; source: string; actor: string; createdAt: string }): Promise<{ policy: PolicyRecord; created: boolean }>;
  /** The latest version, or the given one. */
  getPolicy(name: string, version?: number): Promise<PolicyRecord | undefined>;
  /** The latest version of every policy, by name. */
  listPolicies(): Promise<PolicyRecord[]>;
  /** Oldest first. */
  policyHistory(name: string): Promise<PolicyRecord[]>;

  /** Idempotent per approver: a second approval returns the first with `created: false`. */
  addApproval(input: ApprovalRecord): Promise<{ approval: ApprovalRecord; created: boolean }>;
  /** Oldest first. */
  listApprovals(pipeline: string, version: number): Promise<ApprovalRecord[]>;

  createPolicyException(input: PolicyExceptionRecord): Promise<void>;
  getPolicyException(id: string): Promise<PolicyExceptionRecord | undefined>;
  /** Sets the approver once; returns the record as it now is, undefined when unknown. */
  approvePolicyException(id: string, approvedBy: string, approvedAt: string): Promise<PolicyExceptionRecord | undefined>;
  /** Oldest first; all pipelines when none is given. */
  listPolicyExceptions(pipeline?: string): Promise<PolicyExceptionRecord[]>;

  /** Replaces the facts of a version. */
  putVersionFacts(facts: VersionFacts): Promise<void>;
  getVersionFacts(pipeline: string, version: number): Promise<VersionFacts | undefined>;
}

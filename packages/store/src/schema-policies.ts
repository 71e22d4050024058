/** The governance policy tables (migrations-policies.ts). */

export interface PoliciesTable {
  name: string;
  version: number;
  /** JSON text of the validated `PolicyDocument`. */
  document: string;
  /** The YAML as applied. */
  source: string;
  actor: string;
  created_at: string;
}

export interface ApprovalsTable {
  pipeline: string;
  version: number;
  approver: string;
  role: string;
  comment: string;
  created_at: string;
}

export interface PolicyExceptionsTable {
  id: string;
  pipeline: string;
  /** null: every version of the pipeline. */
  version: number | null;
  feature: string;
  legal_basis: string;
  proposed_by: string;
  proposed_at: string;
  approved_by: string | null;
  approved_at: string | null;
}

export interface VersionFactsTable {
  pipeline: string;
  version: number;
  /** JSON text of `FairnessMeasurement[]`. */
  fairness: string;
  /** JSON text of `EnvironmentVerdict[]` at push. */
  verdicts: string;
  measured_at: string;
}

export interface PolicyTables {
  policies: PoliciesTable;
  approvals: ApprovalsTable;
  policy_exceptions: PolicyExceptionsTable;
  version_facts: VersionFactsTable;
}

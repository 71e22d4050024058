/**
 * The compliance report of one version: everything an auditor asks about it in one
 * document — identity and lineage, signature and features, policy verdicts and
 * exceptions, approvals, fairness and drift, aliases and deployments, and an excerpt of
 * the audit trail. A section whose source fails is marked unavailable with the reason
 * rather than failing the whole report.
 */
import {
  type AliasEvent,
  type ApprovalRecord,
  type ArtifactRef,
  type AuditEvent,
  type DeploymentRecord,
  type EnvironmentVerdict,
  type FairnessMeasurement,
  type FeatureSpec,
  type IncidentRecord,
  type Lineage,
  type MetadataStore,
  type ModelSignature,
  type PolicyExceptionRecord,
  type VersionRecord,
  formatVersionRef,
} from '@slipway/core';
import type { PolicyService } from './policy-service.js';

/** A section that could not be read: the report still renders, saying why. */
export interface Unavailable {
  unavailable: string;
}

export interface ComplianceReport {
  kind: 'slipway.compliance-report';
  generatedAt: string;
  ref: string;
  identity: { pipeline: string; version: number; digest: string; description: string | null; pushedBy: string; pushedAt: string; tags: Record<string, string> };
  lineage: Lineage;
  signature: ModelSignature;
  features: FeatureSpec[];
  artifacts: ArtifactRef[];
  /** Verdicts now (with today's policies and approvals) and as recorded right after the push. */
  policy: { environments: EnvironmentVerdict[]; atPush: EnvironmentVerdict[]; exceptions: PolicyExceptionRecord[] };
  approvals: ApprovalRecord[];
  fairness: { atPush: FairnessMeasurement[]; measuredAt: string | null; reference: unknown };
  /** Daily drift windows of the last 90 days, oldest first, summarised (the full tests are at `GET /v1/pipelines/{name}/drift`). */
  drift: DriftDay[] | Unavailable;
  /** Aliases pointing at this version now, and every alias move to or from it. */
  aliases: { current: string[]; history: AliasEvent[] };
  deployments: DeploymentRecord[] | Unavailable;
  /** The pipeline's latest incidents (alerting). */
  incidents: IncidentRecord[] | Unavailable;
  /** Set on a deployment's report: the deployment whose served version this is. */
  deployment?: DeploymentRecord;
  /** The latest audit events of the pipeline, newest first. */
  audit: AuditEvent[] | Unavailable;
}

/** One day of production traffic against the reference: which features drifted. */
export interface DriftDay {
  start: string;
  rows: number;
  /** null when the window has no drift (no reference profile). */
  evaluatedFeatures: number | null;
  driftedFeatures: string[];
  datasetDrifted: boolean | null;
}

interface StoredDatasetDrift {
  evaluatedColumns?: number;
  drifted?: boolean;
  columns?: { column?: string; drifted?: boolean }[];
}

/** Reads a monitoring window's drift (a `DatasetDrift` of @slipway/monitoring, or one nested under `features`) without depending on that package. */
function summariseDrift(start: number, rows: number, drift: unknown): DriftDay {
  const d = drift as (StoredDatasetDrift & { features?: StoredDatasetDrift }) | null;
  const features = d?.columns !== undefined ? d : d?.features;
  return {
    start: new Date(start).toISOString(),
    rows,
    evaluatedFeatures: features?.evaluatedColumns ?? null,
    driftedFeatures: (features?.columns ?? []).filter((c) => c.drifted === true).map((c) => String(c.column)),
    datasetDrifted: features?.drifted ?? null,
  };
}

export interface ReportDeps {
  store: MetadataStore;
  policies: PolicyService;
  now?: () => Date;
}

const DAY_MS = 86_400_000;
const AUDIT_EXCERPT = 50;

async function section<T>(read: () => Promise<T>): Promise<T | Unavailable> {
  try {
    return await read();
  } catch (error) {
    return { unavailable: error instanceof Error ? error.message : String(error) };
  }
}

export async function buildComplianceReport(record: VersionRecord, { store, policies, now = () => new Date() }: ReportDeps): Promise<ComplianceReport> {
  const at = now();
  const [check, exceptions, approvals, facts, profile, aliases] = await Promise.all([
    policies.check(record),
    store.listPolicyExceptions(record.pipeline),
    store.listApprovals(record.pipeline, record.version),
    store.getVersionFacts(record.pipeline, record.version),
    store.getReferenceProfile(record.pipeline, record.version).catch(() => undefined),
    store.listAliases(record.pipeline),
  ]);
  const histories = await Promise.all(aliases.map((a) => store.aliasHistory(record.pipeline, a.alias)));
  const history = histories.flat().filter((e) => e.toVersion === record.version || e.fromVersion === record.version);
  const [drift, deployments, incidents, audit] = await Promise.all([
    section(async () => {
      const windows = await store.listProfileWindows({ pipeline: record.pipeline, version: record.version, windowMs: DAY_MS, from: at.getTime() - 90 * DAY_MS, to: at.getTime() + DAY_MS });
      return windows.map((w) => summariseDrift(w.start, w.rows, w.drift));
    }),
    section(async () => (await store.listDeployments()).filter((d) => d.pipeline === record.pipeline)),
    section(() => store.listIncidents({ pipeline: record.pipeline, limit: 20 })),
    section(() => store.listAudit({ target: record.pipeline, limit: AUDIT_EXCERPT, order: 'desc' })),
  ]);
  return {
    kind: 'slipway.compliance-report',
    generatedAt: at.toISOString(),
    ref: formatVersionRef(record.pipeline, record.version),
    identity: {
      pipeline: record.pipeline,
      version: record.version,
      digest: record.digest,
      description: record.manifest.description ?? null,
      pushedBy: record.createdBy,
      pushedAt: record.createdAt,
      tags: record.manifest.tags ?? {},
    },
    lineage: record.lineage,
    signature: record.signature,
    features: record.manifest.tabular?.features ?? [],
    artifacts: record.artifacts,
    policy: { environments: check.environments, atPush: facts?.verdicts ?? [], exceptions: exceptions.filter((e) => e.version === null || e.version === record.version) },
    approvals,
    fairness: { atPush: facts?.fairness ?? [], measuredAt: facts?.measuredAt ?? null, reference: profile?.evaluation?.fairness ?? null },
    drift,
    aliases: { current: aliases.filter((a) => a.version === record.version).map((a) => a.alias), history },
    deployments,
    incidents,
    audit,
  };
}

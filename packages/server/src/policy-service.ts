/**
 * The governance policy service: applies versioned policies, records approvals and
 * exceptions, measures fairness at push (`pushExtension`) and refuses promotions whose
 * verdict fails (`gate`), naming every failed rule, its evidence and the fix. The
 * decisions themselves are the pure `evaluatePolicies`; this module gathers the facts.
 */
import { randomUUID } from 'node:crypto';
import {
  type ApprovalRecord,
  DEFAULT_POLICY_YAML,
  type EnvironmentVerdict,
  ErrorCode,
  type FairnessRule,
  InvalidInputError,
  type MetadataStore,
  type ModelRuntime,
  type PolicyExceptionRecord,
  type PolicyFacts,
  type PolicyRecord,
  type RuleResult,
  SlipwayError,
  type VersionRecord,
  evaluatePolicies,
  formatVersionRef,
  parsePolicy,
} from '@slipway/core';
import type { Principal } from './access.js';
import { measureFairness } from './policy-measure.js';
import type { PromotionGate, PushExtension } from './registry.js';

/** A governance event for the audit log: who did what to which target, and whether it was allowed. */
export interface PolicyAuditEvent {
  actor: string;
  role: string | null;
  action: string;
  target: string;
  outcome: 'ok' | 'denied';
  details: Record<string, unknown>;
}

export interface PolicyServiceOptions {
  store: MetadataStore;
  /** Runs the model on the evaluation set at push. */
  runtime: ModelRuntime;
  /** Where governance events go (the audit log); default nowhere. */
  audit?: (event: PolicyAuditEvent) => Promise<void>;
  now?: () => Date;
}

export type PolicyService = ReturnType<typeof createPolicyService>;

/** Every failed rule of a verdict, as the 403's details list them. */
export function policyFailures(verdict: EnvironmentVerdict): RuleResult[] {
  return verdict.rules.filter((r) => !r.passed);
}

export function createPolicyService({ store, runtime, audit = () => Promise.resolve(), now = () => new Date() }: PolicyServiceOptions) {
  const versionTarget = (r: { pipeline: string; version: number }) => formatVersionRef(r.pipeline, r.version);
  // Audit targets follow the log's convention, `pipeline/…`, so a pipeline's excerpt (report, `audit ls --target`) finds them.
  const auditTarget = (r: { pipeline: string; version: number }) => `${r.pipeline}/v${r.version}`;

  async function factsOf(record: VersionRecord): Promise<PolicyFacts> {
    const [measured, approvals, exceptions, profile] = await Promise.all([
      store.getVersionFacts(record.pipeline, record.version),
      store.listApprovals(record.pipeline, record.version),
      store.listPolicyExceptions(record.pipeline),
      store.getReferenceProfile(record.pipeline, record.version),
    ]);
    return {
      pipeline: record.pipeline,
      version: record.version,
      pushedBy: record.createdBy,
      features: [...record.signature.inputs.map((i) => i.name), ...(record.manifest.tabular?.features.map((f) => f.name) ?? [])],
      lineage: record.lineage,
      declaredAttributes: record.manifest.monitoring?.protectedAttributes ?? [],
      referenceProfile: profile !== undefined,
      fairness: measured?.fairness,
      approvals,
      exceptions,
    };
  }

  async function verdict(record: VersionRecord, environment: string): Promise<EnvironmentVerdict> {
    return evaluatePolicies(await store.listPolicies(), await factsOf(record), environment);
  }

  async function apply(name: string, source: string, actor: Principal): Promise<{ policy: PolicyRecord; created: boolean }> {
    const document = parsePolicy(source);
    if (document.name !== name) {
      throw new InvalidInputError([{ path: 'policy.name', message: `is "${document.name}" but the request names policy "${name}"; make them the same` }]);
    }
    const before = await store.getPolicy(name);
    const result = await store.applyPolicy({ name, document, source, actor: actor.name, createdAt: now().toISOString() });
    if (result.created) {
      await audit({ actor: actor.name, role: actor.role, action: 'policy.apply', target: `policy/${name}`, outcome: 'ok', details: { version: result.policy.version, previousVersion: before?.version ?? null } });
    }
    return result;
  }

  async function requirePolicy(name: string, version?: number): Promise<PolicyRecord> {
    const policy = await store.getPolicy(name, version);
    if (policy === undefined) {
      throw new SlipwayError(ErrorCode.notFound, `policy "${name}"${version === undefined ? '' : ` version ${version}`} not found; list policies with \`slipway policy ls\``, {
        details: { policy: name, ...(version === undefined ? {} : { version }) },
      });
    }
    return policy;
  }

  async function denied(actor: Principal, action: string, target: string, message: string, details: Record<string, unknown>): Promise<never> {
    await audit({ actor: actor.name, role: actor.role, action, target, outcome: 'denied', details: { reason: message, ...details } });
    throw new SlipwayError(ErrorCode.forbidden, message, { details });
  }

  /** Verdicts for the given environments, or for every environment a policy names (`production` when none does). */
  async function check(record: VersionRecord, environments?: readonly string[]): Promise<{ ref: string; environments: EnvironmentVerdict[] }> {
    const policies = await store.listPolicies();
    let envs = environments ?? [...new Set(policies.flatMap((p) => p.document.environments))].sort();
    if (envs.length === 0) envs = ['production'];
    const facts = await factsOf(record);
    return { ref: versionTarget(record), environments: envs.map((e) => evaluatePolicies(policies, facts, e)) };
  }

  const pushExtension: PushExtension = {
    async prepare({ files, manifest, model }) {
      const rules: FairnessRule[] = (await store.listPolicies()).flatMap((p) => (p.document.rules.fairness ? [p.document.rules.fairness] : []));
      const fairness = rules.length === 0 ? [] : await measureFairness({ files, manifest, model, runtime, rules });
      return async (version) => {
        const measuredAt = now().toISOString();
        await store.putVersionFacts({ pipeline: version.pipeline, version: version.version, fairness, verdicts: [], measuredAt });
        // With the measurements stored, the verdicts at push are recorded for the report and the audit trail.
        const { environments } = await check(version);
        await store.putVersionFacts({ pipeline: version.pipeline, version: version.version, fairness, verdicts: environments, measuredAt });
      };
    },
  };

  const gate: PromotionGate = async ({ record, environment, actor, via }) => {
    const result = await verdict(record, environment);
    if (result.passed) return;
    const failures = policyFailures(result);
    await audit({ actor, role: null, action: `policy.block.${via}`, target: `${record.pipeline}/${environment}`, outcome: 'denied', details: { version: record.version, environment, failures: failures.map((f) => `${f.policy}:${f.rule}`) } });
    throw new SlipwayError(
      ErrorCode.forbidden,
      `${versionTarget(record)} may not serve "${environment}": ${failures.map((f) => `[${f.policy} ${f.rule}] ${f.message}`).join('; ')}. ` +
        `See details.failures for the evidence and how to fix each, or \`slipway policy check ${versionTarget(record)} --env ${environment}\``,
      { details: { environment, policies: result.policies, failures } },
    );
  };

  return {
    apply,
    pushExtension,
    gate,
    verdict,
    factsOf,

    /** Installs the built-in Regulation B policy unless a policy of that name was ever applied. */
    async installDefaults(actor = 'system'): Promise<PolicyRecord | undefined> {
      if ((await store.getPolicy('regulation-b')) !== undefined) return undefined;
      const { policy } = await store.applyPolicy({ name: 'regulation-b', document: parsePolicy(DEFAULT_POLICY_YAML), source: DEFAULT_POLICY_YAML, actor, createdAt: now().toISOString() });
      await audit({ actor, role: null, action: 'policy.apply', target: 'policy/regulation-b', outcome: 'ok', details: { version: policy.version, default: true } });
      return policy;
    },

    list: () => store.listPolicies(),
    get: requirePolicy,
    async history(name: string): Promise<PolicyRecord[]> {
      await requirePolicy(name);
      return store.policyHistory(name);
    },

    check,

    /** Four eyes: the version's pusher may not approve it; a repeated approval changes nothing. */
    async approve(record: VersionRecord, who: Principal, comment: string): Promise<{ approval: ApprovalRecord; created: boolean }> {
      const target = auditTarget(record);
      if (who.name === record.createdBy) {
        await denied(who, 'version.approve', target, `${who.name} pushed ${versionTarget(record)} and may not approve it (four eyes); ask another approver`, { approver: who.name, pushedBy: record.createdBy });
      }
      const result = await store.addApproval({ pipeline: record.pipeline, version: record.version, approver: who.name, role: who.role, comment, createdAt: now().toISOString() });
      if (result.created) await audit({ actor: who.name, role: who.role, action: 'version.approve', target, outcome: 'ok', details: { comment } });
      return result;
    },
    approvals: (record: VersionRecord) => store.listApprovals(record.pipeline, record.version),

    async proposeException(input: { pipeline: string; version: number | null; feature: string; legalBasis: string }, who: Principal): Promise<PolicyExceptionRecord> {
      const record: PolicyExceptionRecord = { id: randomUUID(), ...input, proposedBy: who.name, proposedAt: now().toISOString(), approvedBy: null, approvedAt: null };
      await store.createPolicyException(record);
      await audit({ actor: who.name, role: who.role, action: 'policy.exception.propose', target: `${input.pipeline}/exceptions/${record.id}`, outcome: 'ok', details: { feature: input.feature, legalBasis: input.legalBasis, version: input.version } });
      return record;
    },

    async approveException(id: string, who: Principal): Promise<PolicyExceptionRecord> {
      const existing = await store.getPolicyException(id);
      if (existing === undefined) throw new SlipwayError(ErrorCode.notFound, `policy exception "${id}" not found; list them with GET /v1/policies/exceptions`, { details: { id } });
      if (existing.proposedBy === who.name) {
        await denied(who, 'policy.exception.approve', `${existing.pipeline}/exceptions/${id}`, `${who.name} proposed exception ${id} and may not approve it (four eyes); ask another approver`, { id, proposedBy: existing.proposedBy });
      }
      if (existing.approvedBy !== null) return existing;
      const approved = await store.approvePolicyException(id, who.name, now().toISOString());
      await audit({ actor: who.name, role: who.role, action: 'policy.exception.approve', target: `${existing.pipeline}/exceptions/${id}`, outcome: 'ok', details: { feature: existing.feature } });
      return approved ?? existing;
    },
    listExceptions: (pipeline?: string) => store.listPolicyExceptions(pipeline),
  };
}

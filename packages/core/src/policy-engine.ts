/**
 * The policy engine: a pure function from policies and the facts about one version to a
 * verdict per environment, listing every rule with its evidence and, when it fails, how
 * to fix it. The server gathers the facts (store, push-time measurements) and refuses a
 * promotion when the verdict fails; nothing here does I/O.
 */
import {
  type PolicyDocument,
  PolicyRuleKind,
  type ProhibitedCategory,
  type ProtectedAttribute,
  describePrivileged,
  matchProhibited,
  normaliseFeatureName,
  prohibitedCategories,
  protectedAttributeKey,
} from './policy.js';
import type { ApprovalRecord, FairnessMeasurement, PolicyExceptionRecord } from './ports-policies.js';
import type { Lineage } from './records.js';

export interface PolicyFacts {
  pipeline: string;
  version: number;
  /** Who pushed the version: never counts as an approver. */
  pushedBy: string;
  /** Model input names and tabular feature names. */
  features: readonly string[];
  lineage: Lineage;
  /** Whether the version has a reference profile; undefined when monitoring is not installed. */
  referenceProfile: boolean | undefined;
  /** Protected attributes the version's manifest declares (`monitoring.protectedAttributes`). */
  declaredAttributes: readonly ProtectedAttribute[];
  /** Measured at push; undefined when the version predates measurement. */
  fairness: readonly FairnessMeasurement[] | undefined;
  approvals: readonly ApprovalRecord[];
  /** Approved and proposed exceptions of this pipeline; only approved ones that match the version count. */
  exceptions: readonly PolicyExceptionRecord[];
}

export interface RuleResult {
  policy: string;
  policyVersion: number;
  rule: PolicyRuleKind;
  passed: boolean;
  message: string;
  evidence: Record<string, unknown>;
  /** How to make it pass; present on failures. */
  fix?: string;
}

export interface EnvironmentVerdict {
  environment: string;
  passed: boolean;
  /** Policies covering the environment, `name@version`. */
  policies: string[];
  rules: RuleResult[];
}

export interface VersionedPolicy {
  name: string;
  version: number;
  document: PolicyDocument;
}

export function policyCovers(policy: PolicyDocument, environment: string): boolean {
  return policy.environments.includes('*') || policy.environments.includes(environment);
}

/** Every rule of every policy that covers `environment`, judged against `facts`. */
export function evaluatePolicies(policies: readonly VersionedPolicy[], facts: PolicyFacts, environment: string): EnvironmentVerdict {
  const covering = policies.filter((p) => policyCovers(p.document, environment));
  const rules = covering.flatMap((p) => evaluatePolicy(p, facts));
  return { environment, passed: rules.every((r) => r.passed), policies: covering.map((p) => `${p.name}@v${p.version}`), rules };
}

export function evaluatePolicy(policy: VersionedPolicy, facts: PolicyFacts): RuleResult[] {
  const { rules } = policy.document;
  const at = { policy: policy.name, policyVersion: policy.version };
  const out: RuleResult[] = [];
  if (rules.prohibitedFeatures) out.push({ ...at, ...prohibitedFeatures(prohibitedCategories(rules.prohibitedFeatures), facts) });
  if (rules.evidence) out.push({ ...at, ...evidence(rules.evidence, facts) });
  if (rules.fairness) out.push({ ...at, ...fairness(rules.fairness, facts) });
  if (rules.approvals) out.push({ ...at, ...approvals(rules.approvals.required, facts) });
  return out;
}

type Judged = Omit<RuleResult, 'policy' | 'policyVersion'>;

/** The approved exception that allows `feature` for this version, if any. */
export function findException(facts: Pick<PolicyFacts, 'pipeline' | 'version' | 'exceptions'>, feature: string): PolicyExceptionRecord | undefined {
  const wanted = normaliseFeatureName(feature);
  return facts.exceptions.find(
    (e) => e.approvedBy !== null && e.pipeline === facts.pipeline && (e.version === null || e.version === facts.version) && normaliseFeatureName(e.feature) === wanted,
  );
}

function prohibitedFeatures(categories: readonly ProhibitedCategory[], facts: PolicyFacts): Judged {
  const found: { feature: string; category: string }[] = [];
  const excepted: { feature: string; category: string; exception: string; legalBasis: string }[] = [];
  for (const feature of new Set(facts.features)) {
    const category = matchProhibited(feature, categories);
    if (category === undefined) continue;
    const exception = findException(facts, feature);
    if (exception) excepted.push({ feature, category, exception: exception.id, legalBasis: exception.legalBasis });
    else found.push({ feature, category });
  }
  const evidence = { prohibited: found, excepted, checked: [...new Set(facts.features)] };
  if (found.length === 0) {
    return { rule: PolicyRuleKind.prohibitedFeatures, passed: true, message: excepted.length === 0 ? 'uses no prohibited feature' : `uses prohibited features only under approved exceptions (${excepted.map((e) => e.feature).join(', ')})`, evidence };
  }
  return {
    rule: PolicyRuleKind.prohibitedFeatures,
    passed: false,
    message: `uses prohibited features: ${found.map((f) => `${f.feature} (${f.category})`).join(', ')}`,
    evidence,
    fix: 'retrain without these features and push again, or record an exception stating the legal basis (`POST /v1/policies/exceptions`) and have an approver approve it',
  };
}

function evidence(rule: NonNullable<PolicyDocument['rules']['evidence']>, facts: PolicyFacts): Judged {
  const problems: string[] = [];
  const metrics: Record<string, { value: number | null; min?: number; max?: number }> = {};
  for (const [metric, bound] of Object.entries(rule.metrics)) {
    const { min, max } = typeof bound === 'number' ? { min: bound, max: undefined } : bound;
    const value = facts.lineage.metrics[metric];
    metrics[metric] = { value: value ?? null, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
    if (value === undefined) problems.push(`lineage.metrics.${metric} is missing`);
    else if (min !== undefined && value < min) problems.push(`lineage.metrics.${metric} (${value}) must be ≥ ${min}`);
    else if (max !== undefined && value > max) problems.push(`lineage.metrics.${metric} (${value}) must be ≤ ${max}`);
  }
  const lineage: Record<string, string | null> = {};
  for (const field of rule.lineage) {
    const value = lineageField(facts.lineage, field);
    lineage[field] = value ?? null;
    if (value === undefined) problems.push(`lineage.${LINEAGE_PATHS[field]} is missing`);
  }
  if (rule.referenceProfile && facts.referenceProfile !== true) {
    problems.push(facts.referenceProfile === undefined ? 'a reference profile is required but this server keeps none (monitoring is not installed)' : 'the version has no reference profile');
  }
  const ev = { metrics, lineage, referenceProfile: facts.referenceProfile ?? null };
  if (problems.length === 0) return { rule: PolicyRuleKind.evidence, passed: true, message: 'all required evidence is present', evidence: ev };
  return {
    rule: PolicyRuleKind.evidence,
    passed: false,
    message: problems.join('; '),
    evidence: ev,
    fix: 'record the missing evidence in slipway.yaml (lineage.metrics, lineage.dataset.digest, lineage.codeCommit), include reference data for the profile, and push again',
  };
}

const LINEAGE_PATHS: Record<string, string> = { datasetDigest: 'dataset.digest', datasetUri: 'dataset.uri', codeCommit: 'codeCommit', codeRepository: 'codeRepository' };

function lineageField(lineage: Lineage, field: string): string | undefined {
  switch (field) {
    case 'datasetDigest':
      return lineage.dataset?.digest;
    case 'datasetUri':
      return lineage.dataset?.uri;
    case 'codeCommit':
      return lineage.codeCommit;
    case 'codeRepository':
      return lineage.codeRepository;
    default:
      return undefined;
  }
}

/** The measurement that answers this attribute of this rule: same evaluation set, favourable class and privileged groups. */
export function findMeasurement(rule: NonNullable<PolicyDocument['rules']['fairness']>, attribute: ProtectedAttribute, measured: readonly FairnessMeasurement[]): FairnessMeasurement | undefined {
  const key = protectedAttributeKey(attribute);
  return measured.find(
    (m) => m.evaluationSet === rule.evaluationSet && m.favorableClass === rule.favorableClass && protectedAttributeKey({ name: m.attribute, privileged: m.privileged }) === key,
  );
}

/** The attributes a fairness rule judges: its own, else those the version declares. */
export function fairnessAttributes(rule: NonNullable<PolicyDocument['rules']['fairness']>, declared: readonly ProtectedAttribute[]): readonly ProtectedAttribute[] {
  return rule.attributes ?? declared;
}

function fairness(rule: NonNullable<PolicyDocument['rules']['fairness']>, facts: PolicyFacts): Judged {
  const problems: string[] = [];
  const attributes: Record<string, { disparateImpact: number | null; threshold: number; privileged: string; groups?: FairnessMeasurement['groups']; error?: string }> = {};
  const judged = fairnessAttributes(rule, facts.declaredAttributes);
  if (judged.length === 0) {
    return {
      rule: PolicyRuleKind.fairness,
      passed: false,
      message: 'no protected attributes to check: the policy names none and the version declares none',
      evidence: { evaluationSet: rule.evaluationSet, favorableClass: rule.favorableClass, attributes },
      fix: "declare them in slipway.yaml (monitoring.protectedAttributes) and push again, or list them in the policy's rules.fairness.attributes",
    };
  }
  for (const attribute of judged) {
    const privileged = describePrivileged(attribute.privileged);
    const m = findMeasurement(rule, attribute, facts.fairness ?? []);
    if (m === undefined) {
      attributes[attribute.name] = { disparateImpact: null, threshold: rule.threshold, privileged, error: 'not measured' };
      problems.push(`disparate impact for ${attribute.name} was not measured at push (the policy is newer than the version); push the package again to measure it`);
    } else if (m.error !== undefined || m.disparateImpact === null) {
      attributes[attribute.name] = { disparateImpact: null, threshold: rule.threshold, privileged, groups: m.groups, error: m.error ?? 'the privileged group is never favoured' };
      problems.push(`disparate impact for ${attribute.name} could not be measured: ${m.error ?? 'the privileged group is never given the favourable outcome'}`);
    } else {
      attributes[attribute.name] = { disparateImpact: m.disparateImpact, threshold: rule.threshold, privileged, groups: m.groups };
      if (m.disparateImpact < rule.threshold) problems.push(`disparate impact for ${attribute.name} is ${m.disparateImpact.toFixed(3)}, below ${rule.threshold}`);
    }
  }
  const ev = { evaluationSet: rule.evaluationSet, favorableClass: rule.favorableClass, attributes };
  if (problems.length === 0) return { rule: PolicyRuleKind.fairness, passed: true, message: `disparate impact ≥ ${rule.threshold} for ${judged.map((a) => a.name).join(', ')}`, evidence: ev };
  return {
    rule: PolicyRuleKind.fairness,
    passed: false,
    message: problems.join('; '),
    evidence: ev,
    fix: `retrain so that every group's favourable rate is at least ${rule.threshold} × the privileged group's (check ${rule.evaluationSet} is in the package and has the attribute columns), then push again`,
  };
}

function approvals(required: number, facts: PolicyFacts): Judged {
  const counted = [...new Set(facts.approvals.filter((a) => a.approver !== facts.pushedBy).map((a) => a.approver))];
  const ev = { required, approvers: counted, pushedBy: facts.pushedBy };
  if (counted.length >= required) return { rule: PolicyRuleKind.approvals, passed: true, message: `approved by ${counted.join(', ')}`, evidence: ev };
  return {
    rule: PolicyRuleKind.approvals,
    passed: false,
    message: `needs ${required} approval${required === 1 ? '' : 's'} from approvers other than the pusher (${facts.pushedBy}); has ${counted.length}`,
    evidence: ev,
    fix: `ask ${required - counted.length} more approver${required - counted.length === 1 ? '' : 's'} to run \`slipway approve ${facts.pipeline}:v${facts.version} --comment "…"\``,
  };
}

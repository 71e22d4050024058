import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY_YAML,
  type PolicyDocument,
  describePrivileged,
  protectedAttributeKey,
  matchProhibited,
  normaliseFeatureName,
  parsePolicy,
  prohibitedCategories,
} from './policy.js';
import { type PolicyFacts, evaluatePolicies } from './policy-engine.js';
import { disparateImpact, parseCsvRecords } from './policy-fairness.js';
import { InvalidInputError } from './errors.js';

const regB = prohibitedCategories({ template: 'regulation-b', features: [] });

describe('matchProhibited (Regulation B template)', () => {
  it.each([
    ['sex', 'sex'],
    ['Gender', 'sex'],
    ['applicant_gender', 'sex'],
    ['age', 'age'],
    ['dob', 'age'],
    ['birth_year', 'age'],
    ['BirthYear', 'age'],
    ['date-of-birth', 'age'],
    ['ethnicity', 'race'],
    ['Race', 'race'],
    ['nationality', 'national origin'],
    ['country_of_origin', 'national origin'],
    ['national origin', 'national origin'],
    ['marital_status', 'marital status'],
    ['married', 'marital status'],
    ['maritalStatus', 'marital status'],
    ['welfare_income', 'public assistance income'],
    ['benefits-income', 'public assistance income'],
    ['religion', 'religion'],
    ['skin_tone', 'color'],
    ['co_applicant_sex', 'sex'],
  ])('%s → %s', (feature, category) => {
    expect(matchProhibited(feature, regB)).toBe(category);
  });

  it.each(['income', 'debt_ratio', 'account_age_months', 'page_views', 'loan_amount', 'employment_years', 'credit_history_years', 'features', 'average'])('%s is allowed', (feature) => {
    expect(matchProhibited(feature, regB)).toBeUndefined();
  });

  it('adds user-listed features and categories', () => {
    const own = prohibitedCategories({ features: ['zip_code', { category: 'disability', synonyms: ['handicap'] }] });
    expect(matchProhibited('ZipCode', own)).toBe('zip_code');
    expect(matchProhibited('handicap', own)).toBe('disability');
    expect(matchProhibited('sex', own)).toBeUndefined();
  });

  it('normalises case, separators and camelCase', () => {
    expect(normaliseFeatureName(' Marital-Status ')).toBe('marital_status');
    expect(normaliseFeatureName('countryOfOrigin')).toBe('country_of_origin');
  });
});

describe('parsePolicy', () => {
  it('parses the default policy', () => {
    const p = parsePolicy(DEFAULT_POLICY_YAML);
    expect(p).toMatchObject({ name: 'regulation-b', environments: ['production'], rules: { prohibitedFeatures: { template: 'regulation-b', features: [] } } });
  });

  it('reports every problem with its field', () => {
    const text = `name: Bad Name\nenvironments: []\nrules:\n  fairness: { threshold: 1.5, favorableClass: ok, attributes: [] }\n  approvals: { required: 0 }\n  extra: 1\n`;
    let error: unknown;
    try {
      parsePolicy(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const paths = (error as InvalidInputError).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['policy.environments', 'policy.name', 'policy.rules', 'policy.rules.approvals.required', 'policy.rules.fairness.attributes', 'policy.rules.fairness.threshold'].sort());
  });

  it.each([
    ['syntax', 'name: [', /YAML syntax/],
    ['no rules', 'name: p\nenvironments: [production]\nrules: {}\n', /at least one of/],
    ['reserved name', 'name: exceptions\nenvironments: [x]\nrules: { approvals: { required: 1 } }\n', /reserved/],
  ])('refuses %s', (_label, text, message) => {
    expect(() => parsePolicy(text)).toThrow(message);
  });
});

const baseFacts: PolicyFacts = {
  pipeline: 'credit-risk',
  version: 4,
  pushedBy: 'dana',
  features: ['features', 'age', 'sex', 'income'],
  lineage: { parameters: {}, metrics: { auc: 0.79, log_loss: 0.32 }, dataset: { uri: 'x', digest: 'sha256:1' } },
  referenceProfile: true,
  declaredAttributes: [{ name: 'sex', privileged: ['male'] }],
  fairness: [
    { attribute: 'sex', evaluationSet: 'data/holdout.csv', favorableClass: 'repaid', privileged: ['male'], disparateImpact: 0.85, groups: [] },
    { attribute: 'marital_status', evaluationSet: 'data/holdout.csv', favorableClass: 'repaid', privileged: ['married'], disparateImpact: 0.6, groups: [] },
  ],
  approvals: [],
  exceptions: [],
};

const policy = (rules: PolicyDocument['rules'], environments = ['production']) => ({ name: 'p', version: 3, document: { name: 'p', environments, rules } });
const approval = (approver: string) => ({ pipeline: 'credit-risk', version: 4, approver, role: 'approver' as const, comment: '', createdAt: '' });
const exception = (feature: string, approvedBy: string | null, version: number | null = null) => ({
  id: `x-${feature}`,
  pipeline: 'credit-risk',
  version,
  feature,
  legalBasis: '12 CFR 202.6(b)(2)',
  proposedBy: 'ada',
  proposedAt: '',
  approvedBy,
  approvedAt: approvedBy && '',
});

describe('evaluatePolicies', () => {
  const regBRule = { prohibitedFeatures: { template: 'regulation-b' as const, features: [] } };
  it.each<[string, PolicyDocument['rules'], Partial<PolicyFacts>, boolean, RegExp]>([
    ['protected inputs', regBRule, {}, false, /age \(age\), sex \(sex\)/],
    ['no protected inputs', regBRule, { features: ['income', 'debt_ratio'] }, true, /no prohibited/],
    ['approved exception for one, not the other', regBRule, { exceptions: [exception('age', 'alice')] }, false, /^uses prohibited features: sex \(sex\)$/],
    ['proposed but unapproved exception', regBRule, { features: ['age'], exceptions: [exception('age', null)] }, false, /age/],
    ['exception for another version', regBRule, { features: ['age'], exceptions: [exception('age', 'alice', 3)] }, false, /age/],
    ['exception for this version', regBRule, { features: ['age'], exceptions: [exception('age', 'alice', 4)] }, true, /only under approved exceptions \(age\)/],
    ['metrics above thresholds', { evidence: { metrics: { auc: 0.75, log_loss: { max: 0.4 } }, referenceProfile: true, lineage: ['datasetDigest'] } }, {}, true, /present/],
    ['metric below threshold', { evidence: { metrics: { auc: 0.8 }, referenceProfile: false, lineage: [] } }, {}, false, /auc \(0.79\) must be ≥ 0.8/],
    ['loss above bound', { evidence: { metrics: { log_loss: { max: 0.3 } }, referenceProfile: false, lineage: [] } }, {}, false, /log_loss \(0.32\) must be ≤ 0.3/],
    ['missing metric and lineage', { evidence: { metrics: { f1: 0.5 }, referenceProfile: false, lineage: ['codeCommit'] } }, {}, false, /metrics.f1 is missing; lineage.codeCommit is missing/],
    ['no reference profile', { evidence: { metrics: {}, referenceProfile: true, lineage: [] } }, { referenceProfile: false }, false, /no reference profile/],
    ['monitoring absent', { evidence: { metrics: {}, referenceProfile: true, lineage: [] } }, { referenceProfile: undefined }, false, /monitoring is not installed/],
    ['fair enough', { fairness: { threshold: 0.8, evaluationSet: 'data/holdout.csv', favorableClass: 'repaid', attributes: [{ name: 'sex', privileged: ['male'] }] } }, {}, true, /≥ 0.8 for sex/],
    ['threshold is the policy’s', { fairness: { threshold: 0.9, evaluationSet: 'data/holdout.csv', favorableClass: 'repaid', attributes: [{ name: 'sex', privileged: ['male'] }] } }, {}, false, /sex is 0.850, below 0.9/],
    ['unfair attribute', { fairness: { threshold: 0.8, evaluationSet: 'data/holdout.csv', favorableClass: 'repaid', attributes: [{ name: 'marital_status', privileged: ['married'] }] } }, {}, false, /marital_status is 0.600/],
    ['not measured', { fairness: { threshold: 0.8, evaluationSet: 'data/other.csv', favorableClass: 'repaid', attributes: [{ name: 'sex', privileged: ['male'] }] } }, {}, false, /not measured at push/],
    ['measurement error', { fairness: { threshold: 0.8, evaluationSet: 'data/holdout.csv', favorableClass: 'repaid', attributes: [{ name: 'sex', privileged: ['male'] }] } }, { fairness: [{ ...baseFacts.fairness![0]!, disparateImpact: null, error: 'no column "sex"' }] }, false, /no column "sex"/],
    ['declared attributes when the policy names none', { fairness: { threshold: 0.8, evaluationSet: 'data/holdout.csv', favorableClass: 'repaid' } }, {}, true, /≥ 0.8 for sex/],
    ['no attributes anywhere', { fairness: { threshold: 0.8, evaluationSet: 'data/holdout.csv', favorableClass: 'repaid' } }, { declaredAttributes: [] }, false, /no protected attributes to check/],
    [
      'a numeric range',
      { fairness: { threshold: 0.8, evaluationSet: 'data/holdout.csv', favorableClass: 'repaid', attributes: [{ name: 'age', privileged: { min: 25 } }] } },
      { fairness: [{ attribute: 'age', evaluationSet: 'data/holdout.csv', favorableClass: 'repaid', privileged: { min: 25 }, disparateImpact: 0.7, groups: [] }] },
      false,
      /age is 0.700, below 0.8/,
    ],
    ['no approvals', { approvals: { required: 1 } }, {}, false, /needs 1 approval .*has 0/],
    ['self-approval does not count', { approvals: { required: 1 } }, { approvals: [approval('dana')] }, false, /has 0/],
    ['two approvers', { approvals: { required: 2 } }, { approvals: [approval('alice'), approval('bob'), approval('alice')] }, true, /alice, bob/],
  ])('%s', (_label, rules, facts, passed, message) => {
    const verdict = evaluatePolicies([policy(rules)], { ...baseFacts, ...facts }, 'production');
    expect(verdict.passed).toBe(passed);
    expect(verdict.policies).toEqual(['p@v3']);
    const [rule] = verdict.rules;
    expect(rule?.message).toMatch(message);
    expect(rule?.fix === undefined).toBe(passed);
  });

  it('judges only policies that cover the environment, and reports every failed rule', () => {
    const policies = [
      policy({ approvals: { required: 1 }, prohibitedFeatures: { template: 'regulation-b', features: [] } }),
      { ...policy({ approvals: { required: 5 } }, ['staging']), name: 'q' },
      { ...policy({ evidence: { metrics: { auc: 0.99 }, referenceProfile: false, lineage: [] } }, ['*']), name: 'r' },
    ];
    const production = evaluatePolicies(policies, baseFacts, 'production');
    expect(production.policies).toEqual(['p@v3', 'r@v3']);
    expect(production.rules.filter((r) => !r.passed).map((r) => `${r.policy}:${r.rule}`)).toEqual(['p:prohibited-features', 'p:approvals', 'r:evidence']);
    expect(evaluatePolicies(policies, baseFacts, 'canary')).toMatchObject({ passed: false, policies: ['r@v3'] });
    expect(evaluatePolicies([], baseFacts, 'production')).toEqual({ environment: 'production', passed: true, policies: [], rules: [] });
  });
});

describe('protected attributes', () => {
  it('describes and keys privileged groups', () => {
    expect(describePrivileged(['male'])).toBe('male');
    expect(describePrivileged({ min: 25 })).toBe('≥ 25');
    expect(describePrivileged({ max: 40 })).toBe('< 40');
    expect(describePrivileged({ min: 25, max: 40 })).toBe('25 ≤ x < 40');
    expect(protectedAttributeKey({ name: 'm', privileged: ['b', 'a'] })).toBe(protectedAttributeKey({ name: 'm', privileged: ['a', 'b'] }));
    expect(protectedAttributeKey({ name: 'age', privileged: { min: 25 } })).not.toBe(protectedAttributeKey({ name: 'age', privileged: { max: 25 } }));
  });

  it('parses category and range privileged groups from policy YAML, refusing empty ranges', () => {
    const p = parsePolicy('name: f\nenvironments: [production]\nrules:\n  fairness:\n    threshold: 0.8\n    favorableClass: ok\n    attributes: [{ name: age, privileged: { min: 25 } }, { name: x, privileged: [1, true] }]\n');
    expect(p.rules.fairness?.attributes).toEqual([
      { name: 'age', privileged: { min: 25 } },
      { name: 'x', privileged: ['1', 'true'] },
    ]);
    expect(() => parsePolicy('name: f\nenvironments: [p]\nrules: { fairness: { threshold: 0.8, favorableClass: ok, attributes: [{ name: a, privileged: {} }] } }\n')).toThrow(/needs min, max or both/);
  });
});

describe('disparateImpact', () => {
  it.each([
    // 2/4 favourable for f, 4/4 for m → 0.5
    [['f', 'f', 'f', 'f', 'm', 'm', 'm', 'm'], ['ok', 'ok', 'no', 'no', 'ok', 'ok', 'ok', 'ok'], ['m'], 0.5],
    [['a', 'b'], ['ok', 'ok'], ['a'], 1],
    [['a', 'b'], ['no', 'ok'], ['a'], null],
    [['a', 'a'], ['ok', 'ok'], ['a'], null],
    // pooled: others c,d 1/3 favourable; privileged a 1/1 → 1/3
    [['a', 'c', 'c', 'd'], ['ok', 'ok', 'no', 'no'], ['a'], 1 / 3],
  ])('groups %j decisions %j privileged %j → %s', (groups, decisions, privileged, expected) => {
    const result = disparateImpact({ groups, decisions, favorableClass: 'ok', privileged });
    if (expected === null) expect(result.disparateImpact).toBeNull();
    else expect(result.disparateImpact).toBeCloseTo(expected, 10);
  });

  it('reports each group', () => {
    expect(disparateImpact({ groups: ['f', 'm', 'm'], decisions: ['ok', 'ok', 'no'], favorableClass: 'ok', privileged: ['m'] }).groups).toEqual([
      { group: 'f', privileged: false, count: 1, favorable: 1, rate: 1 },
      { group: 'm', privileged: true, count: 2, favorable: 1, rate: 0.5 },
    ]);
  });
});

describe('parseCsvRecords', () => {
  it('reads quoted fields, CRLF and a missing final newline', () => {
    expect(parseCsvRecords('a,b\r\n1,"x, ""y"""\n2,\n\n3,z')).toEqual([
      { a: '1', b: 'x, "y"' },
      { a: '2', b: '' },
      { a: '3', b: 'z' },
    ]);
    expect(parseCsvRecords('')).toEqual([]);
  });
});

/**
 * Governance policies as their authors write them (YAML) and as the policy engine reads
 * them. A policy covers environments (alias names such as `production`) and carries up to
 * four rules: prohibited features (with the built-in Regulation B template), required
 * evidence, a fairness gate and four-eyes approvals. Parsing reports every problem at once,
 * each naming its field.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { type FieldIssue, InvalidInputError } from './errors.js';
import { zodIssues } from './manifest.js';

/** Policy names follow pipeline names; `exceptions` is taken by the exceptions route. */
export const POLICY_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const RESERVED_POLICY_NAMES = new Set(['exceptions']);

/** The rule kinds, as named in results and error details. */
export const PolicyRuleKind = {
  prohibitedFeatures: 'prohibited-features',
  evidence: 'evidence',
  fairness: 'fairness',
  approvals: 'approvals',
} as const;
export type PolicyRuleKind = (typeof PolicyRuleKind)[keyof typeof PolicyRuleKind];

/** Lineage fields the evidence rule can require. */
export const LINEAGE_EVIDENCE = ['datasetDigest', 'datasetUri', 'codeCommit', 'codeRepository'] as const;
export type LineageEvidence = (typeof LINEAGE_EVIDENCE)[number];

/**
 * The protected bases of Regulation B (12 CFR 202, ECOA), each with the feature names that
 * mean it. Matching normalises case, `_`, `-`, spaces and camelCase, and ignores a leading
 * subject word (`applicant_age` is `age`).
 */
export const REGULATION_B_TEMPLATE: readonly { category: string; synonyms: readonly string[] }[] = [
  { category: 'race', synonyms: ['race', 'racial group', 'ethnicity', 'ethnic', 'ethnic group', 'ethnic origin'] },
  { category: 'color', synonyms: ['color', 'colour', 'skin color', 'skin colour', 'skin tone', 'complexion'] },
  { category: 'religion', synonyms: ['religion', 'religious affiliation', 'faith', 'denomination'] },
  {
    category: 'national origin',
    synonyms: ['national origin', 'nationality', 'country of origin', 'country of birth', 'birth country', 'place of birth', 'citizenship', 'ancestry'],
  },
  { category: 'sex', synonyms: ['sex', 'gender', 'gender identity', 'sexual orientation', 'is male', 'is female'] },
  { category: 'marital status', synonyms: ['marital status', 'marital', 'married', 'is married', 'marriage status', 'civil status', 'spouse'] },
  { category: 'age', synonyms: ['age', 'age years', 'age group', 'age band', 'dob', 'date of birth', 'birth date', 'birthdate', 'birth year', 'year of birth'] },
  {
    category: 'public assistance income',
    synonyms: ['public assistance income', 'public assistance', 'welfare', 'welfare income', 'benefits income', 'public benefits', 'social assistance', 'food stamps', 'snap benefits'],
  },
];

const name = z.string().regex(POLICY_NAME, 'must be 1–63 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit');

const prohibitedFeaturesSchema = z.strictObject({
  /** `regulation-b` adds the built-in template; omit it to list only your own. */
  template: z.literal('regulation-b').optional(),
  /** Your own prohibited features: a name, or a category with its synonyms. */
  features: z
    .array(z.union([z.string().min(1), z.strictObject({ category: z.string().min(1), synonyms: z.array(z.string().min(1)).default([]) })]))
    .default([]),
});

const metricBound = z.union([z.number(), z.strictObject({ min: z.number().optional(), max: z.number().optional() })]);

const evidenceSchema = z.strictObject({
  /** Offline metrics from `lineage.metrics`: a number is a minimum; `{max}` bounds losses. */
  metrics: z.record(z.string().min(1), metricBound).default({}),
  /** The version must have a reference profile (monitoring). */
  referenceProfile: z.boolean().default(false),
  lineage: z.array(z.enum(LINEAGE_EVIDENCE)).default([]),
});

/** Privileged group of a protected attribute: category values, or a numeric range (min inclusive, max exclusive). */
const privilegedSchema = z.union([
  z.array(z.union([z.string(), z.number(), z.boolean()]).transform(String)).min(1),
  z
    .strictObject({ min: z.number().optional(), max: z.number().optional() })
    .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'needs min, max or both (min inclusive, max exclusive)' })
    .refine((r) => r.min === undefined || r.max === undefined || r.min < r.max, { message: 'min must be < max' }),
]);

const fairnessSchema = z.strictObject({
  /** Disparate impact (favourable rate of the others / of the privileged) must be at least this. */
  threshold: z.number().gt(0).max(1),
  /** CSV in the package the model is run on at push; its columns include the protected attributes. */
  evaluationSet: z.string().min(1).default('data/holdout.csv'),
  /** The class label that is the favourable outcome (e.g. `repaid`). */
  favorableClass: z.string().min(1),
  /** Omitted: the attributes the version declares in its manifest (`monitoring.protectedAttributes`). */
  attributes: z.array(z.strictObject({ name: z.string().min(1), privileged: privilegedSchema })).min(1).optional(),
});

const approvalsSchema = z.strictObject({
  /** Distinct approvers, none of them the version's pusher. */
  required: z.number().int().min(1).max(10),
});

export const policySchema = z
  .strictObject({
    name,
    description: z.string().max(2000).optional(),
    /** Aliases (environments) this policy guards; `*` guards every one. */
    environments: z.array(z.string().min(1)).min(1),
    rules: z
      .strictObject({
        prohibitedFeatures: prohibitedFeaturesSchema.optional(),
        evidence: evidenceSchema.optional(),
        fairness: fairnessSchema.optional(),
        approvals: approvalsSchema.optional(),
      })
      .refine((r) => Object.values(r).some((v) => v !== undefined), { message: 'must have at least one of prohibitedFeatures, evidence, fairness, approvals' }),
  })
  .superRefine((p, ctx) => {
    if (RESERVED_POLICY_NAMES.has(p.name)) ctx.addIssue({ code: 'custom', path: ['name'], message: `"${p.name}" is reserved; choose another name` });
  });

export type PolicyDocument = z.infer<typeof policySchema>;
export type FairnessRule = NonNullable<PolicyDocument['rules']['fairness']>;

/** A protected attribute and its privileged group, as a policy or a manifest declares it. */
export interface ProtectedAttribute {
  name: string;
  privileged: string[] | { min?: number | undefined; max?: number | undefined };
}

/** `male, other` or `≥ 25` / `< 40` / `25 ≤ x < 40`: the privileged group in words. */
export function describePrivileged(privileged: ProtectedAttribute['privileged']): string {
  if (Array.isArray(privileged)) return privileged.join(', ');
  const { min, max } = privileged;
  if (min !== undefined && max !== undefined) return `${min} ≤ x < ${max}`;
  return min !== undefined ? `≥ ${min}` : `< ${String(max)}`;
}

/** Equal for the same attribute and privileged group, whatever the order of categories. */
export function protectedAttributeKey(a: ProtectedAttribute): string {
  const p = a.privileged;
  return JSON.stringify([a.name, Array.isArray(p) ? [...p].sort() : { min: p.min ?? null, max: p.max ?? null }]);
}

/** Parses policy YAML; every problem is reported at once as `InvalidInputError`, paths prefixed `policy.`. */
export function parsePolicy(text: string): PolicyDocument {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) throw new InvalidInputError(doc.errors.map((e) => ({ path: 'policy', message: `YAML syntax: ${e.message}` })));
  return validatePolicy(doc.toJS() ?? {});
}

export function validatePolicy(value: unknown): PolicyDocument {
  const result = policySchema.safeParse(value);
  if (!result.success) {
    throw new InvalidInputError(zodIssues(result.error).map((i): FieldIssue => ({ path: i.path ? `policy.${i.path}` : 'policy', message: i.message })));
  }
  return result.data;
}

/** The policy installed on first start: Regulation B's protected bases, kept out of `production`. */
export const DEFAULT_POLICY_YAML = `name: regulation-b
description: >-
  Equal Credit Opportunity Act / Regulation B (12 CFR 202): a model serving production
  may not use race, color, religion, national origin, sex, marital status, age or
  public-assistance income, unless an approved exception records the legal basis.
environments: [production]
rules:
  prohibitedFeatures:
    template: regulation-b
`;

/** `Applicant-Age`, `applicant_age` and `applicantAge` all become `applicant_age`. */
export function normaliseFeatureName(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Leading words that name whose attribute it is, not what it is. */
const SUBJECT_WORDS = new Set(['applicant', 'applicants', 'borrower', 'customer', 'client', 'person', 'user', 'member', 'primary', 'co', 'coapplicant']);

/** The feature's normalised name without leading subject words (`co_applicant_sex` → `sex`). */
export function featureCore(featureName: string): string {
  const tokens = normaliseFeatureName(featureName).split('_');
  while (tokens.length > 1 && SUBJECT_WORDS.has(tokens[0] ?? '')) tokens.shift();
  return tokens.join('_');
}

export interface ProhibitedCategory {
  category: string;
  /** Normalised names that mean this category. */
  terms: string[];
}

/** The categories a prohibited-features rule forbids: the template's and the user's. */
export function prohibitedCategories(rule: NonNullable<PolicyDocument['rules']['prohibitedFeatures']>): ProhibitedCategory[] {
  const out: ProhibitedCategory[] = [];
  if (rule.template === 'regulation-b') {
    for (const t of REGULATION_B_TEMPLATE) out.push({ category: t.category, terms: [t.category, ...t.synonyms].map(normaliseFeatureName) });
  }
  for (const f of rule.features) {
    if (typeof f === 'string') out.push({ category: f, terms: [normaliseFeatureName(f)] });
    else out.push({ category: f.category, terms: [f.category, ...f.synonyms].map(normaliseFeatureName) });
  }
  return out;
}

/** The prohibited category a feature name means, if any. */
export function matchProhibited(featureName: string, categories: readonly ProhibitedCategory[]): string | undefined {
  const normalised = normaliseFeatureName(featureName);
  const core = featureCore(featureName);
  return categories.find((c) => c.terms.includes(normalised) || c.terms.includes(core))?.category;
}

/**
 * A synthetic consumer-credit dataset for the `credit-risk` example. Each applicant is
 * drawn by `CREDIT_GENERATIVE_PROCESS`; whether they default comes from a logistic ground
 * truth (`CREDIT_GROUND_TRUTH`) over the *legitimate* columns only. The protected
 * attributes (age, sex, marital status) never enter that formula, but they do shift some
 * legitimate columns — older applicants have longer credit histories, men earn a little
 * more, divorced applicants carry more debt — so default rates still differ between
 * groups, as in real lending data. That gives fairness checks something real to measure
 * instead of a dataset that is fair by construction. The example's README renders both
 * constants, so `drawApplicant` and `CREDIT_GENERATIVE_PROCESS` must stay in step.
 */
import type { FeatureSpec } from '@slipway/core';
import { type CsvValue, toCsv } from './csv.js';
import { Random } from './random.js';

export const SEXES = ['female', 'male'] as const;
export type Sex = (typeof SEXES)[number];
export const MARITAL_STATUSES = ['single', 'married', 'divorced'] as const;
export type MaritalStatus = (typeof MARITAL_STATUSES)[number];

/** One applicant, with fields named as the CSV columns and the pipeline's features. */
export interface CreditRecord {
  age: number;
  sex: Sex;
  marital_status: MaritalStatus;
  income: number;
  debt_ratio: number;
  credit_history_years: number;
  num_open_accounts: number;
  late_payments_2y: number;
  loan_amount: number;
  employment_years: number;
}

/** Attributes lending rules (e.g. US Regulation B) bar from credit decisions. */
export const PROTECTED_ATTRIBUTES = ['age', 'sex', 'marital_status'] as const;
export type ProtectedAttribute = (typeof PROTECTED_ATTRIBUTES)[number];

/** The columns the ground truth may use: everything but the protected attributes. */
export type LegitimateColumns = Omit<CreditRecord, ProtectedAttribute>;

/** The applicant columns as pipeline features, in CSV (and model-input) order. */
export const CREDIT_FEATURES: FeatureSpec[] = [
  { name: 'age', type: 'numeric', description: 'Age in years (18–80). Protected attribute.' },
  { name: 'sex', type: 'categorical', categories: [...SEXES], description: 'Protected attribute.' },
  { name: 'marital_status', type: 'categorical', categories: [...MARITAL_STATUSES], description: 'Protected attribute.' },
  { name: 'income', type: 'numeric', description: 'Annual income.' },
  { name: 'debt_ratio', type: 'numeric', description: 'Monthly debt payments / monthly income (0–1.5).' },
  { name: 'credit_history_years', type: 'numeric', description: 'Years since the first credit account.' },
  { name: 'num_open_accounts', type: 'numeric', description: 'Open credit accounts.' },
  { name: 'late_payments_2y', type: 'numeric', description: 'Payments 30+ days late in the last two years.' },
  { name: 'loan_amount', type: 'numeric', description: 'Amount applied for.' },
  { name: 'employment_years', type: 'numeric', description: 'Years with the current employer.' },
];

export const CREDIT_TARGET_COLUMN = 'default';
/** Class labels by target value: 0 = repaid, 1 = default. */
export const CREDIT_CLASSES = ['repaid', 'default'] as const;

/**
 * Ground-truth log-odds of default: `intercept + Σ coefficient · term`, each term centred on
 * a typical applicant so the coefficients read as "per unit away from typical".
 */
export const CREDIT_GROUND_TRUTH = {
  intercept: -1.8,
  terms: [
    { term: 'debt_ratio − 0.3', coefficient: 3.0, value: (r: LegitimateColumns) => r.debt_ratio - 0.3 },
    { term: 'late_payments_2y', coefficient: 0.6, value: (r: LegitimateColumns) => r.late_payments_2y },
    { term: 'credit_history_years − 10', coefficient: -0.05, value: (r: LegitimateColumns) => r.credit_history_years - 10 },
    { term: 'ln(income / 40000)', coefficient: -0.7, value: (r: LegitimateColumns) => Math.log(r.income / 40000) },
    { term: 'loan_amount / income − 0.3', coefficient: 2.0, value: (r: LegitimateColumns) => r.loan_amount / r.income - 0.3 },
    { term: 'employment_years − 5', coefficient: -0.04, value: (r: LegitimateColumns) => r.employment_years - 5 },
    { term: 'num_open_accounts − 4', coefficient: 0.05, value: (r: LegitimateColumns) => r.num_open_accounts - 4 },
  ],
  /** Standard deviation of the normal noise added to the log-odds before drawing. */
  noiseSd: 0.5,
} as const;

export function groundTruthLogit(r: LegitimateColumns): number {
  let z: number = CREDIT_GROUND_TRUTH.intercept;
  for (const t of CREDIT_GROUND_TRUTH.terms) z += t.coefficient * t.value(r);
  return z;
}

export interface CreditDataset {
  records: CreditRecord[];
  /** Target per record: 1 = default, 0 = repaid. */
  labels: Uint8Array;
}

/** How each applicant is drawn (U = uniform, N = normal, logs natural), one line per column. */
export const CREDIT_GENERATIVE_PROCESS: readonly string[] = [
  'sex: female or male, 50/50.',
  'age: N(42, 13) rounded, redrawn until within 18–80.',
  'marital_status: drawn with weights single 0.15 + 0.85·e^(−(age−18)/10), married 0.65·(1 − e^(−(age−18)/8)), divorced 0.02 + 0.005·(age−18).',
  'employment_years: round((age−18) · U(0.1, 0.8) · s), with s = 0.85 for women (career breaks) and 1 for men.',
  'credit_history_years: round((age−18) · U(0.4, 1)).',
  'income: exp(ln 36000 + 0.02·(age−18) − 0.0003·(age−18)² + 0.015·employment_years + 0.10·[male] + 0.06·[married] + N(0, 0.45)), rounded to 100, at least 6000.',
  'debt_ratio: exp(ln 0.28 + 0.25·[divorced] − 0.004·(age−42) + N(0, 0.5)), capped at 1.5, rounded to 3 decimals.',
  'num_open_accounts: Poisson(1.5 + 0.15·credit_history_years).',
  'late_payments_2y: Poisson(0.15 + 0.9·debt_ratio).',
  'loan_amount: income · exp(ln 0.3 + N(0, 0.45)), rounded to 100, at least 500.',
  'default: 1 with probability σ(z + N(0, 0.5)), z the ground-truth log-odds below; otherwise 0 (repaid).',
];

const round = (x: number, decimals = 0) => Math.round(x * 10 ** decimals) / 10 ** decimals;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function drawApplicant(rng: Random): CreditRecord {
  const sex = rng.pick(SEXES);
  let age: number;
  do age = Math.round(rng.normal(42, 13));
  while (age < 18 || age > 80);
  const adult = age - 18;
  const marital_status = rng.pick(MARITAL_STATUSES, [
    0.15 + 0.85 * Math.exp(-adult / 10),
    0.65 * (1 - Math.exp(-adult / 8)),
    0.02 + 0.005 * adult,
  ]);
  const employment_years = Math.round(adult * rng.uniform(0.1, 0.8) * (sex === 'female' ? 0.85 : 1));
  const credit_history_years = Math.round(adult * rng.uniform(0.4, 1));
  const logIncome =
    Math.log(36000) +
    0.02 * adult -
    0.0003 * adult * adult +
    0.015 * employment_years +
    (sex === 'male' ? 0.1 : 0) +
    (marital_status === 'married' ? 0.06 : 0) +
    rng.normal(0, 0.45);
  const income = Math.max(6000, round(Math.exp(logIncome), -2));
  const logDebt = Math.log(0.28) + (marital_status === 'divorced' ? 0.25 : 0) - 0.004 * (age - 42) + rng.normal(0, 0.5);
  const debt_ratio = round(Math.min(1.5, Math.exp(logDebt)), 3);
  const num_open_accounts = rng.poisson(1.5 + 0.15 * credit_history_years);
  const late_payments_2y = rng.poisson(0.15 + 0.9 * debt_ratio);
  const loan_amount = Math.max(500, round(income * Math.exp(Math.log(0.3) + rng.normal(0, 0.45)), -2));
  return {
    age,
    sex,
    marital_status,
    income,
    debt_ratio,
    credit_history_years,
    num_open_accounts,
    late_payments_2y,
    loan_amount,
    employment_years,
  };
}

/** `n` applicants and their outcomes, a pure function of `seed`. */
export function generateCreditData(n: number, seed: number): CreditDataset {
  const rng = new Random(seed);
  const records: CreditRecord[] = [];
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = drawApplicant(rng);
    records.push(r);
    labels[i] = rng.bernoulli(sigmoid(groundTruthLogit(r) + rng.normal(0, CREDIT_GROUND_TRUTH.noiseSd)));
  }
  return { records, labels };
}

/** The dataset as CSV: the feature columns in `CREDIT_FEATURES` order, then `default`. */
export function creditCsv(data: CreditDataset): string {
  const columns = CREDIT_FEATURES.map((f) => f.name as keyof CreditRecord);
  const rows = data.records.map((r, i): CsvValue[] => [...columns.map((c) => r[c]), data.labels[i] ?? 0]);
  return toCsv([...columns, CREDIT_TARGET_COLUMN], rows);
}

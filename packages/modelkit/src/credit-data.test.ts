import { encodeRecords, featureWidth } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import {
  CREDIT_FEATURES,
  type CreditRecord,
  creditCsv,
  generateCreditData,
  groundTruthLogit,
  MARITAL_STATUSES,
  PROTECTED_ATTRIBUTES,
  SEXES,
} from './credit-data.js';

const data = generateCreditData(5000, 2024);
const { records, labels } = data;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const where = (keep: (r: CreditRecord) => boolean, value: (r: CreditRecord) => number) => mean(records.filter(keep).map(value));
const defaultRate = (keep: (r: CreditRecord) => boolean) => mean(records.flatMap((r, i) => (keep(r) ? [labels[i] ?? 0] : [])));

function correlation(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const y = ys[i] ?? 0;
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('generateCreditData', () => {
  it('is a pure function of the seed', () => {
    expect(generateCreditData(50, 2024)).toEqual(generateCreditData(50, 2024));
    expect(generateCreditData(50, 2025).records).not.toEqual(generateCreditData(50, 2024).records);
  });

  it('keeps every column within its documented range', () => {
    const count = (x: number) => Number.isInteger(x) && x >= 0;
    const inRange = (r: CreditRecord) =>
      count(r.age) && r.age >= 18 && r.age <= 80 &&
      SEXES.includes(r.sex) && MARITAL_STATUSES.includes(r.marital_status) &&
      r.income >= 6000 && r.income % 100 === 0 &&
      r.debt_ratio >= 0 && r.debt_ratio <= 1.5 &&
      count(r.credit_history_years) && r.credit_history_years <= r.age - 18 &&
      count(r.employment_years) && r.employment_years <= r.age - 18 &&
      count(r.num_open_accounts) && count(r.late_payments_2y) &&
      r.loan_amount >= 500;
    const outOfRange = records.filter((r) => !inRange(r));
    expect(outOfRange).toEqual([]);
    // Same keys as the features, so records go straight into the tabular encoder.
    expect(encodeRecords(CREDIT_FEATURES, records).shape).toEqual([5000, featureWidth(CREDIT_FEATURES)]);
  });

  it('has a default rate between 10% and 20%', () => {
    expect(defaultRate(() => true)).toBeGreaterThan(0.1);
    expect(defaultRate(() => true)).toBeLessThan(0.2);
  });

  it('makes default depend on the legitimate columns as the ground truth says', () => {
    expect(defaultRate((r) => r.late_payments_2y >= 2)).toBeGreaterThan(defaultRate((r) => r.late_payments_2y === 0) + 0.1);
    expect(defaultRate((r) => r.debt_ratio > 0.5)).toBeGreaterThan(defaultRate((r) => r.debt_ratio < 0.2));
    const z = records.map(groundTruthLogit);
    expect(correlation(z, Array.from(labels))).toBeGreaterThan(0.3);
  });

  it('never lets protected attributes into the ground truth', () => {
    for (const r of records.slice(0, 200)) {
      const swapped: CreditRecord = { ...r, age: 99 - r.age, sex: r.sex === 'male' ? 'female' : 'male', marital_status: 'divorced' };
      expect(groundTruthLogit(swapped)).toBe(groundTruthLogit(r));
    }
    expect(PROTECTED_ATTRIBUTES).toEqual(['age', 'sex', 'marital_status']);
  });

  it('correlates protected attributes with legitimate columns, as documented', () => {
    // Age → longer credit history.
    expect(correlation(records.map((r) => r.age), records.map((r) => r.credit_history_years))).toBeGreaterThan(0.6);
    // Men earn about 10% more (log-income gap ≈ 0.10) and women have shorter tenure.
    const gap = where((r) => r.sex === 'male', (r) => Math.log(r.income)) - where((r) => r.sex === 'female', (r) => Math.log(r.income));
    expect(gap).toBeGreaterThan(0.05);
    expect(gap).toBeLessThan(0.2);
    expect(where((r) => r.sex === 'female', (r) => r.employment_years)).toBeLessThan(where((r) => r.sex === 'male', (r) => r.employment_years));
    // Divorced applicants carry more debt than married ones.
    expect(where((r) => r.marital_status === 'divorced', (r) => r.debt_ratio)).toBeGreaterThan(
      where((r) => r.marital_status === 'married', (r) => r.debt_ratio) + 0.04,
    );
    // Young applicants default more, through those legitimate columns.
    expect(defaultRate((r) => r.age < 30)).toBeGreaterThan(defaultRate((r) => r.age >= 50) + 0.08);
  });

  it('writes CSV with the feature columns, then default, values exactly as generated', () => {
    const csv = creditCsv(generateCreditData(3, 2024)).split('\n');
    expect(csv[0]).toBe(`${CREDIT_FEATURES.map((f) => f.name).join(',')},default`);
    expect(csv).toHaveLength(5);
    const first = records[0] as CreditRecord;
    expect(csv[1]).toBe(`${CREDIT_FEATURES.map((f) => String(first[f.name as keyof CreditRecord])).join(',')},${labels[0]}`);
  });
});

/**
 * The credit-risk example's held-out sample as scenario tests replay it: records keyed
 * by feature name (labels apart), and a helper that runs them through `/v1/runs`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { RunResponse } from '@slipway/core';
import { splitCsv } from '@slipway/monitoring';
import { expect } from 'vitest';
import { type TestApp, auth } from './fixtures.js';

export const CREDIT_RISK_DIR = fileURLToPath(new URL('../../../../examples/credit-risk/', import.meta.url));

export type Applicant = Record<string, number | string>;

const CATEGORICAL = ['sex', 'marital_status'];

export async function creditHoldout(): Promise<{ header: string[]; lines: string[][]; records: Applicant[]; labels: number[] }> {
  const [header, ...rows] = splitCsv(await readFile(`${CREDIT_RISK_DIR}data/holdout.csv`, 'utf8'));
  const names = header!.fields;
  const value = (fields: string[], n: string) => (CATEGORICAL.includes(n) ? fields[names.indexOf(n)]! : Number(fields[names.indexOf(n)]));
  const records = rows.map(({ fields }) => Object.fromEntries(names.filter((n) => n !== 'default').map((n) => [n, value(fields, n)])));
  return { header: names, lines: rows.map((r) => r.fields), records, labels: rows.map(({ fields }) => Number(fields[names.indexOf('default')])) };
}

/** Runs the records through `POST /v1/runs` of credit-risk, 250 per run; resolves with the run ids. */
export async function runRecords(t: TestApp, records: Applicant[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < records.length; i += 250) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { pipeline: 'credit-risk', inputs: records.slice(i, i + 250) } });
    expect(res.statusCode, res.body).toBe(200);
    ids.push(res.json<RunResponse>().id);
  }
  return ids;
}

/**
 * The Regulation B scenario end to end, over HTTP with real SQLite, disk and onnxruntime:
 * the example credit model (sex, age and marital status as inputs) is pushed by a data
 * scientist and blocked from production by the default policy; retrained without
 * protected inputs it passes the prohibited-features and fairness rules; four eyes are
 * enforced; the compliance report shows all of it. Plus the policy routes' bad input.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { join } from 'node:path';
import type { ApiTokenRecord, MetadataStore, Role } from '@slipway/core';
import { createSqliteMetadataStore } from '@slipway/store';
import {
  CREDIT_FEATURES,
  PROTECTED_ATTRIBUTES,
  creditCsv,
  logisticToOnnx,
  renderManifest,
  trainCreditRisk,
  trainLogistic,
} from '@slipway/modelkit';
import { encodeRecords, featureWidth, type Manifest } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from './auth.js';
import { type TestApp, auth, createTestApp, packageTar, push } from './testing/fixtures.js';

const examplesDir = resolve(import.meta.dirname, '../../../examples/credit-risk');

/** A platform-wide token of `role` for `name` (a token without identity: its name is the actor). */
async function tokenFor(store: MetadataStore, name: string, role: Role): Promise<Record<string, string>> {
  const secret = `slw_${name}-${randomUUID()}`;
  const record: ApiTokenRecord = {
    id: randomUUID(),
    name,
    hash: hashToken(secret),
    identity: null,
    role,
    scopes: null,
    project: null,
    createdAt: new Date().toISOString(),
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
  };
  await store.createApiToken(record);
  return { authorization: `Bearer ${secret}` };
}

async function examplePackage(): Promise<Buffer> {
  const read = (p: string) => readFile(resolve(examplesDir, p));
  return packageTar({ 'slipway.yaml': await read('slipway.yaml'), 'model.onnx': await read('model.onnx'), 'data/holdout.csv': await read('data/holdout.csv') });
}

/** credit-risk retrained on the same data without the protected attributes; the evaluation CSV keeps them for the fairness gate. */
function retrainedPackage(description = 'credit-risk without protected attributes <script>alert("x")</script>'): Promise<Buffer> {
  const full = trainCreditRisk();
  const features = CREDIT_FEATURES.filter((f) => !(PROTECTED_ATTRIBUTES as readonly string[]).includes(f.name));
  const matrix = (records: readonly object[]) =>
    encodeRecords(
      features,
      records.map((r) => Object.fromEntries(features.map((f) => [f.name, (r as Record<string, unknown>)[f.name]]))),
    ).data as Float32Array;
  const model = trainLogistic(matrix(full.train.records), full.train.labels, featureWidth(features), full.config);
  const onnx = logisticToOnnx(model, { name: 'credit-risk', input: 'features' });
  const manifest: Manifest = {
    name: 'credit-risk',
    description,
    runtime: 'onnx',
    model: 'model.onnx',
    tabular: { input: 'features', features },
    outputs: { probabilities: 'probabilities', label: 'label', classLabels: ['repaid', 'default'] },
    lineage: { codeCommit: 'f00dfeed', dataset: { uri: 'examples/credit-risk/data/train.csv', digest: 'sha256:4c72' }, parameters: { algorithm: 'logistic-regression' }, metrics: { auc: 0.79 } },
    // The reference profile (monitoring) comes from the evaluation CSV.
    monitoring: { reference: 'data/holdout.csv', label: 'default' },
  };
  return packageTar({ 'slipway.yaml': renderManifest(manifest), 'model.onnx': onnx, 'data/holdout.csv': creditCsv(full.holdout) });
}

const GOVERNANCE_POLICY = `name: lending-governance
description: four eyes and fairness for production lending models
environments: [production]
rules:
  fairness:
    threshold: 0.8
    evaluationSet: data/holdout.csv
    favorableClass: repaid
    attributes:
      - { name: sex, privileged: [male] }
      - { name: marital_status, privileged: [married] }
  evidence:
    metrics: { auc: 0.7 }
    referenceProfile: true
    lineage: [datasetDigest]
  approvals:
    required: 1
`;

/** The Regulation B rule's result in a `GET …/policy?env=production` answer. */
const prohibitedRule = (body: { environments: { rules: Failure[] }[] }) => body.environments[0]?.rules.find((r) => r.rule === 'prohibited-features');

interface Failure {
  policy: string;
  passed?: boolean;
  rule: string;
  message: string;
  evidence: Record<string, unknown>;
  fix?: string;
}

describe('Regulation B scenario', () => {
  let t: TestApp;
  let side: MetadataStore;
  let dana: Record<string, string>;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  const json = { 'content-type': 'application/json' };
  const promote = (version: number, alias = 'production') =>
    t.app.inject({ method: 'PUT', url: `/v1/pipelines/credit-risk/aliases/${alias}`, headers: { ...auth, ...json }, payload: { version } });

  beforeAll(async () => {
    t = await createTestApp({ monitoring: { flushIntervalMs: 0 } });
    await t.policies.installDefaults();
    // A second connection to the app's database (WAL) issues the role tokens.
    side = createSqliteMetadataStore({ path: join(t.dir, 'slipway.db') });
    dana = await tokenFor(side, 'dana', 'data-scientist');
    alice = await tokenFor(side, 'alice', 'approver');
    bob = await tokenFor(side, 'bob', 'approver');
  });
  afterAll(async () => {
    await side.close();
    await t.cleanup();
  });

  it('installs the Regulation B policy once', async () => {
    expect(await t.policies.installDefaults()).toBeUndefined();
    const res = await t.app.inject({ method: 'GET', url: '/v1/policies/regulation-b', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'regulation-b', version: 1, actor: 'system', document: { environments: ['production'] } });
  });

  it('accepts the push of the example model but blocks it from production, naming every prohibited input', async () => {
    const pushed = await push(t, await examplePackage(), dana);
    expect(pushed.statusCode).toBe(201);
    expect(pushed.json()).toMatchObject({ ref: 'credit-risk:v1', version: { createdBy: 'dana' } });

    const check = await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v1/policy?env=production', headers: dana });
    expect(check.statusCode).toBe(200);
    const [production] = check.json<{ environments: { passed: boolean; rules: Failure[] }[] }>().environments;
    expect(production?.passed).toBe(false);
    expect(production?.rules[0]?.evidence.prohibited).toEqual([
      { feature: 'age', category: 'age' },
      { feature: 'sex', category: 'sex' },
      { feature: 'marital_status', category: 'marital status' },
    ]);

    const blocked = await promote(1);
    expect(blocked.statusCode).toBe(403);
    const { error } = blocked.json<{ error: { code: string; message: string; details: { failures: Failure[] } } }>();
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/credit-risk:v1 may not serve "production": \[regulation-b prohibited-features\] uses prohibited features: age \(age\), sex \(sex\), marital_status \(marital status\)/);
    expect(error.details.failures.map((f) => f.rule)).toEqual(['prohibited-features']);
    expect(error.details.failures[0]?.fix).toMatch(/retrain without these features/);

    // Environments no policy covers stay open.
    expect((await promote(1, 'staging')).statusCode).toBe(200);
  });

  it('reports every failed rule of every policy, with evidence and fixes', async () => {
    const applied = await t.app.inject({ method: 'PUT', url: '/v1/policies/lending-governance', headers: { ...auth, ...json }, payload: { source: GOVERNANCE_POLICY } });
    expect(applied.statusCode).toBe(201);
    expect(applied.json()).toMatchObject({ created: true, policy: { name: 'lending-governance', version: 1 } });

    const blocked = await promote(1);
    expect(blocked.statusCode).toBe(403);
    const failures = blocked.json<{ error: { details: { failures: Failure[] } } }>().error.details.failures;
    // Policies in name order, rules in policy order; evidence passes (auc 0.79 ≥ 0.7, dataset digest recorded).
    // Evidence passes: auc 0.79 ≥ 0.7, the dataset digest is recorded, and monitoring profiled data/holdout.csv at push.
    expect(failures.map((f) => `${f.policy}:${f.rule}`)).toEqual(['lending-governance:fairness', 'lending-governance:approvals', 'regulation-b:prohibited-features']);
    // v1 was pushed before the fairness rule existed: it says how to get it measured.
    expect(failures[0]?.message).toMatch(/not measured at push .* push the package again/);
    expect(failures[1]).toMatchObject({ message: /needs 1 approval .* \(dana\); has 0/, fix: /slipway approve credit-risk:v1/ });
  });

  it('passes once retrained without protected inputs and approved by someone other than the pusher', async () => {
    const pushed = await push(t, await retrainedPackage(), dana);
    expect(pushed.statusCode).toBe(201);
    expect(pushed.json<{ ref: string }>().ref).toBe('credit-risk:v2');

    const before = await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v2/policy', headers: dana });
    const envs = before.json<{ environments: { environment: string; passed: boolean; rules: Failure[] }[] }>().environments;
    expect(envs.map((e) => e.environment)).toEqual(['production']);
    const byRule = Object.fromEntries(envs[0]!.rules.map((r) => [`${r.policy}:${r.rule}`, r]));
    expect(byRule['regulation-b:prohibited-features']?.passed).toBe(true);
    expect(byRule['lending-governance:evidence']?.passed).toBe(true);
    expect(byRule['lending-governance:fairness']).toMatchObject({ passed: true });
    const sexDi = (byRule['lending-governance:fairness']?.evidence.attributes as Record<string, { disparateImpact: number }>).sex?.disparateImpact;
    expect(sexDi).toBeGreaterThanOrEqual(0.8);
    expect(byRule['lending-governance:approvals']?.passed).toBe(false);
    expect((await promote(2)).statusCode).toBe(403);

    // Four eyes: the pusher cannot approve; a data scientist lacks the permission; approvers can, once each.
    const self = await t.app.inject({ method: 'POST', url: '/v1/versions/credit-risk:v2/approvals', headers: { ...dana, ...json }, payload: { comment: 'mine' } });
    expect(self.statusCode).toBe(403);
    expect(self.json<{ error: { message: string } }>().error.message).toMatch(/approve/);
    const first = await t.app.inject({ method: 'POST', url: '/v1/versions/credit-risk:v2/approvals', headers: { ...alice, ...json }, payload: { comment: 'reviewed fairness report' } });
    expect(first.statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: '/v1/versions/credit-risk:v2/approvals', headers: { ...alice, ...json }, payload: { comment: 'twice' } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, approval: { approver: 'alice', comment: 'reviewed fairness report' } });
    const listed = await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v2/approvals', headers: dana });
    expect(listed.json<{ approvals: { approver: string }[] }>().approvals.map((a) => a.approver)).toEqual(['alice']);

    const promoted = await promote(2);
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json()).toMatchObject({ alias: 'production', version: 2 });
  });

  it('refuses an approver approving a version they pushed themselves', async () => {
    // The admin token (named "tester") may both push and approve: four eyes still applies.
    const pushed = await push(t, await retrainedPackage('pushed by the admin'), auth);
    expect(pushed.json<{ ref: string }>().ref).toBe('credit-risk:v3');
    const self = await t.app.inject({ method: 'POST', url: '/v1/versions/credit-risk:v3/approvals', headers: { ...auth, ...json }, payload: {} });
    expect(self.statusCode).toBe(403);
    expect(self.json<{ error: { message: string } }>().error.message).toBe('tester pushed credit-risk:v3 and may not approve it (four eyes); ask another approver');
    const listed = await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v3/approvals', headers: auth });
    expect(listed.json()).toEqual({ approvals: [] });
    const audited = await t.audit.list({ actor: 'tester', limit: 50 });
    expect(audited.find((e) => e.action === 'version.approve')).toMatchObject({ outcome: 'denied', target: 'credit-risk/v3', details: { pushedBy: 'tester' } });
  });

  it('lets an approved exception allow a named feature, with the legal basis recorded', async () => {
    const proposed = await t.app.inject({
      method: 'POST',
      url: '/v1/policies/exceptions',
      headers: { ...auth, ...json },
      payload: { pipeline: 'credit-risk', version: 1, feature: 'age', legalBasis: '12 CFR 202.6(b)(2): age used to determine capacity to contract' },
    });
    expect(proposed.statusCode).toBe(201);
    const { id } = proposed.json<{ id: string }>();
    const unapproved = await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v1/policy?env=production', headers: auth });
    expect(prohibitedRule(unapproved.json())?.evidence.excepted).toEqual([]);

    const byScientist = await t.app.inject({ method: 'POST', url: `/v1/policies/exceptions/${id}/approve`, headers: dana });
    expect(byScientist.statusCode).toBe(403);
    const approved = await t.app.inject({ method: 'POST', url: `/v1/policies/exceptions/${id}/approve`, headers: alice });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ approvedBy: 'alice', feature: 'age' });

    const after = await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v1/policy?env=production', headers: auth });
    const rule = prohibitedRule(after.json());
    expect(rule?.evidence.excepted).toMatchObject([{ feature: 'age', legalBasis: /capacity to contract/ }]);
    expect(rule?.message).toBe('uses prohibited features: sex (sex), marital_status (marital status)');
  });

  it('shows all of it in the compliance report, as JSON and as escaped standalone HTML', async () => {
    // Production traffic for the drift history: 40 holdout applicants, without the protected columns.
    const rows = (await readFile(resolve(examplesDir, 'data/holdout.csv'), 'utf8')).trim().split('\n');
    const header = rows[0]!.split(',');
    const keep = ['income', 'debt_ratio', 'credit_history_years', 'num_open_accounts', 'late_payments_2y', 'loan_amount', 'employment_years'];
    const inputs = rows.slice(1, 41).map((line) => Object.fromEntries(keep.map((k) => [k, Number(line.split(',')[header.indexOf(k)])])));
    const ran = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: { ...dana, ...json }, payload: { pipeline: 'credit-risk@production', inputs } });
    expect(ran.statusCode).toBe(200);
    await t.monitoring.flush();

    const res = await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v2/report', headers: dana });
    expect(res.statusCode).toBe(200);
    const report = res.json<Record<string, unknown>>();
    expect(report).toMatchObject({
      kind: 'slipway.compliance-report',
      ref: 'credit-risk:v2',
      identity: { pipeline: 'credit-risk', version: 2, pushedBy: 'dana' },
      lineage: { codeCommit: 'f00dfeed' },
      approvals: [{ approver: 'alice' }],
      aliases: { current: ['production'], history: [{ alias: 'production', toVersion: 2 }] },
      policy: { environments: [{ environment: 'production', passed: true }], atPush: [{ environment: 'production', passed: false }] },
    });
    // At push only the approval was missing.
    const atPush = (report.policy as { atPush: { rules: Failure[] }[] }).atPush[0]?.rules.filter((r) => r.passed === false).map((r) => r.rule);
    expect(atPush).toEqual(['approvals']);
    expect((report.fairness as { atPush: { attribute: string }[] }).atPush.map((m) => m.attribute)).toEqual(['sex', 'marital_status']);
    expect(report.drift).toMatchObject([{ rows: 40, evaluatedFeatures: 7 }]);

    const html = await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v2/report?format=html', headers: dana });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).not.toContain('<script>');
    expect(html.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html.body).not.toMatch(/<link|src=|href=/);
    for (const text of ['ALLOWED', 'alice', 'reviewed fairness report', 'f00dfeed', 'Disparate impact', '@production', 'Drifted features']) expect(html.body).toContain(text);
    // The audit excerpt holds the pipeline's governance events: the block of v1 and alice's approval of v2.
    const actions = (report.audit as { action: string; target: string; actor: string }[]).map((e) => `${e.actor} ${e.action} ${e.target}`);
    expect(actions).toContain('alice version.approve credit-risk/v2');
    expect(actions).toContain('tester policy.block.alias credit-risk/production');

    // Deployments are gated like alias moves, and have a report of the version they serve.
    const blockedDeploy = await t.app.inject({ method: 'POST', url: '/v1/deployments', headers: { ...auth, ...json }, payload: { pipeline: 'credit-risk', environment: 'production', target: 'v1' } });
    expect(blockedDeploy.statusCode).toBe(403);
    expect(blockedDeploy.json<{ error: { message: string } }>().error.message).toMatch(/credit-risk:v1 may not serve "production"/);
    const deployed = await t.app.inject({ method: 'POST', url: '/v1/deployments', headers: { ...auth, ...json }, payload: { pipeline: 'credit-risk', environment: 'production', target: '@production' } });
    expect(deployed.statusCode).toBeLessThan(300);
    const deploymentReport = await t.app.inject({ method: 'GET', url: '/v1/deployments/credit-risk/production/report', headers: dana });
    expect(deploymentReport.statusCode).toBe(200);
    expect(deploymentReport.json()).toMatchObject({ ref: 'credit-risk:v2', deployment: { environment: 'production', target: '@production' } });
    const deploymentHtml = await t.app.inject({ method: 'GET', url: '/v1/deployments/credit-risk/production/report?format=html', headers: dana });
    expect(deploymentHtml.body).toContain('Deployment: credit-risk in <strong>production</strong>, serving @production');
    expect((await t.app.inject({ method: 'GET', url: '/v1/deployments/credit-risk/nowhere/report', headers: dana })).statusCode).toBe(404);

    const v1 = await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v1/report?format=html', headers: dana });
    expect(v1.body).toContain('BLOCKED');
    expect(v1.body).toContain('12 CFR 202.6(b)(2)');
  });

  it.each([
    ['PUT', '/v1/policies/p', { source: 'name: q\nenvironments: [production]\nrules: { approvals: { required: 1 } }\n' }, 400, /policy.name: is "q" but the request names policy "p"/],
    ['PUT', '/v1/policies/p', { source: 'name: p\nenvironments: []\nrules: { approvals: { required: 0 } }\n' }, 400, /policy.environments.*policy.rules.approvals.required/],
    ['PUT', '/v1/policies/p', { yaml: 'x' }, 400, /source/],
    ['PUT', '/v1/policies/p', { source: 'name: [' }, 400, /YAML syntax/],
    ['POST', '/v1/policies/exceptions', { pipeline: 'credit-risk', feature: 'age', legalBasis: 'short' }, 400, /legalBasis: must state the legal basis/],
    ['POST', '/v1/policies/exceptions', { pipeline: 'nope', feature: 'age', legalBasis: 'a long enough legal basis' }, 404, /pipeline "nope" not found/],
    ['POST', '/v1/policies/exceptions/missing/approve', undefined, 404, /exception "missing" not found/],
    ['POST', '/v1/versions/credit-risk:v2/approvals', { comment: 5 }, 400, /comment/],
    ['POST', '/v1/versions/credit-risk:v9/approvals', {}, 404, /v9/],
    ['GET', '/v1/versions/credit-risk:v2/report?format=docx', undefined, 400, /query.format/],
    ['GET', '/v1/versions/credit-risk:v2/policy?env=Bad%20Env', undefined, 400, /env/],
    ['GET', '/v1/policies/unknown', undefined, 404, /policy "unknown" not found/],
  ])('%s %s (bad input %#) answers an error naming the field', async (method, url, payload, status, message) => {
    const approver = url.includes('approve') ? alice : auth;
    const res = await t.app.inject({ method: method as 'GET', url, headers: { ...approver, ...(payload === undefined ? {} : json) }, ...(payload === undefined ? {} : { payload }) });
    expect(res.statusCode).toBe(status);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(message);
  });

  it('judges the protected attributes a version declares when the policy names none, measured again by pushing again', async () => {
    // The example declares sex, marital_status and age (privileged: 25 and over) in monitoring.protectedAttributes.
    const policy = 'name: declared-fairness\nenvironments: [canary]\nrules:\n  fairness: { threshold: 0.5, favorableClass: repaid }\n';
    expect((await t.app.inject({ method: 'PUT', url: '/v1/policies/declared-fairness', headers: { ...auth, ...json }, payload: { source: policy } })).statusCode).toBe(201);
    const fairnessRule = async () =>
      (await t.app.inject({ method: 'GET', url: '/v1/versions/credit-risk:v1/policy?env=canary', headers: dana })).json<{ environments: { rules: Failure[] }[] }>().environments[0]?.rules[0];
    expect((await fairnessRule())?.message).toMatch(/sex was not measured at push.*age was not measured at push/);

    const again = await push(t, await examplePackage(), dana);
    expect(again.json()).toMatchObject({ ref: 'credit-risk:v1', created: false });
    const rule = await fairnessRule();
    const attributes = rule?.evidence.attributes as Record<string, { disparateImpact: number; privileged: string; groups: { group: string; count: number }[] }>;
    expect(Object.keys(attributes)).toEqual(['sex', 'marital_status', 'age']);
    const { age } = attributes;
    expect(age?.privileged).toBe('≥ 25');
    expect(age?.groups.map((g) => g.group)).toEqual(['age otherwise', 'age ≥ 25']);
    expect(age?.groups.reduce((n, g) => n + g.count, 0)).toBe(1000);
    expect(typeof age?.disparateImpact).toBe('number');
    expect(rule?.passed).toBe(Object.values(attributes).every((a) => a.disparateImpact >= 0.5));
  });

  it('keeps policy versions and their history; administering policies needs the administer permission', async () => {
    const changed = GOVERNANCE_POLICY.replace('required: 1', 'required: 2');
    const applied = await t.app.inject({ method: 'PUT', url: '/v1/policies/lending-governance', headers: { ...auth, ...json }, payload: { source: changed } });
    expect(applied.json()).toMatchObject({ created: true, policy: { version: 2 } });
    const same = await t.app.inject({ method: 'PUT', url: '/v1/policies/lending-governance', headers: { ...auth, ...json }, payload: { source: changed } });
    expect(same.statusCode).toBe(200);
    const history = await t.app.inject({ method: 'GET', url: '/v1/policies/lending-governance/history', headers: dana });
    expect(history.json<{ history: { version: number }[] }>().history.map((h) => h.version)).toEqual([1, 2]);
    const listed = await t.app.inject({ method: 'GET', url: '/v1/policies', headers: dana });
    expect(listed.json<{ policies: { name: string; version: number }[] }>().policies.map((p) => `${p.name}@${p.version}`)).toEqual(['declared-fairness@1', 'lending-governance@2', 'regulation-b@1']);
    const audited = await t.audit.list({ actor: 'tester', limit: 100 });
    expect(audited.filter((e) => e.action === 'policy.apply' && e.target === 'policy/lending-governance').map((e) => e.details?.version)).toEqual([2, 1]);
    for (const who of [dana, alice]) {
      const denied = await t.app.inject({ method: 'PUT', url: '/v1/policies/regulation-b', headers: { ...who, ...json }, payload: { source: 'x' } });
      expect(denied.statusCode).toBe(403);
    }
    // Production now needs two approvals: moving it again is refused until bob approves too.
    expect((await promote(2)).statusCode).toBe(403);
    await t.app.inject({ method: 'POST', url: '/v1/versions/credit-risk:v2/approvals', headers: { ...bob, ...json }, payload: { comment: 'ok' } });
    expect((await promote(2)).statusCode).toBe(200);
  });
});

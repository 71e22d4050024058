/**
 * The dashboard end to end: a real server with the example pipelines, the current
 * dashboard build, and Chromium driven through every page as a user would — sign-in,
 * playground, monitoring after a drifted replay, incidents, governance, deployments, a
 * viewer's view — with axe-core on each page and screenshots for review. The tests run in
 * order and share one browser tab, like one session.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, type SlipwayClient } from '@slipway/sdk';
import type { DriftResponse, IncidentsResponse, MetricsResponse } from '@slipway/core';
import type { Browser, Page } from 'playwright-core';
import { describeWithService } from '../../store/src/testing/require-service.js';
import {
  ADMIN_TOKEN,
  buildDashboard,
  CHROMIUM,
  type E2eServer,
  launchBrowser,
  newPage,
  probeChromium,
  screenshot,
  seriousViolations,
  shifted,
  holdoutLabels,
  holdoutRecords,
  signIn,
  startE2eServer,
  viewerToken,
  pushSecondSensorVersion,
} from './harness.js';

await describeWithService({ name: 'Chromium (dashboard end-to-end)', where: CHROMIUM, probe: probeChromium }, () => {
  let e2e: E2eServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  let admin: SlipwayClient;
  /** A JSON call with the admin token, failing the test on any non-2xx. */
  async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  beforeAll(async () => {
    [, e2e, browser] = await Promise.all([buildDashboard(), startE2eServer(), launchBrowser()]);
    url = e2e.server.url;
    admin = createClient({ server: url, token: ADMIN_TOKEN }, {});
    page = await newPage(browser);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });

  it('refuses a bad token with a clear message and keeps nothing', async () => {
    await page.goto(url);
    await signIn(page, 'not-a-real-token-0000');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/The server refused this token: .*\(unauthenticated\)/);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '01-sign-in-refused');
  });

  it("runs under the server's content security policy", async () => {
    const strict = await newPage(browser, { enforceCsp: true });
    const violations: string[] = [];
    strict.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await strict.goto(`${url}/pipelines/credit-risk/monitoring`);
    await signIn(strict, ADMIN_TOKEN);
    await strict.getByRole('heading', { name: 'Business KPIs' }).waitFor();
    expect(violations).toEqual([]);
    await strict.context().close();
  });

  it('signs out with the reason when the kept token stops working (revoked, expired)', async () => {
    await page.evaluate('sessionStorage.setItem("slipway.token", "revoked-token-0123456789")');
    await page.reload();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Signed out: .*\(unauthenticated\)/);
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('signs in, keeps the token for the session only, and shows the pipelines with serving health', async () => {
    await page.goto(url);
    await signIn(page, ADMIN_TOKEN);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("slipway.token")')).toBe(ADMIN_TOKEN);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    const rows = page.getByRole('table').first().getByRole('rowheader');
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringMatching(/^credit-risk/), expect.stringMatching(/^sensor-mlp/)]);
    await expect.poll(() => page.getByText(/Model memory: .* of /).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '02-overview');
  });

  it('opens credit-risk, runs the playground from the keyboard and shows the prediction', async () => {
    await page.goto(url);
    await page.getByRole('link', { name: 'credit-risk', exact: true }).click();
    await page.getByRole('heading', { name: 'credit-risk', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/pipelines/credit-risk');
    // The form is generated from the features: numbers, and choices of categories. An
    // applicant from the holdout set, so the drift test below sees only its own shift.
    const [applicant] = await holdoutRecords();
    for (const [name, value] of Object.entries(applicant!)) {
      const field = page.getByLabel(name, { exact: true });
      if (typeof value === 'string') await field.selectOption(value);
      else await field.fill(String(value));
    }
    // Tab from the last feature to the Run button, then press Enter.
    await page.getByLabel('employment_years', { exact: true }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Run');
    await page.keyboard.press('Enter');
    const output = page.locator('#playground-output');
    await expect.poll(() => output.textContent()).toMatch(/Prediction: (repaid|default)/);
    expect(await output.textContent()).toMatch(/repaid: \d+\.\d%.*default: \d+\.\d%/);
    expect(await output.textContent()).toContain('credit-risk:v1');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '03-pipeline-credit-risk');
  });

  it('names a bad playground field without calling the server', async () => {
    await page.getByLabel('age', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => page.getByText('age must be a number, e.g. 42 or 0.5').count()).toBe(1);
    expect(await page.getByLabel('age', { exact: true }).getAttribute('aria-invalid')).toBe('true');
  });

  it('shows versions with lineage, aliases with history and the signature; a reload keeps the page', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Versions and lineage' }).waitFor();
    const body = await page.locator('main').textContent();
    expect(body).toContain('examples/credit-risk/data/train.csv');
    expect(body).toContain('auc');
    // The examples are aliased at start-up (see packages/server/src/examples.ts).
    expect(body).toMatch(/@[a-z]+ → v1 moved by system/);
    await page.locator('details.alias summary').first().click();
    await expect.poll(() => page.locator('details.alias li').first().textContent()).toMatch(/created at v1 by system/);
    expect(await page.getByRole('rowheader', { name: 'probabilities' }).count()).toBe(1);
  });

  it('shows the policy verdict per environment and records an approval', async () => {
    await page.getByRole('heading', { name: /Policies and approvals of v1/ }).waitFor();
    // The built-in Regulation B policy keeps credit-risk (sex, age, marital_status) out of production.
    await expect.poll(() => page.getByRole('heading', { name: /^production: blocked/ }).count()).toBe(1);
    await page.getByRole('button', { name: 'Approve credit-risk:v1' }).click();
    await page.getByText('Approved credit-risk:v1.').waitFor();
    await expect.poll(() => page.locator('main').textContent()).toMatch(/admin \(admin\), /);
  });

  it('loads every page in under a second on localhost', async () => {
    const pages: [string, () => Promise<void>][] = [
      ['/', () => page.getByRole('link', { name: 'credit-risk', exact: true }).waitFor()],
      ['/pipelines/credit-risk', () => page.getByRole('button', { name: 'Run' }).waitFor()],
      ['/pipelines/credit-risk/monitoring', () => page.getByRole('heading', { name: 'Business KPIs' }).waitFor()],
      ['/deployments', () => page.getByRole('heading', { name: 'Deployments' }).waitFor()],
      ['/incidents', () => page.getByLabel('Severity').waitFor()],
      ['/governance', () => page.getByText(/Chain verified/).waitFor()],
    ];
    const timings: string[] = [];
    for (const [path, loaded] of pages) {
      // Best of two loads: the CPU is shared with other test files, and one stall is not the page's doing.
      let best = Infinity;
      for (let attempt = 0; attempt < 2 && best >= 1000; attempt++) {
        const started = performance.now();
        await page.goto(`${url}${path}`);
        await loaded();
        best = Math.min(best, performance.now() - started);
      }
      timings.push(`${path} ${best.toFixed(0)} ms`);
      expect(best, path).toBeLessThan(1000);
    }
    console.log(`dashboard page loads: ${timings.join(', ')}`);
  });

  it('runs a pipeline without tabular features from JSON inputs', async () => {
    await page.goto(`${url}/pipelines/sensor-mlp`);
    await page.locator('.field.tensor textarea').first().waitFor();
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => page.locator('#playground-output').textContent()).toMatch(/Prediction: (nominal|drift|spike)/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '04-pipeline-sensor-mlp');
  });

  it('answers an unknown client route with its own page and an unknown API path with the JSON 404', async () => {
    await page.goto(`${url}/nowhere`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    const api = await fetch(`${url}/v1/nowhere`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('flags drift on exactly the shifted features after a drifted sample is replayed', async () => {
    const records = (await holdoutRecords()).map(shifted);
    // Keep the sample in one five-minute window: wait out a boundary that is seconds away.
    const toBoundary = 300_000 - (Date.now() % 300_000);
    if (toBoundary < 5_000) await new Promise((resolve) => setTimeout(resolve, toBoundary + 200));
    const labels = await holdoutLabels();
    for (let i = 0; i < records.length; i += 250) {
      const { id } = await admin.run({ pipeline: 'credit-risk', inputs: records.slice(i, i + 250) });
      // The applicants' true outcomes arrive as feedback: realized accuracy and label coverage.
      await call('POST', '/v1/feedback', { items: records.slice(i, i + 250).map((_, row) => ({ runId: id, row, label: labels[i + row] })) });
    }
    // Runs are profiled into windows every few seconds.
    await expect
      .poll(async () => (await call<DriftResponse>('GET', '/v1/pipelines/credit-risk/drift')).window?.rows ?? 0, { timeout: 15_000, interval: 500 })
      .toBeGreaterThanOrEqual(records.length);
    await expect
      .poll(async () => (await call<MetricsResponse>('GET', '/v1/pipelines/credit-risk/metrics?metric=performance&window=5m')).points?.length ?? 0, { timeout: 15_000, interval: 500 })
      .toBeGreaterThan(0);
    await call('POST', '/v1/kpis', { items: [{ name: 'approved_loans', value: 42, pipeline: 'credit-risk' }, { name: 'approved_loans', value: 38, pipeline: 'credit-risk' }] });
    await page.goto(`${url}/pipelines/credit-risk`);
    await page.getByRole('link', { name: /^Monitoring/ }).click();
    const summary = page.locator('#drift-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/Drift detected in 2 of 10 features: age, income/);
    expect(await page.locator('table.drift').first().locator('tr[data-drifted="true"] th').allTextContents()).toEqual(['age', 'income']);
    // The histogram shows the first drifted feature's reference vs current distribution; pick income.
    await page.getByLabel('Histogram of').selectOption('income');
    await page.getByRole('img', { name: /income: reference vs current/ }).waitFor();
    expect(await page.locator('canvas').count()).toBeGreaterThan(3);
    await page.getByRole('img', { name: /^Label coverage/ }).waitFor();
    // Business KPIs next to the model metrics, with their correlation table.
    await page.getByRole('img', { name: /approved_loans \(mean per window\)/ }).waitFor();
    expect(await page.getByRole('table', { name: 'Correlation of approved_loans with model metrics' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '05-monitoring-credit-risk');
  });

  it('opens an incident from a drift alert, shows its timeline and acknowledges it', async () => {
    await call('PUT', '/v1/alerts/rules', { rules: [{ name: 'drift-share', pipeline: 'credit-risk', metric: 'dataset_drift_share', threshold: { op: '>', value: 0.1 }, severity: 'critical' }] });
    await call('POST', '/v1/alerts/evaluate', {});
    const [incident] = (await call<IncidentsResponse>('GET', '/v1/incidents?pipeline=credit-risk')).incidents;
    expect(incident?.state).toBe('open');
    await page.goto(`${url}/incidents`);
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByRole('button', { name: incident!.title }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(await page.locator('.timeline').textContent()).toContain('opened');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '06-incidents');
    await page.getByLabel('Note', { exact: true }).fill('looking at the income shift');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Note added.').waitFor();
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('looking at the income shift');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('Acknowledged.').waitFor();
    expect((await call<IncidentsResponse>('GET', '/v1/incidents?pipeline=credit-risk')).incidents[0]?.state).toBe('acknowledged');
  });

  it('shows the audit log with its chain verified, the policies, and opens the compliance report', async () => {
    await page.goto(`${url}/governance`);
    await expect.poll(() => page.locator('#audit-chain').textContent()).toMatch(/Chain verified: \d+ events, unbroken/);
    await page.getByRole('rowheader').first().waitFor();
    expect(await page.locator('main').textContent()).toContain('PUT /v1/alerts/rules');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '07-governance');
    const [report] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('button', { name: 'Open compliance report' }).click()]);
    await expect.poll(() => report.locator('body').textContent(), { timeout: 10_000 }).toMatch(/credit-risk/);
    await screenshot(report, '08-compliance-report');
    await report.close();
  });

  it('lists deployments and opens one with its replicas, batching and cache figures', async () => {
    await call('POST', '/v1/deployments', { pipeline: 'sensor-mlp', environment: 'staging', target: 'v1' });
    await page.goto(`${url}/deployments`);
    await page.getByRole('heading', { name: 'Deployments' }).waitFor();
    await page.getByRole('button', { name: 'sensor-mlp / staging' }).click();
    await page.getByRole('heading', { name: 'sensor-mlp / staging' }).waitFor();
    await expect.poll(() => page.locator('section.panel').textContent()).toMatch(/Replicas \d+ ready of \d+ wanted.*rows per batch on average/);
    expect(await page.locator('section.panel').textContent()).toContain('no rollout in progress');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("shows a canary's traffic split and progress, and promotes it", async () => {
    const candidate = await pushSecondSensorVersion(url);
    await call('POST', '/v1/deployments/sensor-mlp/staging/rollout', { candidate, steps: [10, 50, 100], intervalSeconds: 600 });
    await page.reload();
    await page.getByRole('button', { name: 'sensor-mlp / staging' }).click();
    const panel = page.locator('section.panel');
    await expect.poll(() => panel.textContent()).toContain(`Traffic split: v1 90% / v${candidate} 10%`);
    expect(await panel.textContent()).toContain('Step 1 of 3');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '09-deployments-canary');
    await page.getByRole('button', { name: `Promote v${candidate}` }).click();
    await page.getByText('Rollout promoted.').waitFor();
    const after = await call<{ rollout: { status: string } | null }>('GET', '/v1/deployments/sensor-mlp/staging');
    expect(after.rollout?.status).toBe('promoted');
  });

  it('gives a viewer no mutate buttons, and the API refuses the viewer if forced', async () => {
    const viewer = await viewerToken(url);
    const tab = await newPage(browser);
    await tab.goto(`${url}/pipelines/credit-risk`);
    await signIn(tab, viewer);
    await tab.getByRole('heading', { name: 'Versions and lineage' }).waitFor();
    await tab.getByText('vera (viewer)').waitFor();
    expect(await tab.getByRole('button', { name: 'Run' }).count()).toBe(0);
    expect(await tab.getByRole('button', { name: 'Move alias' }).count()).toBe(0);
    expect(await tab.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
    await screenshot(tab, '10-pipeline-as-viewer');
    await tab.goto(`${url}/incidents`);
    await tab.getByRole('button', { name: /drift/i }).first().click();
    await tab.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(await tab.getByRole('button', { name: /Acknowledge|Resolve|Add note/ }).count()).toBe(0);
    const forced = async (method: string, path: string, body: unknown) =>
      (await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
    expect(await forced('POST', '/v1/runs', { pipeline: 'credit-risk', inputs: {} })).toBe(403);
    expect(await forced('PUT', '/v1/pipelines/credit-risk/aliases/production', { version: 1 })).toBe(403);
    await tab.close();
  });

  it('shows drift and traffic at a glance on the overview once the pipelines have served', async () => {
    // The overview shows the latest window's drift as the API reports it (age, income unless a
    // five-minute boundary has passed since the replay and a fresh window is being filled).
    const latest = await call<DriftResponse>('GET', '/v1/pipelines/credit-risk/drift');
    const drifted = latest.window?.drift.columns.filter((c) => c.drifted).map((c) => c.column) ?? [];
    await page.goto(url);
    await page.getByRole('link', { name: `credit-risk drift: ${drifted.length === 0 ? 'none' : drifted.join(', ')}`, exact: true }).waitFor();
    // The traffic sparkline needs two polls of /metrics, five seconds apart.
    await admin.run({ pipeline: 'credit-risk', inputs: (await holdoutRecords()).slice(0, 5) });
    await page.getByRole('img', { name: /^credit-risk: \d+ runs in the last/ }).waitFor({ timeout: 12_000 });
    expect(await page.getByRole('row', { name: /credit-risk/ }).first().textContent()).toMatch(/\d+\.\d%/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '11-overview-after-traffic');
  });

  it('signs out, forgetting the token', async () => {
    await page.goto(url);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });
});

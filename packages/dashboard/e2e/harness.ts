/**
 * What the dashboard's end-to-end tests share: a fresh build of the dashboard, a real
 * server on a temporary data directory with the example pipelines, and Debian's Chromium
 * driven by playwright-core, with axe-core for accessibility and screenshots for review.
 */
import { execFile } from 'node:child_process';
import { access, constants, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createClient, packPackage } from '@slipway/sdk';
import { type RunningServer, resolveServerConfig, startServer } from '@slipway/server';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../../..');
export const EXAMPLES_DIR = join(ROOT, 'examples');
export const SCREENSHOTS_DIR = resolve(import.meta.dirname, 'screenshots');
export const CHROMIUM = process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium';
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

/** Resolves when Chromium is there to run, for `describeWithService`. */
export const probeChromium = () => access(CHROMIUM, constants.X_OK);

/** Builds the dashboard from its current source into `packages/dashboard/dist`, which the server serves. */
export async function buildDashboard(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', join(ROOT, 'packages/dashboard')], { cwd: ROOT });
}

export interface E2eServer {
  server: RunningServer;
  close(): Promise<void>;
}

export async function startE2eServer(): Promise<E2eServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-e2e-'));
  const server = await startServer(resolveServerConfig({ port: 0, dataDir, examplesDir: EXAMPLES_DIR, adminToken: ADMIN_TOKEN, logLevel: 'silent' }, {}));
  return {
    server,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** A fresh tab. CSP is bypassed so axe-core can be injected, unless `enforceCsp` (to prove the app runs under the server's policy). */
export async function newPage(browser: Browser, { enforceCsp = false } = {}): Promise<Page> {
  const context = await browser.newContext({ bypassCSP: !enforceCsp, viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  // Fail fast: everything here is local and answers in milliseconds.
  page.setDefaultTimeout(5_000);
  return page;
}

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core on the page; answers the serious and critical violations, each with where it is. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  const violations = await page.evaluate<AxeViolation[]>('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)');
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact ?? ''} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}

/** Signs in through the form; the page is left on the URL it started from. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The credit-risk holdout's true outcomes (`default`: 1 defaulted, 0 repaid), row by row. */
export async function holdoutLabels(): Promise<number[]> {
  const [header = '', ...lines] = (await readFile(join(EXAMPLES_DIR, 'credit-risk/data/holdout.csv'), 'utf8')).trim().split('\n');
  const column = header.split(',').indexOf('default');
  return lines.map((line) => Number(line.split(',')[column]));
}

/** The credit-risk holdout rows as run inputs (without the label), from the example's CSV. */
export async function holdoutRecords(): Promise<Record<string, string | number>[]> {
  const [header = '', ...lines] = (await readFile(join(EXAMPLES_DIR, 'credit-risk/data/holdout.csv'), 'utf8')).trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => {
    const fields = line.split(',');
    const record: Record<string, string | number> = {};
    names.forEach((name, i) => {
      if (name === 'default') return;
      const value = fields[i] ?? '';
      record[name] = name === 'sex' || name === 'marital_status' ? value : Number(value);
    });
    return record;
  });
}

/** Lower incomes and younger applicants: the population moved, the model did not (as in the monitoring scenario test). */
export const shifted = (r: Record<string, string | number>) => ({ ...r, income: Math.round(Number(r.income) * 0.25), age: Math.max(18, Number(r.age) - 15) });

/** A viewer's token: a user identity with the platform-wide viewer role. */
export async function viewerToken(url: string): Promise<string> {
  const admin = createClient({ server: url, token: ADMIN_TOKEN }, {});
  await admin.governance.createIdentity('user', 'vera');
  await admin.governance.setMember('*', 'vera', 'viewer');
  return (await admin.governance.createToken({ name: 'dashboard-e2e', identity: 'vera' })).token;
}

/** Pushes a second version of sensor-mlp (the example with another description), for a rollout. */
export async function pushSecondSensorVersion(url: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-e2e-package-'));
  try {
    await cp(join(EXAMPLES_DIR, 'sensor-mlp'), dir, { recursive: true });
    const manifest = join(dir, 'slipway.yaml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('Example: classifies', 'Example, second version: classifies'));
    const pushed = await createClient({ server: url, token: ADMIN_TOKEN }, {}).push(await packPackage(dir));
    return pushed.version.version;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

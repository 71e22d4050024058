/**
 * PDF compliance reports through headless Chromium. Chromium is a system package: without
 * it these tests are skipped with the reason in their name, except in CI
 * (`SLIPWAY_REQUIRE_SERVICES=1`), where they run and fail.
 */
import { access } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH, createPdfRenderer } from './report-pdf.js';
import { type TestApp, auth, classifierPackage, createTestApp, push } from './testing/fixtures.js';

const chromium = process.env.SLIPWAY_CHROMIUM ?? DEFAULT_CHROMIUM_PATH;
const present = await access(chromium).then(
  () => true,
  () => false,
);
const run = present || process.env.SLIPWAY_REQUIRE_SERVICES === '1';
if (!run) console.warn(`skipping PDF report tests: no Chromium at ${chromium} (apt-get install -y chromium; SLIPWAY_REQUIRE_SERVICES=1 fails instead)`);

describe('createPdfRenderer without Chromium', () => {
  it('answers unavailable (503) naming what to install', async () => {
    const error = await createPdfRenderer({ executablePath: '/nonexistent/chromium' })('<p>x</p>').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect((error as Error).message).toMatch(/PDF reports need Chromium, which is not installed at \/nonexistent\/chromium: install it \(`apt-get install -y chromium`\) or point SLIPWAY_CHROMIUM at it/);
  });
});

describe.skipIf(!run)(`PDF reports${run ? '' : ` (skipped: no Chromium at ${chromium})`}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    expect((await push(t, await classifierPackage())).statusCode).toBe(201);
  });
  afterAll(() => t.cleanup());

  it('prints the report page to a PDF', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/versions/tiny:v1/report?format=pdf', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="tiny-v1-report.pdf"');
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(res.rawPayload.length).toBeGreaterThan(10_000);
  }, 30_000);
});

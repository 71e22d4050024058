/**
 * Prints a report's HTML page to PDF with a headless Chromium, when one is installed.
 * Chromium is an optional system package, not an npm dependency: without it the PDF
 * format answers 503 naming what to install, and HTML (print it from a browser) still works.
 */
import { access } from 'node:fs/promises';
import { ErrorCode, SlipwayError } from '@slipway/core';

/** Where Chromium is looked for when `SLIPWAY_CHROMIUM` is not set. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export interface PdfRendererOptions {
  /** The Chromium executable; default `/usr/bin/chromium`. */
  executablePath?: string;
}

export type PdfRenderer = (html: string) => Promise<Uint8Array>;

export function createPdfRenderer({ executablePath = DEFAULT_CHROMIUM_PATH }: PdfRendererOptions = {}): PdfRenderer {
  return async (html) => {
    try {
      await access(executablePath);
    } catch (error) {
      throw new SlipwayError(
        ErrorCode.unavailable,
        `PDF reports need Chromium, which is not installed at ${executablePath}: install it (\`apt-get install -y chromium\`) or point SLIPWAY_CHROMIUM at it; ?format=html gives the same report to print from a browser`,
        { details: { executablePath }, cause: error },
      );
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'], headless: true });
    try {
      const page = await browser.newPage({ javaScriptEnabled: false });
      // The page is self-contained; nothing it references may be fetched.
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' } });
    } finally {
      await browser.close();
    }
  };
}

// What the browser tests share: Debian's Chromium (never a test tool's own download), the flags a machine
// without internet needs, and where screenshots go (test/e2e/screenshots/, git-ignored, kept by CI).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const shots = fileURLToPath(new URL('./screenshots/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

export interface BrowserPage {
  browser: Browser;
  page: Page;
  /** Console errors and uncaught page errors (a CSP violation is a console error): a test asserts it empty. */
  problems: string[];
}

export async function openPage(width: number): Promise<BrowserPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width, height: 1400 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  return { browser, page, problems };
}

/** Fills a form of the page by field name and submits it with its submit button, as a person would. */
export async function submitForm(page: Page, formId: string, values: Record<string, string>): Promise<void> {
  const form = page.locator(`#${formId}`);
  for (const [name, value] of Object.entries(values)) await form.locator(`[name="${name}"]`).fill(value);
  await form.locator('button[type="submit"]').click();
}

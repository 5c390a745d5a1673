import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it and downloads no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';
/** The e2e suites skip, rather than fail, on a machine without it. */
export const hasChromium = fs.existsSync(CHROMIUM);

const ROOT = process.cwd();
/** Where the e2e tests save their screenshots (git-ignored). */
export const SHOTS = path.join(ROOT, 'test-results');

/** Headless, and nothing in the background that would reach the network or slow the start. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Builds the UI when no build exists (npm scripts normally run `vite build web` first). */
export async function ensureUiBuilt(): Promise<void> {
  if (fs.existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) return;
  const { build } = await import('vite');
  await build({ root: path.join(ROOT, 'web'), configFile: path.join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
}

/**
 * Launches Chromium with one page that appends its script errors and console errors to `problems`,
 * for the suite to assert empty at the end. Failed requests are left out: showing them is the UI's
 * business; script errors and CSP refusals are bugs.
 */
export async function openTestPage(
  problems: string[],
  options: { width: number; height: number; acceptDownloads?: boolean; timeoutMs?: number },
): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: options.width, height: options.height }, ...(options.acceptDownloads ? { acceptDownloads: true } : {}) });
    const page = await context.newPage();
    page.setDefaultTimeout(options.timeoutMs ?? 15_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
    });
    return { browser, page };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

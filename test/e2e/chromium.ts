// Finds and starts the browser for the end-to-end tests: Debian's Chromium (or CHROMIUM_PATH),
// driven by playwright-core, headless, with a fresh profile and none of Chromium's background
// traffic (this machine has no network beyond loopback). No browser is downloaded.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

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

/** The Chromium to drive, or undefined when there is none. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is ${fromEnv}, but there is no file there.`);
    return fromEnv;
  }
  return CANDIDATES.find((path) => existsSync(path));
}

export const NO_BROWSER_MESSAGE =
  'The end-to-end tests need Chromium (or Electron) and found neither. Install it with `apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.';

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(options: { width?: number; height?: number } = {}): Promise<Chromium> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(NO_BROWSER_MESSAGE);
  const profile = await mkdtemp(join(tmpdir(), 'studio-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Collects what goes wrong in the page: uncaught errors, and console errors with where they came from. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url } = message.location();
    errors.push(`console: ${message.text()}${url ? ` (${url})` : ''}`);
  });
  return errors;
}

/**
 * Opens the studio UI at `studioUrl` (with its token) in a new Chromium, once it serves.
 * `pageErrors` gathers what goes wrong in the page from the first load on: CSP violations,
 * failed loads (a worker, a font) and React warnings.
 */
export async function openStudioPage(studioUrl: string, viewport?: { width: number; height: number }): Promise<{ chromium: Chromium; page: Page; pageErrors: string[] }> {
  const chromium = await launchChromium(viewport);
  const page = await chromium.context.newPage();
  const pageErrors = collectPageErrors(page);
  await page.goto(studioUrl);
  await page.locator('.reload-indicator[data-state="serving"]').waitFor({ timeout: 60_000 });
  return { chromium, page, pageErrors };
}

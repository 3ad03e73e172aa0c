// A studio serving the stdio WAT fixture (it prints on each request, so Logs and Traffic fill
// as requests are made), a Studio API client to write keys and objects as a component or the
// UI would, and a Chromium page on its UI: what the keyboard and layout tests start from.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dataFoldersFor } from '../../runtime/snapshots/data-folders.ts';
import { openLiveData, type LiveData } from '../../runtime/snapshots/live-data.ts';
import { watFixtureAlone } from '../fixtures/fixtures.ts';
import { StudioApiClient } from '../helpers/studio-api-client.ts';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

export interface StdioStudio {
  studio: StudioProcess;
  client: StudioApiClient;
  chromium: Chromium;
  page: Page;
  pageErrors: string[];
  /** A view's section, shown or not. */
  view(name: string): ReturnType<Page['locator']>;
  /** Switches views with the view's shortcut and waits for it. */
  go(key: number, name: string): Promise<void>;
  /** The text of the row the focused list names as its active descendant, which must be marked; undefined when none. */
  activeRow(): Promise<string | undefined>;
  /** Screenshots of the page, light and dark, as test-results/ui/<name>-light.png and -dark.png. */
  shoot(name: string): Promise<void>;
  close(): Promise<void>;
}

export const base64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * `seed` fills the data folders before the studio opens them, as an earlier session leaves
 * them: thousands of keys and objects go in there in a few seconds, through the Studio API in
 * fifteen.
 */
export async function openStdioStudio(viewport: { width: number; height: number }, seed?: (data: LiveData) => void): Promise<StdioStudio> {
  if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
  ensureRendererBuilt();
  const { dir, wasm } = await watFixtureAlone('stdio');
  if (seed) {
    const data = openLiveData(await dataFoldersFor(wasm));
    try {
      seed(data);
    } finally {
      data.close();
    }
  }
  const studio = await startStudio(wasm, ['--workers', '1'], 120_000, { ui: true });
  const client = await StudioApiClient.connect(studio.studioUrl);
  const { chromium, page, pageErrors } = await openStudioPage(studio.studioUrl, viewport);
  const shotsDir = join(repoRoot, 'test-results', 'ui');
  await mkdir(shotsDir, { recursive: true });
  return {
    studio,
    client,
    chromium,
    page,
    pageErrors,
    view: (name) => page.locator(`section.view[data-view="${name}"]`),
    async go(key, name) {
      await page.keyboard.press(`Control+${key}`);
      await page.locator(`section.view[data-view="${name}"]:not([hidden])`).waitFor();
    },
    activeRow: () =>
      page.evaluate(() => {
        const id = document.activeElement?.getAttribute('aria-activedescendant');
        const row = id ? document.getElementById(id) : null;
        if (!row) return undefined;
        if (!row.hasAttribute('data-keyboard-active')) throw new Error(`row ${id} is active but not marked`);
        return row.textContent ?? '';
      }),
    async shoot(name) {
      await page.screenshot({ path: join(shotsDir, `${name}-light.png`) });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: join(shotsDir, `${name}-dark.png`) });
      await page.emulateMedia({ colorScheme: 'light' });
    },
    async close() {
      client.close();
      await chromium.close();
      await studio.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// Dialogs in Chromium, by keyboard: focus moves in once when a dialog opens (a log line that
// re-renders the view behind it must not move it onto the dialog's action), Tab stays inside,
// Escape closes it and gives focus back to what opened it, and the view shortcuts wait while
// it is open. The Logs view's Clear dialog is the case: its action empties the log buffer.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { watFixture } from '../fixtures/fixtures.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

describe('dialogs by keyboard in Chromium', () => {
  let dir: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;
  const focused = () => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim() ?? ''}`);

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    dir = await mkdtemp(join(tmpdir(), 'studio-e2e-dialogs-'));
    const wasm = join(dir, 'stdio.wasm');
    await copyFile(await watFixture('stdio'), wasm);
    studio = await startStudio(wasm, ['--workers', '1'], 120_000, { ui: true });
    ({ chromium, page } = await openStudioPage(studio.studioUrl, { width: 1280, height: 720 }));
    await page.keyboard.press('Control+3');
    await page.locator('section.view[data-view="logs"]:not([hidden])').waitFor();
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps focus where the user put it while lines arrive, and inside the dialog', async () => {
    const clear = page.locator('section.view[data-view="logs"] button', { hasText: 'Clear' });
    await clear.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Clear the logs?' });
    await dialog.waitFor();
    assert.equal(await focused(), 'BUTTON Clear', 'focus starts on the action');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'BUTTON Cancel');
    const lines = await page.locator('.log-row').count();
    for (let i = 0; i < 3; i++) assert.equal((await fetch(studio.url)).status, 200);
    await page.waitForFunction((before) => document.querySelectorAll('.log-row').length > before, lines);
    assert.equal(await focused(), 'BUTTON Cancel', 'a re-render behind the dialog leaves focus alone');
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]')), 'Tab stays inside the dialog');
    }
  });

  it('ignores the view shortcuts while open, and gives focus back on Escape', async () => {
    await page.keyboard.press('Control+1');
    assert.equal(await page.locator('section.view[data-view="logs"]:not([hidden])').count(), 1, 'still on Logs');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal(await focused(), 'BUTTON ⌫ Clear', 'focus is back on the button that opened it');
    assert.ok((await page.locator('.log-row').count()) > 0, 'nothing was cleared');
  });
});

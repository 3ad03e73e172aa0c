// The Logs view in Chromium, on a component that prints on stdout and stderr (the stdio WAT
// fixture): the studio's own lines are there for a window opened after start, each printed
// line says its stream and the stream filter keeps one, and terminal escape codes show as a
// link (OSC 8) or not at all. A link opens outside the studio's page, which stays where it is.
// Its Clear dialog shows how dialogs take the keyboard.
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { watFixtureAlone } from '../fixtures/fixtures.ts';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

describe('the Logs view in Chromium', () => {
  let dir: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;
  let pageErrors: string[];
  const logs = () => page.locator('section.view[data-view="logs"]');
  const row = (text: string) => logs().locator('.log-row', { hasText: text });

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    let wasm: string;
    ({ dir, wasm } = await watFixtureAlone('stdio'));
    studio = await startStudio(wasm, ['--workers', '1'], 120_000, { ui: true });
    // The component prints before the page is open: the view must still show it all.
    assert.equal((await fetch(studio.url)).status, 200);
    await studio.waitFor('no stray codes');
    ({ chromium, page, pageErrors } = await openStudioPage(studio.studioUrl, { width: 1280, height: 720 }));
    await page.keyboard.press('Control+3');
    await page.locator('section.view[data-view="logs"]:not([hidden])').waitFor();
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the studio\'s own lines, from before the window was opened', async () => {
    await row('serving').filter({ has: page.locator('.log-source', { hasText: 'studio' }) }).waitFor();
    await row('starting workers…').waitFor();
  });

  it('tags what the component printed with its stream, at info', async () => {
    const stderr = row('stdio says hello on stderr');
    assert.equal(await stderr.locator('.log-stream').textContent(), 'stderr');
    assert.equal(await stderr.getAttribute('data-level'), 'info');
    assert.equal(await row('stdio says hello on stdout').locator('.log-stream').textContent(), 'stdout');
  });

  it('keeps one stream with the stream filter', async () => {
    await logs().getByLabel('Stream').selectOption('stderr');
    await logs().getByTestId('log-count').filter({ hasText: '2 of 2 matching' }).waitFor();
    assert.equal(await row('stdio says hello on stdout').count(), 0);
    await mkdir(join(repoRoot, 'test-results', 'ui'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-results', 'ui', 'logs-stderr.png') });
    await logs().getByLabel('Stream').selectOption('');
    await row('stdio says hello on stdout').waitFor();
  });

  it('shows an OSC 8 hyperlink as a link and drops the other escape codes', async () => {
    const line = row('no stray codes');
    assert.equal(await line.locator('.log-text').textContent(), 'a link to wasmCloud, no stray codes');
    const link = line.locator('a.ansi-link');
    assert.equal(await link.getAttribute('href'), 'https://wasmcloud.com/');
    assert.equal(await link.textContent(), 'wasmCloud');
  });

  it('opens a link outside the studio\'s page, which stays where it is', async () => {
    // This machine has no network: the browser gets the linked page from here.
    await chromium.context.route('https://wasmcloud.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>wasmCloud</title>' }));
    const before = page.url();
    const [opened] = await Promise.all([chromium.context.waitForEvent('page'), row('no stray codes').locator('a.ansi-link').click()]);
    await opened.waitForLoadState();
    assert.equal(opened.url(), 'https://wasmcloud.com/');
    assert.equal(await opened.evaluate(() => window.opener === null), true, 'the linked page cannot reach the studio through window.opener');
    await opened.close();
    assert.equal(page.url(), before);
    assert.deepEqual(pageErrors, []);
  });

  it('keeps the link and drops the other escape codes in a request\'s own Logs tab too', async () => {
    await page.keyboard.press('Control+2');
    const http = page.locator('section.view[data-view="http"]:not([hidden])');
    await http.waitFor();
    await http.getByLabel('Method', { exact: true }).selectOption('GET');
    await http.getByLabel('URL', { exact: true }).fill('/');
    await page.keyboard.press('Control+Enter');
    await http.getByTestId('response-status').filter({ hasText: /^200/ }).waitFor();
    await http.getByRole('tab', { name: /^Logs/ }).click();
    const line = http.locator('[aria-label="Request logs"] .log-line', { hasText: 'no stray codes' });
    assert.equal(await line.locator('.log-text').textContent(), 'a link to wasmCloud, no stray codes');
    assert.equal(await line.locator('a.ansi-link').getAttribute('href'), 'https://wasmcloud.com/');
    await page.keyboard.press('Control+3');
    await logs().and(page.locator(':not([hidden])')).waitFor();
  });

  it('counts the lines that arrive while scrolled up, on the Follow button', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await fetch(studio.url)).status, 200);
    const list = logs().getByRole('listbox', { name: 'Log lines' });
    await page.waitForFunction(() => {
      const el = document.querySelector('section.view[data-view="logs"] .log-list');
      return !!el && el.scrollHeight > el.clientHeight * 2;
    });
    await list.evaluate((el) => el.scrollTo({ top: 0 }));
    const follow = logs().getByRole('button', { name: /Follow \(End\)/ });
    await follow.waitFor();
    assert.equal(await follow.textContent(), '↓ Follow (End)', 'nothing new yet');
    // Each request prints three lines (one on stdout, two on stderr).
    for (let i = 0; i < 2; i++) assert.equal((await fetch(studio.url)).status, 200);
    await logs().getByRole('button', { name: '↓ 6 new · Follow (End)' }).waitFor();
    await follow.click();
    await follow.waitFor({ state: 'detached' });
  });

  // Dialogs by keyboard, on the Clear dialog (its action empties the log buffer): focus moves
  // in once when it opens, onto Cancel (Enter must not destroy), and a line arriving behind it
  // must not move it back; Tab stays inside, Escape gives focus back to the button, and the
  // view shortcuts wait.
  const focused = () => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim() ?? ''}`);

  it('keeps focus where the user put it while lines arrive, and inside the dialog', async () => {
    const clear = page.locator('section.view[data-view="logs"] button', { hasText: 'Clear' });
    await clear.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Clear the logs?' });
    await dialog.waitFor();
    assert.equal(await focused(), 'BUTTON Cancel', 'focus starts on the safe choice');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'BUTTON Clear');
    // The count, not the rows: the list is virtual, and holds as many rows as fit once it is full.
    const count = await logs().getByTestId('log-count').textContent();
    for (let i = 0; i < 3; i++) assert.equal((await fetch(studio.url)).status, 200);
    await page.waitForFunction((before) => document.querySelector('[data-testid="log-count"]')?.textContent !== before, count);
    assert.equal(await focused(), 'BUTTON Clear', 'a re-render behind the dialog leaves focus alone');
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

  it('opens and closes the shortcut help with ?, as it says', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('?');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });
});

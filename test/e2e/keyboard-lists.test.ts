// The four virtualized lists by keyboard alone, in Chromium, on a studio serving the stdio WAT
// fixture (it prints on each request, so Logs and Traffic fill as requests are made; keys and
// objects are written through the Studio API, as a component or the UI would): each list is
// one Tab stop, the arrows move a marked row named by aria-activedescendant, and Enter opens
// it as a click does. The Logs view's Sources menu closes on Escape and when the focus leaves.
// Screenshots of each list with its keyboard row go to test-results/ui/keyboard-*.png, light
// and dark.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { StudioApiClient } from '../helpers/studio-api-client.ts';
import type { StudioProcess } from '../helpers/studio-process.ts';
import { base64, openStdioStudio, type StdioStudio } from './stdio-studio.ts';


async function waitForText(locator: Locator, text: RegExp, timeout = 15_000): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

describe('the lists by keyboard in Chromium', () => {
  let opened: StdioStudio;
  let studio: StudioProcess;
  let client: StudioApiClient;
  let page: Page;
  let pageErrors: string[];
  const view = (name: string) => opened.view(name);
  const go = (key: number, name: string) => opened.go(key, name);
  /** The element that has the focus, by its accessible label. */
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');
  const activeRow = () => opened.activeRow();
  const shoot = (name: string) => opened.shoot(`keyboard-${name}`);

  before(async () => {
    opened = await openStdioStudio({ width: 1280, height: 720 });
    ({ studio, client, page, pageErrors } = opened);
    for (const key of ['alpha', 'beta', 'gamma']) await client.call('kv.set', { bucket: 'letters', key, value: base64(`the value of ${key}`) });
    await client.call('blob.createContainer', { container: 'files' });
    for (const name of ['dir/inner.txt', 'top.txt']) await client.call('blob.put', { container: 'files', name, data: base64(`the text of ${name}`), offset: 0, last: true });
    for (const path of ['/kb-first', '/kb-second']) assert.equal((await fetch(new URL(path, studio.url))).status, 200);
  });

  after(() => opened?.close());

  it('Key-value: Tab reaches the key list, ArrowDown moves to the next key, Enter opens its value', async () => {
    await go(4, 'kv');
    const kv = view('kv');
    await kv.locator('.bucket-pane').getByRole('button', { name: 'letters', exact: true }).click();
    await kv.getByRole('option', { name: 'gamma' }).waitFor();
    await kv.getByLabel('Key prefix').focus();
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Key list');
    assert.equal(await activeRow(), 'alpha');
    await page.keyboard.press('ArrowDown');
    assert.equal(await activeRow(), 'beta');
    await page.keyboard.press('Enter');
    await waitForText(kv.locator('.detail-pane .detail-header h2'), /^beta$/);
    await waitForText(kv.locator('.detail-pane .detail-body'), /the\svalue\sof\sbeta/);
    assert.equal(await kv.getByRole('option', { name: 'beta' }).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('End');
    assert.equal(await activeRow(), 'gamma');
    await page.keyboard.press('Home');
    assert.equal(await activeRow(), 'alpha');
    await shoot('kv');
  });

  it('Blobs: Enter enters a folder and opens an object; Space ticks its box', async () => {
    await go(5, 'blobs');
    const blobs = view('blobs');
    await blobs.locator('.bucket-pane').getByRole('button', { name: 'files', exact: true }).click();
    await blobs.locator('.grid-row', { hasText: 'top.txt' }).waitFor();
    // The filter, the Select all box, then the list: one stop for all its rows, folders too.
    await blobs.getByLabel('Filter objects').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Object list');
    assert.match((await activeRow()) ?? '', /dir\/\s*folder/);
    await page.keyboard.press('Enter');
    await waitForText(blobs.locator('.breadcrumbs'), /dir/);
    await blobs.locator('.grid-row', { hasText: 'inner.txt' }).waitFor();
    assert.equal(await focused(), 'Object list');
    await page.keyboard.press('ArrowDown');
    assert.match((await activeRow()) ?? '', /inner\.txt/);
    await page.keyboard.press('Enter');
    await waitForText(blobs.locator('.detail-pane .detail-header h2'), /^inner\.txt$/);
    await waitForText(blobs.locator('.detail-pane .detail-body'), /the\stext\sof\sdir\/inner\.txt/);
    await page.keyboard.press('Space');
    assert.equal(await blobs.getByRole('checkbox', { name: 'Select dir/inner.txt' }).isChecked(), true);
    await blobs.getByRole('button', { name: 'Delete (1)' }).waitFor();
    await shoot('blobs');
    await page.keyboard.press('Space');
    assert.equal(await blobs.getByRole('checkbox', { name: 'Select dir/inner.txt' }).isChecked(), false);
  });

  it('Traffic: the arrows and Enter open a request', async () => {
    await go(9, 'traffic');
    const traffic = view('traffic');
    await traffic.getByLabel('Filter by path').fill('kb-');
    await waitForText(traffic.locator('.pane-status'), /^2 of \d+ requests/);
    await traffic.locator('.traffic-row[data-id]', { hasText: '/kb-first' }).waitFor();
    // The last control before the list.
    await traffic.getByLabel('Ignored headers').focus();
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Requests');
    assert.match((await activeRow()) ?? '', /GET\s*\/kb-second/);
    await page.keyboard.press('ArrowDown');
    assert.match((await activeRow()) ?? '', /GET\s*\/kb-first/);
    await page.keyboard.press('Enter');
    const detail = traffic.getByLabel('Request detail');
    await waitForText(detail.locator('.traffic-title'), /\/kb-first/);
    await shoot('traffic');
  });

  it('Logs: Enter on a line opens the whole line', async () => {
    await go(3, 'logs');
    const logs = view('logs');
    await logs.getByLabel('Stream').selectOption('stderr');
    await logs.locator('.log-row', { hasText: 'stdio says hello on stderr' }).first().waitFor();
    await logs.getByRole('button', { name: /Clear/ }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Log lines');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowUp');
    const line = await activeRow();
    assert.ok(line, 'a line is active');
    await page.keyboard.press('Enter');
    const whole = logs.getByLabel('Whole log line');
    await whole.waitFor();
    const text = (await whole.locator('.log-whole-text').textContent()) ?? '';
    assert.ok(line.includes(text.split('\n')[0]!), `the pane shows the active line: ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
    // Not a live region: the rows the virtual list renders again are not read out.
    assert.equal(await logs.locator('[role="log"], [aria-live="polite"] .log-row').count(), 0);
    await shoot('logs');
    await page.keyboard.press('Escape');
    await whole.waitFor({ state: 'detached' });
    await logs.getByLabel('Stream').selectOption('');
  });

  it('Logs: Escape closes the Sources menu and gives the focus back to its button; Tab out closes it too', async () => {
    const logs = view('logs');
    const button = logs.getByRole('button', { name: /^Sources:/ });
    const menu = logs.getByRole('group', { name: 'Sources' });
    await button.focus();
    await page.keyboard.press('Enter');
    await menu.waitFor();
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).type), 'checkbox');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    assert.match(await focused(), /^Sources:/);
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    // Open again, then Tab past every box: the focus leaves, the menu closes.
    await page.keyboard.press('Enter');
    await menu.waitFor();
    const boxes = await menu.getByRole('checkbox').count();
    for (let i = 0; i <= boxes; i++) await page.keyboard.press('Tab');
    await menu.waitFor({ state: 'detached' });
    assert.deepEqual(pageErrors, []);
  });
});

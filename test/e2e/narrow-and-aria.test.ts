// Narrow windows and what a screen reader or the keyboard gets, in Chromium at 800x600 (and
// 700x450, a 200% zoom), on a studio serving the stdio WAT fixture: the Key-value view stacks
// with its buttons and viewer switch inside the window and no sideways scroll; the Traffic list
// keeps a readable path column and several rows with a request open; the HTTP view's response
// summary is a polite live region and its save button has a name; Ctrl+S saves a value
// being edited from anywhere in the Key-value view; the Traffic keyboard row stays on its
// request when a new one arrives on top; at 700 px the sidebar is a rail of icons that keep
// their names; the Traffic grid owns its column headers, the shortcuts' box takes the focus when
// it scrolls, and closing a log line gives the focus back to the list. Screenshots go to test-results/ui/narrow-*.png,
// light and dark.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { StudioApiClient } from '../helpers/studio-api-client.ts';
import type { StudioProcess } from '../helpers/studio-process.ts';
import { base64, openStdioStudio, type StdioStudio } from './stdio-studio.ts';


/** Whether the element is wholly inside the window and on top at its centre (not clipped or covered). */
async function fullyShown(locator: Locator): Promise<{ ok: boolean; why: string }> {
  return locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const inside = box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0 && box.right <= window.innerWidth + 1 && box.bottom <= window.innerHeight + 1;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    const onTop = !!hit && (hit === el || el.contains(hit));
    // Clipped by a scrolling or overflow-hidden ancestor: some part of it is outside that box.
    let clipped = false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const r = p.getBoundingClientRect();
      if (box.left < r.left - 1 || box.right > r.right + 1 || box.top < r.top - 1 || box.bottom > r.bottom + 1) clipped = true;
    }
    return { ok: inside && onTop && !clipped, why: JSON.stringify({ box, inside, onTop, clipped, hit: hit?.outerHTML.slice(0, 120) }) };
  });
}

/** Nothing in the page scrolls sideways: the document, and every element of the view that could. */
async function sidewaysScroll(page: Page, view: string): Promise<string[]> {
  return page.evaluate((name) => {
    const found: string[] = [];
    const root = document.scrollingElement!;
    if (root.scrollWidth > root.clientWidth) found.push(`document ${root.scrollWidth} > ${root.clientWidth}`);
    const main = document.querySelector('.main');
    if (main && main.scrollWidth > main.clientWidth) found.push(`.main ${main.scrollWidth} > ${main.clientWidth}`);
    const section = document.querySelector(`section.view[data-view="${name}"]`);
    for (const el of [section, ...Array.from(section?.querySelectorAll('*') ?? [])]) {
      if (!(el instanceof HTMLElement)) continue;
      // A hex dump or code scrolls sideways inside its own box by design; the layout must not.
      if (el.closest('.hex-view, .monaco-editor, .code-editor')) continue;
      const style = getComputedStyle(el);
      const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll' || el === section;
      if (scrolls && el.scrollWidth > el.clientWidth + 1) found.push(`${el.className || el.tagName} ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return found;
  }, view);
}

describe('narrow windows, screen readers and keys in Chromium', () => {
  let opened: StdioStudio;
  let studio: StudioProcess;
  let client: StudioApiClient;
  let page: Page;
  let pageErrors: string[];
  const view = (name: string) => opened.view(name);
  const go = (key: number, name: string) => opened.go(key, name);
  const activeRow = () => opened.activeRow();
  const shoot = (name: string) => opened.shoot(`narrow-${name}`);
  const request = async (path: string) => assert.equal((await fetch(new URL(path, studio.url))).status, 200);

  before(async () => {
    opened = await openStdioStudio({ width: 800, height: 600 });
    ({ studio, client, page, pageErrors } = opened);
    await client.call('kv.set', { bucket: 'counters', key: 'hits', value: base64('5') });
    await client.call('kv.set', { bucket: 'counters', key: 'visits', value: base64('12') });
    for (let i = 1; i <= 8; i++) await request(`/narrow/request-number-${i}/with-a-longer-path`);
  });

  after(() => opened?.close());

  it('Key-value at 800x600 and 700x450: "+ Increment" and the Text/Hex switch are inside the window, nothing scrolls sideways', async () => {
    await go(4, 'kv');
    const kv = view('kv');
    await kv.locator('.bucket-pane').getByRole('button', { name: 'counters', exact: true }).click();
    await kv.getByRole('option', { name: 'hits' }).click();
    await kv.getByTestId('counter-value').filter({ hasText: /^5$/ }).waitFor();
    const increment = kv.getByRole('button', { name: '+ Increment' });
    const switcher = kv.getByRole('tablist', { name: 'Show as' });
    for (const size of [{ width: 800, height: 600 }, { width: 700, height: 450 }]) {
      await page.setViewportSize(size);
      if (size.width === 800) await shoot('kv');
      else await opened.shoot('narrow-kv-700x450');
      for (const [name, locator] of [
        ['+ Increment', increment],
        ['the Text/Hex switch', switcher],
      ] as const) {
        await locator.scrollIntoViewIfNeeded();
        const shown = await fullyShown(locator);
        assert.ok(shown.ok, `${name} at ${size.width}x${size.height}: ${shown.why}`);
      }
      assert.deepEqual(await sidewaysScroll(page, 'kv'), [], `${size.width}x${size.height}`);
    }
    // The hex dump fits its pane as well: fewer bytes a row where the pane is narrow.
    await switcher.getByRole('tab', { name: 'Hex' }).click();
    await kv.locator('.hex-view .hex-row').first().waitFor();
    for (const size of [{ width: 800, height: 600 }, { width: 700, height: 450 }]) {
      await page.setViewportSize(size);
      const fits = () => {
        const el = document.querySelector('section.view[data-view="kv"] .hex-view');
        return !!el && el.scrollWidth <= el.clientWidth + 1;
      };
      await page.waitForFunction(fits, undefined, { timeout: 5000 }).catch(async () => assert.fail(`the hex view scrolls sideways at ${size.width}x${size.height}: ${await page.evaluate(() => { const el = document.querySelector('section.view[data-view="kv"] .hex-view')!; return `${el.scrollWidth} > ${el.clientWidth}`; })}`));
    }
    await opened.shoot('narrow-kv-hex-700x450');
    await switcher.getByRole('tab', { name: 'Text' }).click();
    await page.setViewportSize({ width: 800, height: 600 });
  });

  it('Key-value: Ctrl+S saves the value being edited with the focus outside the editor, and the page is not saved; Escape gives the focus back to Edit', async () => {
    const kv = view('kv');
    await kv.getByRole('button', { name: /Edit/ }).click();
    const field = kv.getByLabel('Counter value');
    await field.fill('42');
    // The key list is one Tab stop outside the editor; the browser must not get the key.
    await kv.getByRole('listbox', { name: 'Key list' }).focus();
    await page.evaluate(() => {
      window.addEventListener('keydown', (e) => {
        if (e.key.toLowerCase() === 's') (window as unknown as { savePrevented: boolean }).savePrevented = e.defaultPrevented;
      });
    });
    await page.keyboard.press('Control+s');
    await kv.getByTestId('counter-value').filter({ hasText: /^42$/ }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { savePrevented: boolean }).savePrevented), true);
    const saved = await client.call('kv.get', { bucket: 'counters', key: 'hits' });
    assert.equal(Buffer.from(saved!.value, 'base64').toString(), '42');
    // Not editing: the key does nothing but keep the browser from saving the page.
    await page.evaluate(() => {
      (window as unknown as { savePrevented: boolean }).savePrevented = false;
    });
    await page.locator('body').press('Control+s');
    assert.equal(await page.evaluate(() => (window as unknown as { savePrevented: boolean }).savePrevented), true);
    // Escape in the field gives up the edit, and the focus goes back to the button that opened it.
    await kv.getByRole('button', { name: /Edit/ }).click();
    await kv.getByLabel('Counter value').press('Escape');
    await page.waitForFunction(() => document.activeElement?.hasAttribute('data-edit-value') === true, undefined, { timeout: 2000 });
    // A refusal that names a 1,000-character key wraps inside its dialog.
    await kv.getByRole('button', { name: '+ New key' }).click();
    const dialog = page.getByRole('dialog', { name: /^New key in / });
    await dialog.getByLabel('Key').fill('k'.repeat(1000));
    await dialog.getByRole('button', { name: 'Create' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    assert.ok(await refusal.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), 'the message runs out of its box');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('Traffic at 800x600: the path column keeps 120 px, and with a request open at least 3 rows show', async () => {
    await go(9, 'traffic');
    const traffic = view('traffic');
    const rows = traffic.locator('.traffic-row[data-id]');
    await rows.nth(7).waitFor();
    const pathWidth = async () => (await traffic.locator('.traffic-row[data-id] .col-path').first().boundingBox())!.width;
    assert.ok((await pathWidth()) >= 120, `the path column is ${await pathWidth()} px`);
    await rows.filter({ hasText: 'request-number-6/' }).click();
    const detail = traffic.getByLabel('Request detail');
    await detail.locator('.traffic-title').filter({ hasText: /request-number-6/ }).waitFor();
    assert.ok((await pathWidth()) >= 120, `with a request open, the path column is ${await pathWidth()} px`);
    const visible = await traffic.locator('.traffic-list').evaluate((list) => {
      const box = list.getBoundingClientRect();
      const bottom = Math.min(box.bottom, window.innerHeight);
      return Array.from(list.querySelectorAll('.traffic-row[data-id]')).filter((row) => {
        const r = row.getBoundingClientRect();
        return r.top >= box.top - 0.5 && r.bottom <= bottom + 0.5;
      }).length;
    });
    assert.ok(visible >= 3, `${visible} rows show with a request open`);
    assert.deepEqual(await sidewaysScroll(page, 'traffic'), []);
    await shoot('traffic');
    // 200% zoom of a 1400 px window: still a readable path, still no sideways scroll.
    await page.setViewportSize({ width: 700, height: 450 });
    assert.ok((await pathWidth()) >= 120, `at 700x450, the path column is ${await pathWidth()} px`);
    assert.deepEqual(await sidewaysScroll(page, 'traffic'), []);
    await page.setViewportSize({ width: 800, height: 600 });
  });

  it('Traffic: the keyboard row stays on its request when a new request arrives on top', async () => {
    const traffic = view('traffic');
    const rows = traffic.locator('.traffic-row[data-id]');
    await traffic.getByRole('grid', { name: 'Requests' }).focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const before = await activeRow();
    assert.match(before ?? '', /request-number-6\//);
    await request('/narrow/the-newest-request');
    await rows.first().filter({ hasText: 'the-newest-request' }).waitFor();
    assert.match((await activeRow()) ?? '', /request-number-6\//);
    await page.keyboard.press('ArrowDown');
    assert.match((await activeRow()) ?? '', /request-number-5\//);
  });

  it('HTTP: the response summary is a polite live region, said once per response; the save button and the tabs have names and states', async () => {
    await go(2, 'http');
    const http = view('http');
    const live = http.locator('.response-pane [aria-live="polite"]');
    assert.equal(await live.count(), 1, 'the live region is there before the first response');
    const region = await live.elementHandle();
    await http.getByLabel('URL').fill('/narrow/from-the-http-view');
    await page.keyboard.press('Control+Enter');
    await http.getByTestId('response-status').filter({ hasText: /^200/ }).waitFor();
    // The same element, now holding the summary: what was added to it is what is said.
    assert.equal(await region!.evaluate((el) => el.isConnected), true);
    assert.match((await live.textContent()) ?? '', /200[\s\S]*ms[\s\S]*B/);
    assert.equal(await live.getAttribute('aria-atomic'), 'true');
    // A re-render (another tab) does not touch the region's text node.
    const marker = await live.evaluate((el) => {
      (el.firstElementChild as HTMLElement & { seen?: boolean }).seen = true;
      return true;
    });
    assert.ok(marker);
    const save = http.getByRole('button', { name: 'Save body' });
    assert.equal(await save.count(), 1);
    const tabs = http.getByRole('tablist', { name: 'Response' });
    const body = tabs.getByRole('tab', { name: 'Body' });
    assert.equal(await body.getAttribute('aria-selected'), 'true');
    await body.focus();
    await page.keyboard.press('ArrowRight');
    const headers = tabs.getByRole('tab', { name: /^Headers/ });
    assert.equal(await headers.getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.startsWith('Headers')), true);
    assert.equal(await live.evaluate((el) => (el.firstElementChild as HTMLElement & { seen?: boolean }).seen === true), true, 'the summary was not replaced by a re-render');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await body.getAttribute('aria-selected'), 'true');
    // A new response replaces the summary, so it is said again even when it reads the same.
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => {
      const el = document.querySelector('section.view[data-view="http"] .response-pane [aria-live="polite"]');
      const child = el?.firstElementChild as (HTMLElement & { seen?: boolean }) | null | undefined;
      return !!child && child.seen !== true;
    });
    const shown = await fullyShown(save);
    assert.ok(shown.ok, `the save button: ${shown.why}`);
    await shoot('http');
    assert.deepEqual(pageErrors, []);
  });

  it('at 700 px the sidebar is a rail of icons: the view gets the width, and each button keeps its name', async () => {
    await go(1, 'workloads');
    const sidebar = page.getByRole('navigation', { name: 'Views' });
    await page.setViewportSize({ width: 700, height: 450 });
    try {
      assert.ok((await sidebar.boundingBox())!.width <= 60, 'the sidebar is a narrow rail');
      await opened.shoot('narrow-rail-700x450');
      const logs = sidebar.getByRole('button', { name: 'Logs' });
      assert.ok((await fullyShown(logs)).ok, 'the Logs button is inside the rail');
      await logs.click();
      await view('logs').waitFor();
      // The reload indicator is a dot now, and still says the state to a screen reader.
      assert.match((await sidebar.locator('.reload-indicator').textContent()) ?? '', /Serving version 1/);
    } finally {
      await page.setViewportSize({ width: 800, height: 600 });
    }
    assert.ok((await sidebar.boundingBox())!.width > 150, 'at 800 px the sidebar has its labels again');
  });

  it('the Traffic grid owns its column headers; a box that scrolls (the shortcuts at 800x600) takes the focus, and none once it fits; closing a panel gives the focus back to its list', async () => {
    await go(9, 'traffic');
    const grid = view('traffic').getByRole('grid', { name: 'Requests' });
    await grid.waitFor();
    assert.equal(await grid.getAttribute('aria-owns'), 'traffic-columns');
    const headers = await page.locator('#traffic-columns [role="columnheader"]').allTextContents();
    assert.deepEqual(headers.slice(1, 5), ['Time', 'Method', 'Path', 'Status']);

    await go(1, 'workloads');
    await page.locator('body').press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'dialog-body', 'Tab reaches the list of shortcuts, which scrolls');
    await page.keyboard.press('End');
    await page.waitForFunction(() => {
      const body = document.querySelector('.dialog-body')!;
      return body.scrollTop > 0 && body.scrollTop + body.clientHeight >= body.scrollHeight - 1;
    });
    // Once it fits, it is no focus target at all, not even for a click (no tabindex left), but
    // only once the focus has left it: until then the focus would fall to the page.
    await page.setViewportSize({ width: 1600, height: 2400 });
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'dialog-body', 'the focus stays where it was');
    await page.keyboard.press('Tab');
    await page.waitForFunction(() => !document.querySelector('.dialog-body')!.hasAttribute('tabindex'), undefined, { timeout: 2000 });
    await page.setViewportSize({ width: 800, height: 600 });
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    await go(3, 'logs');
    const lines = view('logs').getByRole('listbox', { name: 'Log lines' });
    await lines.focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const whole = view('logs').getByRole('region', { name: 'Whole log line' });
    await whole.waitFor();
    await whole.getByRole('button', { name: 'Close (Esc)' }).click();
    await whole.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.hasAttribute('data-keyboard-list') === true, undefined, { timeout: 2000 });
  });

  it('a segmented radio group (HTTP body type) is one Tab stop, and the arrow keys pick its radios', async () => {
    await go(2, 'http');
    await view('http').getByRole('tablist', { name: 'Request' }).getByRole('tab', { name: /Body/ }).click();
    const group = view('http').getByRole('radiogroup', { name: 'Body type' });
    const checked = () => group.locator('[role="radio"][aria-checked="true"]').innerText();
    const before = await checked();
    await group.locator('[role="radio"][aria-checked="true"]').focus();
    await page.keyboard.press('ArrowRight');
    const after = await checked();
    assert.notEqual(after, before, 'ArrowRight picked the next radio');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), after, 'the focus went with it');
    assert.deepEqual(await group.locator('[role="radio"]').evaluateAll((radios) => radios.map((r) => (r as HTMLElement).tabIndex).filter((t) => t === 0).length), 1);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await checked(), before);
  });

  it('Ctrl+1…9 put the focus in the view they show, so that Tab goes on inside it; a skip link is the first Tab stop', async () => {
    await page.locator('.nav-item[data-view="workloads"]').focus();
    await page.keyboard.press('Control+3');
    const inLogs = () => page.evaluate(() => !!document.activeElement?.closest('section.view[data-view="logs"]'));
    await page.waitForFunction(() => !!document.activeElement?.closest('section.view[data-view="logs"]'), undefined, { timeout: 2000 });
    await page.keyboard.press('Tab');
    assert.equal(await inLogs(), true, 'Tab went to the first control of the view, not back to the sidebar');
    // From the top of a page just opened (on Logs: the address names it), the first Tab stop skips the sidebar.
    await page.reload();
    await page.locator('section.view[data-view="logs"]:not([hidden])').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to the Logs view');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.matches('section.view[data-view="logs"]') === true, undefined, { timeout: 2000 });
  });
});

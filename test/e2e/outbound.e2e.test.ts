// Outbound HTTP in the studio UI, in Chromium against the real studio serving the fetch-page
// example (assets/examples/fetch-page): Settings shows the stand-ins of .wash/studio.yaml as a
// table, a row added there is saved into the file (its comments kept) and answers the
// component's next call; the Logs view shows each call from its fields, and the HTTP view a
// request's calls; the Workloads view shows the components' environment.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { waitUntil } from '../helpers/wait-until.ts';
import { findChromium, NO_BROWSER_MESSAGE, openStudioPage, type Chromium } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

describe('outbound HTTP in the studio UI', () => {
  let temp: string;
  let root: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    temp = await mkdtemp(join(tmpdir(), 'studio-e2e-outbound-'));
    root = join(temp, 'fetch-page');
    for (const part of ['src', 'wit', '.wash', 'fixtures']) await cp(join(repoRoot, 'assets', 'examples', 'fetch-page', part), join(root, part), { recursive: true });
    studio = await startStudio(root, ['--workers', '1'], 240_000, { ui: true });
    ({ chromium, page } = await openStudioPage(studio.studioUrl));
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  const view = (name: string) => page.locator(`section.view[data-view="${name}"]`);
  const fetchTitle = async (url: string) => ((await (await fetch(new URL(`/fetch?url=${encodeURIComponent(url)}`, studio.url))).json()) as { title?: string }).title;

  it('Settings lists the stand-ins of .wash/studio.yaml, and a row added there answers the next call', async () => {
    await page.locator('nav [data-view="settings"]').click();
    const card = view('settings').getByRole('region', { name: 'Outbound HTTP' });
    const table = card.getByTestId('stand-ins');
    assert.equal(await table.getByRole('textbox', { name: 'Match 1' }).inputValue(), 'GET https://example.com/*');
    assert.equal(await table.getByRole('combobox', { name: 'Answer 1' }).inputValue(), 'body_file');
    assert.equal(await table.getByRole('textbox', { name: 'file 1' }).inputValue(), 'fixtures/example.html');
    assert.equal(await card.getByRole('checkbox', { name: /Offline mode/ }).isChecked(), true);

    await card.getByRole('button', { name: '+ Add stand-in' }).click();
    await table.getByRole('textbox', { name: 'Match 2' }).fill('GET https://api.example.com/*');
    await table.getByRole('textbox', { name: 'body 2' }).fill('<title>from the table</title>');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByRole('button', { name: 'Save' }).and(page.locator(':disabled')).waitFor();

    const text = await readFile(join(root, '.wash', 'studio.yaml'), 'utf8');
    assert.match(text, /# Nothing leaves this machine/, 'the comments are kept');
    assert.match(text, /match: GET https:\/\/api\.example\.com\/\*\n\s+status: 200\n\s+headers:\n\s+content-type: text\/html\n\s+body: <title>from the table<\/title>/);
    await waitUntil(async () => (await fetchTitle('https://api.example.com/users')) === 'from the table', () => 'the new stand-in answered the component');
  });

  it('Logs shows an outbound call from its fields: status, method, URL and the stand-in that answered', async () => {
    await fetchTitle('https://example.com/logged');
    await page.locator('nav [data-view="logs"]').click();
    // A fetch-event component's request may be tried twice (an instance answers only once),
    // so the call may be logged twice, once dropped: any answered one will do.
    const line = view('logs').getByTestId('outbound-line').filter({ hasText: 'https://example.com/logged' }).filter({ hasText: 'stand-in', hasNotText: 'dropped' }).first();
    await line.waitFor();
    assert.match(await line.innerText(), /^200\s+GET\s+https:\/\/example\.com\/logged\s+stand-in\s+[\d.]+ m?s · [\d.]+ \w?B\s+← GET \/fetch\?url=/);
  });

  it('the HTTP view shows the outbound calls a request made, in an Outbound tab of the response', async () => {
    await page.locator('nav [data-view="http"]').click();
    const url = view('http').getByRole('textbox', { name: 'URL' });
    await url.fill(`/fetch?url=${encodeURIComponent('https://example.com/from-the-view')}`);
    await url.press('Control+Enter');
    await view('http').getByTestId('response-status').filter({ hasText: /^200/ }).waitFor();
    await view('http').getByRole('tab', { name: /Outbound/ }).click();
    const calls = view('http').getByRole('table', { name: 'Outbound calls' });
    assert.match(await calls.innerText(), /GET 200\s+https:\/\/example\.com\/from-the-view · [\d.]+ m?s · [\d.]+ \w?B · stand-in/);
  });

  it('Workloads shows the environment from .wash/studio.yaml', async () => {
    await page.locator('nav [data-view="workloads"]').click();
    const env = view('workloads').getByRole('region', { name: 'Environment' }).getByTestId('environment');
    await env.waitFor();
    assert.match(await env.innerText(), /PAGE_URL\s+https:\/\/example\.com\//);
  });

  it('with .wash/studio.yaml broken by hand, Settings shows no defaults as if in effect, and calls keep the settings read last', async () => {
    const file = join(root, '.wash', 'studio.yaml');
    const good = await readFile(file, 'utf8');
    await writeFile(file, `${good}\noutbound: [\n`);
    await page.locator('nav [data-view="settings"]').click();
    const card = view('settings').getByRole('region', { name: 'Outbound HTTP' });
    await card.getByTestId('outbound-kept').waitFor({ timeout: 30_000 });
    assert.equal(await card.getByRole('checkbox', { name: /Offline mode/ }).count(), 0, 'no unticked box saying offline mode is off');
    assert.equal(await card.getByTestId('stand-ins').count(), 0, 'no empty table saying every call goes to the network');
    assert.equal(await fetchTitle('https://api.example.com/users'), 'from the table');
    await writeFile(file, good);
    await card.getByTestId('stand-ins').waitFor({ timeout: 30_000 });
  });
});

// Opening another project in Chromium, on two copies of the QR example: every view that holds
// a project's state (Key-value, Blobs, Data, Traffic, the HTTP view) shows the new project's
// and nothing of the old one's, even an answer that comes after the switch; the Data view's
// seed-data offer follows the data and loading seed data over data asks first (the API refuses
// it unless told to replace); the HTTP history's "2 min ago" ticks; and Import curl (and a
// request typed so) takes `localhost:PORT` as the gateway. Screenshots land in test-results/ui/ (switch-*.png).
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ApiCallError, StudioApiClient } from '../helpers/studio-api-client.ts';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { waitUntil } from '../helpers/wait-until.ts';
import { type Chromium, collectPageErrors, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

const shotsDir = join(repoRoot, 'test-results', 'ui');
/** How long the slow server takes to answer: long enough to open the other project meanwhile. */
const LATE_MS = 6000;

describe('opening another project in Chromium', () => {
  let tempDir: string;
  let first: string;
  let second: string;
  let studio: StudioProcess;
  let api: StudioApiClient;
  let chromium: Chromium;
  let page: Page;
  let pageErrors: string[];
  let slow: Server;
  let slowAnswered: Promise<void>;
  const view = (id: string) => page.locator(`section.view[data-view="${id}"]`);
  const show = async (id: string) => {
    await page.locator(`.nav-item[data-view="${id}"]`).click();
    await page.locator(`section.view[data-view="${id}"]:not([hidden])`).waitFor();
  };
  /** The gateway of the project open now (each project gets its own port). */
  const gateway = async () => {
    const url = (await api.call('project.get', {})).gatewayUrl;
    assert.ok(url, 'the project serves');
    return url;
  };
  const makeQrCode = async (payload: string) => {
    const answer = await fetch(new URL('/qrcode', await gateway()), { method: 'POST', body: JSON.stringify({ payload }) });
    assert.equal(answer.status, 200, await answer.text());
  };

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    tempDir = await mkdtemp(join(tmpdir(), 'studio-e2e-switch-'));
    first = join(tempDir, 'first');
    second = join(tempDir, 'second');
    for (const dir of [first, second]) await cp(join(repoRoot, 'assets', 'examples', 'qrcode'), dir, { recursive: true, filter: (from) => !/[\\/]\.wash[\\/](data|studio)$/.test(from) });
    slow = createServer((_req, res) => {
      slowAnswered = new Promise((done) => res.once('finish', () => done()));
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('the old project\'s late answer'), LATE_MS);
    });
    await new Promise<void>((done) => slow.listen(0, '127.0.0.1', done));
    // A config folder of its own: the HTTP view starts with no history of other tests.
    studio = await startStudio(first, ['--workers', '1'], 180_000, { ui: true, configDir: join(tempDir, 'config') });
    api = await StudioApiClient.connect(studio.studioUrl);
    await makeQrCode('a');
    await makeQrCode('b');
    ({ chromium, page, pageErrors } = await openStudioPage(studio.studioUrl, { width: 1400, height: 900 }));
    await mkdir(shotsDir, { recursive: true });
  });

  after(async () => {
    api?.close();
    await chromium?.close();
    await studio?.stop();
    slow?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it('shows the new project in every view, and drops an answer meant for the old one', async () => {
    // The first project's data and traffic, as a user would have looked at them.
    await show('blobs');
    await view('blobs').locator('.grid-row', { hasText: '000002-b.png' }).waitFor();
    await show('kv');
    await view('kv').locator('.bucket-item', { hasText: 'qrcode' }).waitFor();
    await show('traffic');
    await view('traffic').getByText(/^2 of 2 requests/).waitFor();
    await show('data');
    await view('data').getByText(join(first, '.wash')).waitFor();

    // A request still out when the other project opens: its answer must not land there.
    await show('http');
    await view('http').getByLabel('URL', { exact: true }).fill(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/late`);
    await view('http').getByRole('button', { name: 'Send', exact: true }).click();
    await view('http').getByRole('button', { name: 'Sending…' }).waitFor();

    await show('settings');
    await view('settings').getByLabel('Project path', { exact: true }).fill(second);
    await view('settings').getByLabel('Project path', { exact: true }).press('Enter');
    await waitUntil(
      async () => {
        const project = await api.call('project.get', {});
        return project.path === second && project.builds.some((b) => b.outcome === 'ok');
      },
      () => 'the second project serves',
      120_000,
    );
    await page.locator('.reload-indicator[data-state="serving"]').waitFor();
    await slowAnswered;
    // The answer reached the studio: give it the moment it takes to reach the page too.
    await sleep(1000);

    await show('blobs');
    await view('blobs').getByText(join(second, '.wash', 'data', 'blobstore')).waitFor();
    await view('blobs').getByText('No container yet.').waitFor();
    assert.equal(await view('blobs').locator('.bucket-item').count(), 0, 'no container of the first project is listed');
    await page.screenshot({ path: join(shotsDir, 'switch-blobs-light.png') });
    await show('kv');
    await view('kv').getByText('No bucket yet.').waitFor();
    assert.equal(await view('kv').locator('.bucket-item').count(), 0);
    await show('traffic');
    await view('traffic').getByText(/^0 of 0 requests/).waitFor();
    await page.screenshot({ path: join(shotsDir, 'switch-traffic-light.png') });
    await show('data');
    await view('data').getByText(join(second, '.wash', 'data', 'snapshots')).waitFor();
    await view('data').locator('.seed-offer').waitFor();
    await page.screenshot({ path: join(shotsDir, 'switch-data-light.png') });
    await show('http');
    // The request out was the first project's: not in this one's history, its answer not shown.
    await view('http').getByRole('button', { name: 'Send', exact: true }).waitFor();
    assert.equal(await view('http').locator('.history-item').count(), 0, await view('http').locator('.history-list').innerText());
    assert.equal(await view('http').getByText('late answer').count(), 0);
    await page.screenshot({ path: join(shotsDir, 'switch-http-light.png') });
    assert.deepEqual(pageErrors, []);
  });

  it('hides the seed-data offer once the data is written, wherever it was written from', async () => {
    await show('data');
    await view('data').locator('.seed-offer').waitFor();
    await show('blobs');
    await makeQrCode('mine');
    await view('blobs').locator('.grid-row', { hasText: '000001-mine.png' }).waitFor();
    await show('data');
    await view('data').locator('.seed-offer').waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('refuses through the API to load seed data over data, unless the caller means to replace it', async () => {
    await assert.rejects(api.call('snapshots.seed', {}), (err: unknown) => {
      assert.ok(err instanceof ApiCallError);
      assert.equal(err.error.code, 'seed-would-replace');
      assert.match(err.error.message, /qrcodes/);
      return true;
    });
    const blobs = await api.call('blob.list', { container: 'qrcodes' });
    assert.deepEqual(blobs.objects.map((o) => o.name), ['000001-mine.png'], 'nothing was replaced');
  });

  it('asks before loading seed data over data, naming what it replaces, and keeps a snapshot first', async () => {
    await show('data');
    await view('data').getByRole('button', { name: 'Load seed data…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Load the seed data?' });
    await dialog.getByText(/qrcodes/).waitFor();
    const text = await dialog.innerText();
    assert.match(text, /key-value bucket “qrcode”/);
    assert.match(text, /blob container “qrcodes”/);
    assert.match(text, /before restoring seed data/);
    // Opened on Cancel, as every dialog that replaces data is: Enter destroys nothing.
    assert.equal(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement), true);
    await page.screenshot({ path: join(shotsDir, 'switch-seed-confirm-light.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual((await api.call('blob.list', { container: 'qrcodes' })).objects.map((o) => o.name), ['000001-mine.png']);

    await view('data').getByRole('button', { name: 'Load seed data…' }).click();
    await page.getByRole('dialog', { name: 'Load the seed data?' }).getByRole('button', { name: 'Load seed data' }).click();
    await view('data').locator('tr[data-snapshot="before restoring seed data"]').waitFor();
    const names = (await api.call('blob.list', { container: 'qrcodes' })).objects.map((o) => o.name);
    assert.equal(names.includes('000001-mine.png'), false, names.join(', '));
    assert.equal(names.length, 3, names.join(', '));
  });

  it('keeps the HTTP history\'s times current while the view is open', async () => {
    // A page of its own whose clock the test moves: the history must follow it, not a timer per row.
    const clocked = await chromium.context.newPage();
    const errors = collectPageErrors(clocked);
    try {
      await clocked.clock.install();
      await clocked.goto(studio.studioUrl);
      await clocked.locator('.reload-indicator[data-state="serving"]').waitFor({ timeout: 60_000 });
      await clocked.locator('.nav-item[data-view="http"]').click();
      const http = clocked.locator('section.view[data-view="http"]');
      await http.getByLabel('URL', { exact: true }).fill('/');
      await http.getByRole('button', { name: 'Send', exact: true }).click();
      const newest = http.locator('.history-item').first();
      await newest.getByText('just now').waitFor();
      await clocked.clock.fastForward(125_000);
      await newest.getByText('2 min ago').waitFor({ timeout: 5000 });
      assert.deepEqual(errors, []);
    } finally {
      await clocked.close();
    }
  });

  it('takes localhost and [::1] on the gateway\'s port as the gateway when importing curl', async () => {
    const port = new URL(await gateway()).port;
    await show('http');
    const http = view('http');
    for (const address of [`localhost:${port}/qrcode`, `http://[::1]:${port}/qrcode`, `http://LOCALHOST:${port}/qrcode`]) {
      await http.getByRole('button', { name: 'Import curl' }).click();
      await page.getByLabel('curl command').fill(`curl -X POST ${address} -H 'Content-Type: application/json' -d '{"payload":"from localhost"}'`);
      await page.getByRole('dialog', { name: 'Import from curl' }).getByRole('button', { name: 'Import' }).click();
      assert.equal(await http.getByLabel('URL', { exact: true }).inputValue(), '/qrcode', address);
    }
    // Another port is not the gateway, nor is a named component's address, which routes by its name.
    for (const address of [`http://localhost:1/qrcode`, `http://qrcode.localhost:${port}/qrcode`]) {
      await http.getByRole('button', { name: 'Import curl' }).click();
      await page.getByLabel('curl command').fill(`curl ${address}`);
      await page.getByRole('dialog', { name: 'Import from curl' }).getByRole('button', { name: 'Import' }).click();
      assert.equal(await http.getByLabel('URL', { exact: true }).inputValue(), address);
    }
    // The imported request, sent, is the gateway's: what its component logged comes with it.
    await http.getByRole('button', { name: 'Import curl' }).click();
    await page.getByLabel('curl command').fill(`curl -X POST localhost:${port}/qrcode -H 'Content-Type: application/json' -d '{"payload":"from localhost"}'`);
    await page.getByRole('dialog', { name: 'Import from curl' }).getByRole('button', { name: 'Import' }).click();
    await http.getByRole('button', { name: 'Send', exact: true }).click();
    await http.getByRole('tab', { name: /^Logs/ }).waitFor({ timeout: 30_000 });
  });

  it('takes a request typed to localhost on the gateway\'s port as the gateway\'s, with what its component logged', async () => {
    const port = new URL(await gateway()).port;
    const answer = await api.call('http.send', { method: 'POST', url: `http://localhost:${port}/qrcode`, headers: [['content-type', 'application/json']], body: Buffer.from('{"payload":"typed"}').toString('base64') });
    assert.equal(answer.status, 200);
    assert.equal(typeof answer.trafficId, 'number', 'filed in the traffic as the HTTP view\'s request');
    assert.ok(answer.logs?.some((line) => line.text.includes('stored')), JSON.stringify(answer.logs));
  });
});

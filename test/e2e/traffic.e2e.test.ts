// The Traffic view in Chromium, on a copy of the QR example: requests made with fetch show up
// in the list, the filters narrow it in the studio, a picked request shows its image, opens in
// the playground and is pinned as a check; an edit that changes the QR code's size fails that
// check after the reload (the reload indicator says so, and a click shows what differs), and a
// replay shows the changed pixels; HAR goes out as a download and comes back in. Screenshots
// land in test-results/ui/ (traffic-*.png), light and dark.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

const shotsDir = join(repoRoot, 'test-results', 'ui');

async function waitForText(locator: Locator, text: RegExp, timeout = 60_000): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

describe('the Traffic view in Chromium', () => {
  let project: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;
  let pageErrors: string[];
  const traffic = () => page.locator('section.view[data-view="traffic"]');
  const rows = () => traffic().locator('.traffic-row[data-id]');
  const qrcode = (payload: string) => fetch(new URL('/qrcode', studio.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload }) });

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    project = join(await mkdtemp(join(tmpdir(), 'studio-e2e-traffic-')), 'qrcode');
    for (const part of ['src', 'wit', '.wash']) await cp(join(repoRoot, 'assets', 'examples', 'qrcode', part), join(project, part), { recursive: true });
    studio = await startStudio(project, ['--workers', '1'], 180_000, { ui: true });
    ({ chromium, page, pageErrors } = await openStudioPage(studio.studioUrl, { width: 1500, height: 920 }));
    await mkdir(shotsDir, { recursive: true });
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (project) await rm(join(project, '..'), { recursive: true, force: true });
  });

  it('lists the requests clients made, newest first, as they come', async () => {
    await page.keyboard.press('Control+9');
    await page.locator('section.view[data-view="traffic"]:not([hidden])').waitFor();
    assert.equal((await (await fetch(studio.url)).text()).includes('<html'), true);
    assert.equal((await qrcode('https://wasmcloud.com')).status, 200);
    assert.equal((await fetch(new URL('/nothing-here', studio.url))).status, 404);
    await waitForText(rows(), /\/nothing-here/);
    await rows().nth(2).waitFor();
    assert.match(await rows().nth(0).innerText(), /GET[\s\S]*\/nothing-here[\s\S]*404/);
    assert.match(await rows().nth(1).innerText(), /POST[\s\S]*\/qrcode[\s\S]*200/);
    await page.screenshot({ path: join(shotsDir, 'traffic-list-light.png') });
  });

  it('filters by path, status class and method in the studio', async () => {
    await traffic().getByLabel('Filter by path').fill('qrcode');
    await waitForText(traffic().locator('.pane-status'), /^1 of 3 requests/);
    await traffic().getByLabel('Filter by path').fill('');
    await waitForText(traffic().locator('.pane-status'), /^3 of 3 requests/);
    await traffic().getByRole('group', { name: 'Status' }).getByRole('button', { name: '4xx' }).click();
    await waitForText(traffic().locator('.pane-status'), /^1 of 3 requests/);
    assert.match(await rows().nth(0).innerText(), /nothing-here/);
    await traffic().getByRole('group', { name: 'Status' }).getByRole('button', { name: '4xx' }).click();
    await waitForText(traffic().locator('.pane-status'), /^3 of 3 requests/);
    await traffic().getByLabel('Filter by method').selectOption('POST');
    await waitForText(traffic().locator('.pane-status'), /^1 of 3 requests/);
    await traffic().getByLabel('Filter by method').selectOption('');
    await waitForText(traffic().locator('.pane-status'), /^3 of 3 requests/);
  });

  it('shows a picked request with the playground\'s viewers, and opens it in the playground', async () => {
    await rows().filter({ hasText: '/qrcode' }).first().click();
    const detail = traffic().getByLabel('Request detail');
    await detail.locator('.image-preview img').waitFor();
    assert.match(await detail.getByLabel('Response headers').innerText(), /content-type\s+image\/png/);
    await detail.getByRole('tab', { name: 'Request' }).click();
    await waitForText(detail, /wasmcloud\.com/);
    await detail.getByRole('tab', { name: 'Timing' }).click();
    await waitForText(detail.getByLabel('Timing'), /Waiting for the first byte/);
    await detail.getByRole('tab', { name: 'Response' }).click();
    await page.screenshot({ path: join(shotsDir, 'traffic-detail-light.png') });
    await detail.getByRole('button', { name: 'Open in playground' }).click();
    const http = page.locator('section.view[data-view="http"]');
    await page.locator('section.view[data-view="http"]:not([hidden])').waitFor();
    assert.equal(await http.getByLabel('URL', { exact: true }).inputValue(), '/qrcode');
    await page.keyboard.press('Control+9');
  });

  it('opens a request made to <name>.localhost in the playground by that address, which the playground reaches', async () => {
    const port = new URL(studio.url).port;
    // fetch() may not set Host; a component linked as "qr" would answer at this address.
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/via-linked-address', headers: { host: `qr.localhost:${port}` } }, (res) => res.resume().on('end', resolve));
      req.on('error', reject).end();
    });
    await page.keyboard.press('Control+9');
    await traffic().getByLabel('Filter by path').fill('via-linked-address');
    await rows().filter({ hasText: '/via-linked-address' }).first().click();
    await traffic().getByLabel('Request detail').getByRole('button', { name: 'Open in playground' }).click();
    const http = page.locator('section.view[data-view="http"]:not([hidden])');
    await http.waitFor();
    assert.equal(await http.getByLabel('URL', { exact: true }).inputValue(), `http://qr.localhost:${port}/via-linked-address`);
    await page.keyboard.press('Control+Enter');
    await waitForText(page.getByTestId('response-status'), /^404/);
    await page.keyboard.press('Control+9');
    await traffic().getByLabel('Filter by path').fill('qrcode');
    // The tests after this one work on the QR request, picked as before.
    await waitForText(traffic().locator('.pane-status'), /^1 of \d+ requests/);
    await rows().filter({ hasText: '/qrcode' }).first().click();
    await traffic().getByLabel('Filter by path').fill('');
  });

  it('pins the request as a check, which fails after an edit changes the code\'s size, and shows why', async () => {
    const detail = traffic().getByLabel('Request detail');
    await detail.getByRole('button', { name: 'Pin as check' }).click();
    // A POST: every run on the live data would add a code to it. One click runs the file on a copy.
    const toast = page.locator('.toast').filter({ hasText: /Pinned 1 as a check/ });
    await waitForText(toast, /on your live data, and it is not GET: what it changes \(adding, replacing, deleting\) happens to your data on every run/);
    await toast.getByRole('button', { name: 'Run on a copy of the data' }).click();
    await waitForText(page.locator('.toast'), /Checks run on a copy of the data/);
    // The Checks tab lists the new check at once, with no reload of the page.
    await traffic().getByRole('tab', { name: /^Checks/ }).click();
    await waitForText(traffic().getByLabel('Check file'), /checks\.json \(1\)/);
    const file = JSON.parse(await readFile(join(project, '.wash', 'checks', 'checks.json'), 'utf8')) as { data?: string; checks: { request: { path: string }; expect: { status: number } }[] };
    assert.equal(file.checks[0]!.request.path, '/qrcode');
    assert.equal(file.data, 'copy');
    // The first reload runs the checks: they pass while nothing changed.
    const source = join(project, 'src', 'qr-image.ts');
    const original = await readFile(source, 'utf8');
    await writeFile(source, `${original}\n// saved again\n`);
    await waitForText(page.locator('.reload-checks'), /build 2 · 1\/1 checks pass/, 180_000);
    await writeFile(source, original.replace('const QUIET_ZONE = 4;', 'const QUIET_ZONE = 6;'));
    await waitForText(page.locator('.reload-checks[data-state="failed"]'), /build 3 · 0\/1 checks pass · POST \/qrcode failed/, 180_000);
    await page.locator('.sidebar').screenshot({ path: join(shotsDir, 'traffic-indicator-failed-light.png') });
    await page.locator('.reload-checks').click();
    const comparison = traffic().getByLabel('Check comparison');
    await waitForText(comparison.getByRole('alert'), /The body differs from the expected one/);
    await comparison.locator('[data-diff="image"] img').nth(1).waitFor();
    await page.screenshot({ path: join(shotsDir, 'traffic-check-failed-light.png') });
  });

  it('replays the original request against the new build and shows the changed pixels', async () => {
    await traffic().getByRole('tab', { name: 'Requests' }).click();
    await traffic().getByLabel('Filter by origin').selectOption('client');
    // The list is queried again a moment after the filter changes: a row picked before that
    // may be replaced under the click. So the row is picked once it has stayed the same for
    // two looks 300 ms apart, and is then held by its id.
    let id: string | null = null;
    for (let seen = 0; seen < 2; ) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const now = await rows().filter({ hasText: '/qrcode' }).last().getAttribute('data-id');
      seen = now !== null && now === id ? seen + 1 : 0;
      id = now;
    }
    const row = rows().and(page.locator(`[data-id="${id}"]`));
    await row.getByRole('checkbox').check();
    await traffic().getByRole('button', { name: /^Replay 1$/ }).click();
    const panel = traffic().getByLabel('Replay');
    await waitForText(panel.getByRole('status'), /0 matched · 1 changed · 0 failed/);
    const changed = panel.getByLabel('Changed pixels');
    await changed.locator('img').waitFor();
    assert.match(await changed.innerText(), /pixels changed[\s\S]*size 264×264 → 296×296/);
    await page.screenshot({ path: join(shotsDir, 'traffic-replay-image-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shotsDir, 'traffic-replay-image-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await panel.getByRole('button', { name: 'Close' }).click();
    await row.getByRole('checkbox').uncheck();
  });

  it('exports HAR as a download and imports it back', async () => {
    await traffic().getByLabel('Filter by origin').selectOption('');
    const downloading = page.waitForEvent('download');
    await traffic().getByRole('button', { name: /^Export HAR/ }).click();
    const download = await downloading;
    const path = await download.path();
    const har = JSON.parse(await readFile(path, 'utf8')) as { log: { version: string; entries: { request: { url: string } }[] } };
    assert.equal(har.log.version, '1.2');
    assert.ok(har.log.entries.some((e) => e.request.url.endsWith('/qrcode')));
    await traffic().getByLabel('HAR file').setInputFiles(path);
    await waitForText(page.locator('.toast'), new RegExp(`Imported ${har.log.entries.length} requests`));
    await waitForText(traffic().locator('.pane-status'), new RegExp(`^${har.log.entries.length} of`));
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shotsDir, 'traffic-list-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    assert.deepEqual(pageErrors, []);
  });

});

// The studio UI in a real browser, against the real studio: `component-studio dev` on a copy
// of the QR example, its browser-mode bridge, Debian's Chromium driven by playwright-core.
// Each test does what a user does in one view and checks what they would see (and, for
// edits, what lands on disk). Screenshots of every view, light and dark, go to
// test-results/ui/.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { decodeQr } from '../helpers/qr.ts';
import { fileBecomes, folderBecomes } from '../helpers/settled-files.ts';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, collectPageErrors, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

const shotsDir = join(repoRoot, 'test-results', 'ui');
const VIEWS = ['workloads', 'http', 'logs', 'kv', 'blobs', 'settings'] as const;

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Waits until the image shown at `img` scans as `expected`: the image may still be loading, or
 * still be the previous response's until the new one replaces it.
 */
async function waitForQr(img: Locator, expected: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < deadline) {
    const loaded = await img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0).catch(() => false);
    if (loaded) {
      last = decodeQr(await img.screenshot());
      if (last === expected) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for the QR code in ${img} to read ${JSON.stringify(expected)}; last read: ${JSON.stringify(last)}`);
}

/** The build number the always-visible reload indicator says is serving. */
async function servingBuild(page: Page): Promise<number> {
  const text = await waitForText(page.locator('.reload-indicator'), /Serving build \d+/);
  return Number(/Serving build (\d+)/.exec(text)![1]);
}

/** Waits until the locator's text matches (Playwright's test runner has expect(); playwright-core does not). */
async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.first().textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => null)) ?? '';
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${pattern} in ${locator}; last text: ${JSON.stringify(last.slice(0, 500))}`);
}

/** Replaces the whole text of a Monaco editor, as a user selecting all and typing would. */
async function typeInEditor(page: Page, label: string, text: string): Promise<void> {
  const editor = page.locator(`.code-editor[aria-label="${label}"] .monaco-editor`);
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

describe('the studio UI in Chromium', () => {
  let studio: StudioProcess;
  let project: string;
  let chromium: Chromium;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    // No browser is a failure with a way out, never a silent skip.
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    project = join(await mkdtemp(join(tmpdir(), 'studio-e2e-')), 'qrcode');
    for (const part of ['src', 'wit', '.wash']) await cp(join(repoRoot, 'assets', 'examples', 'qrcode', part), join(project, part), { recursive: true });
    // A config folder of its own: the HTTP view's history starts empty, as for a new user.
    studio = await startStudio(project, [], 180_000, { ui: true, configDir: join(dirname(project), 'config') });
    ({ chromium, page, pageErrors } = await openStudioPage(studio.studioUrl));
    await mkdir(shotsDir, { recursive: true });
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (project) await rm(join(project, '..'), { recursive: true, force: true });
  });

  /** The view on screen (hidden views stay mounted, so locators are scoped to the one shown). */
  const view = (name: (typeof VIEWS)[number]) => page.locator(`section.view[data-view="${name}"]`);
  const go = async (view: (typeof VIEWS)[number]) => {
    await page.keyboard.press(`Control+${VIEWS.indexOf(view) + 1}`);
    await page.locator(`section.view[data-view="${view}"]:not([hidden])`).waitFor();
  };

  it('opens with the token, drops it from the address bar and shows the running workload', async () => {
    assert.doesNotMatch(page.url(), /token=/);
    await go('workloads');
    const card = page.locator('.workload-card');
    await waitForText(card.locator('.state-pill'), /running/);
    await waitForText(card, /wasi:http\/incoming-handler/);
    await waitForText(card, /build 1/);
    const link = card.locator('a.url-link');
    assert.equal(await link.getAttribute('href'), studio.url);
  });

  it('keeps its access through a reload; a tab opened without the token says how to get in', async () => {
    await page.reload();
    await page.locator('.reload-indicator[data-state="serving"]').waitFor({ timeout: 30_000 });
    assert.doesNotMatch(page.url(), /token=/);
    const origin = new URL(studio.studioUrl).origin;
    const other = await chromium.context.newPage();
    const otherErrors = collectPageErrors(other);
    try {
      await other.goto(`${origin}/`);
      const refused = other.locator('.reload-indicator[data-state="refused"]');
      await refused.waitFor({ timeout: 15_000 });
      assert.match((await refused.textContent()) ?? '', /No access.*URL printed in the terminal/);
      // Without a token it knows it would be refused, and does not try the API (no 403 in the console).
      assert.deepEqual(otherErrors, []);
      await other.goto(`${origin}/?token=from-an-earlier-launch`);
      assert.match((await other.textContent('body')) ?? '', /wrong token, perhaps from an earlier launch/);
    } finally {
      await other.close();
    }
    // No cookie carries the token to the gateway or to any other server on 127.0.0.1.
    assert.deepEqual(await chromium.context.cookies(), []);
  });

  it('switches views with Ctrl+1..6 and shows the shortcuts on ?', async () => {
    for (const view of VIEWS) await go(view);
    await go('workloads');
    await page.locator('body').press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await waitForText(help, /Go to Logs/);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });

  it('generates a QR code in the playground and shows the image', async () => {
    await go('http');
    await page.getByRole('button', { name: /Generate a QR code/ }).click();
    await page.keyboard.press('Control+Enter');
    await waitForText(page.getByTestId('response-status'), /^200 OK/);
    // What the user sees scans back to the payload.
    await waitForQr(page.locator('.response-pane .image-preview img'), 'https://wasmcloud.com');
    await waitForText(page.locator('.history-list'), /\/qrcode/);
  });

  it('shows the parse error of an invalid JSON body before sending anything', async () => {
    const before = await page.locator('.history-item').count();
    await typeInEditor(page, 'JSON body', '{"payload": oops}');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await waitForText(page.getByTestId('request-problem'), /JSON body does not parse: unexpected text near "oops" \(line 1, column 13\)/);
    assert.equal(await page.locator('.history-item').count(), before, 'nothing was sent');
    // The QR code before is not left to pass for this request's answer.
    await page.locator('.response-pane').getByText('Not sent').waitFor();
    assert.equal(await page.getByTestId('response-status').count(), 0);
    await page.getByRole('button', { name: /Generate a QR code/ }).click();
  });

  it('shows what the component logged for a 5xx answer, in a Logs tab of the response', async () => {
    await page.getByRole('radiogroup', { name: 'Body type' }).getByRole('radio', { name: 'Text', exact: true }).click();
    await typeInEditor(page, 'Text body', 'this is not json either');
    await page.keyboard.press('Control+Enter');
    await waitForText(page.getByTestId('response-status'), /^500/);
    await page.locator('.response-pane').getByRole('button', { name: 'Show the log' }).click();
    await waitForText(page.locator('.response-pane [aria-label="Request logs"]'), /request body is not valid JSON/);
    // The response's text has an editor of its own, made after the body's: Ctrl+Enter inside
    // the body editor still sends (Monaco's keybindings are global unless tied to one editor).
    await page.locator('.response-pane').getByRole('tab', { name: 'Body' }).click();
    await page.locator('.response-pane .code-editor .monaco-editor').waitFor();
    const sent = await page.locator('.history-item').count();
    await typeInEditor(page, 'Text body', 'still not json');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.history-item').length > n, sent, { timeout: 15_000 });
    await page.getByRole('button', { name: /Generate a QR code/ }).click();
  });

  it('says why an unreachable URL failed, with a hint', async () => {
    const port = await closedPort();
    await page.getByLabel('URL', { exact: true }).fill(`http://127.0.0.1:${port}/`);
    await page.getByLabel('Method', { exact: true }).selectOption('GET');
    await page.keyboard.press('Control+Enter');
    const note = page.locator('.response-pane .error-note');
    await waitForText(note, /did not complete/);
    assert.match((await note.textContent()) ?? '', new RegExp(`Could not reach 127\\.0\\.0\\.1:${port}: connection refused\\.\\s*Check the address and port`));
  });

  it('imports a curl command, sends it, and copies the request back as curl', async () => {
    await page.getByRole('button', { name: 'Import curl' }).click();
    await page.getByLabel('curl command').fill(`curl -X POST '${studio.url}qrcode' -H 'Content-Type: application/json' --data-raw '{"payload":"from curl"}'`);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    assert.equal(await page.getByLabel('URL', { exact: true }).inputValue(), '/qrcode');
    await page.keyboard.press('Control+Enter');
    await waitForText(page.getByTestId('response-status'), /^200 OK/);
    await waitForQr(page.locator('.response-pane .image-preview img'), 'from curl');
    await page.getByRole('button', { name: 'Copy as curl' }).click();
    const command = await waitForText(page.locator('pre.curl-text'), /^curl /);
    assert.equal(command, `curl ${studio.url}qrcode -H 'Content-Type: application/json' --data-raw '{"payload":"from curl"}'`);
    await page.keyboard.press('Escape');
  });

  it('reopens a request from the history with its response, or with why it failed', async () => {
    const history = page.locator('.history-list');
    // By the status badge: a URL's port may hold "500" or "200" too.
    const entry = (status: string) => history.locator(`.history-item:has(.status-mini:text-is("${status}"))`);
    await entry('500').first().click();
    await waitForText(page.getByTestId('response-status'), /^500/);
    assert.equal(await page.getByLabel('Method', { exact: true }).inputValue(), 'POST');
    await entry('ERR').click();
    await waitForText(page.locator('.response-pane .error-note'), /connection refused/);
    await entry('200').last().click();
    await waitForText(page.getByTestId('response-status'), /^200 OK/);
    await waitForQr(page.locator('.response-pane .image-preview img'), 'https://wasmcloud.com');
  });

  it('finds the generated PNG in the blob browser and previews it', async () => {
    await go('blobs');
    await view('blobs').locator('.bucket-pane').getByRole('button', { name: 'qrcodes', exact: true }).click();
    const row = view('blobs').locator('.grid-row', { hasText: /https-wasmcloud-com\.png/ }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await waitForQr(view('blobs').locator('.detail-pane .image-preview img'), 'https://wasmcloud.com');
    await waitForText(view('blobs').locator('.detail-pane .detail-header'), /image\/png/);
  });

  it('shows the counter in the key-value browser, edits it, and the new value is on disk', async () => {
    await go('kv');
    const kv = view('kv');
    await kv.locator('.bucket-pane').getByRole('button', { name: 'qrcode', exact: true }).click();
    await kv.getByRole('option', { name: 'generated' }).click();
    // Two QR codes so far (the example and the one imported from curl); wash keeps counters as decimal text.
    await waitForText(kv.getByTestId('counter-value'), /^2$/);
    await kv.getByRole('button', { name: /Edit/ }).click();
    await kv.getByLabel('Counter value').fill('41');
    await page.keyboard.press('Control+s');
    await waitForText(page.locator('.toast'), /Saved generated/);
    await fileBecomes(join(project, '.wash', 'data', 'keyvalue', 'qrcode', 'generated'), '41');
    // The component counts on from the edited value, and the browser follows live.
    const res = await fetch(new URL('/qrcode', studio.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"payload":"after edit"}' });
    assert.equal(res.status, 200);
    await waitForText(kv.getByTestId('counter-value'), /^42$/);
  });

  it('uploads a file in parts with progress, previews it capped, and deletes it after confirming', async () => {
    await go('blobs');
    const blobs = view('blobs');
    const text = Array.from({ length: 130_000 }, (_, i) => `line ${i} of a big text file`).join('\n');
    const bytes = Buffer.from(text);
    assert.ok(bytes.length > 3 * 2 ** 20, 'bigger than the preview cap and than one upload part');
    await blobs.locator('input[type="file"]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: bytes });
    const row = blobs.locator('.grid-row', { hasText: 'notes.txt' });
    await row.waitFor({ timeout: 30_000 });
    const onDisk = join(project, '.wash', 'data', 'blobstore', 'qrcodes', 'notes.txt');
    assert.ok((await readFile(onDisk)).equals(bytes), 'the uploaded bytes are on disk as they were');
    await row.click();
    await waitForText(blobs.locator('.detail-pane .notice'), /Showing the first 2\.0 MiB of 3\.\d MiB/);
    await waitForText(blobs.locator('.detail-pane .view-lines'), /line\s0\sof\sa\sbig\stext\sfile/);
    await row.getByRole('checkbox').check();
    await blobs.getByRole('button', { name: 'Delete (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete 1 object?' });
    await waitForText(dialog, /notes\.txt/);
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    await assert.rejects(readFile(onDisk), { code: 'ENOENT' });
  });

  it('creates a key with a JSON value, shows it pretty, and deletes it after confirming', async () => {
    await go('kv');
    const kv = view('kv');
    await kv.getByRole('button', { name: '+ New key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New key in qrcode' });
    await dialog.getByLabel('Key').fill('settings/theme');
    await dialog.getByLabel('Value (text)').fill('{"dark":true,"accent":"blue"}');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await kv.getByRole('option', { name: 'settings/theme' }).waitFor();
    await waitForText(kv.locator('.detail-pane .kind-badge'), /json/);
    await waitForText(kv.locator('.detail-pane .view-lines'), /"dark":\strue,\s*"accent"/);
    const bucketDir = join(project, '.wash', 'data', 'keyvalue', 'qrcode');
    await folderBecomes(bucketDir, ['generated', 'settings%2Ftheme'], (name) => !name.startsWith('.'));
    await kv.locator('.detail-pane').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete settings/theme?' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await kv.getByRole('option', { name: 'settings/theme' }).waitFor({ state: 'detached' });
    await folderBecomes(bucketDir, ['generated'], (name) => !name.startsWith('.'));
  });

  it('shows the bucket named "" (keys in the key-value folder itself, as wash keeps them) and its keys', async () => {
    await writeFile(join(project, '.wash', 'data', 'keyvalue', 'request-count'), '7');
    await go('kv');
    const kv = view('kv');
    // The watcher says a bucket appeared; the list shows it under a name one can see.
    const root = kv.locator('.bucket-pane').getByRole('button', { name: '"" (root)' });
    await root.click();
    await kv.getByRole('option', { name: 'request-count' }).click();
    await waitForText(kv.locator('.detail-pane'), /counter|7/);
    await kv.locator('.bucket-pane').getByRole('button', { name: 'qrcode', exact: true }).click();
    await rm(join(project, '.wash', 'data', 'keyvalue', 'request-count'));
  });

  it('shows a value over 2 MiB cut and not for editing, and downloads it whole', async () => {
    const text = Array.from({ length: 160_000 }, (_, i) => `value line ${i}`).join('\n');
    const onDisk = join(project, '.wash', 'data', 'keyvalue', 'qrcode', 'big-value');
    await writeFile(onDisk, text);
    await go('kv');
    const kv = view('kv');
    await kv.getByRole('option', { name: 'big-value' }).click();
    await waitForText(kv.locator('.detail-pane .notice'), /Showing the first 2\.0 MiB of 2\.\d MiB\. Download it to see all of it; a value this large is not edited here\./);
    await waitForText(kv.locator('.detail-pane .detail-title'), /2\.\d MiB/);
    assert.equal(await kv.getByRole('button', { name: /Edit/ }).count(), 0, 'a cut value is not offered for editing');
    const downloading = page.waitForEvent('download');
    await kv.getByRole('button', { name: /Download/ }).click();
    // Read where the browser put it: a file saved into the project would start a build.
    const saved = await (await downloading).path();
    assert.equal((await readFile(saved, 'utf8')).length, text.length, 'the download holds the whole value');
    await rm(onDisk);
  });

  it('finds a failure in the logs with search, highlighted', async () => {
    const res = await fetch(new URL('/qrcode', studio.url), { method: 'POST', body: 'this is not json' });
    assert.equal(res.status, 500);
    await go('logs');
    await page.keyboard.press('Control+F');
    await page.keyboard.type('not valid JSON');
    const mark = page.locator('.log-row mark');
    await waitForText(mark, /^not valid JSON$/i);
    await waitForText(page.getByTestId('log-count'), /^\d+ of \d+ matching$/);
    const rows = await page.locator('.log-row').allTextContents();
    assert.ok(rows.every((r) => /not valid JSON/i.test(r) || r.trim() === '' || /^\s/.test(r)), `only matching lines: ${rows.join('\n')}`);
    // A row is cut to one line; a click shows the whole of it, Escape closes it.
    await page.locator('.log-row').filter({ hasText: /not valid JSON/i }).first().click();
    await waitForText(page.getByRole('region', { name: 'Whole log line' }), /request body is not valid JSON: .+/);
    await page.keyboard.press('Escape');
    await page.getByRole('region', { name: 'Whole log line' }).waitFor({ state: 'detached' });
  });

  it('shows a reload when a source file changes, and serves the new version', async () => {
    const file = join(project, 'src', 'component.ts');
    const source = await readFile(file, 'utf8');
    assert.match(source, /text\(404, 'Not found\\n'\)/);
    // Build numbers are read, not assumed: an editor's save may reach the watcher as two events.
    const before = await servingBuild(page);
    const toast = page.locator('.toast', { hasText: /Reloaded: build \d+/ }).waitFor({ timeout: 180_000 });
    await writeFile(file, source.replace(`text(404, 'Not found\\n')`, `text(404, 'Nothing here\\n')`));
    await page.locator('.reload-indicator[data-state="building"]').waitFor({ timeout: 30_000 });
    await toast;
    assert.ok((await servingBuild(page)) > before, 'a newer build serves');
    await go('http');
    await page.getByLabel('Method', { exact: true }).selectOption('GET');
    await page.getByLabel('URL', { exact: true }).fill('/nope');
    await page.keyboard.press('Control+Enter');
    await waitForText(page.getByTestId('response-status'), /^404/);
    await waitForText(page.locator('.response-pane .view-lines'), /Nothing\shere/);
    // A method beyond the usual seven reaches the component too, not a 501 of the gateway.
    await page.getByLabel('Method', { exact: true }).selectOption('PURGE');
    await page.keyboard.press('Control+Enter');
    await waitForText(page.locator('.history-list'), /PURGE/);
    await waitForText(page.getByTestId('response-status'), /^404/);
    await page.getByLabel('Method', { exact: true }).selectOption('GET');
  });

  it('shows a failed build with its output, and keeps serving the last good build', async () => {
    const file = join(project, 'src', 'component.ts');
    const source = await readFile(file, 'utf8');
    const good = await servingBuild(page);
    await writeFile(file, `${source}\nconst broken: number = ;\n`);
    await page.locator('.reload-indicator[data-state="failed"]').waitFor({ timeout: 120_000 });
    const indicator = await waitForText(page.locator('.reload-indicator'), new RegExp(`Build \\d+ failed.*Still serving build ${good}\\b`, 's'));
    const failedBuild = /Build (\d+) failed/.exec(indicator)![1];
    await go('workloads');
    const failed = view('workloads').getByRole('region', { name: 'Failed build' });
    await waitForText(failed, new RegExp(`Build ${failedBuild} failed`));
    await failed.locator('pre.ansi').waitFor();
    assert.match((await failed.locator('pre.ansi').textContent()) ?? '', /component\.ts/);
    const res = await fetch(new URL('/nope', studio.url));
    assert.equal(await res.text(), 'Nothing here\n', 'the last good build still answers');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shotsDir, 'build-failed-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('.reload-indicator').click();
    const dialog = page.getByRole('dialog', { name: 'Builds' });
    await waitForText(dialog, new RegExp(`#${failedBuild}\\s*failed`));
    await page.screenshot({ path: join(shotsDir, 'build-output-light.png') });
    await page.keyboard.press('Escape');
    await writeFile(file, source);
    await page.locator('.reload-indicator[data-state="serving"]').waitFor({ timeout: 120_000 });
    assert.ok((await servingBuild(page)) > Number(failedBuild), 'the fixed build serves');
  });

  it('takes a screenshot of every view, light and dark', async () => {
    // Put something worth seeing in each view first.
    await go('http');
    await page.getByRole('button', { name: /Generate a QR code/ }).click();
    await page.keyboard.press('Control+Enter');
    await waitForText(page.getByTestId('response-status'), /^200 OK/);
    await go('logs');
    await page.getByLabel('Search logs').fill('');
    // Toasts fade by themselves; screenshots show the views, not the last notifications.
    await page.locator('.toast').first().waitFor({ state: 'detached', timeout: 15_000 });
    await go('kv');
    await view('kv').getByRole('option', { name: 'generated' }).click();
    await waitForText(view('kv').locator('.pane-status'), /^1 key\b/);
    await go('blobs');
    await view('blobs').locator('.grid-row', { hasText: '000001-https-wasmcloud-com.png' }).click();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const view of VIEWS) {
        await go(view);
        await page.waitForTimeout(400);
        await page.screenshot({ path: join(shotsDir, `${view}-${scheme}.png`) });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('logged no error in the page (uncaught exceptions, CSP violations, failed loads)', () => {
    assert.deepEqual(pageErrors, []);
  });
});

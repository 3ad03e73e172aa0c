// What a new user met in a probe of the UI, each in Chromium against the real studio (on the
// stdio WAT component, served as it is): names that would read as something else, dialogs that
// destroy on Enter, an upload that replaced an object unasked, a body type switch that sent the
// wrong Content-Type and no body, a header value HTTP cannot carry, and a Back button that left.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { watFixtureAlone } from '../fixtures/fixtures.ts';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

const shotsDir = join(repoRoot, 'test-results', 'ui');

describe('the studio UI keeps a new user safe', () => {
  let dir: string;
  /** The component's folder, named to mislead; the studio's own log lines name it. */
  let home: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;
  let pageErrors: string[];
  const view = (id: string) => page.locator(`section.view[data-view="${id}"]`);
  const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
  const shot = (name: string) => page.screenshot({ path: join(shotsDir, `${name}.png`) });

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    let fixture: string;
    ({ dir, wasm: fixture } = await watFixtureAlone('stdio'));
    home = join(dir, 'err \u202eevil\u202c');
    await mkdir(home);
    const wasm = join(home, 'stdio.wasm');
    await copyFile(fixture, wasm);
    // Data a component (or anything else) left: names made to mislead.
    const names = join(home, '.wash', 'data', 'keyvalue', 'names');
    await mkdir(names, { recursive: true });
    for (const key of ['evil\u202eexe.txt', '  spaced  ', 'plain']) await writeFile(join(names, key), 'x');
    const files = join(home, '.wash', 'data', 'blobstore', 'files');
    await mkdir(files, { recursive: true });
    await writeFile(join(files, 'evil\u202egnp.js'), 'x');
    await writeFile(join(files, 'notes.txt'), 'the first notes');
    studio = await startStudio(wasm, ['--workers', '1'], 120_000, { ui: true });
    ({ chromium, page, pageErrors } = await openStudioPage(studio.studioUrl, { width: 1280, height: 720 }));
    await mkdir(shotsDir, { recursive: true });
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows a text-direction override in a log line as what it is, with a search marking the line too', async () => {
    await page.keyboard.press('Control+3');
    const logs = view('logs');
    const line = logs.locator('.log-row', { hasText: 'Component Studio dev' }).locator('.log-text');
    await line.waitFor();
    assert.match((await line.textContent()) ?? '', /err \[U\+202E\]evil\[U\+202C\]\/stdio\.wasm/);
    await logs.getByLabel('Search logs').fill('evil');
    await logs.getByTestId('log-count').filter({ hasText: 'matching' }).waitFor();
    await line.locator('mark').first().waitFor();
    assert.equal(await line.locator('mark').first().textContent(), 'evil');
    assert.match((await line.textContent()) ?? '', /err \[U\+202E\]evil\[U\+202C\]\/stdio\.wasm/);
    assert.doesNotMatch(await line.innerHTML(), /\u202e|\u202c/, 'no override reaches the page');
    await shot('safety-logs-search');
    await logs.getByLabel('Search logs').fill('');
  });

  it('shows a key\'s hidden characters and edge spaces, in the list and the value\'s heading', async () => {
    await page.keyboard.press('Control+4');
    await view('kv').locator('.bucket-pane').getByRole('button', { name: 'names' }).click();
    const list = view('kv').getByRole('listbox', { name: 'Key list' });
    await list.getByRole('option', { name: 'plain' }).waitFor();
    assert.deepEqual(await list.locator('.list-row').allTextContents(), ['␣␣spaced␣␣', 'evil[U+202E]exe.txt', 'plain']);
    await list.getByRole('option', { name: 'evil[U+202E]exe.txt' }).click();
    assert.equal(await view('kv').locator('.detail-title h2').textContent(), 'evil[U+202E]exe.txt');
    assert.equal(await list.locator('.hidden-char').first().getAttribute('title'), 'a space');
    await shot('safety-kv-names');
  });

  it('puts the focus on Cancel in a delete dialog, so Enter deletes nothing', async () => {
    await view('kv').locator('.detail-pane').getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete evil[U+202E]exe.txt?' });
    await dialog.waitFor();
    assert.equal(await focused(), 'Cancel');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await readFile(join(home, '.wash', 'data', 'keyvalue', 'names', 'evil\u202eexe.txt'), 'utf8'), 'x', 'the key is still there');
  });

  it('says how many keys deleting a bucket takes, with the focus on Cancel', async () => {
    await view('kv').getByRole('button', { name: 'Delete this bucket…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete bucket names?' });
    await dialog.waitFor();
    assert.match((await dialog.locator('.dialog-body').textContent()) ?? '', /All its 3 keys are deleted from disk/);
    assert.equal(await focused(), 'Cancel');
    await shot('safety-delete-bucket');
    await page.keyboard.press('Escape');
  });

  it('moves between views with the browser\'s Back and Forward, within the studio', async () => {
    const studioPage = new URL(page.url());
    await page.keyboard.press('Control+5');
    await view('blobs').and(page.locator(':not([hidden])')).waitFor();
    await page.goBack();
    await page.locator('section.view[data-view="kv"]:not([hidden])').waitFor();
    await page.goBack();
    await page.locator('section.view[data-view="logs"]:not([hidden])').waitFor();
    await page.goBack();
    await page.locator('section.view[data-view="workloads"]:not([hidden])').waitFor();
    assert.equal(new URL(page.url()).pathname, studioPage.pathname, 'still on the studio\'s page');
    await page.goForward();
    await page.locator('section.view[data-view="logs"]:not([hidden])').waitFor();
    await page.goForward();
    await page.goForward();
    await page.locator('section.view[data-view="blobs"]:not([hidden])').waitFor();
    assert.equal(new URL(page.url()).hash, '#blobs');
  });

  it('shows an object\'s hidden characters, and says the filter takes the start of names', async () => {
    const blobs = view('blobs');
    await blobs.locator('.bucket-pane').getByRole('button', { name: 'files' }).click();
    await blobs.locator('.col-name', { hasText: 'notes.txt' }).waitFor();
    assert.equal(await blobs.locator('.col-name.mono').first().textContent(), 'evil[U+202E]gnp.js');
    assert.match((await blobs.getByLabel('Filter objects').getAttribute('placeholder')) ?? '', /starting with/);
  });

  it('asks before an upload replaces an object of the same name', async () => {
    const blobs = view('blobs');
    const upload = () => blobs.locator('input[type="file"]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('the second notes') });
    await upload();
    const dialog = page.getByRole('dialog', { name: 'Replace notes.txt?' });
    await dialog.waitFor();
    assert.equal(await focused(), 'Cancel');
    await shot('safety-replace-upload');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const object = join(home, '.wash', 'data', 'blobstore', 'files', 'notes.txt');
    assert.equal(await readFile(object, 'utf8'), 'the first notes', 'Cancel sent nothing');
    await upload();
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await blobs.locator('.upload-row[data-state="done"]').waitFor();
    assert.equal(await readFile(object, 'utf8'), 'the second notes');
  });

  it('keeps the Content-Type and the body in step with the body type', async () => {
    await page.keyboard.press('Control+2');
    await page.getByRole('button', { name: 'Import curl' }).click();
    await page.getByLabel('curl command').fill(`curl -X POST ${studio.url} -H 'Content-Type: application/json' -d '{"payload":"hi"}'`);
    await page.getByRole('dialog').getByRole('button', { name: 'Import' }).click();
    await view('http').getByRole('radio', { name: 'Text' }).click();
    await page.locator('.code-editor[aria-label="Text body"] .view-lines', { hasText: '{"payload":"hi"}' }).waitFor();
    await view('http').getByRole('button', { name: 'Copy as curl' }).click();
    const curl = (await page.getByRole('dialog', { name: 'Copy as curl' }).locator('pre').textContent()) ?? '';
    assert.match(curl, /Content-Type: text\/plain; charset=utf-8/);
    assert.doesNotMatch(curl, /application\/json/);
    assert.match(curl, /\{"payload":"hi"\}/);
    await page.keyboard.press('Escape');
  });

  it('says what is wrong with a header value HTTP cannot carry, and marks its row', async () => {
    const http = view('http');
    await http.getByRole('tab', { name: /Headers/ }).click();
    await http.getByLabel('Header 1').fill('X-Custom');
    await http.getByLabel('Value 1').fill('ünïcode ✓');
    await http.getByRole('button', { name: 'Send' }).click();
    const problem = page.getByTestId('request-problem');
    await problem.waitFor();
    assert.match((await problem.textContent()) ?? '', /The value of the X-Custom header has “✓” \(U\+2713\).*Percent-encode the text.*or base64 it/);
    assert.equal(await http.getByLabel('Value 1').getAttribute('aria-invalid'), 'true');
    await shot('safety-header-value');
    assert.deepEqual(pageErrors, []);
  });

  it('on a .wasm served alone, says how to give it environment variables, never to edit a studio.yaml it has not', async () => {
    await page.keyboard.press('Control+1');
    const environment = view('workloads').getByRole('region', { name: 'Environment' });
    await environment.waitFor();
    const text = await environment.innerText();
    assert.match(text, /A \.wasm file served alone gets no environment variables/);
    assert.match(text, /build\.component_path/);
    assert.match(await view('workloads').getByRole('region', { name: 'Instances' }).innerText(), /no project to keep a choice in/);
    await environment.scrollIntoViewIfNeeded();
    await shot('safety-wasm-environment');
  });

  it('shows a text-direction override in the project\'s paths as what it is, in Workloads and Settings, and says version in Traffic', async () => {
    await page.keyboard.press('Control+1');
    const header = view('workloads').locator('.view-header p');
    await header.filter({ hasText: 'err [U+202E]evil[U+202C]/stdio.wasm' }).waitFor();
    assert.match((await view('workloads').locator('.workload-card').first().innerText()), /err \[U\+202E\]evil\[U\+202C\]\/stdio\.wasm/);
    await page.keyboard.press('Control+6');
    await view('settings').getByTestId('project-path').filter({ hasText: 'err [U+202E]evil[U+202C]/stdio.wasm' }).waitFor();
    // A file has versions, not builds: the Traffic view says so as the rest of the UI does.
    await page.keyboard.press('Control+9');
    const filter = view('traffic').getByLabel('Filter by version');
    await filter.waitFor();
    assert.equal(await filter.locator('option').first().textContent(), 'Any version');
    await view('traffic').getByRole('button', { name: 'Replay a whole version' }).waitFor();
    const body = await page.locator('body').innerText();
    const at = body.indexOf('\u202e');
    assert.equal(at, -1, `no override reaches the page: ${JSON.stringify(body.slice(Math.max(0, at - 120), at + 40))}`);
  });
});

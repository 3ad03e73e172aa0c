// The Data view in Chromium, on the store-probe project (a component that writes keys and
// objects on request) with the QR example's seed data beside it: the seed data is offered
// while the data is empty and loads; a snapshot is taken from a dialog; after the component
// changes the data, comparing shows what changed with both values side by side; a restore
// says what it replaces, and the key-value browser shows the restored value; an export
// downloads an archive that imports back under another name. Screenshots land in
// test-results/ui/ (data-*.png), light and dark.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makeProject, probe } from '../helpers/store-probe.ts';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

const shotsDir = join(repoRoot, 'test-results', 'ui');
/** One of the QR codes in the seed data, as the example names them. */
const HELLO_PNG = '000003-hello-from-a-webassembly-component.png';

/** A board whose card count comes after 200 lines of notes, once pretty-printed: a diff must scroll to it. */
const board = (cards: number) => JSON.stringify({ title: 'Groceries', notes: Array.from({ length: 200 }, (_, n) => `note ${n}`), cards });

describe('the Data view in Chromium', () => {
  let tempDir: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;
  let pageErrors: string[];
  const kv = probe(() => studio);
  const data = () => page.locator('section.view[data-view="data"]');
  const row = (name: string) => data().locator(`tr[data-snapshot="${name}"]`);

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    tempDir = await mkdtemp(join(tmpdir(), 'studio-e2e-data-'));
    const dir = await makeProject(tempDir, 'version: 1\n');
    await copyFile(join(repoRoot, 'assets', 'examples', 'qrcode', '.wash', 'seed-data.tar.gz'), join(dir, '.wash', 'seed-data.tar.gz'));
    // A config folder of its own: the UI starts as a new user's would (no HTTP draft of other tests).
    studio = await startStudio(dir, ['--workers', '1'], 180_000, { ui: true, configDir: join(tempDir, 'config') });
    ({ chromium, page, pageErrors } = await openStudioPage(studio.studioUrl, { width: 1400, height: 900 }));
    await page.locator('.nav-item[data-view="data"]').click();
    await page.locator('section.view[data-view="data"]:not([hidden])').waitFor();
    await mkdir(shotsDir, { recursive: true });
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it('offers the seed data while the data is empty, and loads it', async () => {
    const offer = data().locator('.seed-offer');
    await offer.waitFor();
    await page.screenshot({ path: join(shotsDir, 'data-empty-seed-light.png') });
    await offer.getByRole('button', { name: 'Load seed data' }).click();
    await row('seed data').waitFor();
    await offer.waitFor({ state: 'detached' });
    // The seed is the component's own data: its counter, which the next QR code carries on from.
    const counter = await kv.ok<{ text: string } | null>('GET', '/kv/get', { bucket: 'qrcode', key: 'generated' });
    assert.equal(counter?.text, '3');
  });

  it('offers this project\'s root in the HTTP view, not the QR example\'s requests', async () => {
    await page.locator('.nav-item[data-view="http"]').click();
    const sidebar = page.locator('.http-sidebar');
    await sidebar.locator('.pane-heading', { hasText: /^Examples$/ }).waitFor();
    assert.equal(await sidebar.getByRole('button', { name: /Generate a QR code/ }).count(), 0);
    assert.equal(await page.getByLabel('URL', { exact: true }).inputValue(), '/');
    // Nor do the data browsers speak of the QR example's bucket and container.
    for (const view of ['kv', 'blobs']) {
      await page.locator(`.nav-item[data-view="${view}"]`).click();
      const empty = page.locator(`section.view[data-view="${view}"] .detail-pane .empty-state`);
      await empty.waitFor();
      assert.doesNotMatch(await empty.innerText(), /QR example/);
    }
    await page.locator('.nav-item[data-view="data"]').click();
  });

  it('takes a snapshot from a dialog', async () => {
    await kv.ok('PUT', '/kv/set', { bucket: 'boards', key: 'board-1' }, board(3));
    await data().getByRole('button', { name: 'Take snapshot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Take a snapshot' });
    await dialog.getByLabel('Name').fill('three cards');
    await dialog.getByLabel('Note').fill('the demo board');
    // Ctrl+Enter in the note takes it, as it sends a request in the HTTP view.
    await dialog.getByLabel('Note').press('Control+Enter');
    await row('three cards').waitFor();
    assert.match(await row('three cards').innerText(), /the demo board[\s\S]*2 keys in 2 buckets[\s\S]*3 objects in 1 container/);
    // Compare offers the newest snapshot against the live data until another pair is picked.
    await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('select[aria-label="Compare from"]')?.value === 'three cards');
    assert.equal(await data().getByLabel('Compare to').inputValue(), '');
  });

  it('compares a snapshot with the live data, with both values side by side', async () => {
    await kv.ok('PUT', '/kv/set', { bucket: 'boards', key: 'board-1' }, board(4));
    await kv.ok('PUT', '/kv/set', { bucket: 'boards', key: 'board-2' }, '{"title":"Chores","cards":1}');
    await kv.ok('DELETE', '/kv/delete', { bucket: 'qrcode', key: 'generated' });
    await row('three cards').getByRole('button', { name: 'Compare with live' }).click();
    const summary = data().getByTestId('compare-summary');
    await summary.filter({ hasText: 'From “three cards” to live data: 1 value changed, 1 key or object removed, 1 key or object added' }).waitFor();
    // Asked for from the list, the comparison takes the focus: the next Tab is in its results.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'compare-summary');
    await data().locator('.change-row', { hasText: 'board-1' }).click();
    // Monaco's diff editor shows the two JSON texts, one line apart, on that line (past the first screen).
    await data().locator('.diff-text[data-diff="json"] .monaco-diff-editor').waitFor({ timeout: 30_000 });
    await data().locator('.diff-text .modified .view-lines', { hasText: '"cards": 4' }).waitFor();
    await data().locator('.diff-text .original .view-lines', { hasText: '"cards": 3' }).waitFor();
    await page.screenshot({ path: join(shotsDir, 'data-compare-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shotsDir, 'data-compare-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('shows images side by side when a PNG changed', async () => {
    await kv.ok('PUT', '/blob/write', { container: 'qrcodes', name: HELLO_PNG, order: 'stream-first' }, 'not a png any more');
    await data().getByRole('button', { name: 'Compare', exact: true }).click();
    await data().locator('.change-row', { hasText: HELLO_PNG }).click();
    await data().locator('.diff-split[data-diff="image"] img').waitFor();
    await data().locator('.diff-split[data-diff="image"] .hex-view').waitFor();
    await page.screenshot({ path: join(shotsDir, 'data-image-diff-light.png') });
  });

  it('restores after saying what it replaces, and the key-value browser shows the restored value', async () => {
    await row('three cards').getByRole('button', { name: 'Restore' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore “three cards”?' });
    await dialog.getByTestId('restore-would').filter({ hasText: 'This replaces the current data: 2 values changed, 1 key or object removed, 1 key or object added.' }).waitFor();
    await page.screenshot({ path: join(shotsDir, 'data-restore-light.png') });
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await row('before restoring three cards').waitFor();
    const restored = await kv.ok<{ text: string } | null>('GET', '/kv/get', { bucket: 'boards', key: 'board-1' });
    assert.equal(restored?.text, board(3));
    await page.locator('.nav-item[data-view="kv"]').click();
    const browser = page.locator('section.view[data-view="kv"]');
    await browser.locator('.bucket-item', { hasText: 'boards' }).click();
    await browser.getByRole('option', { name: 'board-1' }).click();
    await browser.locator('.detail-pane .view-lines', { hasText: '"title": "Groceries"' }).waitFor();
    assert.equal(await browser.getByRole('option', { name: 'board-2' }).count(), 0);
    await page.locator('.nav-item[data-view="data"]').click();
  });

  it('exports a snapshot as a download that imports back under another name', async () => {
    const downloading = page.waitForEvent('download');
    await row('three cards').getByRole('button', { name: 'Export' }).click();
    const download = await downloading;
    assert.equal(download.suggestedFilename(), 'three-cards.tar.gz');
    const saved = join(tempDir, 'three-cards.tar.gz');
    await download.saveAs(saved);
    await data().getByLabel('Snapshot archive').setInputFiles(saved);
    const dialog = page.getByRole('dialog', { name: 'Import a snapshot' });
    await dialog.getByText('A snapshot named “three cards” exists').waitFor();
    await dialog.getByTestId('import-would').filter({ hasText: 'Restoring it later would replace: nothing, the data is the same.' }).waitFor();
    await page.screenshot({ path: join(shotsDir, 'data-import-light.png') });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await row('three cards (imported)').waitFor();
    await page.screenshot({ path: join(shotsDir, 'data-list-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shotsDir, 'data-list-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    // A file that is no archive is refused, named as the upload it is, not by a temp path.
    const bogus = join(tempDir, 'not-a-snapshot.tar.gz');
    await writeFile(bogus, 'these are my notes, not a snapshot');
    await data().getByLabel('Snapshot archive').setInputFiles(bogus);
    await page.getByText(/The uploaded file is not a readable snapshot archive/).first().waitFor();
    assert.equal(await page.getByText(/\.upload\b/).count(), 0, 'no temp path is shown');
    assert.deepEqual(pageErrors, []);
  });
});

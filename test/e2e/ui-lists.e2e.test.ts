// What a new user met in a probe of the lists and the playground, in Chromium at 900x600 on a
// studio serving the stdio WAT fixture: a Blobs "select all" that took only the loaded page
// (and a count with no total), lists squeezed under an empty "Pick an object" pane, a
// Key-value End that stopped at the last key loaded, a Logs export of the search before, and
// an HTTP request that could only be waited for. Screenshots go to test-results/ui/lists-*.png.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { StudioApiClient } from '../helpers/studio-api-client.ts';
import type { StudioProcess } from '../helpers/studio-process.ts';
import { openStdioStudio, type StdioStudio } from './stdio-studio.ts';

const KEYS = 5_000;
const OBJECTS = 3_002;
const keyName = (i: number) => `key-${String(i).padStart(4, '0')}`;

/** How many rows of `height` px the list's visible area holds. */
async function rowsShown(list: Locator, height: number): Promise<number> {
  return Math.floor((await list.evaluate((el) => el.clientHeight)) / height);
}

describe('the lists and the playground, as a new user meets them', () => {
  let opened: StdioStudio;
  let studio: StudioProcess;
  let client: StudioApiClient;
  let page: Page;
  let pageErrors: string[];
  const view = (name: string) => opened.view(name);
  const go = (key: number, name: string) => opened.go(key, name);
  const shoot = (name: string) => opened.shoot(`lists-${name}`);
  /** Waits for the focused list's active row to be `text`: a long jump renders its row a frame or more later. */
  const activeRowBecomes = (text: string) =>
    page.waitForFunction(
      (want) => {
        const id = document.activeElement?.getAttribute('aria-activedescendant');
        return !!id && document.getElementById(id)?.textContent === want;
      },
      text,
      { timeout: 15_000 },
    );

  before(async () => {
    opened = await openStdioStudio({ width: 900, height: 600 }, ({ keyvalue, blobstore }) => {
      keyvalue.setMany('many', Array.from({ length: KEYS }, (_, k) => [keyName(k + 1), Buffer.from(`value ${k + 1}`)] as const));
      blobstore.createContainer('lots');
      const put = (name: string) => blobstore.put('lots', name, Buffer.from(name));
      for (let i = 1; i <= OBJECTS; i++) put(`sub/file-${String(i).padStart(4, '0')}.txt`);
      put('sub/deeper/kept.txt');
    });
    ({ studio, client, page, pageErrors } = opened);
  });

  after(() => opened?.close());

  it('Blobs at 900x600: the list gets the height, not the empty pane below it, and keeps rows with an object open', async () => {
    await go(5, 'blobs');
    const blobs = view('blobs');
    await blobs.locator('.bucket-pane').getByRole('button', { name: 'lots', exact: true }).click();
    await blobs.locator('.grid-row', { hasText: 'sub/' }).click();
    await blobs.locator('.grid-row', { hasText: 'file-0001.txt' }).waitFor();
    const list = blobs.getByRole('grid', { name: 'Object list' });
    assert.ok((await rowsShown(list, 30)) >= 8, `${await rowsShown(list, 30)} object rows show with nothing picked`);
    await shoot('blobs-900x600');
    await blobs.locator('.grid-row', { hasText: 'file-0002.txt' }).click();
    await blobs.locator('.detail-pane .detail-header h2').filter({ hasText: /^file-0002\.txt$/ }).waitFor();
    assert.ok((await rowsShown(list, 30)) >= 5, `${await rowsShown(list, 30)} object rows show with an object open`);
    await shoot('blobs-900x600-open');
    await blobs.getByRole('button', { name: 'Close preview' }).click();
  });

  it('Key-value at 900x600: the key list gets the height too', async () => {
    await go(4, 'kv');
    const kv = view('kv');
    await kv.locator('.bucket-pane').getByRole('button', { name: 'many', exact: true }).click();
    await kv.getByRole('option', { name: keyName(1) }).waitFor();
    const list = kv.getByRole('listbox', { name: 'Key list' });
    assert.ok((await rowsShown(list, 28)) >= 10, `${await rowsShown(list, 28)} keys show with nothing picked`);
    await kv.getByRole('option', { name: keyName(2) }).click();
    await kv.locator('.detail-pane .detail-header h2').filter({ hasText: new RegExp(`^${keyName(2)}$`) }).waitFor();
    assert.ok((await rowsShown(list, 28)) >= 7, `${await rowsShown(list, 28)} keys show with a value open`);
    await shoot('kv-900x600-open');
  });

  it('Key-value: End goes to the last key of the bucket, not of the keys loaded so far', async () => {
    const kv = view('kv');
    await kv.getByTestId('key-count').filter({ hasText: `500 of ${KEYS.toLocaleString('en-US')} keys` }).waitFor();
    await kv.getByRole('listbox', { name: 'Key list' }).focus();
    await page.keyboard.press('End');
    await activeRowBecomes(keyName(KEYS));
    assert.equal(await opened.activeRow(), keyName(KEYS));
    await kv.getByTestId('key-count').filter({ hasText: new RegExp(`^${KEYS.toLocaleString('en-US')} keys`) }).waitFor();
    await kv.getByRole('option', { name: keyName(KEYS) }).waitFor();
    await shoot('kv-end');
    await page.keyboard.press('Home');
    await activeRowBecomes(keyName(1));
  });

  it('Blobs: End goes to the last object of the folder, not of the objects loaded so far', async () => {
    await go(5, 'blobs');
    const blobs = view('blobs');
    await blobs.getByTestId('object-count').filter({ hasText: /more below/ }).waitFor();
    await blobs.getByRole('grid', { name: 'Object list' }).focus();
    await page.keyboard.press('End');
    const last = `file-${String(OBJECTS).padStart(4, '0')}.txt`;
    // An object row holds its size and time too: the active one is the row that names it.
    await page.waitForFunction((want) => {
      const id = document.activeElement?.getAttribute('aria-activedescendant');
      return !!id && (document.getElementById(id)?.textContent ?? '').includes(want);
    }, last);
    await blobs.getByTestId('object-count').filter({ hasText: `1 folder, ${OBJECTS.toLocaleString('en-US')} objects` }).waitFor();
    // The folder opened again lists its first page, as the next test expects.
    await blobs.locator('.bucket-pane').getByRole('button', { name: 'lots', exact: true }).click();
    await blobs.locator('.grid-row', { hasText: 'sub/' }).click();
    await blobs.getByTestId('object-count').filter({ hasText: /more below/ }).waitFor();
  });

  it('Blobs: "select all" offers every object of the folder, says how many, and deletes them all', async () => {
    await go(5, 'blobs');
    const blobs = view('blobs');
    const count = blobs.getByTestId('object-count');
    // No total comes with a folder listing: the count says so rather than "499+".
    await count.filter({ hasText: /^1 folder, [\d,]+ objects shown, more below/ }).waitFor();
    await blobs.getByRole('checkbox', { name: 'Select all' }).check();
    await blobs.getByText(/All [\d,]+ loaded objects are selected; more are below\./).waitFor();
    await blobs.getByRole('button', { name: 'Select all objects in lots/sub/' }).click();
    const all = OBJECTS.toLocaleString('en-US');
    await blobs.getByText(`All ${all} objects in lots/sub/ are selected.`).waitFor();
    await shoot('blobs-all-selected');
    await blobs.getByRole('button', { name: `Delete (${all})` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${all} objects?` });
    await dialog.getByText(`…and ${(OBJECTS - 10).toLocaleString('en-US')} more`).waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(`Deleted ${all} objects`).waitFor({ timeout: 30_000 });
    const left = await client.call('blob.list', { container: 'lots', prefix: 'sub/', delimiter: '/' });
    assert.deepEqual(left.objects.map((o) => o.name), []);
    assert.deepEqual(left.prefixes, ['sub/deeper/'], 'a folder inside is not an object of this one');
    await count.filter({ hasText: /^1 folder, 0 objects$/ }).waitFor();
  });

  it('Logs: Export right after a new search exports what the new search matches', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await fetch(new URL(`/export-${i}`, studio.url))).status, 200);
    await go(3, 'logs');
    const logs = view('logs');
    const search = logs.getByLabel('Search logs');
    await search.fill('hello on stdout');
    const stdoutLines = (await client.call('logs.query', { text: 'hello on stdout', limit: 100_000 })).total;
    await logs.getByTestId('log-count').filter({ hasText: `${stdoutLines} of ${stdoutLines} matching` }).waitFor();
    // Each request prints "stdio says hello" on stdout and on stderr: twice the lines.
    await search.fill('stdio says hello');
    const [download] = await Promise.all([page.waitForEvent('download'), logs.getByRole('button', { name: /Export/ }).click()]);
    const exported = (await readFile(await download.path(), 'utf8')).split('\n').filter((line) => line.includes('stdio says hello'));
    const matching = (await client.call('logs.query', { text: 'stdio says hello', limit: 100_000 })).total;
    assert.ok(matching >= 2 * stdoutLines, `${matching} lines match`);
    assert.equal(exported.length, matching, 'the export holds every line the new search matches');
    assert.ok(exported.some((line) => line.includes('on stderr')));
    await search.fill('');
  });

  describe('HTTP: a request that takes long', () => {
    let server: Server;
    let url: string;
    const held: ServerResponse[] = [];
    before(async () => {
      // Answers only when told to: a component (or anything) that takes its time.
      server = createServer((req, res) => {
        req.resume();
        held.push(res);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
    });
    after(async () => {
      for (const res of held) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('shows the body being sent with its size, the seconds waited, and Esc cancels; the late answer is ignored', async () => {
      await go(2, 'http');
      const http = view('http');
      await http.getByLabel('Method').selectOption('POST');
      await http.getByLabel('URL').fill(url);
      await http.getByRole('tab', { name: /Body/ }).click();
      await http.getByRole('radio', { name: 'File' }).click();
      await http.getByLabel('Body file').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(2 * 1024 * 1024, 7) });
      await http.getByText(/big\.bin · 2\.0 MiB/).waitFor();
      await http.getByRole('button', { name: 'Send' }).click();
      const pane = http.getByLabel('Response', { exact: true }).and(http.locator('.response-pane'));
      await pane.getByText(/(Sending the body|Body sent) \(2\.0 MiB\)/).waitFor();
      await pane.getByTestId('waiting-seconds').filter({ hasText: /^[1-9]\d* s$/ }).waitFor({ timeout: 10_000 });
      while (held.length === 0) await new Promise((r) => setTimeout(r, 50));
      await shoot('http-waiting');
      await page.keyboard.press('Escape');
      await pane.getByRole('heading', { name: 'Cancelled' }).waitFor();
      // The answer comes after all: the view stays on what the user did.
      held.shift()!.end('late answer');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await pane.getByTestId('response-status').count(), 0, 'the late answer is not shown');
      assert.match((await pane.locator('.empty-state').textContent()) ?? '', /You stopped waiting after \d+ s\..*ignores its answer/);
      await shoot('http-cancelled');
      assert.equal(await http.getByRole('button', { name: 'Send' }).isEnabled(), true);
    });

    it('has a Cancel button while waiting, and a new request after it shows its own answer', async () => {
      const http = view('http');
      await http.getByLabel('Method').selectOption('GET');
      await http.getByRole('button', { name: 'Send' }).click();
      const pane = http.locator('.response-pane');
      await pane.getByText('Waiting for the response…').waitFor();
      await pane.getByRole('button', { name: 'Cancel' }).click();
      await pane.getByRole('heading', { name: 'Cancelled' }).waitFor();
      while (held.length === 0) await new Promise((r) => setTimeout(r, 50));
      held.shift()!.end('late');
      await http.getByRole('button', { name: 'Send' }).click();
      while (held.length === 0) await new Promise((r) => setTimeout(r, 50));
      held.shift()!.end('on time');
      await pane.getByTestId('response-status').filter({ hasText: /^200/ }).waitFor();
      assert.deepEqual(pageErrors, []);
    });
  });
});

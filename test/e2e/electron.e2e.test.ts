// The studio UI in its Electron window, driven by Playwright's Electron support, where an
// Electron binary is installed. npm's electron package downloads its binary at install time,
// which fails on machines without network access; there this suite says so and the Chromium
// suite (studio.e2e.test.ts, same renderer over the browser-mode bridge) covers the UI. With
// neither Electron nor Chromium the Chromium suite fails with how to get one.
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { cp, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/studio-process.ts';
import { findChromium, NO_BROWSER_MESSAGE } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';
import { electronBinary } from '../../electron/binary.mjs';

const binary = electronBinary();
const why = 'no Electron binary is installed (npm could not download it here); the Chromium suite covers the same renderer';

it('has a browser to run the UI tests in (Electron or Chromium)', () => {
  assert.ok(binary !== undefined || findChromium() !== undefined, NO_BROWSER_MESSAGE);
});

describe('the studio UI in Electron', { skip: binary === undefined ? why : false }, () => {
  let app: ElectronApplication;
  let page: Page;
  let project: string;
  let userData: string;

  before(async () => {
    ensureRendererBuilt();
    // `npm test` compiles dist/ before any test runs; rebuilding here would replace the files
    // under the CLI tests running beside this one.
    const main = join(repoRoot, 'dist', 'main.mjs');
    assert.ok(existsSync(main), 'dist/main.mjs is missing: run `npm run build` (npm test does) first');
    const scratch = await mkdtemp(join(tmpdir(), 'studio-electron-'));
    project = join(scratch, 'qrcode');
    // The app's own data (launch.json, the window's place, the single-instance lock) in a
    // folder of the test's, not the user's.
    userData = join(scratch, 'user data');
    for (const part of ['src', 'wit', '.wash']) await cp(join(repoRoot, 'assets', 'examples', 'qrcode', part), join(project, part), { recursive: true });
    const env = { ...process.env, COMPONENT_STUDIO_CACHE: join(repoRoot, '.cache', 'studio') } as Record<string, string>;
    delete env.ELECTRON_RUN_AS_NODE;
    // Playwright puts its own switches before these: the app finds its arguments after main.mjs.
    app = await _electron.launch({ executablePath: binary!, args: ['--no-sandbox', '--disable-gpu', `--user-data-dir=${userData}`, main, project, '--port=0'], env });
    page = await app.firstWindow();
  });

  after(async () => {
    await app?.close();
    if (project) await rm(join(project, '..'), { recursive: true, force: true });
  });

  it('exposes the Studio API through the preload, not the WebSocket bridge', async () => {
    assert.equal(await page.evaluate(() => typeof (window as { studio?: unknown }).studio), 'object');
    assert.equal(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require), 'undefined');
  });

  it('opens the project named on its command line, with its data in the folder it was given', async () => {
    assert.equal(await app.evaluate(({ app }) => app.getName()), 'Component Studio');
    assert.equal(await app.evaluate(({ app }) => app.getPath('userData')), userData);
    const opened = await page.evaluate(() => (window as unknown as { studio: { call(c: string, a: object): Promise<{ path: string }> } }).studio.call('project.get', {}));
    assert.equal(await realpath(opened.path), await realpath(project));
  });

  it('serves the QR example and shows a generated QR code', async () => {
    await page.locator('.reload-indicator[data-state="serving"]').waitFor({ timeout: 180_000 });
    // Cmd on macOS, Ctrl elsewhere, as the renderer's shortcuts are.
    await page.keyboard.press('ControlOrMeta+2');
    await page.getByRole('button', { name: /Generate a QR code/ }).click();
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.locator('[data-view="http"] .response-pane .image-preview img').waitFor({ timeout: 30_000 });
    assert.match((await page.getByTestId('response-status').textContent()) ?? '', /^200/);
  });
});

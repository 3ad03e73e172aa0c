// The live-reload indicator at the bottom of the sidebar, in Chromium, on a .wasm file (the
// hello WAT fixture): it says in words why the version serving was loaded, and once the
// workload is stopped it leads to the Workloads view, where it starts again, not to the
// builds' output. When the studio goes away, it says so, and a click fails within seconds
// instead of leaving the view loading.
import assert from 'node:assert/strict';
import { copyFile, rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { watFixtureAlone } from '../fixtures/fixtures.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

describe('the reload indicator in Chromium', () => {
  let dir: string;
  let wasm: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;
  let pageErrors: string[];
  const indicator = () => page.locator('.reload-indicator');
  const workloadsView = () => page.locator('section.view[data-view="workloads"]');

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    ({ dir, wasm } = await watFixtureAlone('hello'));
    studio = await startStudio(wasm, ['--workers', '1'], 120_000, { ui: true });
    ({ chromium, page, pageErrors } = await openStudioPage(studio.studioUrl, { width: 1280, height: 720 }));
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says why the version serving was loaded, in words', async () => {
    await indicator().filter({ hasText: /Serving version 1\s*First start · ready in \d/ }).waitFor();
    const since = studio.output().length;
    // The same bytes written again: a new version of the file, loaded because it changed.
    await copyFile(wasm, `${wasm}.next`);
    await rm(wasm);
    await copyFile(`${wasm}.next`, wasm);
    await rm(`${wasm}.next`);
    await studio.waitFor(/(build|version) 2\b/, 60_000, since);
    await indicator().filter({ hasText: /Serving version 2\s*The file changed · ready in \d/ }).waitFor();
  });

  it('once the workload is stopped, leads to Workloads, where it starts again', async () => {
    await workloadsView().getByRole('button', { name: /Stop/ }).click();
    await indicator().filter({ hasText: /Stopped · version 2/ }).waitFor();
    await page.keyboard.press('Control+3');
    await page.locator('section.view[data-view="logs"]:not([hidden])').waitFor();
    await indicator().click();
    await page.locator('section.view[data-view="workloads"]:not([hidden])').waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0, 'the builds dialog stays closed');
    await workloadsView().getByRole('button', { name: /Start/ }).click();
    await indicator().filter({ hasText: /Serving version 2/ }).waitFor();
    assert.deepEqual(pageErrors, []);
  });

  it('says when the studio is gone, and a command then fails within seconds', async () => {
    await studio.stop();
    await indicator().filter({ hasText: /still running\? Reconnecting/ }).waitFor();
    const asked = Date.now();
    await page.keyboard.press('Control+Shift+B');
    const toast = page.getByRole('alert').filter({ hasText: 'Could not rebuild' });
    await toast.filter({ hasText: 'The studio is not reachable.' }).waitFor({ timeout: 6000 });
    assert.ok(Date.now() - asked < 6000, `answered in ${Date.now() - asked} ms`);
  });
});

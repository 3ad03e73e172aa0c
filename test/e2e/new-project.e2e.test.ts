// Starting a project of one's own from the UI: Settings, a folder name, an example, Create.
// The studio makes the folder from the bundled example, opens it, builds it with
// componentize-js and serves it; a folder that is not empty is refused with the fix, and the
// project that was open keeps running.
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { watFixtureAlone } from '../fixtures/fixtures.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

describe('a new project from the Settings view', () => {
  let dir: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    let hello: string;
    ({ dir, wasm: hello } = await watFixtureAlone('hello'));
    studio = await startStudio(hello, [], 60_000, { ui: true, configDir: join(dir, 'config') });
    ({ chromium, page, pageErrors } = await openStudioPage(studio.studioUrl));
    await page.keyboard.press('Control+6');
    await page.locator('section.view[data-view="settings"]:not([hidden])').waitFor();
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const settings = () => page.locator('section.view[data-view="settings"]');

  it('lists the examples, the smallest first, with what each shows', async () => {
    // The list arrives from the studio after the view shows.
    await settings().getByLabel('Example').locator('option').first().waitFor({ state: 'attached' });
    const options = await settings().getByLabel('Example').locator('option').allTextContents();
    assert.deepEqual(options.slice(0, 1), ['hello']);
    assert.ok(options.includes('qrcode'), options.join(', '));
    await settings().getByText('The smallest useful component project.').waitFor();
  });

  it('refuses a folder that is not empty, names the fix, and keeps the open project', async () => {
    const taken = join(dir, 'taken');
    await mkdir(taken);
    await writeFile(join(taken, 'notes.txt'), 'mine\n');
    await settings().getByLabel('New project path').fill(taken);
    await settings().getByRole('button', { name: 'Create' }).click();
    const alert = settings().locator('.new-project [role="alert"]');
    await alert.filter({ hasText: 'already exists and is not empty' }).waitFor();
    assert.match((await alert.textContent()) ?? '', /Name a folder that does not exist yet/);
    assert.deepEqual(await readdir(taken), ['notes.txt']);
    assert.equal(await fetch(studio.url).then((r) => r.text()), 'hello from wat\n');
  });

  it('makes the project from the hello example, opens it, builds it and serves it, with an HTTP view of its own', async () => {
    // A request drafted in the project open before: not this project's.
    await page.keyboard.press('Control+2');
    const url = page.locator('section.view[data-view="http"]').getByLabel('URL', { exact: true });
    await url.fill('/only-in-the-first-project');
    await page.keyboard.press('Control+6');
    const target = join(dir, 'projects', 'greeter');
    await settings().getByLabel('New project path').fill(target);
    await settings().getByRole('button', { name: 'Create' }).click();
    await page.getByText('Opened greeter').waitFor({ timeout: 30_000 });
    await settings().getByTestId('project-path').filter({ hasText: target }).waitFor({ timeout: 30_000 });
    // The first build of the example runs componentize-js: tens of seconds on a busy machine.
    await page.locator('.reload-indicator').filter({ hasText: /Serving build 1/ }).waitFor({ timeout: 240_000 });
    await page.keyboard.press('Control+1');
    const link = page.locator('section.view[data-view="workloads"] .workload-card a.url-link');
    const served = await link.getAttribute('href');
    assert.ok(served, 'the workload shows its URL');
    assert.equal(await fetch(new URL('/hello/Ada', served)).then((r) => r.text()), 'Hello, Ada! You are visitor 1.\n');
    assert.deepEqual((await readdir(target)).sort(), ['.gitignore', '.wash', 'README.md', 'dist', 'src', 'tsconfig.json', 'wit']);
    assert.deepEqual(await readdir(join(target, 'dist')), ['greeter.wasm']);
    await page.keyboard.press('Control+2');
    assert.equal(await url.inputValue(), '/');
  });

  it('refuses a .wasm file that is no component and keeps the project; one that cannot start says so, with nothing to restart', async () => {
    await page.keyboard.press('Control+6');
    const path = settings().getByLabel('Project path', { exact: true });
    const core = await watFixtureAlone('core-module');
    const missing = await watFixtureAlone('unknown-import');
    after(() => Promise.all([rm(core.dir, { recursive: true, force: true }), rm(missing.dir, { recursive: true, force: true })]));
    await path.fill(core.wasm);
    await settings().getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByText(/is a core WebAssembly module, not a component/).first().waitFor();
    assert.equal(await settings().getByTestId('project-path').textContent(), join(dir, 'projects', 'greeter'));
    await path.fill(missing.wasm);
    await settings().getByRole('button', { name: 'Open', exact: true }).click();
    await settings().getByTestId('project-path').filter({ hasText: missing.wasm }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+1');
    const workloads = page.locator('section.view[data-view="workloads"]');
    const failed = workloads.getByRole('region', { name: 'Failed build' });
    await failed.getByText('Version 1 cannot start').waitFor({ timeout: 30_000 });
    await failed.getByText(/example:missing\/thing@1\.2\.3/).waitFor();
    await page.locator('.reload-indicator').filter({ hasText: 'Version 1 cannot start' }).waitFor();
    const card = workloads.locator('.workload-card');
    await card.getByText('Its imports and exports show once a version of it starts.').waitFor();
    assert.equal(await card.getByRole('button', { name: /Restart/ }).isDisabled(), true);
    assert.equal(await card.getByRole('button', { name: /Stop/ }).isDisabled(), true);
    // A file has no build: it is loaded again, and no build time is shown.
    assert.equal(await failed.getByRole('button', { name: /Load again/ }).count(), 1);
    assert.equal(await workloads.getByRole('button', { name: /Rebuild/ }).count(), 0);
    assert.equal(await card.getByText('Build time').count(), 0);
    // Why it has no URL, and no separator left dangling where its file's path is not known yet.
    await card.getByText('Not answering HTTP: it could not start (its error is above, and in Logs).').waitFor();
    assert.doesNotMatch(await card.locator('.urls').innerText(), /·\s*$/);
    // A path sent from the playground says why nothing serves it, not to wait for a build.
    await page.keyboard.press('Control+2');
    const http = page.locator('section.view[data-view="http"]');
    await http.getByLabel('URL').fill('/');
    await http.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('request-problem').filter({ hasText: /The gateway is not serving: the component did not build or could not start \(its error is in Workloads and Logs\)\. A path like this goes to the gateway; a full http:\/\/ URL can be sent now/ }).waitFor();
    // The response pane says the request went nowhere, not how to send a first one.
    const response = http.locator('.response-pane');
    await response.getByText('Not sent').waitFor();
    assert.equal(await response.getByText(/The first example/).count(), 0);
  });

  it('goes back to a project opened before with one click on it under Recent', async () => {
    await page.keyboard.press('Control+6');
    const recent = settings().getByRole('navigation', { name: 'Recent projects' });
    const greeter = recent.getByRole('button', { name: 'greeter', exact: true });
    await greeter.waitFor();
    assert.equal(await greeter.getAttribute('title'), join(dir, 'projects', 'greeter'));
    await greeter.click();
    await settings().getByTestId('project-path').filter({ hasText: join(dir, 'projects', 'greeter') }).waitFor({ timeout: 30_000 });
    await page.locator('.reload-indicator').filter({ hasText: /Serving build 1/ }).waitFor({ timeout: 120_000 });
  });

  it('logged no error in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});

// Two things a user reads and does in the studio UI, in Chromium against the real studio: the
// Workloads view says how instances are used and how that differs from wash, and its switch
// changes the mode (the component's own answers prove it) and saves it in .wash/studio.yaml;
// Settings shows each value of wash's config with the file it came from.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { answers, buildCounterComponent } from '../helpers/counter-component.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

describe('instances and config in the studio UI', () => {
  let temp: string;
  let root: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    temp = await mkdtemp(join(tmpdir(), 'studio-e2e-instances-'));
    root = join(temp, 'counter');
    await mkdir(join(root, '.wash'), { recursive: true });
    await buildCounterComponent(join(root, 'counter.wasm'));
    await writeFile(join(root, '.wash', 'config.yaml'), 'build:\n  command: "true"\n  component_path: counter.wasm\n');
    studio = await startStudio(root, ['--workers', '1'], 180_000, { ui: true });
    ({ chromium, page } = await openStudioPage(studio.studioUrl));
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  const view = (name: string) => page.locator(`section.view[data-view="${name}"]`);

  it('Workloads says the mode, how it differs from wash, and switches to reused instances, saved in .wash/studio.yaml', async () => {
    await page.keyboard.press('Control+1');
    const card = view('workloads').getByRole('region', { name: 'Instances' });
    const reuse = card.getByRole('radio', { name: 'reuse' });
    const fresh = card.getByRole('radio', { name: /fresh/ });
    await fresh.and(page.locator('[aria-checked="true"]')).waitFor();
    assert.match(await card.innerText(), /Every request starts from a just-started instance, as under wash dev/);
    assert.deepEqual(await answers(studio.url), ['1', '1', '1']);

    await reuse.click();
    await reuse.and(page.locator('[aria-checked="true"]')).waitFor();
    await card.getByTestId('instances-source').filter({ hasText: 'Kept in .wash/studio.yaml' }).waitFor();
    assert.match(await card.innerText(), /Unlike wash dev, which gives every request a new instance/);
    assert.match(await readFile(join(root, '.wash', 'studio.yaml'), 'utf8'), /^instances: reuse$/m);
    await view('workloads').locator('.workload-card').filter({ hasText: 'instances: reuse' }).waitFor();
    assert.deepEqual(await answers(studio.url), ['1', '2', '3']);
  });

  it('Settings shows each value of wash\'s config with the file it came from', async () => {
    await page.keyboard.press('Control+6');
    const row = view('settings').locator('[data-testid="config-values"] tr[data-key="build.component_path"]');
    await row.waitFor();
    assert.match(await row.innerText(), /counter\.wasm[\s\S]*project: \.wash\/config\.yaml/);
    const kv = view('settings').locator('[data-testid="config-values"] tr[data-key="dev.wasi_keyvalue_path"]');
    assert.match(await kv.innerText(), /\.wash\/data\/keyvalue[\s\S]*studio default/);
  });
});

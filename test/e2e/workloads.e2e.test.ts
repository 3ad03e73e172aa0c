// A workload of several components in the studio UI, in Chromium against the real studio: the
// Workloads view draws the components linked into the HTTP component with the calls across
// each link, and the service beside it with its state, and restarts it on request.
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildWorkloadPart, type WorkloadPart } from '../fixtures/js/build.ts';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { type Chromium, findChromium, NO_BROWSER_MESSAGE, openStudioPage } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

const shots = join(repoRoot, 'test-results', 'ui');

describe('a workload of several components in the studio UI', () => {
  let temp: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    temp = await mkdtemp(join(tmpdir(), 'studio-e2e-workloads-'));
    const root = join(temp, 'shop');
    await mkdir(join(root, '.wash'), { recursive: true });
    // One at a time: componentize-js needs about 800 MB per build.
    for (const part of ['front', 'middleware', 'receiver', 'ticks', 'ticking-service'] as WorkloadPart[]) await copyFile(await buildWorkloadPart(part), join(root, `${part}.wasm`));
    await writeFile(
      join(root, '.wash', 'config.yaml'),
      [
        'build:',
        '  command: "true"',
        '  component_path: front.wasm',
        'dev:',
        '  service_file: ticking-service.wasm',
        '  components:',
        '    - { name: middleware, file: middleware.wasm }',
        '    - { name: receiver, file: receiver.wasm }',
        '    - { name: ticks, file: ticks.wasm }',
        '  host_interfaces:',
        '    - { namespace: wasi, package: config, config: { tick_ms: "500" } }',
        '',
      ].join('\n'),
    );
    studio = await startStudio(root, ['--workers', '1'], 180_000, { ui: true });
    ({ chromium, page } = await openStudioPage(studio.studioUrl));
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  const view = () => page.locator('section.view[data-view="workloads"]');

  it('draws the linked components with the calls across each link', async () => {
    for (let i = 0; i < 3; i++) assert.equal(await (await fetch(`${studio.url}?items=a:1`)).text(), '1 items (a), 1 in all\n');
    await page.keyboard.press('Control+1');
    const card = view().getByRole('article', { name: 'Workload shop' });
    const graph = card.getByRole('figure', { name: 'Linked components' });
    for (const name of ['shop', 'middleware', 'receiver']) await graph.locator(`[data-node="${name}"]`).waitFor();
    // The list refreshes on workload events; a rebuild-free poke is a restart of nothing: reload the page.
    await page.reload();
    await page.keyboard.press('Control+1');
    await graph.getByTestId('calls-shop-middleware').filter({ hasText: '3 calls' }).waitFor({ timeout: 15_000 });
    await graph.getByTestId('calls-middleware-receiver').filter({ hasText: /^\d+ calls$/ }).waitFor();
    await card.screenshot({ path: join(shots, 'workloads-linked.png') });
  });

  it('shows the service, what it calls, its state, and restarts it', async () => {
    const card = view().getByRole('article', { name: 'Workload ticking-service' });
    await card.getByTestId('service-state').filter({ hasText: /running/ }).waitFor();
    await card.getByRole('figure', { name: 'Linked components' }).locator('[data-node="ticks"]').waitFor();
    await card.getByRole('button', { name: /Restart/ }).click();
    await card.getByTestId('service-state').filter({ hasText: /started 2 times/ }).waitFor({ timeout: 15_000 });
    await card.screenshot({ path: join(shots, 'workloads-service.png') });
  });
});

describe('a service listening in the workload, in the studio UI', () => {
  let temp: string;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    temp = await mkdtemp(join(tmpdir(), 'studio-e2e-service-'));
    const example = join(repoRoot, 'assets', 'examples', 'service-tcp');
    const root = join(temp, 'service-tcp');
    await cp(example, root, { recursive: true, filter: (path) => !path.startsWith(join(example, 'dist')) });
    studio = await startStudio(root, ['--workers', '1'], 300_000, { ui: true });
    ({ chromium, page } = await openStudioPage(studio.studioUrl));
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('shows the port the service listens on inside the workload', async () => {
    assert.equal(await (await fetch(`${studio.url}count/apples`)).text(), 'apples: 1\n');
    await page.keyboard.press('Control+1');
    const card = page.locator('section.view[data-view="workloads"]').getByRole('article', { name: 'Workload counter-service' });
    await card.getByLabel('Sockets').filter({ hasText: '127.0.0.1:7777' }).waitFor({ timeout: 15_000 });
    await card.screenshot({ path: join(shots, 'workloads-sockets.png') });
  });
});

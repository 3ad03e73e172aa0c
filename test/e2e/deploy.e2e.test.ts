// The Deploy view in Chromium against the real studio and a real registry on 127.0.0.1: the
// manifest generated for the project and found valid, a push with its progress and digest
// (the one the registry holds), the manifest then pinned to it, an edit that breaks the schema
// marked at once, a login the registry refuses explained with the fix, and kubectl's absence
// said with the command to run. Screenshots land in test-results/ui/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildCounterComponent } from '../helpers/counter-component.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';
import { findChromium, NO_BROWSER_MESSAGE, openStudioPage, type Chromium } from './chromium.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

describe('the Deploy view', () => {
  let temp: string;
  let registry: TestRegistry;
  let locked: TestRegistry;
  let studio: StudioProcess;
  let chromium: Chromium;
  let page: Page;
  const shots = join(repoRoot, 'test-results', 'ui');

  before(async () => {
    if (!findChromium()) throw new Error(NO_BROWSER_MESSAGE);
    ensureRendererBuilt();
    temp = await mkdtemp(join(tmpdir(), 'studio-e2e-deploy-'));
    [registry, locked] = await Promise.all([startRegistry(), startRegistry({ basicAuth: { username: 'ci', password: 'right-password' } })]);
    const root = join(temp, 'counter');
    await mkdir(join(root, '.wash'), { recursive: true });
    await buildCounterComponent(join(root, 'counter.wasm'));
    await writeFile(join(root, '.wash', 'config.yaml'), 'build:\n  command: "true"\n  component_path: counter.wasm\ndev:\n  host_interfaces:\n    - namespace: wasi\n      package: config\n      interfaces: [store]\n      config:\n        greeting: hello\n');
    // No cluster and no Docker login of the developer's: kubectl (if any) finds no context.
    process.env.KUBECONFIG = join(temp, 'no-kubeconfig');
    process.env.DOCKER_CONFIG = join(temp, 'no-docker-config');
    studio = await startStudio(root, ['--workers', '1'], 180_000, { ui: true });
    ({ chromium, page } = await openStudioPage(studio.studioUrl, { width: 1280, height: 1100 }));
    await mkdir(shots, { recursive: true });
  });

  after(async () => {
    await chromium?.close();
    await studio?.stop();
    await Promise.all([registry?.stop(), locked?.stop()]);
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  const view = () => page.locator('section.view[data-view="deploy"]');
  const status = () => view().getByTestId('manifest-status');

  it('generates a valid manifest, pushes with progress and shows the digest the registry holds', async () => {
    await page.keyboard.press('Control+7');
    await view().getByRole('textbox', { name: 'Repository' }).fill(`${registry.host}/e2e/counter`);
    await view().getByRole('textbox', { name: 'Tag' }).fill('1.0');
    await view().getByTestId('artifact-image').filter({ hasText: `${registry.host}/e2e/counter:1.0` }).waitFor({ timeout: 30_000 });
    await status().filter({ hasText: 'Valid against wasmCloud\'s CRD' }).waitFor();
    assert.match(await view().locator('.deploy-kubectl').innerText(), /kubectl (has no current context|is not installed)[\s\S]*kubectl apply -f counter\.yaml/);
    assert.equal(await view().getByRole('button', { name: 'Apply' }).isDisabled(), true);

    await view().getByRole('button', { name: 'Push', exact: true }).click();
    const digest = view().getByTestId('pushed-digest');
    await digest.waitFor({ timeout: 60_000 });
    const head = await fetch(`http://${registry.host}/v2/e2e/counter/manifests/1.0`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(await digest.innerText(), head.headers.get('docker-content-digest'));
    assert.equal(await view().locator('.deploy-progress[data-phase="done"]').count(), 1);
    assert.match(await view().getByRole('list', { name: 'Pushed' }).innerText(), /pulled back and verified/);
    // The manifest now runs exactly what was pushed.
    await view().getByTestId('artifact-image').filter({ hasText: `${registry.host}/e2e/counter:1.0@${await digest.innerText()}` }).waitFor();
    await page.screenshot({ path: join(shots, 'deploy-pushed.png'), fullPage: true });
  });

  it('marks an edit that breaks the schema as it is typed', async () => {
    const editor = view().locator('.monaco-editor').first();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('bogus: 1');
    await status().filter({ hasText: '1 error' }).waitFor();
    const problems = view().getByRole('list', { name: 'Problems' });
    assert.match(await problems.innerText(), /line \d+: (\S+\.)?bogus is not a field of a WorkloadDeployment/);
    await view().locator('.monaco-editor .squiggly-error').first().waitFor();
    assert.equal(await view().getByRole('button', { name: 'Regenerate' }).isVisible(), true);
    // The fields no longer change an edited manifest, and it says so.
    assert.match(await view().getByTestId('manifest-edited').innerText(), /Replicas and Host change it again only after Regenerate, which drops your edits/);
    await page.screenshot({ path: join(shots, 'deploy-invalid.png'), fullPage: true });
    await view().getByRole('button', { name: 'Regenerate' }).click();
    // It asks first: the edits would be lost.
    const ask = page.getByRole('dialog', { name: 'Regenerate the manifest?' });
    await ask.getByRole('button', { name: 'Regenerate' }).click();
    await status().filter({ hasText: 'Valid against wasmCloud\'s CRD' }).waitFor();
  });

  it('refuses a host that is no DNS name before it reaches the manifest', async () => {
    await view().getByRole('textbox', { name: 'Host' }).fill('Bad Host!');
    await view().getByText(/The host must be a DNS name such as qr\.example\.com, not "Bad Host!"/).waitFor();
    // The manifest still shown is for the host before: not to be copied or saved as this one.
    await status().filter({ hasText: 'Out of date: fix the options' }).waitFor();
    assert.equal(await view().getByRole('button', { name: 'Save…' }).isDisabled(), true);
    assert.equal(await view().getByRole('button', { name: 'Copy', exact: true }).isDisabled(), true);
    await view().getByRole('textbox', { name: 'Host' }).fill('');
    await status().filter({ hasText: 'Valid against wasmCloud\'s CRD' }).waitFor();
  });

  it('takes a replica count the CRD takes, says the range of one it does not, and that 0 runs nothing', async () => {
    const replicas = view().getByRole('spinbutton', { name: 'Replicas' });
    for (const bad of ['-3', '100000']) {
      await replicas.fill(bad);
      await view().getByRole('alert').filter({ hasText: 'Replicas is a whole number from 0 to 10,000.' }).waitFor();
      assert.equal(await replicas.getAttribute('aria-invalid'), 'true');
    }
    await replicas.fill('0');
    await view().getByTestId('no-replicas').filter({ hasText: '0 replicas: nothing runs' }).waitFor();
    await replicas.fill('1');
    await view().getByTestId('no-replicas').waitFor({ state: 'detached' });
    await status().filter({ hasText: 'Valid against wasmCloud\'s CRD' }).waitFor();
  });

  it('explains a refused login with the fix', async () => {
    await view().getByRole('textbox', { name: 'Repository' }).fill(`${locked.host}/e2e/counter`);
    await view().getByRole('checkbox', { name: 'Log in' }).check();
    await view().getByRole('textbox', { name: 'User name' }).fill('ci');
    await view().getByLabel('Password').fill('wrong-password');
    await view().getByRole('button', { name: 'Push', exact: true }).click();
    const alert = view().locator('.error-note').filter({ hasText: 'registry-auth-failed' });
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.innerText(), /The push failed[\s\S]*refused the credentials of "ci"[\s\S]*Check the user name and password/);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shots, 'deploy-auth-failed-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    await view().getByLabel('Password').fill('right-password');
    await view().getByRole('button', { name: 'Push', exact: true }).click();
    await view().getByTestId('pushed-digest').waitFor({ timeout: 60_000 });
  });
});

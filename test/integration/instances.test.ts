// How instances are used, through the real CLI, on a component that counts its requests in
// its own memory: under `fresh` (the default, what wash rc.6 does) every request starts from a
// just-started instance and answers 1; under `reuse` one instance answers 1, 2, 3. The mode
// comes from --instances, else `instances` in .wash/studio.yaml; a switch through the Studio
// API is saved there and applies at once, without a build, and so does an edit of the file.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { watFixture } from '../fixtures/fixtures.ts';
import { answers, buildCounterComponent } from '../helpers/counter-component.ts';
import { StudioApiClient } from '../helpers/studio-api-client.ts';
import { launchStudio, startStudio } from '../helpers/studio-process.ts';

let temp: string;
let counterWasm: string;
let count = 0;

/** A project serving the counter (or `wasm`) as it is (`build.command: "true"`), with `studioYaml` as its .wash/studio.yaml. */
async function counterProject(studioYaml?: string, wasm = counterWasm): Promise<string> {
  const root = join(temp, `counter-${++count}`);
  await mkdir(join(root, '.wash'), { recursive: true });
  await copyFile(wasm, join(root, 'counter.wasm'));
  await writeFile(join(root, '.wash', 'config.yaml'), 'build:\n  command: "true"\n  component_path: counter.wasm\n');
  if (studioYaml !== undefined) await writeFile(join(root, '.wash', 'studio.yaml'), studioYaml);
  return root;
}

/** Waits until the answers are `expected`: a switch swaps instances in without stopping the old ones at once. */
async function answersBecome(url: string, expected: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await answers(url, expected.length);
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(last, expected);
}

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'studio-instances-'));
  counterWasm = join(temp, 'counter.wasm');
  await buildCounterComponent(counterWasm);
});
after(() => rm(temp, { recursive: true, force: true }));

// One worker, so that every request of a run goes to the same instance under `reuse`.
const ONE_WORKER = ['--workers', '1'];

describe('the instance mode at start', () => {
  it('gives every request a just-started instance by default, as wash does', async () => {
    const studio = await startStudio(await counterProject(), ONE_WORKER);
    try {
      assert.deepEqual(await answers(studio.url), ['1', '1', '1']);
    } finally {
      await studio.stop();
    }
  });

  it('applies a .wash/studio.yaml saved beside a .wasm served as it is, without a rebuild', async () => {
    const folder = join(temp, `bare-${++count}`);
    await mkdir(join(folder, '.wash'), { recursive: true });
    const wasm = join(folder, 'counter.wasm');
    await copyFile(counterWasm, wasm);
    const studio = await startStudio(wasm, ONE_WORKER);
    try {
      assert.deepEqual(await answers(studio.url), ['1', '1', '1']);
      await writeFile(join(folder, '.wash', 'studio.yaml'), 'instances: reuse\n');
      await answersBecome(studio.url, ['1', '2', '3']);
      assert.doesNotMatch(studio.output(), /build 2/, 'no rebuild was needed');
    } finally {
      await studio.stop();
    }
  });

  it('reuses instances with instances: reuse in .wash/studio.yaml: state survives between requests', async () => {
    const studio = await startStudio(await counterProject('instances: reuse\n'), ONE_WORKER);
    try {
      assert.deepEqual(await answers(studio.url), ['1', '2', '3']);
    } finally {
      await studio.stop();
    }
  });

  it('lets --instances win over .wash/studio.yaml', async () => {
    const studio = await startStudio(await counterProject('instances: fresh\n'), [...ONE_WORKER, '--instances', 'reuse']);
    try {
      assert.deepEqual(await answers(studio.url), ['1', '2', '3']);
    } finally {
      await studio.stop();
    }
  });

  it('refuses a wrong value in .wash/studio.yaml, naming the file and the key, and serves once it is fixed', async () => {
    const root = await counterProject('instances: sometimes\n');
    const studio = launchStudio(root, ONE_WORKER);
    try {
      await studio.waitFor(`${join(root, '.wash', 'studio.yaml')} has an error:`);
      await studio.waitFor(/^\s+instances: /m);
      await writeFile(join(root, '.wash', 'studio.yaml'), 'instances: fresh\n');
      const url = await studio.serving(60_000);
      assert.deepEqual(await answers(url), ['1', '1', '1']);
    } finally {
      await studio.stop();
    }
  });

  it('serves once a .wash/studio.yaml that did not parse at start, or was a folder, is fixed', async () => {
    for (const [broken, fix] of [
      [(path: string) => writeFile(path, 'instances: [\n'), (path: string) => writeFile(path, 'instances: fresh\n')],
      [(path: string) => mkdir(path), (path: string) => rm(path, { recursive: true })],
    ] as const) {
      const root = await counterProject();
      const settings = join(root, '.wash', 'studio.yaml');
      await broken(settings);
      const studio = launchStudio(root, ONE_WORKER);
      try {
        await studio.waitFor(/build 1 failed/);
        await fix(settings);
        const url = await studio.serving(60_000);
        assert.deepEqual(await answers(url), ['1', '1', '1']);
      } finally {
        await studio.stop();
      }
    }
  });

  it('warns about an unknown key in .wash/studio.yaml, naming the file and the key', async () => {
    const root = await counterProject('instances: reuse\noutbund: offline\n');
    const studio = await startStudio(root, ONE_WORKER);
    try {
      await studio.waitFor(`${join(root, '.wash', 'studio.yaml')}: outbund: unknown key, ignored`);
    } finally {
      await studio.stop();
    }
  });
});

describe('fresh instances, put back to how they started after each request', () => {
  it('forget a counter kept in a global as well as one kept in memory', async () => {
    const wasm = await watFixture('counter');
    const fresh = await startStudio(await counterProject('instances: fresh\n', wasm), ONE_WORKER);
    try {
      assert.deepEqual(await answers(fresh.url, 4), ['global 1, memory 1', 'global 1, memory 1', 'global 1, memory 1', 'global 1, memory 1']);
    } finally {
      await fresh.stop();
    }
    const reused = await startStudio(await counterProject('instances: reuse\n', wasm), ONE_WORKER);
    try {
      assert.deepEqual(await answers(reused.url, 3), ['global 1, memory 1', 'global 2, memory 2', 'global 3, memory 3']);
    } finally {
      await reused.stop();
    }
  });
});

describe('switching the mode while the studio runs', () => {
  it('through the Studio API: saved in .wash/studio.yaml, applied at once, with no build', async () => {
    const root = await counterProject();
    const studio = await startStudio(root, ONE_WORKER, 180_000, { ui: true });
    const client = await StudioApiClient.connect(studio.studioUrl);
    try {
      assert.deepEqual((await client.call('settings.get', {})).instances, { mode: 'fresh', from: 'default', settingsPath: join(root, '.wash', 'studio.yaml') });
      assert.deepEqual(await answers(studio.url), ['1', '1', '1']);

      const switched = await client.call('workloads.setInstances', { mode: 'reuse' });
      assert.deepEqual(switched, { mode: 'reuse', from: 'studio-settings', settingsPath: join(root, '.wash', 'studio.yaml') });
      assert.match(await readFile(join(root, '.wash', 'studio.yaml'), 'utf8'), /^instances: reuse$/m);
      await answersBecome(studio.url, ['1', '2', '3']);
      const [workload] = await client.call('workloads.list', {});
      assert.equal(workload?.instanceStrategy, 'reuse');
      assert.equal(workload?.build, 1, 'the same build serves, with new instances');

      // The studio's own write of the file is no change to build, nor to apply again.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual((await client.call('project.get', {})).builds.map((b) => b.number), [1]);
    } finally {
      client.close();
      await studio.stop();
    }
  });

  it('replaces --instances for the rest of the run', async () => {
    const root = await counterProject();
    const studio = await startStudio(root, [...ONE_WORKER, '--instances', 'fresh'], 180_000, { ui: true });
    const client = await StudioApiClient.connect(studio.studioUrl);
    try {
      assert.equal((await client.call('settings.get', {})).instances.from, 'flag');
      assert.deepEqual(await client.call('workloads.setInstances', { mode: 'reuse' }), { mode: 'reuse', from: 'studio-settings', settingsPath: join(root, '.wash', 'studio.yaml') });
      // The switch answers once the new instances serve.
      assert.deepEqual(await answers(studio.url), ['1', '2', '3']);
    } finally {
      client.close();
      await studio.stop();
    }
  });

  it('by editing .wash/studio.yaml: applied without a build', async () => {
    const root = await counterProject('instances: fresh\n');
    const studio = await startStudio(root, ONE_WORKER);
    try {
      assert.deepEqual(await answers(studio.url), ['1', '1', '1']);
      await writeFile(join(root, '.wash', 'studio.yaml'), 'instances: reuse\n');
      await studio.waitFor(/instances: reuse: an instance serves request after request/);
      const now = await answers(studio.url, 2);
      assert.equal(Number(now[1]), Number(now[0]) + 1, `a reused instance counts up: ${now.join(', ')}`);
      assert.doesNotMatch(studio.output(), /build 2/);
    } finally {
      await studio.stop();
    }
  });

  it('on a .wasm file: for this run, with no file written', async () => {
    const dir = join(temp, `file-${++count}`);
    await mkdir(dir);
    const wasm = join(dir, 'counter.wasm');
    await copyFile(counterWasm, wasm);
    const studio = await startStudio(wasm, ONE_WORKER, 180_000, { ui: true });
    const client = await StudioApiClient.connect(studio.studioUrl);
    try {
      assert.deepEqual((await client.call('settings.get', {})).instances, { mode: 'fresh', from: 'default' });
      assert.deepEqual(await client.call('workloads.setInstances', { mode: 'reuse' }), { mode: 'reuse', from: 'this-run' });
      await answersBecome(studio.url, ['1', '2', '3']);
      await assert.rejects(readFile(join(dir, '.wash', 'studio.yaml')), { code: 'ENOENT' });
    } finally {
      client.close();
      await studio.stop();
    }
  });
});

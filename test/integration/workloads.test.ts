// Workloads of several components through the CLI, as a user configures them in
// .wash/config.yaml: dev.components linked into the project's component, a service beside it
// (dev.service_file) or the component itself as one (dev.service), and what the studio says
// when the pieces do not fit.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWorkloadPart, type WorkloadPart } from '../fixtures/js/build.ts';
import { watFixture, type WatFixture } from '../fixtures/fixtures.ts';
import { apiErrorOf, StudioApiClient } from '../helpers/studio-api-client.ts';
import { launchStudio, startStudio, type LaunchOptions } from '../helpers/studio-process.ts';

let tempDir: string;
before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'studio-workloads-'));
});
after(async () => {
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

let projects = 0;
/** A project whose "build" is nothing: its components are copied in, prebuilt. */
async function project(main: string, files: Record<string, string>, dev: string): Promise<string> {
  const root = join(tempDir, `workload-${projects++}`);
  await mkdir(join(root, '.wash'), { recursive: true });
  for (const [name, from] of Object.entries(files)) await copyFile(from, join(root, name));
  await writeFile(join(root, '.wash', 'config.yaml'), `build:\n  command: "true"\n  component_path: ${main}\ndev:\n${dev}`);
  return root;
}

async function part(name: WorkloadPart): Promise<string> {
  return buildWorkloadPart(name);
}

/** A studio on a WAT fixture served as a bare .wasm file, in a folder of its own. */
async function launchBareFixture(name: WatFixture, options: LaunchOptions = {}): Promise<ReturnType<typeof launchStudio>> {
  const dir = join(tempDir, `${name}-${projects++}`);
  await mkdir(dir);
  const wasm = join(dir, `${name}.wasm`);
  await copyFile(await watFixture(name), wasm);
  return launchStudio(wasm, [], options);
}

describe('dev.components linked into the project\'s component', () => {
  it('answers through a chain of three, and gives the linked ones no route of their own', async () => {
    // One at a time: componentize-js needs about 800 MB per build.
    const files = { 'front.wasm': await part('front'), 'middleware.wasm': await part('middleware'), 'receiver.wasm': await part('receiver') };
    const root = await project('front.wasm', files, '  components:\n    - name: middleware\n      file: middleware.wasm\n    - name: receiver\n      file: receiver.wasm\n');
    const studio = await startStudio(root);
    try {
      const res = await fetch(`${studio.url}?items=a:1,b:2`);
      assert.equal(await res.text(), '2 items (a, b), 3 in all\n');
      assert.doesNotMatch(studio.output(), /middleware\.localhost|receiver\.localhost/, 'a linked component without an HTTP export has no route');
    } finally {
      await studio.stop();
    }
  });

  it('names the interface and the component when an import has no provider', async () => {
    const root = await project('front.wasm', { 'front.wasm': await part('front') }, '  address: 127.0.0.1:0\n');
    const studio = launchStudio(root);
    try {
      // The project's component is named after its folder.
      await studio.waitFor(/workload-\d+ imports interfaces the studio does not provide:\s+acme:chain\/receiver@0\.1\.0\s+acme:chain\/middleware@0\.1\.0/);
    } finally {
      await studio.stop();
    }
  });
});

describe('services', () => {
  it('runs dev.service_file beside a component with no HTTP export, with no listener, and logs its lines', async () => {
    const files = { 'ticks.wasm': await part('ticks'), 'ticker.wasm': await part('ticking-service') };
    const root = await project('ticks.wasm', files, '  service_file: ticker.wasm\n  host_interfaces:\n    - namespace: wasi\n      package: config\n      config:\n        tick_ms: "100"\n');
    const studio = launchStudio(root);
    try {
      await studio.waitFor(/no HTTP\s+nothing exports wasi:http\/incoming-handler, so nothing listens; the service ticker runs/, 120_000);
      await studio.waitFor(/ticker\s+service: tick 2 -> 4/);
      await studio.waitFor(/workload-\d+\s+ticks: tick 2/);
      assert.doesNotMatch(studio.output(), /serving\s+http/);
      // Checks are HTTP requests: with nothing listening, a reload has none to run, and no error to print.
      assert.doesNotMatch(studio.output(), /checks cannot run/);
    } finally {
      await studio.stop();
    }
  });

  it('runs a .wasm file that exports only wasi:cli/run as its service, since no config beside a file can say dev.service', async () => {
    const studio = await launchBareFixture('cli-service', { ui: true });
    try {
      await studio.waitFor(/no HTTP\s+nothing exports wasi:http\/incoming-handler, so nothing listens; the service cli-service runs/, 120_000);
      await studio.waitFor(/cli-service\s+cli-service ran/);
      // Its run returned ok: the studio says so and runs it again, as it does for a project's service.
      await studio.waitFor(/service cli-service exited with success; starting it again in 1 s\. A service is meant to keep running/);
      assert.doesNotMatch(studio.output(), /nothing to serve|dev\.service: true/);
      // The HTTP view says why nothing answers, not that a build is still to come.
      const client = await StudioApiClient.connect(studio.studioUrl);
      try {
        const error = await apiErrorOf(client.call('http.send', { method: 'GET', url: '/', headers: [] }));
        assert.equal(error.code, 'not-serving');
        assert.match(error.message, /^\/ is relative, and nothing serves HTTP to resolve it against: build 1 serves no HTTP: none of its components exports wasi:http\/incoming-handler, and its service cli-service runs instead\.$/);
      } finally {
        client.close();
      }
    } finally {
      await studio.stop();
    }
  });

  it('says a service whose run returned err exited with an error, not that it trapped', async () => {
    const studio = await launchBareFixture('cli-service-err');
    try {
      await studio.waitFor(/service cli-service-err exited with an error \(run returned err, or exit\(failure\)\); starting it again/, 120_000);
      assert.doesNotMatch(studio.output(), /trapped/);
    } finally {
      await studio.stop();
    }
  });

  it('says when a service computes for 10 s without waiting once (a busy loop), and still stops it', async () => {
    const studio = await launchBareFixture('cli-service-spin');
    try {
      await studio.waitFor(/service cli-service-spin has computed for 10 s without waiting once \(a loop with no sleep or poll\?\)/, 60_000);
    } finally {
      assert.equal(await studio.stop(), 0);
    }
  });

  it('refuses dev.service on a component that does not export wasi:cli/run, and says so', async () => {
    const root = await project('hello.wasm', { 'hello.wasm': await watFixture('hello') }, '  service: true\n');
    const studio = launchStudio(root);
    try {
      await studio.waitFor(/The service workload-\d+ does not export wasi:cli\/run, so it cannot run as a service \(it exports wasi:http\/incoming-handler@0\.2\.0\)/);
    } finally {
      await studio.stop();
    }
  });
});

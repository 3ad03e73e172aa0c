// A workload started again by hand (workloads.restart) after the studio's cache lost its
// transpiled files while it ran: it is made ready again from its file, unless that file now
// holds another component, which is said instead of serving something else under its name.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import { defaultRuntimeSettings, Workload } from '../../runtime/workloads/workload.ts';
import { watFixture } from '../fixtures/fixtures.ts';

it('starts again after its transpiled files left the cache, and refuses a file that changed since', async () => {
  const temp = await mkdtemp(join(tmpdir(), 'studio-relaunch-'));
  const running: Workload[] = [];
  after(async () => {
    await Promise.all(running.map((w) => w.stop()));
    await rm(temp, { recursive: true, force: true });
  });
  const cacheDir = join(temp, 'cache');
  const wasmPath = join(temp, 'app.wasm');
  await copyFile(await watFixture('hello'), wasmPath);
  const settings = { ...defaultRuntimeSettings(cacheDir), workers: 1 };
  const logs = new LogBus();
  const first = await Workload.start({ name: 'app', wasmPath, config: [] }, settings, logs);
  assert.ok(first.ok, first.ok ? '' : first.error.message);
  running.push(first.value);

  await rm(join(cacheDir, 'transpiled'), { recursive: true, force: true });
  const again = await first.value.relaunch(settings, logs);
  assert.ok(again.ok, again.ok ? '' : again.error.message);
  running.push(again.value);
  assert.equal(again.value.stats().workers, 1);

  await rm(join(cacheDir, 'transpiled'), { recursive: true, force: true });
  await copyFile(await watFixture('counter'), wasmPath);
  const changed = await again.value.relaunch(settings, logs);
  assert.ok(!changed.ok);
  assert.equal(changed.error.code, 'component-changed');
  assert.match(changed.error.message, /the studio's cache no longer holds its transpiled files, and .*app\.wasm holds another component since/);
});

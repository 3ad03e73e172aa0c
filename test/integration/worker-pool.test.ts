// A workload's pool, started in process: it serves once its first worker is ready and then
// grows to its size; a second start (a reload's new version) takes the spare thread the
// first one left behind and grows the same way.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import { defaultRuntimeSettings, Workload } from '../../runtime/workloads/workload.ts';
import { watFixture } from '../fixtures/fixtures.ts';
import { testCacheDir } from '../helpers/studio-process.ts';

describe('a workload pool', () => {
  const settings = { ...defaultRuntimeSettings(testCacheDir), workers: 3 };
  const logs = new LogBus();
  const started: Workload[] = [];
  after(() => Promise.all(started.map((w) => w.stop())));

  const start = async (): Promise<Workload> => {
    const workload = await Workload.start({ name: 'hello', wasmPath: await watFixture('hello'), config: [] }, settings, logs);
    assert.ok(workload.ok, workload.ok ? '' : workload.error.message);
    started.push(workload.value);
    return workload.value;
  };
  const reachesSize = async (workload: Workload) => {
    for (let i = 0; i < 200 && workload.stats().workers < settings.workers; i++) await sleep(50);
    assert.equal(workload.stats().workers, settings.workers);
  };

  it('starts its first worker, then the rest', async () => {
    const first = await start();
    await reachesSize(first);
  });

  it('starts again from the spare thread, and grows the same way', async () => {
    await sleep(1500); // the spare is started a second after the last worker was
    const second = await start();
    await reachesSize(second);
    assert.deepEqual(logs.query({}).filter((r) => r.level === 'error'), []);
  });
});

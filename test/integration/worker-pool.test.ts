// A workload's pool, started in process: it serves once its first worker is ready and then
// grows to its size; a second start (a reload's new version) takes the spare thread the
// first one left behind and grows the same way.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import { defaultRuntimeSettings, Workload } from '../../runtime/workloads/workload.ts';
import { watFixture } from '../fixtures/fixtures.ts';
import { testCacheDir } from '../helpers/studio-process.ts';
import { waitUntil } from '../helpers/wait-until.ts';

describe('a workload pool', () => {
  const settings = { ...defaultRuntimeSettings(testCacheDir), workers: 3 };
  const logs = new LogBus();
  const started: Workload[] = [];
  // Every worker thread this process creates, in order (Node reports each on `process`).
  const threads: Worker[] = [];
  const created = (thread: Worker) => threads.push(thread);
  process.on('worker', created);
  after(async () => {
    process.off('worker', created);
    await Promise.all(started.map((w) => w.stop()));
  });

  const start = async (): Promise<Workload> => {
    const workload = await Workload.start({ name: 'hello', wasmPath: await watFixture('hello'), config: [] }, settings, logs);
    assert.ok(workload.ok, workload.ok ? '' : workload.error.message);
    started.push(workload.value);
    return workload.value;
  };
  const reachesSize = (workload: Workload) =>
    waitUntil(() => workload.stats().workers === settings.workers, () => `the pool has ${settings.workers} workers (it has ${workload.stats().workers})`);

  let threadsOfFirst = 0;

  it('starts its first worker, then the rest', async () => {
    const first = await start();
    await reachesSize(first);
    threadsOfFirst = threads.length;
  });

  it('starts again from the spare thread, and grows the same way', async () => {
    // Nothing else starts threads now: the next one is the spare, started a moment after
    // the first pool took its last thread.
    await waitUntil(() => threads.length > threadsOfFirst, () => 'a spare thread is started');
    const spare = threads[threadsOfFirst]!;
    assert.equal(spare.listenerCount('message'), 0, 'the spare is idle: no pool listens to it yet');
    const second = await start();
    assert.ok(spare.listenerCount('message') > 0, 'the new pool did not take the spare thread');
    await reachesSize(second);
    assert.deepEqual(logs.query({}).filter((r) => r.level === 'error'), []);
  });
});

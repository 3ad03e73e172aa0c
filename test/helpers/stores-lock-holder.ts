// A worker thread for the store-lock tests: takes one key's lock, says so, and never lets go
// (it waits forever inside the locked section, like a worker stuck in a store call).
import { parentPort, workerData } from 'node:worker_threads';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';

const task = (workerData as { data: { locks: SharedArrayBuffer; bucket: string; key: string } }).data;
const locks = new StoreLocks(task.locks);
const forever = new Int32Array(new SharedArrayBuffer(4));
locks.withKey(task.bucket, task.key, () => {
  parentPort!.postMessage('locked');
  Atomics.wait(forever, 0, 0);
});

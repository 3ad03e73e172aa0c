// A worker thread for the store tests: increments one counter many times through its own
// KeyValueStore over a shared StoreLocks, then reports the last value it saw.
import { parentPort, workerData } from 'node:worker_threads';
import { KeyValueStore } from '../../runtime/stores/key-value-store.ts';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';

interface Task {
  root: string;
  locks: SharedArrayBuffer;
  bucket: string;
  key: string;
  times: number;
}

const task = (workerData as { data: Task }).data;
const store = new KeyValueStore(task.root, { locks: new StoreLocks(task.locks) });
let last = 0n;
for (let i = 0; i < task.times; i++) last = store.increment(task.bucket, task.key, 1n);
store.close();
parentPort!.postMessage({ last: last.toString() });
